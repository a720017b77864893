import { Anchor, Box, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { scheduleText, severityOf, type CheckInInstrument } from '@salus/core';
import { useId, useMemo, useState } from 'react';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDate } from '../lib/format.js';
import { PatientPage } from '../patient/patient-page.js';
import { loadCheckIns, submitCheckIn, type CheckInRecord } from './check-in-api.js';
import { checkInsDue, plainSeverity, responseFor, scoreHistory, type CheckInDue, type SubmitResult } from './check-ins.js';
import { CrisisSupport } from './crisis-support.js';
import { QuestionnaireForm } from './questionnaire-form.js';
import { ScoreHistory, SeverityBadge } from './score-history.js';

function DueCard({ item, onStart }: { item: CheckInDue; onStart: () => void }) {
  const when = item.isDue
    ? item.lastAnswered
      ? `Due since ${formatDate(item.due.toISOString())}`
      : 'Ready for your first answers'
    : `Next on ${formatDate(item.due.toISOString())}`;
  return (
    <Paper component="li" withBorder p="md" radius="md" style={item.isDue ? { borderColor: 'var(--mantine-color-salus-6)', borderWidth: 2 } : undefined}>
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <div>
          <Text fw={600} fz="lg">
            {item.instrument.name}: {item.instrument.about.toLowerCase()}
          </Text>
          <Text size="sm" c="dimmed">
            {when} · {scheduleText(item.schedule)}
            {item.lastAnswered ? ` · last answered ${formatDate(item.lastAnswered)}` : ''}
          </Text>
        </div>
        <Button size="md" variant={item.isDue ? 'filled' : 'light'} onClick={onStart} aria-label={`${item.isDue ? 'Start' : 'Answer now'}: ${item.instrument.name}`}>
          {item.isDue ? 'Start' : 'Answer now'}
        </Button>
      </Group>
    </Paper>
  );
}

function Overview({ data, whose, onStart }: { data: CheckInRecord; whose: string; onStart: (i: CheckInInstrument) => void }) {
  const dueId = useId();
  const historyId = useId();
  const items = useMemo(() => checkInsDue(data.plans, data.responses, new Date()), [data]);
  const history = useMemo(() => scoreHistory(data.scores), [data]);
  return (
    <Stack gap="xl">
      <Box component="section" aria-labelledby={dueId}>
        <Title order={2} size="h3" id={dueId} mb="sm">
          {items.some((i) => i.isDue) ? 'Due now' : 'Your check-ins'}
        </Title>
        {items.length === 0 ? (
          <EmptyState>Your care team has not asked for any check-ins. When they do, they will appear here.</EmptyState>
        ) : (
          <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }}>
            {items.map((i) => (
              <DueCard key={i.plan.id} item={i} onStart={() => onStart(i.instrument)} />
            ))}
          </Stack>
        )}
      </Box>
      <Box component="section" aria-labelledby={historyId}>
        <Title order={2} size="h3" id={historyId} mb="sm">
          {whose === 'your' ? 'Your scores' : `${whose[0]!.toUpperCase()}${whose.slice(1)} scores`}
        </Title>
        <ScoreHistory series={history} empty="No scores yet. They appear here after each check-in." />
      </Box>
      <Text size="sm">
        Need help now? Call or text <Anchor href="tel:988">988</Anchor> (Suicide &amp; Crisis Lifeline), or call <Anchor href="tel:911">911</Anchor> in an emergency.
      </Text>
    </Stack>
  );
}

function Result({ instrument, result, onDone }: { instrument: CheckInInstrument; result: SubmitResult; onDone: () => void }) {
  const band = result.score !== undefined && instrument.score ? severityOf(instrument.score.bands, result.score) : undefined;
  return (
    <Stack gap="md" maw={720}>
      {result.concerns.length > 0 && <CrisisSupport concerns={result.concerns} careTeamTold={!!result.task} />}
      <Paper withBorder p="lg" radius="md">
        <Stack gap="xs">
          <Title order={2} size="h3">
            Thank you — your answers are sent
          </Title>
          {result.score !== undefined && instrument.score && (
            <Group gap="xs" align="center">
              <Text fz={28} fw={700} lh={1.2}>
                {result.score} <Text span fz="md" c="dimmed" fw={400}>of {instrument.score.max}</Text>
              </Text>
              <SeverityBadge band={band} />
            </Group>
          )}
          {band && (
            <Text>
              Your answers suggest <strong>{plainSeverity(instrument, band)}</strong>. This is not a diagnosis; your care team reads every check-in and will talk it through with you.
            </Text>
          )}
          {!band && result.concerns.length === 0 && <Text>No warning signs in your answers. Your care team will read them.</Text>}
          {result.concerns.length > 0 && (
            <Text>
              Some answers need your care team soon: {result.concerns.map((c) => c.text.toLowerCase()).join('; ')}.
            </Text>
          )}
        </Stack>
      </Paper>
      <Button variant="light" onClick={onDone} style={{ alignSelf: 'flex-start' }}>
        Back to check-ins
      </Button>
    </Stack>
  );
}

/** The patient's check-ins: what is due, answering one question at a time, the result, and past scores. */
export function CheckInsPage({ patient, whose }: { patient: Patient; whose: string }) {
  const patientId = patient.id!;
  const data = useAsync((signal) => loadCheckIns(patientId, signal), [patientId]);
  const [answering, setAnswering] = useState<CheckInInstrument>();
  const [done, setDone] = useState<{ instrument: CheckInInstrument; result: SubmitResult }>();

  async function send(instrument: CheckInInstrument, chosen: Record<string, string>) {
    const result = await submitCheckIn(responseFor(instrument, patientId, chosen));
    setAnswering(undefined);
    setDone({ instrument, result });
    data.reload();
  }

  return (
    <PatientPage
      title={answering ? `${answering.name} check-in` : 'Check-ins'}
      patient={patient}
      intro={answering || done ? undefined : `Short questionnaires between visits, so ${whose === 'your' ? 'your' : 'the'} care team sees how things are going. Answers go to the care team; they are not watched around the clock.`}
    >
      {answering ? (
        <QuestionnaireForm instrument={answering} onCancel={() => setAnswering(undefined)} onSubmit={(chosen) => send(answering, chosen)} />
      ) : done ? (
        <Result instrument={done.instrument} result={done.result} onDone={() => setDone(undefined)} />
      ) : (
        <AsyncView async={data} loadingLabel="Loading check-ins…">
          {(d) => <Overview data={d} whose={whose} onStart={setAnswering} />}
        </AsyncView>
      )}
    </PatientPage>
  );
}
