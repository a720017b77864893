import { Select } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useLocation, useNavigate } from 'react-router';
import { search } from '../api/fhir.js';
import { useAsync } from '../layout/async.js';
import { formatName } from '../lib/format.js';

/**
 * For caregivers: whose record is open, and a switch to another person they look after. The
 * names come from one search; until they arrive (or if it fails) the choice still works.
 */
export function WhoseRecord({ patientIds, current, self }: { patientIds: string[]; current: string; self?: string | undefined }) {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const names = useAsync((signal) => search<Patient>('Patient', { _id: patientIds.join(','), _count: patientIds.length }, signal), [patientIds.join(',')]);
  const found = names.state.status === 'ready' ? names.state.data : [];
  const data = patientIds.map((id, i) => {
    const name = formatName(found.find((p) => p.id === id)?.name) || `Record ${i + 1}`;
    return { value: id, label: self === `Patient/${id}` ? `${name} (you)` : name };
  });
  // Stay on the same part of the record; a chosen result may not exist in the other person's.
  const section = pathname.split('/')[3];
  return (
    <Select
      label="Whose record"
      data={data}
      value={patientIds.includes(current) ? current : null}
      allowDeselect={false}
      checkIconPosition="right"
      mb="sm"
      onChange={(id) => id && id !== current && navigate(`/patient/${encodeURIComponent(id)}${section ? `/${section}` : ''}`)}
    />
  );
}
