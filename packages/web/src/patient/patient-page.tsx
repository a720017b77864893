import { Stack, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { useEffect, type ReactNode } from 'react';
import { formatAge, formatDate, formatName } from '../lib/format.js';

/**
 * One page of the patient space: its title, whose record it is (which matters to a caregiver
 * looking after several people) and the page. The browser tab says the same, for screen readers
 * announcing the page after navigation.
 */
export function PatientPage({ title, patient, intro, children }: { title: string; patient: Patient; intro?: ReactNode; children: ReactNode }) {
  const name = formatName(patient.name) || 'Unnamed patient';
  useEffect(() => {
    document.title = `${title} · ${name} · Salus`;
  }, [title, name]);
  return (
    <Stack gap="md" maw={1100}>
      <div>
        <Title order={1} size="h2">
          {title}
        </Title>
        <Text c="dimmed" size="sm">
          {[name, patient.birthDate && `${formatAge(patient.birthDate)}, born ${formatDate(patient.birthDate)}`].filter(Boolean).join(' · ')}
        </Text>
      </div>
      {intro && (
        <Text size="sm" maw={720}>
          {intro}
        </Text>
      )}
      {children}
    </Stack>
  );
}
