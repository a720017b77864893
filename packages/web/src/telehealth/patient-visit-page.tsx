import { Alert, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { IconCircleCheck, IconDoorEnter } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { asApiError } from '../api/http.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { PatientPage } from '../patient/patient-page.js';
import { CallScreen } from './call-screen.js';
import { DeviceCheck, useLocalMedia } from './device-check.js';
import { EmergencyNotice } from './emergency-notice.js';
import { useVisitCall } from './use-visit-call.js';
import { joinableToday, loadVisit, modeLabel, personName, visitOperation, type VisitDetails } from './visit-info.js';

/**
 * The patient's side of a video visit: a camera and microphone test, "I'm ready" (the check-in),
 * the waiting room until the clinician admits them, the call, and the end of the visit.
 */
function VideoVisit({ visit, patient }: { visit: VisitDetails; patient: Patient }) {
  const a = visit.appointment;
  const clinician = personName(visit.practitioner, 'Your clinician');
  const [checkedIn, setCheckedIn] = useState(a.status === 'arrived');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const media = useLocalMedia();
  const call = useVisitCall(a.id, 'patient', media.stream, checkedIn);
  const names = { patient: personName(patient, 'Patient'), practitioner: clinician };

  useEffect(() => {
    document.title = `${call.admitted ? 'Video call' : 'Waiting room'} · Salus`;
  }, [call.admitted]);

  async function ready() {
    setBusy(true);
    setError(undefined);
    try {
      await visitOperation(a.id, 'check-in');
      setCheckedIn(true);
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(false);
    }
  }

  if (call.ended) {
    return (
      <Paper withBorder p="lg" maw={640}>
        <Stack gap="sm" align="flex-start">
          <Group gap="xs">
            <IconCircleCheck color="var(--mantine-color-green-8)" aria-hidden />
            <Title order={2} size="h3">
              Your visit has ended
            </Title>
          </Group>
          <Text>{clinician} has finished the visit. Their note will appear under Visits once it is written.</Text>
          {/* A new page load, so the record read when the space opened is read again with this visit in it. */}
          <Button component="a" href={`/patient/${encodeURIComponent(visit.patientId ?? '')}/visits`}>
            Go to my visits
          </Button>
        </Stack>
      </Paper>
    );
  }

  if (checkedIn && call.admitted) {
    return (
      <Stack gap="sm">
        <CallScreen call={call} local={media.stream} me="patient" names={names} onHangUp={call.hangUp} />
        {call.hungUp === 'me' && (
          <Group>
            <Button onClick={call.rejoin} leftSection={<IconDoorEnter size={16} aria-hidden />}>
              Rejoin the call
            </Button>
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <Stack gap="md" maw={720}>
      <EmergencyNotice />
      <Text>
        {modeLabel(visit.mode)} with {clinician}, {formatDateTime(a.start)}.
      </Text>
      {checkedIn ? (
        <Paper withBorder p="md" role="status" aria-live="polite">
          <Group gap="sm" wrap="nowrap">
            <Loader size="sm" aria-hidden />
            <div>
              <Text fw={600}>You are checked in. Waiting for {clinician} to let you in…</Text>
              <Text size="sm" c="dimmed">
                Keep this page open. The call starts here when {clinician} is ready.
                {call.socket === 'reconnecting' ? ' Reconnecting to Salus…' : ''}
              </Text>
            </div>
          </Group>
        </Paper>
      ) : (
        <Text>Check that others can see and hear you, then tell {clinician} you are ready.</Text>
      )}
      <DeviceCheck media={media} />
      {!checkedIn && (
        <Stack gap="xs" align="flex-start">
          {error && (
            <Alert color="red" variant="light" role="alert">
              {error}
            </Alert>
          )}
          <Button size="md" onClick={ready} loading={busy} disabled={!media.stream}>
            I’m ready
          </Button>
        </Stack>
      )}
    </Stack>
  );
}

/** /patient/:patientId/video/:appointmentId */
export function PatientVisitPage({ patient }: { patient: Patient }) {
  const { appointmentId = '' } = useParams();
  const visit = useAsync((signal) => loadVisit(appointmentId, signal), [appointmentId]);
  return (
    <PatientPage title="Video visit" patient={patient}>
      <AsyncView async={visit} loadingLabel="Opening your visit…">
        {(v) => {
          if (v.mode !== 'video') {
            return <Text>This is a {modeLabel(v.mode).toLowerCase()}: there is no video call to join. Your clinician calls you.</Text>;
          }
          if (!joinableToday(v.appointment)) {
            return (
              <Text>
                This visit is {v.appointment.status === 'booked' ? `on ${formatDateTime(v.appointment.start)}` : v.appointment.status}. You can join it from this page on its day.
              </Text>
            );
          }
          return <VideoVisit visit={v} patient={patient} />;
        }}
      </AsyncView>
    </PatientPage>
  );
}
