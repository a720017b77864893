import { READING_KINDS, type MonitoringGoal, type ReadingKind } from '@salus/core';
import { formatDateTime, formatNumber, type FormatOptions } from '../lib/format.js';
import { readingText } from './monitoring.js';
import type { ReadingSeries, SeriesPoint } from './monitoring-api.js';

/**
 * What the reading charts draw and when they ask the server again: the time windows of the range
 * buttons, the columns uPlot takes, the goal bands, the axis range, and the chart's words for
 * people who do not see it. Kept apart from the uPlot wrapper so all of it is tested without a
 * canvas.
 */

export type RangeKey = '24h' | '7d' | '30d' | '90d';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGES: Readonly<Record<RangeKey, { label: string; ms: number }>> = {
  '24h': { label: '24 h', ms: DAY },
  '7d': { label: '7 d', ms: 7 * DAY },
  '30d': { label: '30 d', ms: 30 * DAY },
  '90d': { label: '90 d', ms: 90 * DAY },
};

export interface TimeWindow {
  from: number;
  to: number;
}

export function rangeWindow(key: RangeKey, now: number): TimeWindow {
  return { from: now - RANGES[key].ms, to: now };
}

/** A zoom never goes narrower than this: a stray click-drag of a few pixels should not show an empty minute. */
export const MIN_WINDOW_MS = 5 * 60_000;

/** The window a drag selected, widened around its middle to the smallest zoom. */
export function zoomWindow(from: number, to: number): TimeWindow {
  const [a, b] = from <= to ? [from, to] : [to, from];
  if (b - a >= MIN_WINDOW_MS) return { from: a, to: b };
  const mid = (a + b) / 2;
  return { from: mid - MIN_WINDOW_MS / 2, to: mid + MIN_WINDOW_MS / 2 };
}

/**
 * How many points to ask for: about four per pixel of width. More cannot be seen (the server
 * keeps each stretch's lowest and highest, so peaks survive), and fewer keeps a 90-day window of
 * minute-by-minute watch data from sending a hundred thousand points to a phone.
 */
export function maxPointsFor(widthPx: number): number {
  return Math.min(20_000, Math.max(1_000, Math.round(widthPx * 4)));
}

export interface LoadedWindow {
  window: TimeWindow;
  thinned: boolean;
}

/**
 * Whether showing `view` needs the server: when it reaches outside what was loaded, or when what
 * was loaded was thinned and the view is less than half of it (zoomed far enough in that the
 * readings left out would show). Zooming within unthinned data only moves the axis.
 */
export function needsFetch(loaded: LoadedWindow | undefined, view: TimeWindow): boolean {
  if (!loaded) return true;
  if (view.from < loaded.window.from || view.to > loaded.window.to) return true;
  return loaded.thinned && view.to - view.from < (loaded.window.to - loaded.window.from) / 2;
}

/** uPlot's columns: times (ms), then one column per line, null where a point has no value. */
export type ChartColumns = [number[], ...(number | null)[][]];

export function isBloodPressure(kind: ReadingKind): boolean {
  return kind === 'blood-pressure';
}

/** The lines a kind is drawn as: blood pressure as systolic and diastolic, the rest as one. */
export function lineLabels(kind: ReadingKind): string[] {
  return isBloodPressure(kind) ? ['Systolic', 'Diastolic'] : [READING_KINDS[kind].text];
}

export function chartColumns(series: Pick<ReadingSeries, 'kind' | 'points'>): ChartColumns {
  const xs = series.points.map((p) => p[0]);
  const ys = series.points.map((p) => p[1]);
  if (!isBloodPressure(series.kind)) return [xs, ys];
  return [xs, ys, series.points.map((p) => p[2] ?? null)];
}

export interface GoalBand {
  label: string;
  low?: number;
  high?: number;
}

const goalsOf = (goals: readonly MonitoringGoal[], kind: ReadingKind) => goals.filter((g) => g.kind === kind && (g.low !== undefined || g.high !== undefined));

/** The goal ranges to shade on a kind's chart. */
export function goalBands(goals: readonly MonitoringGoal[], kind: ReadingKind): GoalBand[] {
  return goalsOf(goals, kind).map((g) => ({
    label: g.component === 'systolic' ? 'Systolic goal' : g.component === 'diastolic' ? 'Diastolic goal' : 'Goal',
    ...(g.low !== undefined ? { low: g.low } : {}),
    ...(g.high !== undefined ? { high: g.high } : {}),
  }));
}

const withUnit = (text: string, unit: string): string => (!unit ? text : unit === '%' ? `${text}%` : `${text} ${unit}`);

/** Kinds measured in whole numbers, where "up to 134" and "below 135" are the same goal. */
const WHOLE_NUMBER_KINDS: ReadonlySet<ReadingKind> = new Set(['blood-pressure', 'heart-rate', 'oxygen-saturation', 'respiratory-rate']);

/**
 * A goal's limits in words. Both ends are within a goal; for whole-number readings an upper limit
 * reads as the first value outside it ("below 135" for a high of 134), the way guidelines and
 * patients say it, and elsewhere as "up to".
 */
