import type { Coding, Observation, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import { isFhirDecimal } from '../json.js';
import { badRequest } from '../outcome.js';
import { BP_COMPONENT, LOINC, UCUM, VITAL, VITAL_SIGNS_CATEGORY } from '../vital-signs.js';

/**
 * Home-monitoring readings: what devices and people send (a compact JSON batch or FHIR
 * Observations), checked and brought to one canonical code and unit per kind, and written back out
 * as R4 Observations. The server runs every incoming reading through here, thousands a second, so
 * the tables below are built once, the per-reading path allocates little beyond the reading it
 * returns, and error text and field paths are composed only when something is wrong.
 */

export type ReadingKind =
  | 'blood-pressure'
  | 'heart-rate'
  | 'oxygen-saturation'
  | 'respiratory-rate'
  | 'body-temperature'
  | 'blood-glucose'
  | 'body-weight'
  | 'ecg'
  | 'fall'
  | 'consciousness'
  | 'supplemental-oxygen';

export interface ReadingKindInfo {
  kind: ReadingKind;
  /** Code system of `code`: LOINC, or SNOMED CT / MDC where LOINC has no code for it. */
  system: string;
  /** The canonical code stored with every reading of this kind. */
  code: string;
  display: string;
  /** Plain words for people. */
  text: string;
  /** Canonical UCUM code; '1' for events and ordinals. */
  unit: string;
  /** The unit as people read it; '' where there is none. */
  unitText: string;
  /** Physically possible range in the canonical unit (for ECG: of each sample). */
  plausible?: { min: number; max: number };
  /** Input codes that map onto this kind. */
  accepts: { system: string; code: string }[];
}

/** A reading as devices and people send it (one element of a compact JSON batch). */
export interface RawReading {
  kind?: string;
  code?: string;
  system?: string;
  time?: string;
  value?: number;
  unit?: string;
  systolic?: number;
  diastolic?: number;
  /** ECG: `period` is the milliseconds between samples. */
  sampled?: { period: number; unit?: string; data: number[] };
}

/** A normalized reading: canonical code and unit, time as ISO UTC with milliseconds. */
export interface Reading {
  kind: ReadingKind;
  code: string;
  time: string;
  /** Blood pressure: systolic; ECG: number of samples; fall: 1. */
  value: number;
  /** Blood pressure: diastolic. */
  value2?: number;
  unit: string;
  sampled?: { period: number; unit: string; data: number[] };
}

/** `field` names the offending element, e.g. 'readings[3].value' or 'Bundle.entry[2].resource.code'. */
export interface ReadingError {
  index: number;
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Codes

const SNOMED = 'http://snomed.info/sct';
/** ISO/IEEE 11073-10101 (MDC), under the OID the FHIR R4 SampledData example (Observation "ekg") uses. */
const MDC = 'urn:oid:2.16.840.1.113883.6.24';

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
/** Codings built here and in vital-signs.ts always carry a code; Coding's type leaves it optional. */
const codeText = (c: Coding): string => c.code ?? '';

// Displays are the LOINC long common names (loinc.org).
const GLUCOSE_MOLAR_CAPILLARY = loinc('14743-9', 'Glucose [Moles/volume] in Capillary blood by Glucometer');
const GLUCOSE_MASS_CAPILLARY = loinc('41653-7', 'Glucose [Mass/volume] in Capillary blood by Glucometer');
const GLUCOSE_MASS_BLOOD = loinc('2339-0', 'Glucose [Mass/volume] in Blood');
const GLUCOSE_MOLAR_BLOOD = loinc('15074-8', 'Glucose [Moles/volume] in Blood');
const RESPONSIVENESS = loinc('67775-7', 'Level of responsiveness');
const OXYGEN_FLOW = loinc('3151-8', 'Inhaled oxygen flow rate');
// MDC_ECG_ELEC_POTL_I: the lead-I waveform code of the FHIR R4 "ekg" SampledData example.
const ECG_LEAD_I: Coding = { system: MDC, code: '131329', display: 'MDC_ECG_ELEC_POTL_I' };
// SNOMED CT 1912002 |Fall (event)|.
const FALL: Coding = { system: SNOMED, code: '1912002', display: 'Fall (event)' };

const [SPO2_ARTERIAL, SPO2_PULSE_OXIMETRY] = VITAL.oxygenSaturation.code;

/** Each ECG sample: a body-surface ECG stays within a few mV, so beyond this the strip is mis-scaled. */
const ECG_LIMIT_MV = 20;

function info(
  kind: ReadingKind,
  coding: Coding,
  text: string,
  unit: string,
  unitText: string,
  plausible: { min: number; max: number } | undefined,
  accepts: readonly Coding[] = [coding],
): ReadingKindInfo {
  const out: ReadingKindInfo = {
    kind,
    system: coding.system ?? '',
    code: codeText(coding),
    display: coding.display ?? '',
    text,
    unit,
    unitText,
    accepts: accepts.map((c) => ({ system: c.system ?? '', code: codeText(c) })),
  };
  if (plausible) out.plausible = { min: plausible.min, max: plausible.max };
  return out;
}

export const READING_KINDS: Readonly<Record<ReadingKind, ReadingKindInfo>> = {
  // Blood pressure carries two values with their own ranges (BP_COMPONENT), so it has no single range.
  'blood-pressure': info('blood-pressure', VITAL.bloodPressure.code[0], 'Blood pressure', 'mm[Hg]', 'mmHg', undefined),
  'heart-rate': info('heart-rate', VITAL.heartRate.code[0], 'Heart rate', '/min', 'beats/min', VITAL.heartRate.plausible),
  // Pulse oximeters measure 59408-5; 2708-6 is what the R4 oxygensat profile requires, so both come in.
  'oxygen-saturation': info('oxygen-saturation', SPO2_PULSE_OXIMETRY, 'Oxygen saturation', '%', '%', VITAL.oxygenSaturation.plausible, [
    SPO2_PULSE_OXIMETRY,
    SPO2_ARTERIAL,
  ]),
  'respiratory-rate': info(
    'respiratory-rate',
    VITAL.respiratoryRate.code[0],
    'Respiratory rate',
    '/min',
    'breaths/min',
    VITAL.respiratoryRate.plausible,
  ),
  // Wider than VITAL's 30 °C floor, which guards typed entries: a device can record deep hypothermia.
  'body-temperature': info('body-temperature', VITAL.bodyTemperature.code[0], 'Body temperature', 'Cel', '°C', { min: 25, max: 45 }),
  'blood-glucose': info('blood-glucose', GLUCOSE_MOLAR_CAPILLARY, 'Blood glucose', 'mmol/L', 'mmol/L', { min: 0.5, max: 60 }, [
    GLUCOSE_MOLAR_CAPILLARY,
    GLUCOSE_MASS_CAPILLARY,
    GLUCOSE_MASS_BLOOD,
    GLUCOSE_MOLAR_BLOOD,
  ]),
  'body-weight': info('body-weight', VITAL.bodyWeight.code[0], 'Body weight', 'kg', 'kg', VITAL.bodyWeight.plausible),
  ecg: info('ecg', ECG_LEAD_I, 'ECG (lead I)', 'mV', 'mV', { min: -ECG_LIMIT_MV, max: ECG_LIMIT_MV }),
  fall: info('fall', FALL, 'Fall', '1', '', undefined),
  // Value is the ACVPU index: 0 A, 1 C, 2 V, 3 P, 4 U.
  consciousness: info('consciousness', RESPONSIVENESS, 'Consciousness (ACVPU)', '1', '', { min: 0, max: 4 }),
  // 0 L/min means breathing air; NEWS2 scores any flow above that as "on oxygen".
  'supplemental-oxygen': info('supplemental-oxygen', OXYGEN_FLOW, 'Supplemental oxygen', 'L/min', 'L/min', { min: 0, max: 60 }),
};

/** Every kind, in the catalogue's order. */
export const READING_KIND_LIST = Object.keys(READING_KINDS) as readonly ReadingKind[];

/** ACVPU in index order (Royal College of Physicians, NEWS2, 2017). */
const ACVPU = [
  { letter: 'A', text: 'Alert' },
  { letter: 'C', text: 'New confusion' },
  { letter: 'V', text: 'Responds to voice' },
  { letter: 'P', text: 'Responds to pain' },
  { letter: 'U', text: 'Unresponsive' },
] as const;

/** The letters and their words, lower-cased, to read a valueCodeableConcept. */
const ACVPU_BY_WORD = new Map<string, number>();
ACVPU.forEach((a, i) => {
  ACVPU_BY_WORD.set(a.letter.toLowerCase(), i);
  ACVPU_BY_WORD.set(a.text.toLowerCase(), i);
});

interface CodeEntry {
  kind: ReadingKind;
  system: string;
  code: string;
  /** The unit a code implies: LOINC glucose codes are either mass or molar concentrations. */
  unit?: string;
}

const GLUCOSE_CODE_UNIT = new Map<string, string>([
  [codeText(GLUCOSE_MOLAR_CAPILLARY), 'mmol/L'],
  [codeText(GLUCOSE_MOLAR_BLOOD), 'mmol/L'],
  [codeText(GLUCOSE_MASS_CAPILLARY), 'mg/dL'],
  [codeText(GLUCOSE_MASS_BLOOD), 'mg/dL'],
]);

// Keyed by code alone: no accepted code is used by two systems, and the system is checked after.
const BY_CODE = new Map<string, CodeEntry>();
for (const k of Object.values(READING_KINDS)) {
  for (const a of k.accepts) {
    const entry: CodeEntry = { kind: k.kind, system: a.system, code: a.code };
    const unit = GLUCOSE_CODE_UNIT.get(a.code);
    if (unit !== undefined) entry.unit = unit;
    BY_CODE.set(a.code, entry);
  }
}

const ACCEPTED_CODES = [...BY_CODE.keys()].join(', ');
const KIND_NAMES = Object.keys(READING_KINDS).join(', ');

/** Systolic and diastolic codes, which Salus takes only inside a blood-pressure panel. */
const SYSTOLIC_CODE = codeText(BP_COMPONENT.systolic.code);
const DIASTOLIC_CODE = codeText(BP_COMPONENT.diastolic.code);
const BP_PARTS = new Map<string, 'systolic' | 'diastolic'>([
  [SYSTOLIC_CODE, 'systolic'],
  [DIASTOLIC_CODE, 'diastolic'],
]);

const lonePartMessage = (code: string): string =>
  `A ${BP_PARTS.get(code)} pressure on its own (${code}) is not accepted; send blood pressure as panel ` +
  `${READING_KINDS['blood-pressure'].code} with systolic (${SYSTOLIC_CODE}) and diastolic (${DIASTOLIC_CODE}) components together`;

const wrongSystemMessage = (code: string, system: unknown, entry: CodeEntry): string =>
  `Code ${code} is given with system ${system === undefined ? '(none)' : String(system)}; ` +
  `Salus reads it as ${READING_KINDS[entry.kind].text} only with system ${entry.system}`;

// ---------------------------------------------------------------------------------------------
// Units

/** A unit a device may send, and how its value becomes the kind's canonical unit. */
interface Conversion {
  ucum: string;
  toCanonical?: (value: number) => number;
  /** Converted values are rounded to 1/scale: the precision the canonical unit is shown in. */
  scale?: number;
}

const same = (ucum: string): Conversion => ({ ucum });

// UCUM defines [degF] by K = (°F + 459.67) × 5/9; with °C = K − 273.15 that is °C = (°F − 32) × 5/9.
const FAHRENHEIT: Conversion = { ucum: '[degF]', toCanonical: (f) => ((f - 32) * 5) / 9, scale: 10 };
// Glucose C6H12O6 has a molar mass of 180.16 g/mol: 1 mg/dL = 10 mg/L = 10/180.16 mmol/L, i.e. ÷ 18.016.
const GLUCOSE_MG_DL: Conversion = { ucum: 'mg/dL', toCanonical: (mg) => mg / 18.016, scale: 10 };
// The avoirdupois pound is exactly 0.45359237 kg (International Yard and Pound Agreement, 1959; UCUM [lb_av]).
const POUND: Conversion = { ucum: '[lb_av]', toCanonical: (lb) => lb * 0.45359237, scale: 100 };
// SI: 1 kg = 1000 g.
const GRAM: Conversion = { ucum: 'g', toCanonical: (g) => g / 1000, scale: 100 };

const MM_HG = same('mm[Hg]');
const PER_MIN = same('/min');
const CELSIUS = same('Cel');
const NONE = same('1');

/**
 * What each kind accepts in `unit`: the UCUM codes, then the spellings devices commonly send.
 * Anything else is refused rather than guessed at.
 */
const UNITS: Record<ReadingKind, ReadonlyMap<string, Conversion>> = {
  'blood-pressure': new Map([
    ['mm[Hg]', MM_HG],
    ['mmHg', MM_HG],
  ]),
  'heart-rate': new Map([
    ['/min', PER_MIN],
    ['{beats}/min', PER_MIN],
    ['bpm', PER_MIN],
    ['beats/min', PER_MIN],
  ]),
  'oxygen-saturation': new Map([['%', same('%')]]),
  'respiratory-rate': new Map([
    ['/min', PER_MIN],
    ['{breaths}/min', PER_MIN],
    ['breaths/min', PER_MIN],
  ]),
  'body-temperature': new Map([
    ['Cel', CELSIUS],
    ['[degF]', FAHRENHEIT],
    ['°C', CELSIUS],
    ['°F', FAHRENHEIT],
    ['degF', FAHRENHEIT],
  ]),
  'blood-glucose': new Map([
    ['mmol/L', same('mmol/L')],
    ['mg/dL', GLUCOSE_MG_DL],
  ]),
  'body-weight': new Map([
    ['kg', same('kg')],
    ['g', GRAM],
    ['[lb_av]', POUND],
    ['lb', POUND],
    ['lbs', POUND],
  ]),
  ecg: new Map([['mV', same('mV')]]),
  fall: new Map([['1', NONE]]),
  consciousness: new Map([['1', NONE]]),
  'supplemental-oxygen': new Map([['L/min', same('L/min')]]),
};

/** 'kg, g or [lb_av]': the UCUM codes a kind accepts, for error messages. */
function unitList(units: ReadonlyMap<string, Conversion>): string {
  const codes = [...new Set([...units.values()].map((c) => c.ucum))];
  return codes.length === 1 ? codes[0] : `${codes.slice(0, -1).join(', ')} or ${codes[codes.length - 1]}`;
}

/** One number to check: its name for messages, units, and range. */
interface Measure {
  label: string;
  unit: string;
  /** What to send, for messages: 'a number in /min'. */
  expected: string;
  units: ReadonlyMap<string, Conversion>;
  unitList: string;
  range?: { min: number; max: number };
  whole: boolean;
}

function measure(kind: ReadingKind, label = READING_KINDS[kind].text, range = READING_KINDS[kind].plausible): Measure {
  const unit = READING_KINDS[kind].unit;
  const whole = kind === 'consciousness';
  const expected = whole ? 'a whole number from 0 to 4 (A, C, V, P, U)' : `a number in ${unit}`;
  const m: Measure = { label, unit, expected, units: UNITS[kind], unitList: unitList(UNITS[kind]), whole };
  if (range) m.range = range;
  return m;
}

type ScalarKind = Exclude<ReadingKind, 'blood-pressure' | 'ecg' | 'fall'>;
const MEASURES: Record<ScalarKind, Measure> = {
  'heart-rate': measure('heart-rate'),
  'oxygen-saturation': measure('oxygen-saturation'),
  'respiratory-rate': measure('respiratory-rate'),
  'body-temperature': measure('body-temperature'),
  'blood-glucose': measure('blood-glucose'),
  'body-weight': measure('body-weight'),
  consciousness: measure('consciousness'),
  'supplemental-oxygen': measure('supplemental-oxygen'),
};
const SYSTOLIC = measure('blood-pressure', 'Systolic pressure', BP_COMPONENT.systolic.plausible);
const DIASTOLIC = measure('blood-pressure', 'Diastolic pressure', BP_COMPONENT.diastolic.plausible);

const ECG_MAX_SAMPLES = 30_000;

// ---------------------------------------------------------------------------------------------
// Checks shared by the compact and FHIR forms

/** Where the readings of one request sit: 'readings[3]', 'Bundle.entry[2].resource', 'Observation'. */
interface Site {
  prefix: string;
  suffix: string;
  indexed: boolean;
}

const BATCH: Site = { prefix: 'readings', suffix: '', indexed: true };
const OBSERVATION: Site = { prefix: 'Observation', suffix: '', indexed: false };
const BUNDLE_ENTRY: Site = { prefix: 'Bundle.entry', suffix: '.resource', indexed: true };

type Outcome = { reading: Reading } | { error: ReadingError };

function fail(site: Site, index: number, field: string, message: string): { error: ReadingError } {
  const at = site.indexed ? `${site.prefix}[${index}]${site.suffix}` : site.prefix;
  return { error: { index, field: at + field, message } };
}

/** A problem with a value or its unit; `at` is relative to where the value was read. */
interface Problem {
  at: 'value' | 'unit';
  message: string;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Values read with parseFhirJson may be FhirDecimal (e.g. "37.0"); a reading needs the number. */
const numeric = (x: unknown): unknown => (isFhirDecimal(x) ? x.valueOf() : x);

const describe = (x: unknown): string => (typeof x === 'string' ? `the text '${x}'` : x === null ? 'null' : typeof x);
const describeValue = (x: unknown): string => (typeof x === 'number' ? String(x) : describe(x));

const round = (x: number, scale: number): number => Math.round(x * scale) / scale;

/** '72 /min', or just '3' for the unit 1 of ordinals, which says nothing to a reader. */
const amount = (x: number | string, unit: string): string => (unit === '1' ? String(x) : `${x} ${unit}`);

/** Checks one number and brings it to the canonical unit; the number, or what is wrong. */
function check(m: Measure, value: unknown, unit: unknown, byCode?: CodeEntry): number | Problem {
  if (value === undefined) return { at: 'value', message: `${m.label} is missing; send ${m.expected}` };
  if (typeof value !== 'number') return { at: 'value', message: `${m.label} must be ${m.expected}, not ${describe(value)}` };
  if (!Number.isFinite(value)) return { at: 'value', message: `${m.label} must be a finite number, not ${value}` };
  let conversion: Conversion | undefined;
  if (unit === undefined) {
    if (byCode?.unit !== undefined) conversion = m.units.get(byCode.unit);
  } else {
    if (typeof unit !== 'string') return { at: 'unit', message: `Unit must be text such as '${m.unit}', not ${describe(unit)}` };
    conversion = m.units.get(unit);
    if (conversion === undefined) return { at: 'unit', message: `Unit '${unit}' cannot be used for ${m.label}; send ${m.unitList}` };
    if (byCode?.unit !== undefined && conversion.ucum !== byCode.unit) {
      return { at: 'unit', message: `Unit '${unit}' does not fit code ${byCode.code}, which is measured in ${byCode.unit}` };
    }
  }
  const sent = amount(value, unit ?? conversion?.ucum ?? m.unit);
  if (value < 0) return { at: 'value', message: `${m.label} cannot be negative (got ${sent})` };
  const canonical = conversion?.toCanonical ? round(conversion.toCanonical(value), conversion.scale ?? 1) : value;
  if (m.whole && !Number.isInteger(canonical)) {
    return { at: 'value', message: `${m.label} must be ${m.expected}, not ${value}` };
  }
  if (m.range && (canonical < m.range.min || canonical > m.range.max)) {
    const converted = canonical === value ? '' : ` (${amount(canonical, m.unit)})`;
    return {
      at: 'value',
      message: `${m.label} ${sent}${converted} is outside what can be measured (${amount(`${m.range.min}–${m.range.max}`, m.unit)})`,
    };
  }
  return canonical;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Device clocks drift; a little is tolerated, more means the clock (or the reading) is wrong. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const TIME_EXAMPLE = 'e.g. 2024-05-01T08:30:00Z or 2024-05-01T10:30:00+02:00';

/** Epoch milliseconds, or what is wrong with the time. */
function parseTime(value: unknown, nowMs: number): number | string {
  if (value === undefined) return `Time is missing; send when the reading was taken as an ISO 8601 date-time with a zone, ${TIME_EXAMPLE}`;
  if (typeof value !== 'string') return `Time must be an ISO 8601 date-time string, ${TIME_EXAMPLE}; not ${describe(value)}`;
  const m = DATE_TIME.exec(value);
  if (m === null) return `Time '${value}' is not an ISO 8601 date-time with a time of day and a zone (Z or ±hh:mm), ${TIME_EXAMPLE}`;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Date.parse rolls days like 02-30 over into the next month instead of refusing them.
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) {
    return `Time '${value}' names a date that does not exist`;
  }
  const t = Date.parse(value);
  if (t - nowMs > FUTURE_TOLERANCE_MS) {
    const minutes = Math.round((t - nowMs) / 60_000);
    return `Time '${value}' is ${minutes} minutes ahead of the server clock (${new Date(nowMs).toISOString()}); check the device's clock`;
  }
  return t;
}

/** The non-numeric values R4 SampledData.data allows. */
const ECG_TOKENS = new Map([
  ['E', 'an error reported by the device'],
  ['L', "below the device's lower limit"],
  ['U', "above the device's upper limit"],
]);
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const sampleRangeMessage = (n: number, v: number): string =>
  `ECG sample ${n} is ${v} mV; a body surface ECG stays within ±${ECG_LIMIT_MV} mV, ` +
  'so the strip is likely mis-scaled (samples must be in mV)';
const tooManySamples = `ECG strip has more than ${ECG_MAX_SAMPLES} samples; send it as several strips`;
const badPeriod = (x: unknown): string =>
  `ECG period must be the milliseconds between samples, a number above 0; not ${describeValue(x)}`;
const NO_FHIR_SAMPLES = 'ECG has no samples; send valueSampledData.data as space-separated decimals';

const ecgReading = (time: string, period: number, data: number[]): Outcome => ({
  reading: { kind: 'ecg', code: READING_KINDS.ecg.code, time, value: data.length, unit: 'mV', sampled: { period, unit: 'mV', data } },
});

const validPeriod = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

// ---------------------------------------------------------------------------------------------
// Compact JSON

/**
 * Checks one reading of the compact form and brings it to canonical code, unit and UTC time.
 * `path` names the reading in error fields (e.g. 'readings[3]'); `index` is reported as is.
 */
export function normalizeReading(raw: unknown, path: string, index: number, now: Date): Outcome {
  return compact(raw, { prefix: path, suffix: '', indexed: false }, index, now.getTime());
}

function compact(raw: unknown, site: Site, index: number, nowMs: number): Outcome {
  if (!isRecord(raw)) {
    return fail(site, index, '', `Each reading must be a JSON object, not ${Array.isArray(raw) ? 'an array' : describe(raw)}`);
  }

  let kind: ReadingKind;
  let byCode: CodeEntry | undefined;
  const { code, kind: named } = raw;
  if (code !== undefined) {
    if (typeof code !== 'string') return fail(site, index, '.code', `Code must be text such as '8867-4', not ${describe(code)}`);
    byCode = BY_CODE.get(code);
    if (byCode === undefined) {
      if (BP_PARTS.has(code) && (raw.system === undefined || raw.system === LOINC)) {
        return fail(site, index, '.code', lonePartMessage(code));
      }
      const message = `Code ${code} is not a reading Salus accepts; send kind instead, or one of the codes ${ACCEPTED_CODES}`;
      return fail(site, index, '.code', message);
    }
    if (raw.system !== undefined && raw.system !== byCode.system) {
      return fail(site, index, '.system', wrongSystemMessage(code, raw.system, byCode));
    }
    if (named !== undefined && named !== byCode.kind) {
      return fail(site, index, '.kind', `Kind '${String(named)}' does not match code ${code}, which is ${READING_KINDS[byCode.kind].text}`);
    }
    kind = byCode.kind;
  } else if (typeof named === 'string' && Object.hasOwn(READING_KINDS, named)) {
    kind = named as ReadingKind;
  } else if (named === undefined) {
    return fail(site, index, '.kind', `Reading has no kind; send kind (one of ${KIND_NAMES}) or a code`);
  } else {
    return fail(site, index, '.kind', `Unknown kind '${String(named)}'; send one of ${KIND_NAMES}`);
  }

  const t = parseTime(raw.time, nowMs);
  if (typeof t === 'string') return fail(site, index, '.time', t);
  const time = new Date(t).toISOString();
  const canonical = READING_KINDS[kind];

  switch (kind) {
    case 'blood-pressure': {
      const s = check(SYSTOLIC, numeric(raw.systolic), raw.unit);
      if (typeof s !== 'number') return fail(site, index, s.at === 'unit' ? '.unit' : '.systolic', s.message);
      const d = check(DIASTOLIC, numeric(raw.diastolic), raw.unit);
      if (typeof d !== 'number') return fail(site, index, d.at === 'unit' ? '.unit' : '.diastolic', d.message);
      if (d >= s) return fail(site, index, '.diastolic', diastolicMessage(s, d));
      return { reading: { kind, code: canonical.code, time, value: s, value2: d, unit: canonical.unit } };
    }
    case 'ecg':
      return compactEcg(raw, site, index, time);
    case 'fall': {
      if (raw.value !== undefined && numeric(raw.value) !== 1) {
        const message = `A fall reading records that a fall happened; leave value out or send 1, not ${describeValue(raw.value)}`;
        return fail(site, index, '.value', message);
      }
      if (raw.unit !== undefined && raw.unit !== '1') {
        return fail(site, index, '.unit', `A fall has no unit; leave unit out, not '${String(raw.unit)}'`);
      }
      return { reading: { kind, code: canonical.code, time, value: 1, unit: canonical.unit } };
    }
    default: {
      const v = check(MEASURES[kind], numeric(raw.value), raw.unit, byCode);
      if (typeof v !== 'number') return fail(site, index, v.at === 'unit' ? '.unit' : '.value', v.message);
      return { reading: { kind, code: canonical.code, time, value: v, unit: canonical.unit } };
    }
  }
}

const diastolicMessage = (s: number, d: number): string =>
  `Diastolic ${d} mm[Hg] must be lower than systolic ${s} mm[Hg]; check that the two are not swapped`;

function compactEcg(raw: Record<string, unknown>, site: Site, index: number, time: string): Outcome {
  const sampled = raw.sampled;
  if (!isRecord(sampled)) return fail(site, index, '.sampled', 'ECG needs sampled: { period, data } with the lead I samples in mV');
  const period = numeric(sampled.period);
  if (!validPeriod(period)) return fail(site, index, '.sampled.period', badPeriod(sampled.period));
  const unit = sampled.unit ?? raw.unit;
  if (unit !== undefined && !(typeof unit === 'string' && UNITS.ecg.has(unit))) {
    return fail(site, index, sampled.unit === undefined ? '.unit' : '.sampled.unit', `ECG samples must be in mV, not '${String(unit)}'`);
  }
  const data = sampled.data;
  if (!Array.isArray(data) || data.length === 0) {
    return fail(site, index, '.sampled.data', 'ECG has no samples; send sampled.data as an array of numbers in mV');
  }
  if (data.length > ECG_MAX_SAMPLES) return fail(site, index, '.sampled.data', tooManySamples);
  const samples: number[] = [];
  for (let j = 0; j < data.length; j++) {
    const v = numeric(data[j]);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return fail(site, index, `.sampled.data[${j}]`, `ECG sample ${j} must be a number in mV, not ${describeValue(v)}`);
    }
    if (v < -ECG_LIMIT_MV || v > ECG_LIMIT_MV) return fail(site, index, `.sampled.data[${j}]`, sampleRangeMessage(j, v));
    samples.push(v);
  }
  return ecgReading(time, period, samples);
}

const MAX_BATCH = 5000;

/** Checks a compact batch `{ readings: [...] }`: the good readings, and one error per bad one. */
export function parseCompactBatch(body: unknown, now: Date): { readings: Reading[]; errors: ReadingError[] } {
  if (!isRecord(body) || !Array.isArray(body.readings)) {
    throw badRequest('Send a JSON object with the readings as an array: { "readings": [ ... ] }', 'readings');
  }
  const list: unknown[] = body.readings;
  if (list.length > MAX_BATCH) {
    const message = `A batch holds at most ${MAX_BATCH} readings and this one has ${list.length}; send the rest in further batches`;
    throw badRequest(message, 'readings');
  }
  const nowMs = now.getTime();
  const readings: Reading[] = [];
  const errors: ReadingError[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = compact(list[i], BATCH, i, nowMs);
    if ('reading' in r) readings.push(r.reading);
    else errors.push(r.error);
  }
  return { readings, errors };
}

// ---------------------------------------------------------------------------------------------
// FHIR

/**
 * Reads an Observation, or a Bundle (batch, transaction or collection) of them. Each Observation
 * yields one reading or one error; anything that is not a Bundle or Observation throws badRequest.
 */
export function readingsFromFhir(resource: unknown, now: Date): { readings: Reading[]; errors: ReadingError[] } {
  const nowMs = now.getTime();
  const readings: Reading[] = [];
  const errors: ReadingError[] = [];
  const add = (r: Outcome): void => {
    if ('reading' in r) readings.push(r.reading);
    else errors.push(r.error);
  };
  if (!isRecord(resource)) throw badRequest('Send a FHIR Observation or a Bundle of Observations', 'resourceType');
  if (resource.resourceType === 'Observation') {
    add(fromObservation(resource, OBSERVATION, 0, nowMs));
    return { readings, errors };
  }
  if (resource.resourceType !== 'Bundle') {
    const message = `A ${String(resource.resourceType)} does not carry readings; send an Observation or a Bundle of Observations`;
    throw badRequest(message, 'resourceType');
  }
  if (resource.type !== 'batch' && resource.type !== 'transaction' && resource.type !== 'collection') {
    throw badRequest(`Bundle.type must be batch, transaction or collection, not ${describeValue(resource.type)}`, 'Bundle.type');
  }
  const entries = resource.entry;
  if (entries === undefined) return { readings, errors };
  if (!Array.isArray(entries)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > MAX_BATCH) {
    const message = `A Bundle holds at most ${MAX_BATCH} entries and this one has ${entries.length}; send the rest in further Bundles`;
    throw badRequest(message, 'Bundle.entry');
  }
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    const res = isRecord(entry) ? entry.resource : undefined;
    if (!isRecord(res)) add(fail(BUNDLE_ENTRY, i, '', 'Entry has no resource; each entry must hold an Observation'));
    else if (res.resourceType !== 'Observation') {
      add(fail(BUNDLE_ENTRY, i, '.resourceType', `Entry holds a ${String(res.resourceType)}; only Observations carry readings`));
    } else add(fromObservation(res, BUNDLE_ENTRY, i, nowMs));
  }
  return { readings, errors };
}

/** The accepted code among `code.coding`, or what is wrong with them. */
function codeOf(concept: unknown): CodeEntry | string {
  const codings = isRecord(concept) ? concept.coding : undefined;
  if (!Array.isArray(codings) || codings.length === 0) return `Observation.code has no coding; send one of the codes ${ACCEPTED_CODES}`;
  let lonePart: string | undefined;
  let wrongSystem: string | undefined;
  for (const c of codings) {
    if (!isRecord(c) || typeof c.code !== 'string') continue;
    const entry = BY_CODE.get(c.code);
    if (entry !== undefined && c.system === entry.system) return entry;
    if (entry !== undefined) wrongSystem ??= wrongSystemMessage(c.code, c.system, entry);
    else if (c.system === LOINC && BP_PARTS.has(c.code)) lonePart = c.code;
  }
  if (lonePart !== undefined) return lonePartMessage(lonePart);
  if (wrongSystem !== undefined) return wrongSystem;
  const given = codings.map((c) => (isRecord(c) ? `${String(c.system)}|${String(c.code)}` : describe(c))).join(', ');
  return `Code ${given} is not a reading Salus accepts; send one of the codes ${ACCEPTED_CODES}`;
}

function bpPartOf(concept: unknown): 'systolic' | 'diastolic' | undefined {
  const codings = isRecord(concept) ? concept.coding : undefined;
  if (!Array.isArray(codings)) return undefined;
  for (const c of codings) {
    if (isRecord(c) && c.system === LOINC && typeof c.code === 'string') {
      const part = BP_PARTS.get(c.code);
      if (part !== undefined) return part;
    }
  }
  return undefined;
}

function fromObservation(obs: Record<string, unknown>, site: Site, index: number, nowMs: number): Outcome {
  if (obs.status === 'entered-in-error' || obs.status === 'cancelled') {
    return fail(site, index, '.status', `Observation has status '${obs.status}', so it holds no measurement to store`);
  }
  const entry = codeOf(obs.code);
  if (typeof entry === 'string') return fail(site, index, '.code', entry);

  let timeField: string;
  let timeValue: unknown;
  if (obs.effectiveDateTime !== undefined) {
    timeField = '.effectiveDateTime';
    timeValue = obs.effectiveDateTime;
  } else if (obs.effectiveInstant !== undefined) {
    timeField = '.effectiveInstant';
    timeValue = obs.effectiveInstant;
  } else if (isRecord(obs.effectivePeriod)) {
    timeField = '.effectivePeriod.start';
    timeValue = obs.effectivePeriod.start;
  } else {
    const message = 'Observation has no effectiveDateTime, effectiveInstant or effectivePeriod.start; the time it was measured is required';
    return fail(site, index, '.effectiveDateTime', message);
  }
  const t = parseTime(timeValue, nowMs);
  if (typeof t === 'string') return fail(site, index, timeField, t);
  const time = new Date(t).toISOString();
  const kind = entry.kind;
  const canonical = READING_KINDS[kind];

  switch (kind) {
    case 'blood-pressure': {
      const components = obs.component;
      let si = -1;
      let di = -1;
      if (Array.isArray(components)) {
        for (let i = 0; i < components.length; i++) {
          const c: unknown = components[i];
          const part = isRecord(c) ? bpPartOf(c.code) : undefined;
          if (part === 'systolic' && si < 0) si = i;
          else if (part === 'diastolic' && di < 0) di = i;
        }
      }
      if (si < 0 || di < 0) {
        const missing = si < 0 && di < 0 ? 'neither component' : si < 0 ? 'no systolic component' : 'no diastolic component';
        const message = `Blood pressure panel has ${missing}; send systolic (${SYSTOLIC_CODE}) and diastolic (${DIASTOLIC_CODE}) as components`;
        return fail(site, index, '.component', message);
      }
      const comps = components as Record<string, unknown>[];
      const s = quantity(SYSTOLIC, comps[si].valueQuantity, undefined);
      if (typeof s !== 'number') return fail(site, index, `.component[${si}].valueQuantity${s.at}`, s.message);
      const d = quantity(DIASTOLIC, comps[di].valueQuantity, undefined);
      if (typeof d !== 'number') return fail(site, index, `.component[${di}].valueQuantity${d.at}`, d.message);
      if (d >= s) return fail(site, index, `.component[${di}].valueQuantity.value`, diastolicMessage(s, d));
      return { reading: { kind, code: canonical.code, time, value: s, value2: d, unit: canonical.unit } };
    }
    case 'ecg':
      return fhirEcg(obs.valueSampledData, site, index, time);
    case 'fall': {
      for (const key in obs) {
        if (key.startsWith('value') && (key !== 'valueBoolean' || obs[key] !== true)) {
          const message = 'A fall is sent as valueBoolean true, or with no value at all; only falls that happened are recorded';
          return fail(site, index, `.${key}`, message);
        }
      }
      return { reading: { kind, code: canonical.code, time, value: 1, unit: canonical.unit } };
    }
    case 'consciousness': {
      if (obs.valueInteger !== undefined) {
        const v = check(MEASURES.consciousness, numeric(obs.valueInteger), undefined);
        if (typeof v !== 'number') return fail(site, index, '.valueInteger', v.message);
        return { reading: { kind, code: canonical.code, time, value: v, unit: canonical.unit } };
      }
      const v = acvpuOf(obs.valueCodeableConcept);
      if (v === undefined) {
        const message =
          'Level of responsiveness must be valueCodeableConcept with A, C, V, P or U (Alert, New confusion, ' +
          'Responds to voice, Responds to pain, Unresponsive) as code or text, or valueInteger 0–4';
        return fail(site, index, '.valueCodeableConcept', message);
      }
      return { reading: { kind, code: canonical.code, time, value: v, unit: canonical.unit } };
    }
    default: {
      const v = quantity(MEASURES[kind], obs.valueQuantity, entry);
      if (typeof v !== 'number') return fail(site, index, `.valueQuantity${v.at}`, v.message);
      return { reading: { kind, code: canonical.code, time, value: v, unit: canonical.unit } };
    }
  }
}

/** Like `check` for a FHIR Quantity; a problem's `at` is the path below the Quantity. */
function quantity(m: Measure, q: unknown, byCode: CodeEntry | undefined): number | { at: string; message: string } {
  if (!isRecord(q)) return { at: '', message: `${m.label} needs a valueQuantity with a number in ${m.unit}` };
  if (q.comparator !== undefined) {
    const shown = `${String(q.comparator)} ${describeValue(numeric(q.value))}`;
    return { at: '.comparator', message: `${m.label} '${shown}' is a limit, not a measurement; only exact values are stored` };
  }
  // UCUM `code` is what machines read; `unit` is display text, used only when there is no UCUM code.
  const ucum = q.code !== undefined && (q.system === undefined || q.system === UCUM);
  const v = check(m, numeric(q.value), ucum ? q.code : q.unit, byCode);
  if (typeof v === 'number') return v;
  return { at: v.at === 'value' ? '.value' : ucum ? '.code' : '.unit', message: v.message };
}

function acvpuOf(concept: unknown): number | undefined {
  if (!isRecord(concept)) return undefined;
  if (Array.isArray(concept.coding)) {
    for (const c of concept.coding) {
      if (isRecord(c) && typeof c.code === 'string') {
        const i = ACVPU_BY_WORD.get(c.code.trim().toLowerCase());
        if (i !== undefined) return i;
      }
    }
  }
  return typeof concept.text === 'string' ? ACVPU_BY_WORD.get(concept.text.trim().toLowerCase()) : undefined;
}

function fhirEcg(sd: unknown, site: Site, index: number, time: string): Outcome {
  if (!isRecord(sd)) return fail(site, index, '.valueSampledData', 'ECG needs valueSampledData with the lead I samples');
  if (sd.dimensions !== undefined && sd.dimensions !== 1) {
    const message = `Only single-lead strips (dimensions 1) are accepted; this one has ${describeValue(sd.dimensions)}`;
    return fail(site, index, '.valueSampledData.dimensions', message);
  }
  const period = numeric(sd.period);
  if (!validPeriod(period)) return fail(site, index, '.valueSampledData.period', badPeriod(sd.period));

  // Samples are origin + factor × data (R4 SampledData); the origin's unit is the samples' unit.
  const origin = isRecord(sd.origin) ? sd.origin : {};
  const ucum = origin.code !== undefined && (origin.system === undefined || origin.system === UCUM);
  const unit = ucum ? origin.code : origin.unit;
  if (unit !== undefined && !(typeof unit === 'string' && UNITS.ecg.has(unit))) {
    const field = ucum ? '.valueSampledData.origin.code' : '.valueSampledData.origin.unit';
    return fail(site, index, field, `ECG samples must be in mV, not '${String(unit)}'`);
  }
  const offset = numeric(origin.value ?? 0);
  const factor = numeric(sd.factor ?? 1);
  if (typeof offset !== 'number' || !Number.isFinite(offset)) {
    return fail(site, index, '.valueSampledData.origin.value', `ECG origin must be a number in mV, not ${describeValue(offset)}`);
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor)) {
    return fail(site, index, '.valueSampledData.factor', `ECG factor must be a number, not ${describeValue(factor)}`);
  }
  const scaled = offset !== 0 || factor !== 1;

  const text = sd.data;
  if (typeof text !== 'string') return fail(site, index, '.valueSampledData.data', NO_FHIR_SAMPLES);
  const samples: number[] = [];
  let start = -1;
  // A hand scan: splitting 30,000 samples with a regex would build an array of strings first.
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) > 32) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const token = text.slice(start, i);
    start = -1;
    const n = samples.length;
    if (n === ECG_MAX_SAMPLES) return fail(site, index, '.valueSampledData.data', tooManySamples);
    if (!DECIMAL.test(token)) {
      const special = ECG_TOKENS.get(token);
      const why = special === undefined ? 'not a decimal number' : `${special}; strips with E, L or U samples are not stored`;
      return fail(site, index, '.valueSampledData.data', `ECG sample ${n} is '${token}': ${why}`);
    }
    // Scaled samples are rounded to 1 nV, far below any ECG's resolution, to drop floating-point dust.
    const v = scaled ? round(offset + factor * Number(token), 1e6) : Number(token);
    if (v < -ECG_LIMIT_MV || v > ECG_LIMIT_MV) return fail(site, index, '.valueSampledData.data', sampleRangeMessage(n, v));
    samples.push(v);
  }
  if (samples.length === 0) return fail(site, index, '.valueSampledData.data', NO_FHIR_SAMPLES);
  return ecgReading(time, period, samples);
}

