import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { IconPhone, IconVideo } from '@tabler/icons-react';
import { useId } from 'react';
import { Link } from 'react-router';
import { FHIR_BASE } from '../api/fhir.js';
import { request } from '../api/http.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDateTime, relativeDay } from '../lib/format.js';
import { PatientPage } from '../patient/patient-page.js';
import { joinableToday, modeLabel, personName, phoneLinks, visitDetails, VIRTUAL_SERVICE_TYPES, type VisitDetails } from './visit-info.js';

/** Upcoming video and phone visits of one patient, with their clinicians, earliest first. */
async function loadUpcoming(patientId: string, signal: AbortSignal): Promise<VisitDetails[]> {
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const q = new URLSearchParams([
    ['patient', `Patient/${patientId}`],
    ['date', `ge${today.toISOString()}`],
    ['service-type', VIRTUAL_SERVICE_TYPES],
    ['status', 'booked,arrived,checked-in'],
    ['_include', 'Appointment:practitioner'],
    ['_sort', 'date'],
    ['_count', '50'],
  ]);
  const bundle = await request<Bundle>(`${FHIR_BASE}/Appointment?${q}`, { signal });
  return (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === 'Appointment' && e.search?.mode !== 'include')
    .map((e) => visitDetails(bundle, e.resource!.id!))
    .filter((v): v is VisitDetails => v !== undefined);
}

function VisitCard({ visit, patient }: { visit: VisitDetails; patient: Patient }) {
  const id = useId();
  const a = visit.appointment;
  const clinician = personName(visit.practitioner, 'your clinician');
  const today = joinableToday(a);
  const day = relativeDay(a.start);
  const phones = phoneLinks(patient);
  return (
    <Card withBorder component="article" aria-labelledby={id} padding="md">
      <Group justify="space-between" align="flex-start" gap="xs">
        <div>
          <Title order={2} size="h4" id={id}>
            {modeLabel(visit.mode)} with {clinician}
          </Title>
          <Text size="sm">
            {day ? `${day[0]!.toUpperCase()}${day.slice(1)}, ` : ''}
            {formatDateTime(a.start)}
          </Text>
        </div>
        <Badge variant="light" color={visit.mode === 'video' ? 'salus' : 'gray'} leftSection={visit.mode === 'video' ? <IconVideo size={12} aria-hidden /> : <IconPhone size={12} aria-hidden />}>
          {modeLabel(visit.mode)}
        </Badge>
      </Group>
      <Stack gap={6} mt="xs">
        {a.description && <Text size="sm">{a.description}</Text>}
        {a.patientInstruction && (
          <Text size="sm" c="dimmed">
            {a.patientInstruction}
          </Text>
        )}
        {visit.mode === 'video' &&
          (today ? (
            <Button component={Link} to={a.id} leftSection={<IconVideo size={16} aria-hidden />} style={{ alignSelf: 'flex-start' }} aria-label={`Join the video visit with ${clinician}`}>
              Join
            </Button>
          ) : (
            <Text size="sm">You can join from this page on the day of the visit.</Text>
          ))}
        {visit.mode === 'phone' && (
          <Text size="sm">
            {clinician} will call you{phones.length > 0 ? ` on ${phones.map((p) => p.number).join(' or ')}` : ''}. If the number has changed, update it with your clinic before the call.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** The patient's video and phone visits to come: today's video visits are joined from here. */
export function PatientVisitsPage({ patient }: { patient: Patient }) {
  const list = useAsync((signal) => loadUpcoming(patient.id!, signal), [patient.id]);
  return (
    <PatientPage title="Video and phone visits" patient={patient} intro="Join a video visit from here on its day. For a phone visit, your clinician calls you.">
      <AsyncView async={list} loadingLabel="Loading your visits…">
        {(visits) =>
          visits.length === 0 ? (
            <EmptyState>No video or phone visits are booked.</EmptyState>
          ) : (
            <Stack gap="sm" maw={720}>
              {visits.map((v) => (
                <VisitCard key={v.appointment.id} visit={v} patient={patient} />
              ))}
            </Stack>
          )
        }
      </AsyncView>
    </PatientPage>
  );
}
