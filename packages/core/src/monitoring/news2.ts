import type { CodeableConcept, Coding, Extension, Observation, ObservationComponent } from '@medplum/fhirtypes';
import { badRequest } from '../outcome.js';
import { BP_COMPONENT, LOINC, VITAL } from '../vital-signs.js';

/**
 * NEWS2: the National Early Warning Score 2 of the Royal College of Physicians (London, 2017).
 * Seven physiological parameters each score 0–3 on the published chart; their sum and whether any
 * single parameter scores 3 decide the clinical risk band and the response it calls for.
 *
 * The chart has whole-number rows (one decimal for temperature). Values that fall between rows are
 * rounded before they are looked up, half up: respiration rate, SpO2, systolic pressure and pulse
 * to the nearest whole number (11.5 breaths/min scores as 12), temperature to one decimal
 * (36.05 °C scores as 36.1). Rounding, not truncating, keeps a device's extra precision from
 * moving a reading into the row below the one a nurse reading the same display would choose.
 */

export type Acvpu = 'A' | 'C' | 'V' | 'P' | 'U';

export interface News2Input {
  respiratoryRate: number;
  oxygenSaturation: number;
  onOxygen: boolean;
  systolic: number;
  heartRate: number;
  consciousness: Acvpu;
  temperature: number;
  /** SpO2 scale 2: for patients with hypercapnic respiratory failure whose prescribed target is 88–92 %. */
  scale2?: boolean;
}

export type News2Parameter = 'respiratoryRate' | 'oxygenSaturation' | 'airOrOxygen' | 'systolic' | 'heartRate' | 'consciousness' | 'temperature';
export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';
type Score = 0 | 1 | 2 | 3;

export interface News2Result {
  total: number;
  band: News2Band;
  scale: 1 | 2;
  /** In chart order; `value` is the measurement as given (airOrOxygen: on oxygen; consciousness: the ACVPU letter). */
  parameters: { parameter: News2Parameter; value: number | string | boolean; score: Score }[];
  singleParameterThree: boolean;
  /** The clinical response the band calls for, in words. */
  response: string;
}

export const NEWS2_SNOMED = {
  system: 'http://snomed.info/sct',
  code: '1104051000000101',
  display: 'Royal College of Physicians NEWS2 (National Early Warning Score 2) total score',
} as const;

/** Salus's codes for the bands and the SpO2 scale: neither SNOMED CT nor LOINC codes them. */
export const NEWS2_SYSTEM = 'https://salus.example/fhir/CodeSystem/news2';
/** On each parameter component: the measurement that earned the score, so a stored score can be shown with its cause. */
export const NEWS2_OBSERVED_VALUE = 'https://salus.example/fhir/StructureDefinition/news2-observed-value';

const ACVPU: readonly Acvpu[] = ['A', 'C', 'V', 'P', 'U'];

const BAND_TEXT: Record<News2Band, string> = {
  low: 'Low clinical risk',
  'low-medium': 'Low–medium clinical risk',
  medium: 'Medium clinical risk',
  high: 'High clinical risk',
};

// The RCP's ward response to each band, reworded; the monitoring intervals are the chart's minimums.
const RESPONSE: Record<News2Band, string> = {
  low: 'Continue monitoring (at least every 4–6 hours, or 12-hourly at a total of 0); a registered nurse assesses the patient and decides whether to check more often or escalate care.',
  'low-medium':
    'One parameter is at its extreme: a registered nurse informs a clinician, who reviews the patient urgently and decides whether to escalate care; check at least every hour.',
  medium:
    'Key threshold for an urgent response: a clinician or team skilled in caring for acutely ill patients assesses the patient urgently, where they can be monitored; check at least every hour.',
  high: 'Emergency response: a team with critical-care skills assesses the patient at once, usually with transfer to a higher level of care; monitor continuously.',
};

function respirationScore(rate: number): Score {
  if (rate <= 8) return 3;
  if (rate <= 11) return 1;
  if (rate <= 20) return 0;
  if (rate <= 24) return 2;
  return 3;
}

