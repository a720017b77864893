import { Alert, Button, Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, Title, UnstyledButton } from '@mantine/core';
import type { Appointment, Practitioner, Slot } from '@medplum/fhirtypes';
import { VISIT_MODES, VISIT_MODE_LIST, visitModeOf, type VisitMode } from '@salus/core';
import { IconChevronLeft, IconChevronRight, IconClock } from '@tabler/icons-react';
import { useState } from 'react';
import { asApiError } from '../api/http.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDateTime, formatName, formatTime } from '../lib/format.js';
import { bookSlot, findFreeTimes, participant, rescheduleAppointment, type FreeTimes } from './booking-api.js';
import { addDays, browserZone, groupByDay, rangeLabel, sameClock, scheduleZone, today, zoneName } from './slots.js';

const WEEK = 7;

/** The clinician a free time is with, through its schedule. */
export function slotClinician(slot: Slot, times: FreeTimes): { ref?: string; name: string; zone?: string } {
  const schedule = slot.schedule.reference ? times.schedules.get(slot.schedule.reference) : undefined;
  const ref = schedule?.actor.map((a) => a.reference).find((r): r is string => !!r?.startsWith('Practitioner/'));
  const who = ref ? (times.actors.get(ref) as Practitioner | undefined) : undefined;
  const zone = scheduleZone(schedule);
  return { ...(ref ? { ref } : {}), name: who ? formatName(who.name) : (schedule?.actor[0]?.display ?? 'Clinician'), ...(zone ? { zone } : {}) };
}

interface Props {
  patientId: string;
  /** Moving this appointment to a new time instead of booking a new one. */
  rescheduling?: Appointment | undefined;
  /** The reader's time zone; the browser's unless a test fixes it. */
  timeZone?: string | undefined;
  onDone: (appointment: Appointment) => void;
}

/**
 * Choosing a time: the kind of visit, optionally the clinician, then a week of free times by day.
 * Times are shown where the reader is; when the clinician works in another zone, their clock is
 * shown beside it. If someone else takes the time first, the server says so (409) and the week
 * is loaded again, without the time that went.
 */
export function BookVisit({ patientId, rescheduling, timeZone = browserZone(), onDone }: Props) {
  const [mode, setMode] = useState<VisitMode>(rescheduling ? visitModeOf(rescheduling) : 'video');
  const [practitioner, setPractitioner] = useState<string | null>(rescheduling ? (participant(rescheduling, 'Practitioner') ?? null) : null);
  const [weekStart, setWeekStart] = useState(() => today({ timeZone }));
  const [chosen, setChosen] = useState<Slot>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Everyone seen offering this kind of visit, so the clinician list does not shrink to one once chosen.
  const [clinicians, setClinicians] = useState<Map<string, string>>(new Map());
  const first = weekStart;
  const last = addDays(first, WEEK - 1);
  const times = useAsync(
    async (signal) => {
      const found = await findFreeTimes({ mode, start: first, end: addDays(first, WEEK), practitioner: practitioner ?? undefined }, signal);
      setClinicians((known) => {
        const next = new Map(known);
        for (const s of found.slots) {
          const c = slotClinician(s, found);
          if (c.ref) next.set(c.ref, c.name);
        }
        return next.size === known.size ? known : next;
      });
      return found;
    },
    [mode, practitioner, first],
  );

  function pickMode(m: string) {
    setMode(m as VisitMode);
    setChosen(undefined);
    setClinicians(new Map());
  }

  async function confirm() {
    if (!chosen?.id) return;
    setBusy(true);
    setError(undefined);
    try {
      const appointment = rescheduling?.id ? await rescheduleAppointment(rescheduling.id, chosen.id) : await bookSlot(chosen.id, patientId, reason);
      onDone(appointment);
    } catch (e) {
      const err = asApiError(e);
      if (err.status === 409) {
        setError('Someone else has just booked that time. Please choose another.');
        setChosen(undefined);
        times.reload();
      } else setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  const thisWeek = weekStart <= today({ timeZone });
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Text fw={500} size="sm" id="mode-label">
          Kind of visit
        </Text>
        <SegmentedControl
          aria-labelledby="mode-label"
          value={mode}
          onChange={pickMode}
          disabled={!!rescheduling}
          data={VISIT_MODE_LIST.map((m) => ({ value: m, label: VISIT_MODES[m].label }))}
          style={{ alignSelf: 'flex-start' }}
        />
      </Stack>
      <Select
        label="Clinician"
        placeholder="Any clinician"
        clearable
        value={practitioner}
        onChange={(v) => {
          setPractitioner(v);
          setChosen(undefined);
        }}
        data={[...clinicians.entries()].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label))}
        maw={360}
        disabled={!!rescheduling}
      />
      <Group justify="space-between" wrap="nowrap">
        <Button variant="subtle" leftSection={<IconChevronLeft size={16} aria-hidden />} onClick={() => setWeekStart(addDays(first, -WEEK))} disabled={thisWeek}>
          Earlier
        </Button>
        <Text fw={500} aria-live="polite">
          {rangeLabel(first, last)}
        </Text>
        <Button variant="subtle" rightSection={<IconChevronRight size={16} aria-hidden />} onClick={() => setWeekStart(addDays(first, WEEK))}>
          Later
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Times are shown in your time zone ({zoneName(timeZone)}).
      </Text>
      {error && (
        <Alert color="orange" variant="light" role="alert">
          {error}
        </Alert>
      )}
      <AsyncView async={times} loadingLabel="Finding free times…">
        {(t) => (
          <FreeTimesByDay
            times={t}
            timeZone={timeZone}
            showWho={!practitioner}
            chosen={chosen}
            onChoose={(s) => {
              setChosen(s);
              setError(undefined);
            }}
          />
        )}
      </AsyncView>
      {chosen && times.state.status === 'ready' && (
        <Confirmation
          slot={chosen}
          times={times.state.data}
          timeZone={timeZone}
          mode={mode}
          rescheduling={rescheduling}
          reason={reason}
          setReason={setReason}
          busy={busy}
          onConfirm={() => void confirm()}
        />
      )}
    </Stack>
  );
}

