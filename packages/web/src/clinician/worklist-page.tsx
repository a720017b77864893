import { Button, Group, Stack, Text, Title } from '@mantine/core';
import type { CareTeam, Patient } from '@medplum/fhirtypes';
import { IconSearch } from '@tabler/icons-react';
import { Link } from 'react-router';
import { search, searchBundle } from '../api/fhir.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { useMe } from '../session/session.js';
import { PatientList } from './patient-list.js';
import { UrgentTasks } from '../check-ins/urgent-tasks.js';

interface Worklist {
  patients: Patient[];
  reasons: Map<string, string>;
}

/**
 * "My patients": the people who name this clinician as their GP, and those on care teams the
 * clinician is part of. Two searches, each one round trip (the care teams bring their patients
 * with `_include`).
 */
async function loadWorklist(practitioner: string, signal: AbortSignal): Promise<Worklist> {
  const [gpList, teams] = await Promise.all([
    search<Patient>('Patient', { 'general-practitioner': practitioner, _count: 200, _sort: 'family' }, signal),
    searchBundle('CareTeam', { participant: practitioner, status: 'active', _include: 'CareTeam:subject', _count: 200 }, signal),
  ]);
  const reasons = new Map<string, string>();
  const byId = new Map<string, Patient>();
  for (const p of gpList) {
    byId.set(p.id!, p);
    reasons.set(p.id!, 'GP');
  }
  const included = (teams.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
  for (const p of included) if (!byId.has(p.id!)) byId.set(p.id!, p);
  for (const team of (teams.entry ?? []).map((e) => e.resource).filter((r): r is CareTeam => r?.resourceType === 'CareTeam')) {
    const pid = team.subject?.reference?.split('/')[1];
    if (!pid || !byId.has(pid)) continue;
    const label = team.name ? `Care team: ${team.name}` : 'Care team';
    reasons.set(pid, reasons.has(pid) ? `${reasons.get(pid)}, ${label}` : label);
  }
  const patients = [...byId.values()].sort((a, b) => (a.name?.[0]?.family ?? '').localeCompare(b.name?.[0]?.family ?? ''));
  return { patients, reasons };
}

export function WorklistPage() {
  const me = useMe();
  const practitioner = me.account.fhirUser;
  const list = useAsync((signal) => (practitioner ? loadWorklist(practitioner, signal) : Promise.resolve({ patients: [], reasons: new Map() })), [practitioner]);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            My patients
          </Title>
          <Text c="dimmed" size="sm">
            People who have you as their GP or are on your care teams.
          </Text>
        </div>
        <Button component={Link} to="/clinician/search" leftSection={<IconSearch size={16} aria-hidden />} variant="light">
          Find a patient
        </Button>
      </Group>
      <UrgentTasks me={practitioner} />
      <AsyncView async={list} loadingLabel="Loading your patients…">
        {(w) => <PatientList patients={w.patients} why={(p) => w.reasons.get(p.id!)} empty="No patients list you as their GP or care team member yet. Use Find a patient." />}
      </AsyncView>
    </Stack>
  );
}
