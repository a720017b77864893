import { ActionIcon, Button, Checkbox, Chip, Group, NumberInput, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Schedule } from '@medplum/fhirtypes';
import { availabilityIssues, readAvailability, VISIT_MODES, VISIT_MODE_LIST, withAvailability, type Availability, type VisitMode, type Weekday } from '@salus/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { createResource, search, updateResource } from '../api/fhir.js';
import { asApiError } from '../api/http.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { useMe } from '../session/session.js';
import { browserZone } from './slots.js';

const DAYS: { value: Weekday; label: string }[] = [
  { value: 'mon', label: 'Mon' },
  { value: 'tue', label: 'Tue' },
  { value: 'wed', label: 'Wed' },
  { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' },
  { value: 'sat', label: 'Sat' },
  { value: 'sun', label: 'Sun' },
];

/** What a clinician starts from: weekday office hours, every kind of visit, two hours' notice, two months ahead. */
export function defaultAvailability(timeZone: string): Availability {
  return {
    timeZone,
    weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
    exceptions: [],
    visitTypes: [
      { mode: 'video', minutes: 20, bufferMinutes: 5 },
      { mode: 'phone', minutes: 15, bufferMinutes: 5 },
      { mode: 'in-person', minutes: 30, bufferMinutes: 10 },
    ],
    minNoticeHours: 2,
    horizonDays: 60,
  };
}

/** The clinician's own schedule (the first active one naming them), or a new one to save. */
async function loadSchedule(practitioner: string, signal: AbortSignal): Promise<Schedule> {
  const [found] = await search<Schedule>('Schedule', { actor: practitioner, active: 'true', _count: 1 }, signal);
  return found ?? { resourceType: 'Schedule', active: true, actor: [{ reference: practitioner }] };
}

/** Issues by the field they name, for showing each under its input. */
function byPath(issues: { path: string; message: string }[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const i of issues) if (!m.has(i.path)) m.set(i.path, i.message);
  return m;
}

/** Opening hours: when patients may book this clinician, for which kinds of visit, and time off. */
export function AvailabilityPage() {
  const me = useMe();
  const practitioner = me.account.fhirUser;
  const schedule = useAsync((signal) => (practitioner ? loadSchedule(practitioner, signal) : Promise.reject(new Error('Your account is not linked to a practitioner record.'))), [practitioner]);
  return (
    <Stack gap="md" maw={900}>
      <div>
        <Title order={1} size="h2">
          Opening hours
        </Title>
        <Text c="dimmed" size="sm">
          Patients can book the times these hours leave free. Times are in the time zone you choose here, through daylight-saving changes.
        </Text>
      </div>
      <AsyncView async={schedule} loadingLabel="Loading your schedule…">
        {(s) => <AvailabilityForm schedule={s} onSaved={schedule.reload} />}
      </AsyncView>
    </Stack>
  );
}

export function AvailabilityForm({ schedule, onSaved }: { schedule: Schedule; onSaved: () => void }) {
  const [value, setValue] = useState<Availability>(() => readAvailability(schedule) ?? defaultAvailability(browserZone()));
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [value.timeZone]), [value.timeZone]);
  const set = (patch: Partial<Availability>) => setValue((v) => ({ ...v, ...patch }));
  const err = (path: string) => errors.get(path);

  async function save() {
    const issues = availabilityIssues(value);
    setErrors(byPath(issues));
    setFormError(issues.length ? 'Some entries need fixing; they are marked below.' : undefined);
    if (issues.length) return;
    setBusy(true);
    try {
      const next = withAvailability(schedule, value);
      if (next.id) await updateResource(next as Schedule & { id: string });
      else await createResource(next);
      notifications.show({ color: 'salus', title: 'Opening hours saved', message: 'Patients see the new times at once.' });
      onSaved();
    } catch (e) {
      const a = asApiError(e);
      // The server names the field inside the Schedule's availability extension; the form knows it by its own path.
      const field = a.field?.replace(/^Schedule\.extension\('[^']*'\)\.?/, '');
      if (field) setErrors(new Map([[field, a.message]]));
      setFormError(a.message);
    } finally {
      setBusy(false);
    }
  }

  const modeOf = (mode: VisitMode) => value.visitTypes.find((t) => t.mode === mode);
  const setMode = (mode: VisitMode, patch: Partial<Availability['visitTypes'][number]> | null) => {
    const others = value.visitTypes.filter((t) => t.mode !== mode);
    const current = modeOf(mode) ?? { mode, minutes: 20, bufferMinutes: 5 };
    set({ visitTypes: patch === null ? others : [...others, { ...current, ...patch }].sort((a, b) => VISIT_MODE_LIST.indexOf(a.mode) - VISIT_MODE_LIST.indexOf(b.mode)) });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      noValidate
    >
      <Stack gap="lg">
        <Select label="Time zone" searchable data={zones} value={value.timeZone} onChange={(z) => z && set({ timeZone: z })} error={err('timeZone')} maw={360} allowDeselect={false} />

        <Paper withBorder p="md" radius="md" component="fieldset">
          <Title order={2} size="h4" component="legend" px={4}>
            Weekly hours
          </Title>
          <Stack gap="md">
            {value.weekly.length === 0 && <Text size="sm" c="dimmed">No weekly hours: nobody can book you.</Text>}
            {value.weekly.map((w, i) => (
              <Group key={i} align="flex-end" gap="sm" wrap="wrap">
                <Stack gap={4}>
                  <Text size="sm" fw={500} id={`days-${i}`}>
                    Days
                  </Text>
                  <Chip.Group multiple value={w.days} onChange={(days) => set({ weekly: value.weekly.map((x, j) => (j === i ? { ...x, days: days as Weekday[] } : x)) })}>
                    <Group gap={4} role="group" aria-labelledby={`days-${i}`}>
                      {DAYS.map((d) => (
                        <Chip key={d.value} value={d.value} size="sm">
                          {d.label}
                        </Chip>
                      ))}
                    </Group>
                  </Chip.Group>
                  {err(`weekly[${i}].days`) && (
                    <Text size="xs" c="red.8">
                      {err(`weekly[${i}].days`)}
                    </Text>
                  )}
                </Stack>
                <TextInput type="time" label="From" value={w.start} w={150} error={err(`weekly[${i}].start`)} onChange={(e) => set({ weekly: value.weekly.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value } : x)) })} />
                <TextInput type="time" label="Until" value={w.end} w={150} error={err(`weekly[${i}].end`)} onChange={(e) => set({ weekly: value.weekly.map((x, j) => (j === i ? { ...x, end: e.currentTarget.value } : x)) })} />
                <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove hours ${i + 1}`} onClick={() => set({ weekly: value.weekly.filter((_, j) => j !== i) })}>
                  <IconTrash size={18} aria-hidden />
                </ActionIcon>
              </Group>
            ))}
            <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} style={{ alignSelf: 'flex-start' }} onClick={() => set({ weekly: [...value.weekly, { days: ['mon'], start: '09:00', end: '12:00' }] })}>
              Add hours
            </Button>
          </Stack>
        </Paper>

        <Paper withBorder p="md" radius="md" component="fieldset">
          <Title order={2} size="h4" component="legend" px={4}>
            Kinds of visit
          </Title>
          <Stack gap="sm">
            {VISIT_MODE_LIST.map((mode) => {
              const t = modeOf(mode);
              const i = value.visitTypes.findIndex((x) => x.mode === mode);
              return (
                <Group key={mode} align="flex-end" gap="sm">
                  <Checkbox label={VISIT_MODES[mode].label} checked={!!t} onChange={(e) => setMode(mode, e.currentTarget.checked ? {} : null)} w={110} mb={8} />
                  <NumberInput label="Minutes" value={t?.minutes ?? ''} disabled={!t} min={5} max={240} w={110} error={i >= 0 ? err(`visitTypes[${i}].minutes`) : undefined} onChange={(v) => setMode(mode, { minutes: Number(v) })} />
                  <NumberInput label="Gap after (min)" value={t?.bufferMinutes ?? ''} disabled={!t} min={0} max={120} w={140} error={i >= 0 ? err(`visitTypes[${i}].bufferMinutes`) : undefined} onChange={(v) => setMode(mode, { bufferMinutes: Number(v) })} />
                </Group>
              );
            })}
            {err('visitTypes') && (
              <Text size="xs" c="red.8">
                {err('visitTypes')}
              </Text>
            )}
          </Stack>
        </Paper>

        <Group gap="md" align="flex-start">
          <NumberInput label="Notice needed (hours)" description="No booking closer than this" value={value.minNoticeHours} min={0} max={720} w={200} error={err('minNoticeHours')} onChange={(v) => set({ minNoticeHours: Number(v) })} />
          <NumberInput label="Bookable ahead (days)" description="No booking further ahead" value={value.horizonDays} min={1} max={365} w={200} error={err('horizonDays')} onChange={(v) => set({ horizonDays: Number(v) })} />
        </Group>

        <Paper withBorder p="md" radius="md" component="fieldset">
          <Title order={2} size="h4" component="legend" px={4}>
            Time off
          </Title>
          <Stack gap="md">
            {value.exceptions.length === 0 && <Text size="sm" c="dimmed">No holidays or leave planned.</Text>}
            {value.exceptions.map((x, i) => (
              <Group key={i} align="flex-end" gap="sm" wrap="wrap">
                <TextInput type="date" label="First day" value={x.start.slice(0, 10)} w={170} error={err(`exceptions[${i}].start`)} onChange={(e) => set({ exceptions: value.exceptions.map((y, j) => (j === i ? { ...y, start: e.currentTarget.value } : y)) })} />
                <TextInput type="date" label="Last day" value={x.end.slice(0, 10)} w={170} error={err(`exceptions[${i}].end`)} onChange={(e) => set({ exceptions: value.exceptions.map((y, j) => (j === i ? { ...y, end: e.currentTarget.value } : y)) })} />
                <TextInput label="Reason" value={x.reason ?? ''} w={220} onChange={(e) => set({ exceptions: value.exceptions.map((y, j) => (j === i ? { ...y, reason: e.currentTarget.value } : y)) })} />
                <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove time off ${i + 1}`} onClick={() => set({ exceptions: value.exceptions.filter((_, j) => j !== i) })}>
                  <IconTrash size={18} aria-hidden />
                </ActionIcon>
              </Group>
            ))}
            <Button
              variant="light"
              leftSection={<IconPlus size={16} aria-hidden />}
              style={{ alignSelf: 'flex-start' }}
              onClick={() => {
                const day = new Date().toISOString().slice(0, 10);
                set({ exceptions: [...value.exceptions, { start: day, end: day, reason: '' }] });
              }}
            >
              Add time off
            </Button>
          </Stack>
        </Paper>

        {formError && (
          <Text c="red.8" size="sm" role="alert">
            {formError}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={busy}>
            Save opening hours
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
