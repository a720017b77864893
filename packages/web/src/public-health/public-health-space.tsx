import { BarChart } from '@mantine/charts';
import { Button, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconCalculator, IconChartBar } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { searchBundle } from '../api/fhir.js';
import { AppFrame } from '../layout/app-frame.js';
import { AsyncView, ErrorState, Loading, useAsync } from '../layout/async.js';
import { formatNumber } from '../lib/format.js';
import { COUNTABLE, countParams, countProblems, countSearch, lastMonths, rangeParams, SNOMED, TRACKED_CONDITIONS, type CountForm } from './counts.js';

const NAV = [
  { to: '/public-health', label: 'Dashboard', icon: <IconChartBar size={18} aria-hidden />, end: true },
  { to: '/public-health/count', label: 'Count records', icon: <IconCalculator size={18} aria-hidden /> },
];

/** Public health and research: aggregate counts only, never a person's record. */
export function PublicHealthSpace() {
  return (
    <AppFrame nav={NAV}>
      <Routes>
        <Route index element={<DashboardPage />} />
        <Route path="count" element={<CountPage />} />
        <Route path="*" element={<Navigate to="/public-health" replace />} />
      </Routes>
    </AppFrame>
  );
}

async function countOf(type: string, params: [string, string][], signal?: AbortSignal): Promise<number> {
  return (await searchBundle(type, countSearch(params), signal)).total ?? 0;
}

/** A bar chart and the same numbers as a table: the table is what screen readers and a printout get. */
function CountsFigure({
  title,
  id,
  category,
  rows,
  label,
  color,
  horizontal = false,
}: {
  title: string;
  id: string;
  /** Heading of the table's first column. */
  category: string;
  rows: { label: string; count: number }[];
  label: string;
  color: string;
  /** Bars run sideways, so that long category names fit beside them. */
  horizontal?: boolean;
}) {
  return (
    <Paper component="section" aria-labelledby={id} withBorder p="md" radius="md">
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <div aria-hidden>
          {/* The table beside it carries the numbers for screen readers; the chart is for eyes only, so it takes no keyboard focus either. */}
          <BarChart
            h={260}
            barChartProps={{ accessibilityLayer: false }}
            data={rows.map((r) => ({ label: r.label, [label]: r.count }))}
            dataKey="label"
            series={[{ name: label, color }]}
            {...(horizontal ? { orientation: 'vertical' as const, yAxisProps: { width: 110 }, gridAxis: 'x' as const } : { tickLine: 'y' as const, xAxisProps: { interval: 'preserveStartEnd' as const } })}
          />
        </div>
        <Table verticalSpacing={4} striped aria-labelledby={id}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{category}</Table.Th>
              <Table.Th scope="col" ta="right">
                {label}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.label}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {formatNumber(r.count)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </SimpleGrid>
    </Paper>
  );
}

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </Paper>
  );
}

export function DashboardPage() {
  // Fixed for the life of the page, so the months do not move under a reader at midnight.
  const months = useMemo(() => lastMonths(new Date()), []);
  const totals = useAsync(
    async (signal) => {
      const [patients, conditions, year] = await Promise.all([
        countOf('Patient', [], signal),
        countOf('Condition', [], signal),
        countOf('Encounter', rangeParams('date', months[0]!.month, months[months.length - 1]!.before), signal),
      ]);
      return { patients, conditions, year };
    },
    [months],
  );
  const encounters = useAsync(
    (signal) => Promise.all(months.map(async (m) => ({ label: m.label, count: await countOf('Encounter', rangeParams('date', m.month, m.before), signal) }))),
    [months],
  );
  const conditions = useAsync(
    (signal) => Promise.all(TRACKED_CONDITIONS.map(async (c) => ({ label: c.label, count: await countOf('Condition', [['code', `${SNOMED}|${c.code}`]], signal) }))),
    [],
  );
  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Population dashboard
        </Title>
        <Text c="dimmed" size="sm">
          Counts across every record in Salus. No individual record is shown or sent.
        </Text>
      </div>
      {totals.state.status === 'error' ? (
        <ErrorState error={totals.state.error} onRetry={totals.reload} />
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 3 }} component="section" aria-label="Totals">
          <Stat label="Patients" value={totals.state.status === 'ready' ? formatNumber(totals.state.data.patients) : '…'} />
          <Stat label="Encounters in the last 12 months" value={totals.state.status === 'ready' ? formatNumber(totals.state.data.year) : '…'} />
          <Stat label="Recorded conditions" value={totals.state.status === 'ready' ? formatNumber(totals.state.data.conditions) : '…'} />
        </SimpleGrid>
      )}
      <AsyncView async={encounters} loadingLabel="Counting encounters…">
        {(rows) => <CountsFigure title="Encounters per month" id="encounters-title" category="Month" rows={rows} label="Encounters" color="salus.6" />}
      </AsyncView>
      <AsyncView async={conditions} loadingLabel="Counting conditions…">
        {(rows) => <CountsFigure title="Conditions (SNOMED CT)" id="conditions-title" category="Condition" rows={rows} label="Records" color="indigo.6" horizontal />}
      </AsyncView>
    </Stack>
  );
}

