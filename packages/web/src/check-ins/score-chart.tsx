import { Box, Text } from '@mantine/core';
import { LineChart } from '@mantine/charts';
import type { SeverityCode } from '@salus/core';
import { useId } from 'react';
import { formatDate } from '../lib/format.js';
import type { ScoreSeries } from './check-ins.js';

/**
 * A questionnaire's scores over time on its severity bands, each band shaded from green to red.
 * In a file of its own so the charting library loads only when a history is shown.
 */

const BAND_COLOR: Record<SeverityCode, string> = {
  minimal: 'teal',
  mild: 'lime',
  moderate: 'yellow',
  'moderately-severe': 'orange',
  severe: 'red',
};

export function ScoreChart({ series }: { series: ScoreSeries }) {
  const captionId = useId();
  const score = series.instrument.score!;
  const { points } = series;
  const first = points[0]!.at;
  const last = points[points.length - 1]!.at;
  const day = 86_400_000;
  const long = last - first > 120 * day;
  const dateOf = (v: unknown, length: number): string => (Number.isFinite(Number(v)) && v !== null && v !== '' ? formatDate(new Date(Number(v)).toISOString().slice(0, length)) : '');
  // Bands meet at their edges (4 | 5 is drawn at 4.5) so the shading has no gaps.
  const areas = score.bands.map((b, i) => ({
    y1: i === 0 ? 0 : b.min - 0.5,
    y2: i === score.bands.length - 1 ? score.max : b.max + 0.5,
    color: BAND_COLOR[b.code],
    fillOpacity: 0.2,
    // Colour alone marks a band; edge lines would sit on the scores at the cut-offs.
    strokeOpacity: 0,
    label: b.label,
    labelPosition: 'insideLeft' as const,
  }));
  return (
    <Box component="figure" m={0} aria-labelledby={captionId}>
      <LineChart
        h={280}
        data={points.map((p) => ({ at: p.at, score: p.score }))}
        dataKey="at"
        series={[{ name: 'score', label: `${series.instrument.name} score`, color: 'salus.8' }]}
        curveType="linear"
        xAxisProps={{ type: 'number', scale: 'time', domain: [first - day, last + day], tickFormatter: (v: number) => dateOf(v, long ? 7 : 10), minTickGap: 24 }}
        yAxisProps={{ domain: [0, score.max], ticks: [0, ...score.bands.slice(1).map((b) => b.min), score.max], width: 36 }}
        tooltipProps={{ labelFormatter: (v: unknown) => dateOf(v, 10) }}
        referenceAreas={areas}
        gridAxis="none"
        strokeWidth={2.5}
        dotProps={{ r: 5, strokeWidth: 2, fill: 'var(--mantine-color-salus-8)' }}
        activeDotProps={{ r: 6 }}
      />
      <Text component="figcaption" id={captionId} size="xs" c="dimmed" mt={4}>
        {series.instrument.name} scores from {formatDate(points[0]!.time)} to {formatDate(points[points.length - 1]!.time)}, out of {score.max}, on the bands{' '}
        {score.bands.map((b) => `${b.label.toLowerCase()} ${b.min}–${b.max}`).join(', ')}. Every score is in the table below.
      </Text>
    </Box>
  );
}