function spo2Scale1Score(spo2: number): Score {
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

// Scale 2 treats 88–92 % as the target; above it only supplemental oxygen makes a high SpO2 a risk
// (over-oxygenation in hypercapnic respiratory failure), so on air any value from 88 up scores 0.
function spo2Scale2Score(spo2: number, onOxygen: boolean): Score {
  if (spo2 <= 83) return 3;
  if (spo2 <= 85) return 2;
  if (spo2 <= 87) return 1;
  if (spo2 <= 92 || !onOxygen) return 0;
  if (spo2 <= 94) return 1;
  if (spo2 <= 96) return 2;
  return 3;
}

function systolicScore(systolic: number): Score {
  if (systolic <= 90) return 3;
  if (systolic <= 100) return 2;
  if (systolic <= 110) return 1;
  if (systolic <= 219) return 0;
  return 3;
}

function pulseScore(pulse: number): Score {
  if (pulse <= 40) return 3;
  if (pulse <= 50) return 1;
  if (pulse <= 90) return 0;
  if (pulse <= 110) return 1;
  if (pulse <= 130) return 2;
  return 3;
}

/** `tenths` is the temperature in tenths of a degree, so the chart's rows compare as whole numbers. */
function temperatureScore(tenths: number): Score {
  if (tenths <= 350) return 3;
  if (tenths <= 360) return 1;
  if (tenths <= 380) return 0;
  if (tenths <= 390) return 1;
  return 2;
}

/** total ≥ 7 high; 5–6 medium; below 5, any single parameter scoring 3 makes it low–medium. */
function bandOf(total: number, singleParameterThree: boolean): News2Band {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  return singleParameterThree ? 'low-medium' : 'low';
}

function measurement(input: News2Input, field: keyof News2Input, max = Infinity): number {
  const value = input[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw badRequest(`NEWS2 ${field} must be a number from 0${max === Infinity ? '' : ` to ${max}`}`, field);
  }
  return value;
}

/**
 * Scores a full set of observations on the NEWS2 chart. Throws badRequest naming the field when a
 * measurement is not a finite number from 0 (SpO2: 0–100), the consciousness level is not one of
 * A, C, V, P, U, or `onOxygen` is not a boolean.
 */
export function scoreNews2(input: News2Input): News2Result {
  const respiratoryRate = measurement(input, 'respiratoryRate');
  const oxygenSaturation = measurement(input, 'oxygenSaturation', 100);
  const systolic = measurement(input, 'systolic');
  const heartRate = measurement(input, 'heartRate');
  const temperature = measurement(input, 'temperature');
  if (!ACVPU.includes(input.consciousness)) throw badRequest('NEWS2 consciousness must be one of A, C, V, P, U', 'consciousness');
  if (typeof input.onOxygen !== 'boolean') throw badRequest('NEWS2 onOxygen must be true or false', 'onOxygen');
  const scale2 = input.scale2 === true;
  const roundedSpo2 = Math.round(oxygenSaturation);
  const parameters: News2Result['parameters'] = [
    { parameter: 'respiratoryRate', value: respiratoryRate, score: respirationScore(Math.round(respiratoryRate)) },
    {
      parameter: 'oxygenSaturation',
      value: oxygenSaturation,
      score: scale2 ? spo2Scale2Score(roundedSpo2, input.onOxygen) : spo2Scale1Score(roundedSpo2),
    },
    { parameter: 'airOrOxygen', value: input.onOxygen, score: input.onOxygen ? 2 : 0 },
    { parameter: 'systolic', value: systolic, score: systolicScore(Math.round(systolic)) },
    { parameter: 'heartRate', value: heartRate, score: pulseScore(Math.round(heartRate)) },
    // Confusion counts only when new, which the caller judges; any level below Alert scores 3.
    { parameter: 'consciousness', value: input.consciousness, score: input.consciousness === 'A' ? 0 : 3 },
    { parameter: 'temperature', value: temperature, score: temperatureScore(Math.round(temperature * 10)) },
  ];
  return resultOf(parameters, scale2 ? 2 : 1);
}

/** `stored`: the total and band an Observation recorded, which stand even if some of its components could not be read. */
function resultOf(parameters: News2Result['parameters'], scale: 1 | 2, stored?: { total: number; band?: News2Band }): News2Result {
  let sum = 0;
  let singleParameterThree = false;
  for (const p of parameters) {
    sum += p.score;
    if (p.score === 3) singleParameterThree = true;
  }
  const total = stored?.total ?? sum;
  const band = stored?.band ?? bandOf(total, singleParameterThree);
  return { total, band, scale, parameters, singleParameterThree, response: RESPONSE[band] };
}

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });

/** The LOINC code each parameter's component carries, and what its score is of. */
const PARAMETER_CODE: Record<News2Parameter, { coding: Coding; text: string }> = {
  respiratoryRate: { coding: VITAL.respiratoryRate.code[0], text: 'NEWS2 respiration rate score' },
  oxygenSaturation: { coding: VITAL.oxygenSaturation.code[1], text: 'NEWS2 SpO2 score' },
  airOrOxygen: { coding: loinc('3151-8', 'Inhaled oxygen flow rate'), text: 'NEWS2 air or oxygen score' },
  systolic: { coding: BP_COMPONENT.systolic.code, text: 'NEWS2 systolic blood pressure score' },
  heartRate: { coding: VITAL.heartRate.code[0], text: 'NEWS2 pulse score' },
  consciousness: { coding: loinc('67775-7', 'Level of responsiveness'), text: 'NEWS2 consciousness score' },
  temperature: { coding: VITAL.bodyTemperature.code[0], text: 'NEWS2 temperature score' },
};

