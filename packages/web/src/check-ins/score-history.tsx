import { Badge, Box, Stack, Table, Text, Title } from '@mantine/core';
import type { SeverityBand } from '@salus/core';
import { lazy, Suspense, useId } from 'react';
import { Loading, EmptyState } from '../layout/async.js';
import { formatDate } from '../lib/format.js';
import type { ScoreSeries } from './check-ins.js';

const ScoreChart = lazy(() => import('./score-chart.js').then((m) => ({ default: m.ScoreChart })));

const BADGE_COLOR: Record<SeverityBand['code'], string> = { minimal: 'teal', mild: 'lime', moderate: 'yellow', 'moderately-severe': 'orange', severe: 'red' };

export function SeverityBadge({ band }: { band: SeverityBand | undefined }) {
  if (!band) return null;
  return (
    <Badge color={BADGE_COLOR[band.code]} variant="light" tt="none" c={band.code === 'mild' || band.code === 'moderate' ? 'dark.7' : undefined}>
      {band.label}
    </Badge>
  );
}

function OneHistory({ series }: { series: ScoreSeries }) {
  const id = useId();
  const tableId = useId();
  const latest = series.points[series.points.length - 1]!;
  const measures = series.instrument.score!.measures;
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={3} size="h4" id={id}>
        {series.instrument.name}: {measures}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Latest {latest.score} of {series.instrument.score!.max} on {formatDate(latest.time)}
        {latest.severity ? ` (${latest.severity.label.toLowerCase()})` : ''}. Higher scores mean more {measures}.
      </Text>
      <Suspense fallback={<Box h={280}><Loading label="Drawing the chart…" /></Box>}>
        <ScoreChart series={series} />
      </Suspense>
      <Title order={4} size="h5" id={tableId} mt="sm" mb={4}>
        All {series.instrument.name} scores
      </Title>
      <Table.ScrollContainer minWidth={280}>
        <Table aria-labelledby={tableId} striped verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Date</Table.Th>
              <Table.Th scope="col">Score</Table.Th>
              <Table.Th scope="col">Severity</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...series.points].reverse().map((p) => (
              <Table.Tr key={`${p.observationId}-${p.at}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(p.time)}</Table.Td>
                <Table.Td>{p.score}</Table.Td>
                <Table.Td>
                  <SeverityBadge band={p.severity} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Box>
  );
}

/** Every questionnaire's scores: a chart on the severity bands, and the same numbers as a table. */
export function ScoreHistory({ series, empty }: { series: ScoreSeries[]; empty: string }) {
  if (series.length === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <Stack gap="xl">
      {series.map((s) => (
        <OneHistory key={s.instrument.key} series={s} />
      ))}
    </Stack>
  );
}
