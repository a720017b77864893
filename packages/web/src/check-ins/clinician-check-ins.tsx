import { Accordion, Badge, Button, Group, NativeSelect, Paper, Stack, Table, Text } from '@mantine/core';
import type { CarePlan, QuestionnaireResponse, Reference } from '@medplum/fhirtypes';
import { notifications } from '@mantine/notifications';
import { CHECK_INS, checkInFor, plannedCheckIn, scheduleText, scoreResponse, type CheckInSchedule } from '@salus/core';
import { useMemo, useState, type FormEvent } from 'react';
import { asApiError } from '../api/http.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { formatDate, formatDateTime } from '../lib/format.js';
import { endEnrolment, enrolInCheckIns, loadCheckIns, type CheckInRecord } from './check-in-api.js';
import { answerText, checkInsDue, scoreHistory } from './check-ins.js';
import { ScoreHistory, SeverityBadge } from './score-history.js';
import { Section } from '../layout/section.js';

/**
 * The chart's Check-ins tab: enrol the patient in scheduled check-ins and end an enrolment, the
 * score trends, and every response to read question by question.
 */

const SCHEDULES: { value: string; label: string; schedule: CheckInSchedule }[] = [
  { value: '1-d', label: 'Every day', schedule: { period: 1, periodUnit: 'd' } },
  { value: '1-wk', label: 'Every week', schedule: { period: 1, periodUnit: 'wk' } },
  { value: '2-wk', label: 'Every 2 weeks', schedule: { period: 2, periodUnit: 'wk' } },
  { value: '4-wk', label: 'Every 4 weeks', schedule: { period: 4, periodUnit: 'wk' } },
  { value: '1-mo', label: 'Every month', schedule: { period: 1, periodUnit: 'mo' } },
];

