import { Badge, Box, Button, Chip, Group, Stack, Text, Title } from '@mantine/core';
import { useId, useMemo, useState } from 'react';
import { formatDate } from '../lib/format.js';
import { FlagBadge } from './flag-badge.js';
import { ItemList } from './record-parts.js';
import { groupByDay, TIMELINE_KINDS, timelineEntries, type TimelineDay, type TimelineKind } from './timeline.js';
import type { PatientRecord } from './use-patient-record.js';

/** How many days show at first, and how many more each "show older" adds: long records stay quick to open. */
const PAGE_DAYS = 30;

const KIND_COLORS: Record<TimelineKind, string> = {
  visit: 'salus',
  appointment: 'cyan',
  result: 'indigo',
  medicine: 'grape',
  problem: 'orange',
  allergy: 'red',
  vaccination: 'lime',
  note: 'gray',
  procedure: 'blue',
  'care-plan': 'violet',
};

function Day({ day }: { day: TimelineDay }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={2} size="h5" id={id} mb={6} pb={4} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        {formatDate(day.day)}
      </Title>
      <ItemList gap="xs">
        {day.entries.map((e) => (
          <li key={e.key}>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Badge color={KIND_COLORS[e.kind]} variant="light" tt="none" w={116} style={{ flexShrink: 0 }}>
                {TIMELINE_KINDS[e.kind].tag}
              </Badge>
              <div style={{ minWidth: 0 }}>
                <Group gap={6}>
                  <Text fw={500} size="sm">
                    {e.title}
                  </Text>
                  <FlagBadge flag={e.flag} />
                </Group>
                {e.detail && (
                  <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {e.detail}
                  </Text>
                )}
              </div>
            </Group>
          </li>
        ))}
      </ItemList>
    </Box>
  );
}

/** Everything dated in the record, newest first, by day, filtered to the kinds chosen. */
export function TimelineView({ record }: { record: PatientRecord }) {
  const entries = useMemo(() => timelineEntries(record), [record]);
  const present = useMemo(() => (Object.keys(TIMELINE_KINDS) as TimelineKind[]).filter((k) => entries.some((e) => e.kind === k)), [entries]);
  const [hidden, setHidden] = useState<TimelineKind[]>([]);
  const [shownDays, setShownDays] = useState(PAGE_DAYS);
  const days = useMemo(() => groupByDay(entries.filter((e) => !hidden.includes(e.kind))), [entries, hidden]);
  const filterId = useId();
  if (entries.length === 0) return <Text c="dimmed">Nothing dated is in this record yet.</Text>;
  return (
    <Stack gap="md">
      <div role="group" aria-labelledby={filterId}>
        <Text id={filterId} size="sm" fw={500} mb={6}>
          Show
        </Text>
        <Chip.Group multiple value={present.filter((k) => !hidden.includes(k))} onChange={(v) => setHidden(present.filter((k) => !v.includes(k)))}>
          <Group gap={6}>
            {present.map((k) => (
              <Chip key={k} value={k} size="sm" variant="light">
                {TIMELINE_KINDS[k].label} ({entries.filter((e) => e.kind === k).length})
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </div>
      {days.length === 0 && <Text c="dimmed">Nothing of the kinds chosen.</Text>}
      {days.slice(0, shownDays).map((d) => (
        <Day key={d.day} day={d} />
      ))}
      {days.length > shownDays && (
        <Button variant="light" onClick={() => setShownDays((n) => n + PAGE_DAYS)} style={{ alignSelf: 'flex-start' }}>
          Show older ({days.length - shownDays} more days)
        </Button>
      )}
    </Stack>
  );
}
