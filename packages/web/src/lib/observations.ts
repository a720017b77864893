import type { CodeableConcept, Observation, ObservationComponent, ObservationReferenceRange, Quantity } from '@medplum/fhirtypes';
import { formatConcept, formatNumber, formatQuantity, quantityUnit, timeOf, type FormatOptions } from './format.js';

/**
 * Observations regrouped the way a person reads results: one "test" per kind of measurement (all
 * HbA1c values together), each with its readings over time, the latest value, the normal range
 * and whether each value was high or low. A blood-pressure panel is one test with two series
 * (systolic and diastolic) however it was recorded.
 */

const LOINC = 'http://loinc.org';
const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** Blood pressure recorded as separate systolic and diastolic observations joins the panel. */
const PANEL_OF: Record<string, string> = { '8480-6': '85354-9', '8462-4': '85354-9', '55284-4': '85354-9' };
/** LOINC's long names are for laboratories; these are what patients call them. */
const TEST_LABELS: Record<string, string> = { '85354-9': 'Blood pressure' };
const SERIES_LABELS: Record<string, string> = { '8480-6': 'Systolic', '8462-4': 'Diastolic' };

export type Flag = 'normal' | 'high' | 'low' | 'critically-high' | 'critically-low' | 'abnormal' | 'critically-abnormal';

/** v3 ObservationInterpretation codes, as the flag a reader needs. */
const INTERPRETATIONS: Record<string, Flag> = {
  N: 'normal',
  H: 'high',
  HU: 'high',
  L: 'low',
  LU: 'low',
  HH: 'critically-high',
  LL: 'critically-low',
  A: 'abnormal',
  AA: 'critically-abnormal',
};

const FLAG_LABELS: Record<Flag, string> = {
  normal: 'Normal',
  high: 'High',
  low: 'Low',
  'critically-high': 'Critical high',
  'critically-low': 'Critical low',
  abnormal: 'Abnormal',
  'critically-abnormal': 'Critical',
};

const FLAG_SEVERITY: Record<Flag, number> = {
  normal: 1,
  high: 2,
  low: 2,
  abnormal: 2,
  'critically-high': 3,
  'critically-low': 3,
  'critically-abnormal': 3,
};

export const flagLabel = (flag: Flag): string => FLAG_LABELS[flag];
export const isCritical = (flag: Flag | undefined): boolean => flag !== undefined && FLAG_SEVERITY[flag] === 3;

/** The most serious of some flags (undefined when none could be told). */
export function worstFlag(flags: readonly (Flag | undefined)[]): Flag | undefined {
  let worst: Flag | undefined;
  for (const f of flags) if (f && (!worst || FLAG_SEVERITY[f] > FLAG_SEVERITY[worst])) worst = f;
  return worst;
}

export interface ReferenceRange {
  low?: number;
  high?: number;
  text?: string;
}

/** One value of one series. */
export interface ResultValue {
  /** The number, when there is one to plot. */
  value?: number;
  /** The value as read, with its unit: "146 mmHg", "Positive". */
  display: string;
  unit: string;
  flag?: Flag;
  range?: ReferenceRange;
}

/** One measurement occasion: a single value, or systolic and diastolic together. */
export interface Reading {
  observationIds: string[];
  /** When it was taken, as recorded. */
  time: string;
  at: number;
  /** By series key. */
  values: Record<string, ResultValue>;
  /** The reading as one phrase: "8.9%", "146/92 mmHg". */
  display: string;
  flag?: Flag;
}

export interface ResultSeries {
  key: string;
  label: string;
  unit: string;
  /** The range given with the most recent value that had one. */
  range?: ReferenceRange;
}

export interface ResultTest {
  /** Stable and URL-safe once encoded: the LOINC code, else `system|code`, else `text:name`. */
  key: string;
  label: string;
  category: string;
  series: ResultSeries[];
  /** Oldest first. */
  readings: Reading[];
  latest: Reading;
}

export interface ResultCategory {
  category: string;
  label: string;
  tests: ResultTest[];
}

const CATEGORY_ORDER = ['vital-signs', 'laboratory', 'survey', 'exam', 'imaging', 'procedure', 'social-history', 'activity', 'therapy'];
const CATEGORY_LABELS: Record<string, string> = {
  'vital-signs': 'Vital signs',
  laboratory: 'Lab results',
  survey: 'Questionnaires and scores',
  exam: 'Examinations',
  imaging: 'Imaging',
  procedure: 'Procedures',
  'social-history': 'Lifestyle',
  activity: 'Activity',
  therapy: 'Therapy',
  other: 'Other results',
};

export const categoryLabel = (category: string): string => CATEGORY_LABELS[category] ?? CATEGORY_LABELS.other!;

/** When the observation was made: its effective time, else when it was issued. */
export function observationTime(o: Observation): string | undefined {
  return o.effectiveDateTime ?? o.effectiveInstant ?? o.effectivePeriod?.start ?? o.effectivePeriod?.end ?? o.issued;
}

