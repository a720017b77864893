import { Alert, Anchor, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconCircleCheck, IconPhone, IconPhoneCall, IconVideo } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { asApiError } from '../api/http.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { useMe } from '../session/session.js';
import { CallScreen } from './call-screen.js';
import { useLocalMedia } from './device-check.js';
import { useVisitCall } from './use-visit-call.js';
import { loadVisit, modeLabel, personName, phoneLinks, visitOperation, type VisitDetails } from './visit-info.js';
import { VisitNoteForm } from './visit-note-form.js';

type Stage = 'waiting' | 'call' | 'note' | 'done';

function stageOf(v: VisitDetails): Stage {
  const a = v.appointment;
  if (a.status === 'fulfilled' || a.status === 'noshow' || v.encounter?.status === 'finished') return 'done';
  if (v.encounter?.status === 'in-progress') return 'call';
  return 'waiting';
}

function Finished({ name }: { name: string }) {
  return (
    <Paper withBorder p="lg" maw={640}>
      <Stack gap="sm" align="flex-start">
        <Group gap="xs">
          <IconCircleCheck color="var(--mantine-color-green-8)" aria-hidden />
          <Title order={2} size="h3">
            Visit finished
          </Title>
        </Group>
        <Text>The visit with {name} is finished and in their record.</Text>
        <Button component={Link} to="/clinician/waiting-room" leftSection={<IconArrowLeft size={16} aria-hidden />}>
          Back to the waiting room
        </Button>
      </Stack>
    </Paper>
  );
}

/** Admits the patient ($admit) and moves the page on; says why not when the server refuses. */
function useAdmit(appointmentId: string, then: () => void): { admit: () => Promise<void>; busy: boolean; error: string | undefined } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return {
    busy,
    error,
    admit: async () => {
      setBusy(true);
      setError(undefined);
      try {
        await visitOperation(appointmentId, 'admit');
        then();
      } catch (e) {
        setError(asApiError(e).message);
      } finally {
        setBusy(false);
      }
    },
  };
}

function VideoConsult({ visit, reload }: { visit: VisitDetails; reload: () => void }) {
  const me = useMe();
  const [stage, setStage] = useState<Stage>(() => stageOf(visit));
  const media = useLocalMedia(stage === 'call');
  const call = useVisitCall(visit.appointment.id, 'practitioner', media.stream, stage === 'call');
  const admit = useAdmit(visit.appointment.id, () => setStage('call'));
  const names = { patient: personName(visit.patient, 'The patient'), practitioner: me.account.displayName };
  const encounter = visit.encounter?.id;

  useEffect(() => {
    document.title = `${stage === 'call' ? 'Video call' : 'Video visit'} · ${names.patient} · Salus`;
  }, [stage, names.patient]);

  if (stage === 'done') return <Finished name={names.patient} />;
  if (stage === 'waiting') {
    return (
      <Stack gap="sm" align="flex-start" maw={640}>
        <Text>{visit.appointment.status === 'arrived' ? `${names.patient} has checked in.` : `${names.patient} has not checked in yet. They appear in the waiting room when they do.`}</Text>
        {admit.error && (
          <Alert color="red" variant="light" role="alert">
            {admit.error}
          </Alert>
        )}
        <Group>
          <Button onClick={admit.admit} loading={admit.busy} disabled={visit.appointment.status !== 'arrived'} leftSection={<IconVideo size={16} aria-hidden />}>
            Admit {names.patient}
          </Button>
          <Button variant="default" onClick={reload}>
            Check again
          </Button>
        </Group>
      </Stack>
    );
  }
  if (stage === 'call') {
    return (
      <Stack gap="sm">
        {media.error && (
          <Alert color="red" variant="light" role="alert" title="Camera or microphone not working">
            {media.error}
          </Alert>
        )}
        <CallScreen
          call={call}
          local={media.stream}
          me="practitioner"
          names={names}
          onHangUp={() => {
            call.hangUp();
            setStage('note');
          }}
        />
        {call.hungUp === 'them' && (
          <Group>
            <Button variant="default" onClick={() => setStage('note')}>
              Write the note
            </Button>
          </Group>
        )}
      </Stack>
    );
  }
  return (
    <Stack gap="md" maw={720}>
      <Group justify="space-between">
        <Title order={2} size="h3">
          After the call
        </Title>
        <Button variant="default" leftSection={<IconVideo size={16} aria-hidden />} onClick={() => setStage('call')}>
          Back to the call
        </Button>
      </Group>
      {encounter && visit.patientId ? (
        <VisitNoteForm
          appointmentId={visit.appointment.id}
          mode="video"
          patientId={visit.patientId}
          encounter={`Encounter/${encounter}`}
          author={me.account.fhirUser}
          title={`Video visit with ${names.patient}`}
          onFinished={() => setStage('done')}
        />
      ) : (
        <Text>The visit has no encounter to write the note against; reload the page.</Text>
      )}
    </Stack>
  );
}