function rangeWords(low: number[] | undefined, high: number[] | undefined, unit: string, whole: boolean): string {
  const text = (values: number[]) => values.map((v) => formatNumber(v)).join('/');
  if (low && high) return `between ${text(low)} and ${withUnit(text(high), unit)}`;
  if (high) return whole && high.every(Number.isInteger) ? `below ${withUnit(text(high.map((v) => v + 1)), unit)}` : `up to ${withUnit(text(high), unit)}`;
  return `at least ${withUnit(text(low!), unit)}`;
}

/** A kind's goal in words: "below 135/85 mmHg", "between 4 and 10 mmol/L"; undefined without one. */
export function goalText(goals: readonly MonitoringGoal[], kind: ReadingKind): string | undefined {
  const mine = goalsOf(goals, kind);
  if (mine.length === 0) return undefined;
  const unit = READING_KINDS[kind].unitText;
  const whole = WHOLE_NUMBER_KINDS.has(kind);
  const ends = (...gs: MonitoringGoal[]) => ({
    low: gs.every((g) => g.low !== undefined) ? gs.map((g) => g.low!) : undefined,
    high: gs.every((g) => g.high !== undefined) ? gs.map((g) => g.high!) : undefined,
  });
  if (isBloodPressure(kind)) {
    const sys = mine.find((g) => g.component !== 'diastolic');
    const dia = mine.find((g) => g.component === 'diastolic');
    // The same kind of limit on both pressures reads as one pair: "below 135/85 mmHg".
    if (sys && dia && (sys.low === undefined) === (dia.low === undefined) && (sys.high === undefined) === (dia.high === undefined)) {
      const { low, high } = ends(sys, dia);
      return rangeWords(low, high, unit, whole);
    }
    return mine
      .map((g) => {
        const { low, high } = ends(g);
        return `${g.component === 'diastolic' ? 'diastolic' : 'systolic'} ${rangeWords(low, high, unit, whole)}`;
      })
      .join(', ');
  }
  const { low, high } = ends(mine[0]!);
  return rangeWords(low, high, unit, whole);
}

/** The value axis: every visible value and the goal limits, with a little room above and below. */
export function yRange(dataMin: number | null | undefined, dataMax: number | null | undefined, bands: readonly GoalBand[]): [number, number] {
  const values = [dataMin, dataMax, ...bands.flatMap((b) => [b.low, b.high])].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * 0.08, hi + span * 0.08];
}

/** The points inside a window (points are oldest first). */
export function pointsInWindow(points: readonly SeriesPoint[], window: TimeWindow): SeriesPoint[] {
  const first = lowerBound(points, window.from);
  let end = first;
  while (end < points.length && points[end]![0] <= window.to) end++;
  return points.slice(first, end);
}

function lowerBound(points: readonly SeriesPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The rows of "Show as table": newest first, at most `cap` of them, and how many there were. */
export function tableRows(points: readonly SeriesPoint[], window: TimeWindow, cap = 200): { rows: SeriesPoint[]; total: number } {
  const inside = pointsInWindow(points, window);
  return { rows: inside.slice(-cap).reverse(), total: inside.length };
}

/** One point as the table and the caption say it: "142/91 mmHg". */
export function pointText(kind: ReadingKind, p: SeriesPoint): string {
  return readingText(p[2] === undefined || p[2] === null ? { kind, value: p[1] } : { kind, value: p[1], value2: p[2] });
}

/**
 * The chart in words, for people who cannot see it: the window, how many readings, the latest,
 * the lowest and highest, and the goal.
 */
export function chartSummary(series: Pick<ReadingSeries, 'kind' | 'points' | 'thinned'>, window: TimeWindow, goal: string | undefined, options: FormatOptions = {}): string {
  const info = READING_KINDS[series.kind];
  const when = (t: number) => formatDateTime(new Date(t).toISOString(), options);
  const head = `${info.text} from ${when(window.from)} to ${when(window.to)}`;
  const inside = pointsInWindow(series.points, window);
  const goalWords = goal ? ` Goal: ${goal}.` : '';
  if (inside.length === 0) return `${head}: no readings.${goalWords}`;
  const last = inside[inside.length - 1]!;
  const span = (values: number[]) => `${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))}`;
  const range = isBloodPressure(series.kind)
    ? `systolic ${span(inside.map((p) => p[1]))}, diastolic ${span(inside.flatMap((p) => (typeof p[2] === 'number' ? [p[2]] : [])))} ${info.unitText}`
    : withUnit(span(inside.map((p) => p[1])), info.unitText);
  const count = series.thinned ? `${inside.length} points (the lowest and highest of each stretch; zoom in for every reading)` : `${inside.length} ${inside.length === 1 ? 'reading' : 'readings'}`;
  return `${head}: ${count}, latest ${pointText(series.kind, last)} on ${when(last[0])}, range ${range}.${goalWords}`;
}

/** The kinds charted over time, in the order the pages show them; ECG strips and falls are shown otherwise. */
const CHART_ORDER: readonly ReadingKind[] = ['blood-pressure', 'heart-rate', 'oxygen-saturation', 'respiratory-rate', 'body-temperature', 'blood-glucose', 'body-weight', 'supplemental-oxygen'];

export function chartKinds(present: readonly { kind: ReadingKind }[]): ReadingKind[] {
  return CHART_ORDER.filter((k) => present.some((p) => p.kind === k));
}
