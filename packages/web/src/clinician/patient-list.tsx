import { Anchor, Badge, Text } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { Link } from 'react-router';
import { DataTable, type Column } from '../layout/data-table.js';
import { formatAge, formatDate, formatName } from '../lib/format.js';

/** Patients (name, birth date and age, sex, record number), each opening the chart; cards on a phone. */

/** The record number people quote: the first identifier typed MR, else the first one. */
export function recordNumber(p: Patient): string | undefined {
  const id = p.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'MR')) ?? p.identifier?.[0];
  return id?.value;
}

const COLUMNS: Column<Patient>[] = [
  {
    label: 'Name',
    render: (p) => (
      <>
        <Anchor component={Link} to={`/clinician/patients/${p.id}`} fw={500}>
          {formatName(p.name) || 'Unnamed patient'}
        </Anchor>
        {p.deceasedBoolean || p.deceasedDateTime ? (
          <Badge ml="xs" color="gray" size="xs">
            Deceased
          </Badge>
        ) : null}
      </>
    ),
  },
  {
    label: 'Born',
    render: (p) =>
      p.birthDate ? (
        <>
          {formatDate(p.birthDate)}{' '}
          <Text span c="dimmed" size="sm">
            ({formatAge(p.birthDate)})
          </Text>
        </>
      ) : (
        '—'
      ),
  },
  { label: 'Sex', render: (p) => p.gender ?? '—' },
  { label: 'Record number', render: (p) => recordNumber(p) ?? '—' },
];

export function PatientList({ patients, empty, why }: { patients: Patient[]; empty: string; why?: (p: Patient) => string | undefined }) {
  const columns = why ? [...COLUMNS, { label: 'Why listed', render: (p: Patient) => why(p) ?? '' }] : COLUMNS;
  return <DataTable label="Patients" columns={columns} rows={patients} rowKey={(p) => p.id!} empty={empty} />;
}