function EnrolForm({ patientId, active, onEnrolled }: { patientId: string; active: Set<string>; onEnrolled: () => void }) {
  const open = CHECK_INS.filter((c) => !active.has(c.key));
  const [key, setKey] = useState<string>(open[0]?.key ?? '');
  const [every, setEvery] = useState('2-wk');
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);
  const chosen = open.find((c) => c.key === key) ?? open[0];
  if (!chosen) return <Text size="sm" c="dimmed">Enrolled in every check-in there is.</Text>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const schedule = SCHEDULES.find((s) => s.value === every)!.schedule;
      await enrolInCheckIns(patientId, chosen!.questionnaire.url, schedule);
      notifications.show({ color: 'salus', title: 'Enrolled', message: `${chosen!.name} check-ins ${scheduleText(schedule)}; the first is due now.` });
      onEnrolled();
    } catch (err) {
      const api = asApiError(err);
      setError({ ...(api.field ? { field: api.field } : {}), message: api.message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Enrol in check-ins">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <NativeSelect
          label="Questionnaire"
          data={open.map((c) => ({ value: c.key, label: `${c.name} — ${c.about.toLowerCase()}` }))}
          value={chosen.key}
          onChange={(e) => setKey(e.currentTarget.value)}
          error={error?.field === 'questionnaire' ? error.message : undefined}
          style={{ flex: '1 1 260px' }}
        />
        <NativeSelect
          label="How often"
          data={SCHEDULES.map(({ value, label }) => ({ value, label }))}
          value={every}
          onChange={(e) => setEvery(e.currentTarget.value)}
          error={error?.field === 'period' || error?.field === 'periodUnit' ? error.message : undefined}
          style={{ flex: '0 1 180px' }}
        />
        <Button type="submit" loading={busy}>
          Enrol
        </Button>
      </Group>
      {error && !['questionnaire', 'period', 'periodUnit'].includes(error.field ?? '') && (
        <Text c="red.8" size="sm" role="alert" mt="xs">
          {error.message}
        </Text>
      )}
    </form>
  );
}

function Enrolments({ data, me, nameOf, onChanged }: { data: CheckInRecord; me: string | undefined; nameOf: (r: Reference | undefined) => string; onChanged: () => void }) {
  const [ending, setEnding] = useState<CarePlan>();
  const due = useMemo(() => checkInsDue(data.plans, data.responses, new Date()), [data]);
  const ended = data.plans.filter((p) => p.status !== 'active' && plannedCheckIn(p));
  const by = (p: CarePlan): string => (p.author?.reference && p.author.reference === me ? 'you' : nameOf(p.author) || 'a clinician');
  return (
    <Stack gap="sm">
      {due.length === 0 ? (
        <EmptyState>Not enrolled in any check-ins.</EmptyState>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {due.map((d) => (
            <Paper component="li" key={d.plan.id} withBorder p="sm" radius="md">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <div>
                  <Text fw={600}>
                    {d.instrument.name} {scheduleText(d.schedule)}
                  </Text>
                  <Text size="sm" c="dimmed">
                    Since {formatDate(d.start)}, enrolled by {by(d.plan)} · {d.lastAnswered ? `last answered ${formatDate(d.lastAnswered)}` : 'not answered yet'} ·{' '}
                    {d.isDue ? <Text span c="orange.9" fw={600} size="sm">due now</Text> : `next ${formatDate(d.due.toISOString())}`}
                  </Text>
                </div>
                <Button variant="default" size="xs" onClick={() => setEnding(d.plan)} aria-label={`End enrolment in ${d.instrument.name}`}>
                  End enrolment
                </Button>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      {ended.length > 0 && (
        <Text size="sm" c="dimmed">
          Ended: {ended.map((p) => `${plannedCheckIn(p)!.instrument.name} (${formatDate(p.period?.start)} – ${formatDate(p.period?.end)})`).join('; ')}
        </Text>
      )}
      <ConfirmDialog
        opened={!!ending}
        title="End this enrolment?"
        confirmLabel="End enrolment"
        onClose={() => setEnding(undefined)}
        onConfirm={async () => {
          await endEnrolment(ending as CarePlan & { id: string });
          onChanged();
        }}
      >
        <Text>The patient will no longer be asked to answer {ending && plannedCheckIn(ending)?.instrument.name}. Their answers and scores stay in the record.</Text>
      </ConfirmDialog>
    </Stack>
  );
}

function Responses({ responses }: { responses: QuestionnaireResponse[] }) {
  const known = responses.filter((r) => checkInFor(r.questionnaire));
  if (known.length === 0) return <EmptyState>No check-ins answered yet.</EmptyState>;
  return (
    <Accordion variant="separated" multiple>
      {known.map((r) => {
        const instrument = checkInFor(r.questionnaire)!;
        const score = scoreResponse(instrument.questionnaire, r);
        const items = (instrument.questionnaire.item ?? []).filter((i) => i.type !== 'display');
        return (
          <Accordion.Item key={r.id} value={r.id!}>
            <Accordion.Control>
              <Group gap="xs" wrap="wrap">
                <Text fw={600}>{instrument.name}</Text>
                <Text size="sm" c="dimmed">
                  {formatDateTime(r.authored)}
                </Text>
                {score.total !== undefined && <Text size="sm">Score {score.total}</Text>}
                <SeverityBadge band={score.severity} />
                {score.concerns.map((c) => (
                  <Badge key={c.kind} color={c.priority === 'stat' ? 'red' : 'orange'} variant="filled" tt="none" h="auto" maw="100%" py={2} styles={{ label: { whiteSpace: 'normal' } }}>
                    {c.text}
                  </Badge>
                ))}
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Table verticalSpacing={4} aria-label={`${instrument.name} answers of ${formatDateTime(r.authored)}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Question</Table.Th>
                    <Table.Th scope="col">Answer</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((item) => {
                    const answer = r.item?.find((x) => x.linkId === item.linkId)?.answer?.[0];
                    const flagged = score.concerns.some((c) => c.linkId === item.linkId);
                    return (
                      <Table.Tr key={item.linkId}>
                        <Table.Td>{item.text}</Table.Td>
                        <Table.Td fw={flagged ? 700 : undefined} c={flagged ? 'red.8' : undefined} style={{ whiteSpace: 'nowrap' }}>
                          {answerText(item, answer)}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Accordion.Panel>
          </Accordion.Item>
        );
      })}
    </Accordion>
  );
}

export function ClinicianCheckIns({ patientId, me, nameOf }: { patientId: string; me: string | undefined; nameOf: (r: Reference | undefined) => string }) {
  const data = useAsync((signal) => loadCheckIns(patientId, signal), [patientId]);
  return (
    <AsyncView async={data} loadingLabel="Loading check-ins…">
      {(d) => {
        const active = new Set(d.plans.filter((p) => p.status === 'active').flatMap((p) => plannedCheckIn(p)?.instrument.key ?? []));
        return (
          <Stack gap="xl">
            <Section title="Scheduled check-ins">
              <Stack gap="md">
                <Enrolments data={d} me={me} nameOf={nameOf} onChanged={data.reload} />
                <EnrolForm key={[...active].join()} patientId={patientId} active={active} onEnrolled={data.reload} />
              </Stack>
            </Section>
            <Section title="Scores">
              <ScoreHistory series={scoreHistory(d.scores)} empty="No scores recorded yet." />
            </Section>
            <Section title="Answers">
              <Responses responses={d.responses} />
            </Section>
          </Stack>
        );
      }}
    </AsyncView>
  );
}