function conceptKey(code: CodeableConcept | undefined): string | undefined {
  const loinc = code?.coding?.find((c) => c.system === LOINC && c.code);
  if (loinc) return loinc.code;
  const coded = code?.coding?.find((c) => c.code);
  if (coded) return `${coded.system ?? ''}|${coded.code}`;
  return code?.text ? `text:${code.text.trim().toLowerCase()}` : undefined;
}

function categoryOf(o: Observation): string {
  const codings = (o.category ?? []).flatMap((c) => c.coding ?? []);
  return (codings.find((c) => c.system === CATEGORY_SYSTEM) ?? codings[0])?.code ?? 'other';
}

function rangeOf(ranges: ObservationReferenceRange[] | undefined): ReferenceRange | undefined {
  // The normal range, not one for treatment targets or other populations.
  const r = ranges?.find((x) => !x.type || x.type.coding?.some((c) => c.code === 'normal')) ?? ranges?.[0];
  if (!r) return undefined;
  const out: ReferenceRange = {};
  if (r.low?.value !== undefined) out.low = r.low.value;
  if (r.high?.value !== undefined) out.high = r.high.value;
  if (r.text) out.text = r.text;
  return Object.keys(out).length ? out : undefined;
}

/** The range as one phrase: its own text, else "4–5.6%", "below 5 mg/L", "above 60". */
export function formatRange(range: ReferenceRange | undefined, unit = '', options: FormatOptions = {}): string {
  if (!range) return '';
  if (range.text) return range.text;
  const n = (v: number): string => formatNumber(v, options);
  const suffix = unit ? (unit === '%' ? '%' : ` ${unit}`) : '';
  if (range.low !== undefined && range.high !== undefined) return `${n(range.low)}–${n(range.high)}${suffix}`;
  if (range.high !== undefined) return `below ${n(range.high)}${suffix}`;
  if (range.low !== undefined) return `above ${n(range.low)}${suffix}`;
  return '';
}

function interpretationFlag(interpretation: CodeableConcept[] | undefined): Flag | undefined {
  for (const concept of interpretation ?? []) {
    for (const c of concept.coding ?? []) {
      const flag = c.code ? INTERPRETATIONS[c.code] : undefined;
      if (flag) return flag;
    }
  }
  return undefined;
}

/**
 * A value's flag: the interpretation the laboratory or clinician gave, which knows about critical
 * limits and context; else a comparison with the reference range; else nothing to say.
 */
export function flagOf(interpretation: CodeableConcept[] | undefined, value: number | undefined, range: ReferenceRange | undefined): Flag | undefined {
  const given = interpretationFlag(interpretation);
  if (given) return given;
  if (value === undefined || !range || (range.low === undefined && range.high === undefined)) return undefined;
  if (range.low !== undefined && value < range.low) return 'low';
  if (range.high !== undefined && value > range.high) return 'high';
  return 'normal';
}

type Valued = Pick<Observation, 'valueQuantity' | 'valueInteger' | 'valueString' | 'valueCodeableConcept' | 'valueBoolean' | 'dataAbsentReason' | 'interpretation' | 'referenceRange'>;

function valueOf(v: Valued | ObservationComponent, options: FormatOptions): ResultValue | undefined {
  const range = rangeOf(v.referenceRange);
  let value: number | undefined;
  let display: string;
  let unit = '';
  if (v.valueQuantity?.value !== undefined) {
    const q: Quantity = v.valueQuantity;
    value = q.value;
    unit = quantityUnit(q);
    display = formatQuantity(q, options);
  } else if (v.valueInteger !== undefined) {
    value = v.valueInteger;
    display = formatNumber(v.valueInteger, options);
  } else if (v.valueString !== undefined) {
    display = v.valueString;
  } else if (v.valueCodeableConcept) {
    display = formatConcept(v.valueCodeableConcept);
  } else if (v.valueBoolean !== undefined) {
    display = v.valueBoolean ? 'Yes' : 'No';
  } else if (v.dataAbsentReason) {
    display = `No value (${formatConcept(v.dataAbsentReason).toLowerCase()})`;
  } else {
    return undefined;
  }
  const flag = flagOf(v.interpretation, value, range);
  return { ...(value === undefined ? {} : { value }), display, unit, ...(flag ? { flag } : {}), ...(range ? { range } : {}) };
}

interface Part {
  seriesKey: string;
  seriesLabel: string;
  value: ResultValue;
}

/** The series one observation contributes to: its own value and each of its components. */
function partsOf(o: Observation, ownKey: string, options: FormatOptions): Part[] {
  const parts: Part[] = [];
  const own = valueOf(o, options);
  if (own) parts.push({ seriesKey: ownKey, seriesLabel: SERIES_LABELS[ownKey] ?? formatConcept(o.code), value: own });
  for (const c of o.component ?? []) {
    const key = conceptKey(c.code);
    const value = valueOf(c, options);
    if (key && value) parts.push({ seriesKey: key, seriesLabel: SERIES_LABELS[key] ?? formatConcept(c.code), value });
  }
  return parts;
}

