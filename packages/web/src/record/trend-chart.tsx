import { Box, Text } from '@mantine/core';
import { LineChart, type LineChartProps } from '@mantine/charts';
import { useId } from 'react';
import { formatDate, formatNumber } from '../lib/format.js';
import type { ResultSeries, ResultTest } from '../lib/observations.js';

/**
 * A result's trend over time, with the normal range marked. In a file of its own so the charting
 * library (the largest part of the app) loads only when someone opens a trend.
 */

const SERIES_COLORS = ['salus.6', 'indigo.6', 'orange.7', 'grape.6'];

/** Axis bounds that hold every value and the normal range, with a little room, and round ticks between them. */
function yAxis(test: ResultTest): { domain: [number, number]; ticks: number[] } {
  const numbers = test.readings.flatMap((r) => Object.values(r.values).flatMap((v) => (v.value === undefined ? [] : [v.value])));
  for (const s of test.series) for (const b of [s.range?.low, s.range?.high]) if (b !== undefined) numbers.push(b);
  const lo = Math.min(...numbers);
  const hi = Math.max(...numbers);
  const span = hi - lo || Math.abs(hi) || 1;
  let step = 10 ** Math.floor(Math.log10(span)) / 2;
  const from = Math.floor((lo - span * 0.1) / step) * step;
  const to = Math.ceil((hi + span * 0.1) / step) * step;
  while ((to - from) / step > 7) step *= 2;
  const ticks: number[] = [];
  // Rounded so that 0.1 + 0.2 style sums do not print as 0.30000000000000004.
  for (let t = from; t <= to + step / 1000; t += step) ticks.push(Number(t.toPrecision(10)));
  return { domain: [from, Math.max(to, ticks[ticks.length - 1]!)], ticks };
}

function rangeMarks(series: ResultSeries[]): Pick<LineChartProps, 'referenceAreas' | 'referenceLines'> {
  const only = series.length === 1 ? series[0]!.range : undefined;
  if (only?.low !== undefined && only.high !== undefined) {
    return { referenceAreas: [{ y1: only.low, y2: only.high, color: 'salus', fillOpacity: 0.12, label: 'Normal range', labelPosition: 'insideTopLeft' }] };
  }
  const lines = series.flatMap((s) => {
    const name = series.length > 1 ? `${s.label} ` : '';
    return [
      ...(s.range?.high !== undefined ? [{ y: s.range.high, label: `${name}upper limit`, color: 'orange.6', strokeDasharray: '4 4' }] : []),
      ...(s.range?.low !== undefined ? [{ y: s.range.low, label: `${name}lower limit`, color: 'orange.6', strokeDasharray: '4 4' }] : []),
    ];
  });
  return lines.length ? { referenceLines: lines } : {};
}

export function TrendChart({ test }: { test: ResultTest }) {
  const captionId = useId();
  const data = test.readings.map((r) => ({ at: r.at, ...Object.fromEntries(test.series.map((s) => [s.key, r.values[s.key]?.value ?? null])) }));
  const first = test.readings[0]!.at;
  const last = test.readings[test.readings.length - 1]!.at;
  // Over many months the month is what matters; within a few, the day.
  const long = last - first > 120 * 86_400_000;
  // Recharts also calls these with nothing to format (an empty tooltip); that must not throw.
  const dateOf = (v: unknown, length: number): string => (Number.isFinite(Number(v)) && v !== null && v !== '' ? formatDate(new Date(Number(v)).toISOString().slice(0, length)) : '');
  const tick = (v: number): string => dateOf(v, long ? 7 : 10);
  const day = 86_400_000;
  const unit = test.series[0]!.unit;
  return (
    <Box component="figure" m={0} aria-labelledby={captionId}>
      <LineChart
        h={260}
        data={data}
        dataKey="at"
        series={test.series.map((s, i) => ({ name: s.key, label: s.label, color: SERIES_COLORS[i % SERIES_COLORS.length]! }))}
        curveType="linear"
        connectNulls
        withLegend={test.series.length > 1}
        legendProps={{ verticalAlign: 'top', height: 32 }}
        xAxisProps={{ type: 'number', scale: 'time', domain: [first - day, last + day], tickFormatter: tick, minTickGap: 24 }}
        yAxisProps={{ ...yAxis(test), width: 48 }}
        valueFormatter={(v) => formatNumber(v)}
        tooltipProps={{ labelFormatter: (v: unknown) => dateOf(v, 10) }}
        {...rangeMarks(test.series)}
        {...(unit ? { yAxisLabel: unit } : {})}
      />
      <Text component="figcaption" id={captionId} size="xs" c="dimmed" mt={4}>
        {test.label} from {formatDate(test.readings[0]!.time)} to {formatDate(test.latest.time)}
        {test.series.some((s) => s.range) ? '; the normal range is marked' : ''}. Every value is in the table below.
      </Text>
    </Box>
  );
}
