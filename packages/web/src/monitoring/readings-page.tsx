import { Alert, Button, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { READING_KINDS, type MonitoringGoal } from '@salus/core';
import { IconAlertTriangle, IconAmbulance, IconPhone } from '@tabler/icons-react';
import { useState } from 'react';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { PatientPage } from '../patient/patient-page.js';
import { EMERGENCY_NUMBER } from '../telehealth/emergency-notice.js';
import { AdviceBadge } from './badges.js';
import { chartKinds, goalText } from './chart-data.js';
import { PatientDevices } from './devices.js';
import { readingText } from './monitoring.js';
import { loadPatientMonitoring, type LatestReading, type PatientMonitoring } from './monitoring-api.js';
import { ReadingChart } from './reading-chart.js';
import { ReadingForm } from './reading-form.js';
import { Section } from '../layout/section.js';

/**
 * "My readings": the patient's (or, for a caregiver, their ward's) home readings in plain words —
 * what each latest reading means and what to do about it, the goals, the trends, a form to add a
 * reading by hand, and the devices that send them. Urgent advice comes first, with the emergency
 * number.
 */

function UrgentAdvice({ latest }: { latest: LatestReading[] }) {
  const urgent = latest.filter((r) => r.advice?.level === 'urgent');
  const call = latest.filter((r) => r.advice?.level === 'call');
  return (
    <>
      {urgent.length > 0 && (
        <Paper role="alert" p="lg" radius="md" bg="red.0" style={{ border: '2px solid var(--mantine-color-red-7)' }}>
          <Stack gap="sm">
            <Title order={2} size="h3" c="red.9" style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
              <IconAlertTriangle size={26} aria-hidden />
              Act now
            </Title>
            {urgent.map((r) => (
              <Text key={r.kind} fw={600}>
                {r.text}: {r.advice!.text}
              </Text>
            ))}
            <Text>
              If you have chest pain, severe shortness of breath, fainting, or sudden weakness or trouble speaking, call {EMERGENCY_NUMBER} now. Do not wait for your care team.
            </Text>
            <Button component="a" href={`tel:${EMERGENCY_NUMBER}`} color="red" size="lg" leftSection={<IconAmbulance size={20} aria-hidden />} style={{ alignSelf: 'flex-start' }}>
              Call {EMERGENCY_NUMBER}
            </Button>
          </Stack>
        </Paper>
      )}
      {call.length > 0 && (
        <Alert color="orange" variant="light" icon={<IconPhone aria-hidden />} title="Call your care team today">
          <Stack gap={4}>
            {call.map((r) => (
              <Text key={r.kind} size="sm">
                {r.text}: {r.advice!.text}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
    </>
  );
}

function LatestCards({ latest, goals }: { latest: LatestReading[]; goals: readonly MonitoringGoal[] }) {
  const shown = latest.filter((r) => r.kind !== 'ecg');
  if (shown.length === 0) return <EmptyState>No readings yet. Readings from your devices, and those you add below, appear here.</EmptyState>;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Latest readings">
      {shown.map((r) => {
        const goal = goalText(goals, r.kind);
        return (
          <Paper component="li" key={r.kind} withBorder p="md" radius="md">
            <Stack gap={4} align="flex-start">
              <Text size="sm" c="dimmed">
                {r.text}
              </Text>
              <Text fz={24} fw={700} lh={1.2}>
                {readingText(r)}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(r.time)}
              </Text>
              {r.advice && (
                <>
                  <AdviceBadge level={r.advice.level} />
                  <Text size="sm">{r.advice.text}</Text>
                </>
              )}
              {goal && <Text size="sm">Your goal: {goal}</Text>}
            </Stack>
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}

function Goals({ pm }: { pm: PatientMonitoring }) {
  const kinds = [...new Set(pm.plan.goals.map((g) => g.kind))];
  const lines = kinds.flatMap((kind) => {
    const text = goalText(pm.plan.goals, kind);
    return text ? [{ kind, label: READING_KINDS[kind].text, text }] : [];
  });
  if (lines.length === 0) return <EmptyState>Your care team has not set goals for your readings.</EmptyState>;
  return (
    <Stack component="ul" gap={4} pl="md" m={0}>
      {lines.map((l) => (
        <Text component="li" key={l.kind}>
          {l.label}: your goal is {l.text}.
        </Text>
      ))}
    </Stack>
  );
}

function Overview({ pm, patientId, onChanged }: { pm: PatientMonitoring; patientId: string; onChanged: () => void }) {
  // A saved reading is newer than the charts' windows: they are drawn again from now.
  const [round, setRound] = useState(0);
  const kinds = chartKinds(pm.latest);
  return (
    <Stack gap="xl">
      <UrgentAdvice latest={pm.latest} />
      <Section size="h3" gap="sm" title="Latest readings">
        <LatestCards latest={pm.latest} goals={pm.plan.goals} />
      </Section>
      <Section size="h3" gap="sm" title="Goals">
        <Goals pm={pm} />
      </Section>
      {kinds.length > 0 && (
        <Section size="h3" gap="sm" title="Over time">
          <Stack gap="xl">
            {kinds.map((kind) => (
              <ReadingChart key={`${kind}-${round}`} patientId={patientId} kind={kind} goals={pm.plan.goals} ranges={['7d', '30d', '90d']} initialRange="30d" />
            ))}
          </Stack>
        </Section>
      )}
      <Section size="h3" gap="sm" title="Add a reading">
        <ReadingForm
          patientId={patientId}
          onSaved={() => {
            setRound((r) => r + 1);
            onChanged();
          }}
        />
      </Section>
      <Section size="h3" gap="sm" title="Devices">
        <PatientDevices patientId={patientId} devices={pm.devices} onChanged={onChanged} />
      </Section>
    </Stack>
  );
}

export function ReadingsPage({ patient, whose }: { patient: Patient; whose: string }) {
  const patientId = patient.id!;
  const data = useAsync((signal) => loadPatientMonitoring(patientId, signal), [patientId]);
  return (
    <PatientPage
      title={whose === 'your' ? 'My readings' : 'Readings'}
      patient={patient}
      intro={`Home readings, from ${whose === 'your' ? 'your' : 'connected'} devices or entered by hand. The care team sees them during working hours; they are not watched around the clock.`}
    >
      <AsyncView async={data} loadingLabel="Loading readings…">
        {(pm) => <Overview pm={pm} patientId={patientId} onChanged={data.reload} />}
      </AsyncView>
    </PatientPage>
  );
}