type Result = { status: 'idle' } | { status: 'running' } | { status: 'done'; count: number; type: string; asked: string } | { status: 'error'; error: Error };

export function CountPage() {
  const [form, setForm] = useState<CountForm>({ type: 'Condition', code: '', from: '', before: '' });
  const [shown, setShown] = useState(false);
  const [result, setResult] = useState<Result>({ status: 'idle' });
  const problems = countProblems(form);
  const spec = COUNTABLE[form.type];
  const error = (field: keyof CountForm): string | undefined => (shown ? problems[field] : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setShown(true);
    if (Object.keys(problems).length > 0) return;
    const params = countParams(form);
    setResult({ status: 'running' });
    try {
      const count = await countOf(form.type, params);
      setResult({ status: 'done', count, type: form.type, asked: params.map(([k, v]) => `${k}=${v}`).join(' & ') });
    } catch (err) {
      setResult({ status: 'error', error: err as Error });
    }
  }

  return (
    <Stack gap="lg" maw={720}>
      <div>
        <Title order={1} size="h2">
          Count records
        </Title>
        <Text c="dimmed" size="sm">
          How many records of a kind exist, optionally with a code and in a period.
        </Text>
      </div>
      <Paper component="form" onSubmit={submit} noValidate aria-label="Count records" withBorder p="md">
        <Stack>
          <NativeSelect
            label="What to count"
            value={form.type}
            onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}
            data={Object.entries(COUNTABLE).map(([value, s]) => ({ value, label: s.label }))}
            error={error('type')}
          />
          {spec?.code && (
            <TextInput
              label="Code"
              description="A code, or system|code — for example http://snomed.info/sct|44054006 (type 2 diabetes) or http://loinc.org|4548-4 (HbA1c)"
              value={form.code}
              onChange={(e) => setForm({ ...form, code: e.currentTarget.value })}
              error={error('code')}
              spellCheck={false}
              autoCapitalize="off"
            />
          )}
          {spec?.date && (
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <TextInput label="From (optional)" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.currentTarget.value })} error={error('from')} />
              <TextInput label="Before (optional)" type="date" value={form.before} onChange={(e) => setForm({ ...form, before: e.currentTarget.value })} error={error('before')} />
            </SimpleGrid>
          )}
          <Group>
            <Button type="submit" loading={result.status === 'running'}>
              Count
            </Button>
          </Group>
        </Stack>
      </Paper>
      <div aria-live="polite">
        {result.status === 'running' && <Loading label="Counting…" />}
        {result.status === 'error' && <ErrorState error={result.error} title="The count failed" />}
        {result.status === 'done' && (
          <Paper withBorder p="md" radius="md">
            <Text size="sm" c="dimmed">
              {COUNTABLE[result.type]?.label ?? result.type}
            </Text>
            <Text fz={36} fw={700}>
              {formatNumber(result.count)}
            </Text>
            {result.asked && (
              <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                Where {result.asked}
              </Text>
            )}
          </Paper>
        )}
      </div>
    </Stack>
  );
}
