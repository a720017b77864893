import { formatDateTime, type FormatOptions } from '../lib/format.js';
import type { EcgStrip } from './monitoring-api.js';

/**
 * An ECG strip laid out on standard ECG paper: 25 mm per second and 10 mm per millivolt, so one
 * small (1 mm) square is 0.04 s by 0.1 mV and one large (5 mm) square 0.2 s by 0.5 mV. Clinicians
 * read intervals and amplitudes by counting squares, so the scale stays fixed and the paper is
 * scaled as a whole to the element's width. Long strips wrap into rows of 10 s, as on a printed
 * rhythm strip.
 */

export const MM_PER_SECOND = 25;
export const MM_PER_MV = 10;
export const SMALL_MM = 1;
export const LARGE_MM = 5;
const ROW_SECONDS = 10;
/** At least ±0.5 mV stays on the paper; beyond ±3 mV a spike is clipped rather than making the row huge. */
const MIN_MV = 0.5;
const MAX_MV = 3;

export interface EcgLayout {
  /** CSS pixels per millimetre of paper. */
  pxPerMm: number;
  samplesPerRow: number;
  rows: number;
  /** One row's width and height, in mm. */
  rowWidthMm: number;
  rowHeightMm: number;
  /** From a row's top to its 0 mV line, in mm. */
  baselineMm: number;
  widthPx: number;
  heightPx: number;
  durationSeconds: number;
}

const upTo5 = (mm: number) => Math.ceil(mm / LARGE_MM) * LARGE_MM;

export function ecgLayout(strip: Pick<EcgStrip, 'period' | 'data'>, widthPx: number): EcgLayout {
  const count = strip.data.length;
  const durationSeconds = (count * strip.period) / 1000;
  const samplesPerRow = Math.max(1, Math.round((ROW_SECONDS * 1000) / strip.period));
  const rows = Math.max(1, Math.ceil(count / samplesPerRow));
  // A strip shorter than a row fills the width on its own; longer ones share the 10-second scale.
  const rowSeconds = Math.min(ROW_SECONDS, durationSeconds) || ROW_SECONDS;
  const rowWidthMm = rowSeconds * MM_PER_SECOND;
  let hi = MIN_MV;
  let lo = -MIN_MV;
  for (const v of strip.data) {
    if (v > hi) hi = v;
    if (v < lo) lo = v;
  }
  hi = Math.min(hi, MAX_MV);
  lo = Math.max(lo, -MAX_MV);
  // Whole large squares above and below the baseline, with a little room for the peaks.
  const baselineMm = upTo5(hi * MM_PER_MV + 2);
  const rowHeightMm = baselineMm + upTo5(-lo * MM_PER_MV + 2);
  const pxPerMm = widthPx / rowWidthMm;
  return { pxPerMm, samplesPerRow, rows, rowWidthMm, rowHeightMm, baselineMm, widthPx, heightPx: rows * rowHeightMm * pxPerMm, durationSeconds };
}

/** Where sample `i` of value `mv` goes, in CSS pixels from the paper's top left. */
export function samplePoint(layout: EcgLayout, period: number, i: number, mv: number): { x: number; y: number } {
  const row = Math.floor(i / layout.samplesPerRow);
  const within = i - row * layout.samplesPerRow;
  const clipped = Math.max(-MAX_MV, Math.min(MAX_MV, mv));
  return {
    x: ((within * period) / 1000) * MM_PER_SECOND * layout.pxPerMm,
    y: (row * layout.rowHeightMm + layout.baselineMm - clipped * MM_PER_MV) * layout.pxPerMm,
  };
}

/** "10.0 s" */
function durationText(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

/** The strip in words: when, how long, and the scale it is drawn at. */
export function ecgCaption(strip: Pick<EcgStrip, 'time' | 'period' | 'data'>, options: FormatOptions = {}): string {
  const seconds = (strip.data.length * strip.period) / 1000;
  return `ECG recorded ${formatDateTime(strip.time, options)}, ${durationText(seconds)} at ${MM_PER_SECOND} mm/s and ${MM_PER_MV} mm/mV`;
}