const SCALE_METHOD: Record<1 | 2, Coding> = {
  1: { system: NEWS2_SYSTEM, code: 'spo2-scale-1', display: 'NEWS2 with SpO2 scale 1' },
  2: { system: NEWS2_SYSTEM, code: 'spo2-scale-2', display: 'NEWS2 with SpO2 scale 2 (target 88–92 %)' },
};

function observedValue(value: number | string | boolean): Extension {
  if (typeof value === 'boolean') return { url: NEWS2_OBSERVED_VALUE, valueBoolean: value };
  if (typeof value === 'string') return { url: NEWS2_OBSERVED_VALUE, valueCode: value };
  return { url: NEWS2_OBSERVED_VALUE, valueDecimal: value };
}

/**
 * The score as an R4 Observation: SNOMED CT coded total (valueInteger), the band as its
 * interpretation, the SpO2 scale as its method, and one component per parameter whose valueInteger
 * is that parameter's score, with the measurement in the NEWS2_OBSERVED_VALUE extension.
 */
export function news2Observation(result: News2Result, ctx: { patientId: string; time: string; derivedFrom: string[] }): Observation {
  const code: CodeableConcept = { coding: [{ ...NEWS2_SNOMED }], text: 'NEWS2 total score' };
  const obs: Observation = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
    code,
    subject: { reference: `Patient/${ctx.patientId}` },
    effectiveDateTime: ctx.time,
    valueInteger: result.total,
    interpretation: [{ coding: [{ system: NEWS2_SYSTEM, code: result.band, display: BAND_TEXT[result.band] }], text: BAND_TEXT[result.band] }],
    method: { coding: [SCALE_METHOD[result.scale]] },
    component: result.parameters.map(
      (p): ObservationComponent => ({
        extension: [observedValue(p.value)],
        code: { coding: [PARAMETER_CODE[p.parameter].coding], text: PARAMETER_CODE[p.parameter].text },
        valueInteger: p.score,
      }),
    ),
  };
  // FHIR forbids empty arrays, so a score from manual entry alone carries no derivedFrom.
  if (ctx.derivedFrom.length) obs.derivedFrom = ctx.derivedFrom.map((reference) => ({ reference }));
  return obs;
}

const PARAMETER_BY_CODE = new Map<string, News2Parameter>(
  (Object.keys(PARAMETER_CODE) as News2Parameter[]).map((p) => [PARAMETER_CODE[p].coding.code!, p]),
);

const isScore = (n: number | undefined): n is Score => n === 0 || n === 1 || n === 2 || n === 3;
const isBand = (s: string | undefined): s is News2Band => s !== undefined && Object.hasOwn(BAND_TEXT, s);

/**
 * Reads a NEWS2 Observation back (as news2Observation writes it), with its time. Undefined when the
 * Observation is not a NEWS2 total or lacks its value or time; components it does not recognise are
 * skipped, and a missing band is worked out from the total.
 */
export function news2FromObservation(obs: Observation): (News2Result & { time: string }) | undefined {
  const isNews2 = obs.code?.coding?.some((c) => c.system === NEWS2_SNOMED.system && c.code === NEWS2_SNOMED.code);
  const total = obs.valueInteger;
  const time = obs.effectiveDateTime;
  if (!isNews2 || total === undefined || !time) return undefined;
  const parameters: News2Result['parameters'] = [];
  for (const c of obs.component ?? []) {
    const code = c.code?.coding?.find((k) => k.system === LOINC && k.code !== undefined && PARAMETER_BY_CODE.has(k.code))?.code;
    const parameter = code === undefined ? undefined : PARAMETER_BY_CODE.get(code);
    const ext = c.extension?.find((e) => e.url === NEWS2_OBSERVED_VALUE);
    const value = ext?.valueDecimal ?? ext?.valueCode ?? ext?.valueBoolean;
    if (parameter && value !== undefined && isScore(c.valueInteger)) parameters.push({ parameter, value, score: c.valueInteger });
  }
  const bandCode = obs.interpretation?.flatMap((i) => i.coding ?? []).find((k) => k.system === NEWS2_SYSTEM)?.code;
  const scale = obs.method?.coding?.some((k) => k.system === NEWS2_SYSTEM && k.code === SCALE_METHOD[2].code) ? 2 : 1;
  return { ...resultOf(parameters, scale, { total, ...(isBand(bandCode) ? { band: bandCode } : {}) }), time };
}