// ---------------------------------------------------------------------------------------------
// Writing readings out

const CATEGORY_SYSTEM = VITAL_SIGNS_CATEGORY.system;
const LABORATORY: Coding = { system: CATEGORY_SYSTEM, code: 'laboratory', display: 'Laboratory' };
// As in the FHIR R4 "ekg" SampledData example.
const PROCEDURE: Coding = { system: CATEGORY_SYSTEM, code: 'procedure', display: 'Procedure' };

/** How each kind is written: codes, category, and the R4 vital-signs profile where one exists. */
const WRITTEN: Record<ReadingKind, { coding: readonly Coding[]; category?: Coding; profile?: string }> = {
  'blood-pressure': { coding: VITAL.bloodPressure.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.bloodPressure.profile },
  'heart-rate': { coding: VITAL.heartRate.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.heartRate.profile },
  // The oxygensat profile requires 2708-6; 59408-5 adds that a pulse oximeter measured it.
  'oxygen-saturation': { coding: VITAL.oxygenSaturation.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.oxygenSaturation.profile },
  'respiratory-rate': { coding: VITAL.respiratoryRate.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.respiratoryRate.profile },
  'body-temperature': { coding: VITAL.bodyTemperature.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.bodyTemperature.profile },
  'blood-glucose': { coding: [GLUCOSE_MOLAR_CAPILLARY], category: LABORATORY },
  'body-weight': { coding: VITAL.bodyWeight.code, category: VITAL_SIGNS_CATEGORY, profile: VITAL.bodyWeight.profile },
  ecg: { coding: [ECG_LEAD_I], category: PROCEDURE },
  fall: { coding: [FALL] },
  consciousness: { coding: [RESPONSIVENESS] },
  'supplemental-oxygen': { coding: [OXYGEN_FLOW] },
};

