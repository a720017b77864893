import { Badge, Box, Card, Group, Stack, Text, Title } from '@mantine/core';
import type { Condition, Encounter } from '@medplum/fhirtypes';
import { useId, useMemo } from 'react';
import { formatConcept, formatDate, formatPeriod } from '../lib/format.js';
import { AttachmentActions } from './attachment-actions.js';
import { encounterKind } from './encounters.js';
import { notesByEncounter, type Note } from './notes.js';
import { Meta } from './record-parts.js';
import type { PatientRecord } from './use-patient-record.js';

const HIDDEN = new Set(['cancelled', 'entered-in-error']);

function NoteBlock({ note }: { note: Note }) {
  return (
    <Box component="details" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }} pt="xs">
      <Text component="summary" fw={500} style={{ cursor: 'pointer' }}>
        {note.title}
        <Text span c="dimmed" fw={400} size="sm">
          {[note.author, formatDate(note.date)].filter(Boolean).map((p) => ` · ${p}`).join('')}
        </Text>
      </Text>
      <Stack gap="xs" mt="xs">
        {note.text !== undefined && (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {note.text}
          </Text>
        )}
        {note.files.map((f, i) => (
          <AttachmentActions key={i} attachment={f} name={f.title || note.title} />
        ))}
      </Stack>
    </Box>
  );
}

function VisitCard({ encounter, record, notes }: { encounter: Encounter; record: PatientRecord; notes: Note[] }) {
  const id = useId();
  const title = encounter.type?.map(formatConcept).find(Boolean) || formatConcept(encounter.serviceType) || encounterKind(encounter) || 'Visit';
  const clinicians = (encounter.participant ?? []).map((p) => record.nameOf(p.individual)).filter(Boolean);
  const places = (encounter.location ?? []).map((l) => record.nameOf(l.location)).filter(Boolean);
  const where = places.length ? places.join(', ') : record.nameOf(encounter.serviceProvider);
  const reasons = [...(encounter.reasonCode ?? []).map(formatConcept), ...(encounter.reasonReference ?? []).map((r) => formatConcept(record.byReference<Condition>(r)?.code) || record.nameOf(r))].filter(Boolean);
  const status = encounter.status === 'in-progress' || encounter.status === 'arrived' ? 'Happening now' : encounter.status === 'planned' ? 'Planned' : undefined;
  return (
    <Card withBorder component="article" aria-labelledby={id} padding="md">
      <Group justify="space-between" align="flex-start" gap="xs">
        <div>
          <Title order={2} size="h4" id={id}>
            {title}
          </Title>
          <Text size="sm">{formatPeriod(encounter.period) || 'Date not recorded'}</Text>
        </div>
        <Group gap={4}>
          {encounterKind(encounter) && (
            <Badge variant="light" color="gray">
              {encounterKind(encounter)}
            </Badge>
          )}
          {status && <Badge variant="light">{status}</Badge>}
        </Group>
      </Group>
      <Stack gap={4} mt="xs">
        <Meta parts={[clinicians.length > 0 && `With ${clinicians.join(', ')}`, where]} />
        {reasons.length > 0 && <Text size="sm">Reason: {reasons.join('; ')}</Text>}
      </Stack>
      {notes.length > 0 && (
        <Stack gap="xs" mt="sm">
          {notes.map((n) => (
            <NoteBlock key={n.key} note={n} />
          ))}
        </Stack>
      )}
    </Card>
  );
}

/** The patient's visits, newest first, each with who, where, why and the notes written about it. */
export function VisitsView({ record }: { record: PatientRecord }) {
  const notes = useMemo(() => notesByEncounter(record), [record]);
  const visits = record.encounters.filter((e) => !HIDDEN.has(e.status));
  if (visits.length === 0) return <Text c="dimmed">No visits are recorded.</Text>;
  return (
    <Stack gap="md">
      {visits.map((e) => (
        <VisitCard key={e.id} encounter={e} record={record} notes={notes.get(`Encounter/${e.id}`) ?? []} />
      ))}
    </Stack>
  );
}