function FreeTimesByDay({ times, timeZone, showWho, chosen, onChoose }: { times: FreeTimes; timeZone: string; showWho: boolean; chosen: Slot | undefined; onChoose: (s: Slot) => void }) {
  // With any clinician, a time is offered once (the first clinician free then): a patient
  // chooses when; a wall of the same time under every name would hide the choice.
  const slots = showWho ? times.slots.filter((s, i, all) => i === 0 || all[i - 1]!.start !== s.start) : times.slots;
  const days = groupByDay(slots, { timeZone });
  if (days.length === 0) return <EmptyState>No free times this week. Try the next week, or another kind of visit.</EmptyState>;
  return (
    <Stack gap="md">
      {days.map((day) => (
        <section key={day.key} aria-labelledby={`day-${day.key}`}>
          <Title order={3} size="h5" id={`day-${day.key}`} mb={6}>
            {day.label}
          </Title>
          <SimpleGrid cols={{ base: 3, xs: 4, sm: 6, lg: 8 }} spacing="xs">
            {day.slots.map((s) => {
              const who = slotClinician(s, times);
              const selected = chosen?.id === s.id;
              return (
                <UnstyledButton
                  key={s.id}
                  className="slot-button"
                  data-selected={selected || undefined}
                  aria-pressed={selected}
                  {...(showWho ? {} : { 'aria-label': `${formatTime(s.start, { timeZone })} with ${who.name}` })}
                  onClick={() => onChoose(s)}
                >
                  <Text size="sm" fw={600}>
                    {formatTime(s.start, { timeZone })}
                  </Text>
                  {showWho && (
                    <Text size="xs" lineClamp={1} c={selected ? undefined : 'dimmed'}>
                      {who.name}
                    </Text>
                  )}
                </UnstyledButton>
              );
            })}
          </SimpleGrid>
        </section>
      ))}
    </Stack>
  );
}

function Confirmation(props: {
  slot: Slot;
  times: FreeTimes;
  timeZone: string;
  mode: VisitMode;
  rescheduling: Appointment | undefined;
  reason: string;
  setReason: (r: string) => void;
  busy: boolean;
  onConfirm: () => void;
}) {
  const { slot, times, timeZone, mode, rescheduling } = props;
  const who = slotClinician(slot, times);
  const at = new Date(slot.start);
  const theirClock = who.zone && !sameClock(who.zone, timeZone, at) ? who.zone : undefined;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="confirm-title" className="booking-confirm">
      <Stack gap="sm">
        <Title order={2} size="h4" id="confirm-title">
          {rescheduling ? 'Move your visit to this time?' : 'Book this visit?'}
        </Title>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <IconClock size={20} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
          <div>
            <Text fw={600}>
              {VISIT_MODES[mode].label} visit with {who.name}
            </Text>
            <Text>
              {formatDateTime(slot.start, { timeZone })}–{formatTime(slot.end, { timeZone })} ({zoneName(timeZone, at)})
            </Text>
            {theirClock && (
              <Text size="sm" c="dimmed">
                That is {formatTime(slot.start, { timeZone: theirClock })} for {who.name} ({zoneName(theirClock, at)}).
              </Text>
            )}
            {rescheduling?.start && (
              <Text size="sm" c="dimmed">
                Instead of {formatDateTime(rescheduling.start, { timeZone })}.
              </Text>
            )}
          </div>
        </Group>
        {mode === 'video' && <Text size="sm">You will join from this app; we will remind you before it starts.</Text>}
        {mode === 'phone' && <Text size="sm">Your clinician will call the phone number on your record.</Text>}
        {!rescheduling && (
          <Textarea label="What would you like to talk about? (optional)" value={props.reason} onChange={(e) => props.setReason(e.currentTarget.value)} maxLength={500} rows={2} />
        )}
        <Group justify="flex-end">
          <Button onClick={props.onConfirm} loading={props.busy}>
            {rescheduling ? 'Move my visit' : 'Book visit'}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