const ucumQuantity = (value: number, unit: string, unitText: string): Quantity => ({ value, unit: unitText, system: UCUM, code: unit });

const bpComponent = (c: Coding, value: number): ObservationComponent => ({
  code: { coding: [{ ...c }] },
  valueQuantity: ucumQuantity(value, READING_KINDS['blood-pressure'].unit, READING_KINDS['blood-pressure'].unitText),
});

/** A reading as an R4 Observation (status final, vital-signs profiles where they apply). */
export function observationFromReading(r: Reading, ctx: { id?: string; patientId: string; deviceId?: string }): Observation {
  const written = WRITTEN[r.kind];
  const k = READING_KINDS[r.kind];
  // Fresh codings each time: callers may edit the Observation, and the tables are shared.
  const coding: Coding[] = [];
  for (const c of written.coding) coding.push({ ...c });
  const obs: Observation = { resourceType: 'Observation', status: 'final', code: { coding, text: k.text } };
  if (ctx.id !== undefined) obs.id = ctx.id;
  if (written.profile !== undefined) obs.meta = { profile: [`http://hl7.org/fhir/StructureDefinition/${written.profile}`] };
  if (written.category !== undefined) obs.category = [{ coding: [{ ...written.category }] }];
  obs.subject = { reference: `Patient/${ctx.patientId}` };
  obs.effectiveDateTime = r.time;
  if (ctx.deviceId !== undefined) obs.device = { reference: `Device/${ctx.deviceId}` };

  switch (r.kind) {
    case 'blood-pressure': {
      if (r.value2 === undefined) throw new Error('A blood-pressure reading needs value2 (diastolic)');
      obs.component = [bpComponent(BP_COMPONENT.systolic.code, r.value), bpComponent(BP_COMPONENT.diastolic.code, r.value2)];
      break;
    }
    case 'ecg': {
      if (r.sampled === undefined) throw new Error('An ECG reading needs its samples in sampled');
      obs.valueSampledData = {
        origin: ucumQuantity(0, 'mV', 'mV'),
        period: r.sampled.period,
        dimensions: 1,
        data: r.sampled.data.join(' '),
      };
      break;
    }
    case 'fall':
      obs.valueBoolean = true;
      break;
    case 'consciousness': {
      const level = ACVPU[r.value];
      if (level === undefined) throw new Error(`Consciousness must be an ACVPU index 0–4, not ${r.value}`);
      // The ACVPU word as text: plain for people, and what readingsFromFhir reads back.
      obs.valueCodeableConcept = { text: level.text };
      break;
    }
    default:
      obs.valueQuantity = ucumQuantity(r.value, k.unit, k.unitText);
  }
  return obs;
}

/** A reading in words and units for people: '142/91 mmHg', '72 beats/min', '37.9 °C'. */
export function formatReading(r: Pick<Reading, 'kind' | 'value' | 'value2'>): string {
  switch (r.kind) {
    case 'blood-pressure':
      return r.value2 === undefined ? `${r.value} mmHg` : `${r.value}/${r.value2} mmHg`;
    case 'oxygen-saturation':
      return `${r.value}%`;
    case 'ecg':
      return `ECG strip of ${r.value} samples`;
    case 'fall':
      return 'Fall';
    case 'consciousness':
      return ACVPU[r.value]?.text ?? `ACVPU ${r.value}`;
    case 'supplemental-oxygen':
      // 0 L/min means breathing air, which NEWS2 asks about by name.
      return r.value === 0 ? '0 L/min (air)' : `${r.value} L/min`;
    default:
      return `${r.value} ${READING_KINDS[r.kind].unitText}`;
  }
}
