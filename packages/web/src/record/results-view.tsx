import { Anchor, Box, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { lazy, Suspense, useId, useMemo } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { formatDate, formatNumber, formatTime } from '../lib/format.js';
import { byCategory, formatRange, groupResults, type ResultTest } from '../lib/observations.js';
import { Loading } from '../layout/async.js';
import { FlagBadge } from './flag-badge.js';

const TrendChart = lazy(() => import('./trend-chart.js').then((m) => ({ default: m.TrendChart })));
import type { PatientRecord } from './use-patient-record.js';

/**
 * Results: every test with its latest value, and for the one chosen (the `:test` route param,
 * so a trend can be linked to) a chart over time with the normal range shaded, and the same
 * values as a table for those who do not read charts. Mount it at a route ending in `:test?`.
 */

/** The results page's own address: the current one without the chosen test. */
function resultsBase(pathname: string, test: string | undefined): string {
  const path = pathname.replace(/\/+$/, '');
  return test ? path.slice(0, path.lastIndexOf('/')) : path;
}

function rangeText(test: ResultTest): string {
  if (test.series.length === 1) return formatRange(test.series[0]!.range, test.series[0]!.unit);
  return test.series
    .filter((s) => s.range)
    .map((s) => `${s.label} ${formatRange(s.range, s.unit)}`)
    .join(', ');
}

function ResultsOverview({ tests, base }: { tests: ResultTest[]; base: string }) {
  const groups = byCategory(tests);
  return (
    <Stack gap="lg">
      <Text size="sm" c="dimmed">
        Choose a result to see how it has changed over time.
      </Text>
      {groups.map((g) => (
        <CategoryTable key={g.category} label={g.label} tests={g.tests} base={base} />
      ))}
    </Stack>
  );
}

function CategoryTable({ label, tests, base }: { label: string; tests: ResultTest[]; base: string }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="xs">
        {label}
      </Title>
      <Table verticalSpacing="xs" aria-labelledby={id} highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Test</Table.Th>
            <Table.Th scope="col">Latest result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tests.map((t) => {
            const range = rangeText(t);
            return (
              <Table.Tr key={t.key}>
                <Table.Td>
                  <Anchor component={Link} to={`${base}/${encodeURIComponent(t.key)}`} fw={500}>
                    {t.label}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {formatDate(t.latest.time)}
                    {t.readings.length > 1 ? ` · ${t.readings.length} results` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="wrap">
                    <Text fw={500} style={{ whiteSpace: 'nowrap' }}>
                      {t.latest.display}
                    </Text>
                    <FlagBadge flag={t.latest.flag} />
                  </Group>
                  {range && (
                    <Text size="xs" c="dimmed">
                      Normal: {range}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

function ValuesTable({ test }: { test: ResultTest }) {
  const id = useId();
  const multi = test.series.length > 1;
  // Without any interpretation or range there is nothing to flag; an empty column only costs width.
  const flagged = test.readings.some((r) => r.flag !== undefined);
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={3} size="h5" id={id} mb="xs">
        All values
      </Title>
      <Table.ScrollContainer minWidth={300}>
        <Table verticalSpacing={6} aria-labelledby={id} striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Date</Table.Th>
              {multi ? (
                test.series.map((s) => (
                  <Table.Th scope="col" key={s.key}>
                    {s.label}
                    {s.unit ? ` (${s.unit})` : ''}
                  </Table.Th>
                ))
              ) : (
                <Table.Th scope="col">Value</Table.Th>
              )}
              {flagged && <Table.Th scope="col">Flag</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...test.readings].reverse().map((r) => (
              <Table.Tr key={`${r.at}-${r.observationIds.join(',')}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {formatDate(r.time)}
                  {formatTime(r.time) && (
                    <Text span size="xs" c="dimmed" display="block">
                      {formatTime(r.time)}
                    </Text>
                  )}
                </Table.Td>
                {multi ? (
                  test.series.map((s) => <Table.Td key={s.key}>{r.values[s.key]?.value !== undefined ? formatNumber(r.values[s.key]!.value!) : (r.values[s.key]?.display ?? '–')}</Table.Td>)
                ) : (
                  <Table.Td>{r.display}</Table.Td>
                )}
                {flagged && <Table.Td>{r.flag && r.flag !== 'normal' ? <FlagBadge flag={r.flag} /> : <Text size="sm" c="dimmed">{r.flag === 'normal' ? 'Normal' : '–'}</Text>}</Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Box>
  );
}

function TestDetail({ test, base }: { test: ResultTest; base: string }) {
  const range = rangeText(test);
  const plottable = test.readings.some((r) => Object.values(r.values).some((v) => v.value !== undefined));
  return (
    <Stack gap="md">
      <Anchor component={Link} to={base} size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={14} aria-hidden />
          All results
        </Group>
      </Anchor>
      <div>
        <Title order={2} size="h3">
          {test.label}
        </Title>
        <Group gap="xs" mt={4} align="center">
          <Text fz={28} fw={700} lh={1.2}>
            {test.latest.display}
          </Text>
          <FlagBadge flag={test.latest.flag} showNormal />
        </Group>
        <Text size="sm" c="dimmed">
          Latest, on {formatDate(test.latest.time)}
          {range ? ` · Normal: ${range}` : ''}
        </Text>
      </div>
      {plottable && (
        <Suspense fallback={<Box h={280}><Loading label="Drawing the chart…" /></Box>}>
          <TrendChart test={test} />
        </Suspense>
      )}
      <ValuesTable test={test} />
    </Stack>
  );
}

/** The record's results, or one result's trend when the route names a test. */
export function ResultsView({ record }: { record: PatientRecord }) {
  const { test: chosen } = useParams();
  const { pathname } = useLocation();
  const tests = useMemo(() => groupResults(record.observations), [record]);
  const base = resultsBase(pathname, chosen);
  if (chosen !== undefined) {
    const test = tests.find((t) => t.key === chosen);
    if (test) return <TestDetail test={test} base={base} />;
    return (
      <Stack gap="sm">
        <Text>This result is not in the record.</Text>
        <Anchor component={Link} to={base}>
          See all results
        </Anchor>
      </Stack>
    );
  }
  if (tests.length === 0) return <Text c="dimmed">No results are recorded yet.</Text>;
  return <ResultsOverview tests={tests} base={base} />;
}