/**
 * A phone visit: the patient's numbers to dial, the start of the call recorded ($admit), then the
 * outcome and the note ($finish).
 */
function PhoneConsult({ visit, reload }: { visit: VisitDetails; reload: () => void }) {
  const me = useMe();
  const [stage, setStage] = useState<Stage>(() => stageOf(visit));
  const admit = useAdmit(visit.appointment.id, reload);
  const name = personName(visit.patient, 'The patient');
  const phones = phoneLinks(visit.patient);
  if (stage === 'done') return <Finished name={name} />;
  return (
    <Stack gap="md" maw={720}>
      <Paper withBorder p="md">
        <Text fw={600} mb={4}>
          Call {name} on
        </Text>
        {phones.length === 0 ? (
          <Text c="red.8">No phone number is recorded for {name}.</Text>
        ) : (
          <List spacing={4} listStyleType="none" p={0}>
            {phones.map((p) => (
              <List.Item key={p.href} icon={<IconPhone size={16} aria-hidden />}>
                <Anchor href={p.href} fw={600} size="lg">
                  {p.number}
                </Anchor>{' '}
                <Text span size="sm" c="dimmed">
                  {p.label}
                </Text>
              </List.Item>
            ))}
          </List>
        )}
      </Paper>
      {stage === 'waiting' ? (
        <Stack gap="xs" align="flex-start">
          {admit.error && (
            <Alert color="red" variant="light" role="alert">
              {admit.error}
            </Alert>
          )}
          <Button onClick={admit.admit} loading={admit.busy} leftSection={<IconPhoneCall size={16} aria-hidden />}>
            Start the call
          </Button>
          <Text size="sm" c="dimmed">
            Records that the visit has begun; then dial the number above.
          </Text>
        </Stack>
      ) : visit.encounter && visit.patientId ? (
        <VisitNoteForm
          appointmentId={visit.appointment.id}
          mode="phone"
          patientId={visit.patientId}
          encounter={`Encounter/${visit.encounter.id}`}
          author={me.account.fhirUser}
          title={`Phone visit with ${name}`}
          onFinished={() => setStage('done')}
        />
      ) : null}
    </Stack>
  );
}

/** /clinician/visit/:appointmentId — one video or phone visit, from admission to the note. */
export function ClinicianVisitPage() {
  const { appointmentId = '' } = useParams();
  const visit = useAsync((signal) => loadVisit(appointmentId, signal), [appointmentId]);
  return (
    <Stack>
      <Anchor component={Link} to="/clinician/waiting-room" size="sm">
        ← Waiting room
      </Anchor>
      <AsyncView async={visit} loadingLabel="Opening the visit…">
        {(v) => (
          <Stack gap="md">
            <div>
              <Title order={1} size="h2">
                {modeLabel(v.mode)} with {personName(v.patient, 'a patient')}
              </Title>
              <Text c="dimmed" size="sm">
                {formatDateTime(v.appointment.start)}
                {v.appointment.description ? ` · ${v.appointment.description}` : ''}
                {v.patientId && (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/clinician/patients/${encodeURIComponent(v.patientId)}`} size="sm">
                      Open the chart
                    </Anchor>
                  </>
                )}
              </Text>
            </div>
            {v.mode === 'video' ? (
              <VideoConsult key={v.encounter?.status ?? v.appointment.status} visit={v} reload={visit.reload} />
            ) : v.mode === 'phone' ? (
              <PhoneConsult key={v.encounter?.status ?? v.appointment.status} visit={v} reload={visit.reload} />
            ) : (
              <Text>This is an in-person visit.</Text>
            )}
          </Stack>
        )}
      </AsyncView>
    </Stack>
  );
}
