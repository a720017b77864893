import { Button, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { search } from '../api/fhir.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { PatientList } from './patient-list.js';

/** The search a clinician types, as FHIR Patient search parameters; undefined when nothing was typed. */
export function patientQuery(form: { name: string; birthdate: string; identifier: string }): Record<string, string> | undefined {
  const q: Record<string, string> = {};
  if (form.name.trim()) q.name = form.name.trim();
  if (form.birthdate) q.birthdate = form.birthdate;
  if (form.identifier.trim()) q.identifier = form.identifier.trim();
  return Object.keys(q).length ? q : undefined;
}

/**
 * Patient search by name, birth date and identifier. The criteria live in the address, so the
 * back button returns to the results. Only patients the clinician may see are found: the server
 * filters the search.
 */
export function PatientSearchPage() {
  const [params, setParams] = useSearchParams();
  const [form, setForm] = useState({ name: params.get('name') ?? '', birthdate: params.get('birthdate') ?? '', identifier: params.get('identifier') ?? '' });
  const [error, setError] = useState<string>();
  const active = patientQuery({ name: params.get('name') ?? '', birthdate: params.get('birthdate') ?? '', identifier: params.get('identifier') ?? '' });
  const key = JSON.stringify(active ?? null);
  const results = useAsync((signal) => (active ? search<Patient>('Patient', { ...active, _count: 50, _sort: 'family' }, signal) : Promise.resolve(undefined)), [key]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const q = patientQuery(form);
    if (!q) return setError('Type a name, a birth date or an identifier');
    setError(undefined);
    setParams(q);
  }

  return (
    <Stack>
      <Title order={1} size="h2">
        Find a patient
      </Title>
      <Paper withBorder p="md" component="form" onSubmit={submit} role="search" aria-label="Patient search">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Name" placeholder="Family or given name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          <TextInput label="Date of birth" type="date" value={form.birthdate} onChange={(e) => setForm({ ...form, birthdate: e.currentTarget.value })} />
          <TextInput label="Identifier" placeholder="Record or national number" value={form.identifier} onChange={(e) => setForm({ ...form, identifier: e.currentTarget.value })} />
        </SimpleGrid>
        <Group mt="md" justify="space-between">
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
          <Button type="submit">Search</Button>
        </Group>
      </Paper>
      {active && (
        <section aria-label="Search results">
          <AsyncView async={results} loadingLabel="Searching…">
            {(found) => found && (
              <>
                <Text size="sm" c="dimmed" mb="xs" aria-live="polite">
                  {found.length === 50 ? 'The first 50 matches; narrow the search to see others.' : `${found.length} ${found.length === 1 ? 'match' : 'matches'}`}
                </Text>
                <PatientList patients={found} empty="No patient you may see matches. Check the spelling, or search by birth date." />
              </>
            )}
          </AsyncView>
        </section>
      )}
    </Stack>
  );
}