function readingDisplay(values: ResultValue[], options: FormatOptions): string {
  if (values.length === 1) return values[0]!.display;
  const unit = values[0]!.unit;
  if (values.every((v) => v.value !== undefined && v.unit === unit)) {
    const joined = values.map((v) => formatNumber(v.value!, options)).join('/');
    return unit ? (unit === '%' ? `${joined}%` : `${joined} ${unit}`) : joined;
  }
  return values.map((v) => v.display).join(', ');
}

const EXCLUDED_STATUSES = new Set(['entered-in-error', 'cancelled']);

/** Observations as tests, vital signs first, then lab results, each set by name. */
export function groupResults(observations: readonly Observation[], options: FormatOptions = {}): ResultTest[] {
  interface Building {
    key: string;
    label: string;
    labelAt: number;
    category: string;
    series: Map<string, ResultSeries & { rangeAt: number }>;
    readings: Map<string, Reading>;
  }
  const tests = new Map<string, Building>();
  for (const [index, o] of observations.entries()) {
    if (EXCLUDED_STATUSES.has(o.status)) continue;
    const time = observationTime(o);
    const at = timeOf(time);
    const ownKey = conceptKey(o.code);
    if (!time || at === undefined || !ownKey) continue;
    const key = PANEL_OF[ownKey] ?? ownKey;
    const parts = partsOf(o, ownKey, options);
    if (parts.length === 0) continue;
    let test = tests.get(key);
    if (!test) {
      test = { key, label: '', labelAt: -Infinity, category: categoryOf(o), series: new Map(), readings: new Map() };
      tests.set(key, test);
    }
    // The newest observation names the test: names are corrected more often than codes.
    if (at >= test.labelAt && ownKey === key) {
      test.label = TEST_LABELS[key] ?? formatConcept(o.code);
      test.labelAt = at;
      test.category = categoryOf(o);
    }
    // A systolic and a diastolic recorded apart at the same moment are one reading.
    const readingKey = ownKey === key ? `obs:${o.id ?? index}` : `at:${at}`;
    const reading = test.readings.get(readingKey) ?? { observationIds: [], time, at, values: {}, display: '' };
    if (o.id) reading.observationIds.push(o.id);
    for (const p of parts) {
      reading.values[p.seriesKey] = p.value;
      const s = test.series.get(p.seriesKey);
      if (!s) {
        test.series.set(p.seriesKey, { key: p.seriesKey, label: p.seriesLabel, unit: p.value.unit, rangeAt: p.value.range ? at : -Infinity, ...(p.value.range ? { range: p.value.range } : {}) });
      } else if (p.value.range && at >= s.rangeAt) {
        s.range = p.value.range;
        s.rangeAt = at;
      }
      if (s && !s.unit && p.value.unit) s.unit = p.value.unit;
    }
    const panelFlag = parts.some((p) => p.seriesKey === ownKey) ? undefined : interpretationFlag(o.interpretation);
    reading.flag = worstFlag([reading.flag, panelFlag, ...parts.map((p) => p.value.flag)]);
    test.readings.set(readingKey, reading);
  }

  const out: ResultTest[] = [];
  for (const t of tests.values()) {
    const series = [...t.series.values()].map(({ rangeAt: _rangeAt, ...s }) => s);
    // Systolic before diastolic, as blood pressure is written.
    series.sort((a, b) => seriesRank(a.key) - seriesRank(b.key));
    const readings = [...t.readings.values()].sort((a, b) => a.at - b.at);
    for (const r of readings) {
      r.display = readingDisplay(series.flatMap((s) => (r.values[s.key] ? [r.values[s.key]!] : [])), options);
    }
    const label = t.label || TEST_LABELS[t.key] || series.map((s) => s.label).join(' / ');
    out.push({ key: t.key, label, category: t.category, series, readings, latest: readings[readings.length - 1]! });
  }
  return out.sort((a, b) => categoryRank(a.category) - categoryRank(b.category) || a.label.localeCompare(b.label));
}

function seriesRank(key: string): number {
  const i = Object.keys(SERIES_LABELS).indexOf(key);
  return i === -1 ? Object.keys(SERIES_LABELS).length : i;
}

function categoryRank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

/** Tests under their category headings, in the order `groupResults` gives. */
export function byCategory(tests: readonly ResultTest[]): ResultCategory[] {
  const out: ResultCategory[] = [];
  for (const t of tests) {
    const known = t.category in CATEGORY_LABELS ? t.category : 'other';
    let group = out.find((g) => g.category === known);
    if (!group) {
      group = { category: known, label: categoryLabel(known), tests: [] };
      out.push(group);
    }
    group.tests.push(t);
  }
  return out;
}
