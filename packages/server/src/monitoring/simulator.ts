import type { MonitoringCondition, RawReading } from '@salus/core';
import { mulberry32 } from '../seed/demo-support.js';

/**
 * Simulated home monitoring: what a watch and a home kit (cuff, thermometer, scale, glucose
 * meter) would send for N patients, for demos (`salus simulate`) and the monitoring benchmark.
 * Pure: readings are a function of the seed and the times asked for, so a run can be replayed
 * and the tests can check the physiology. The transports are in simulator-transport.ts.
 *
 * Time runs at wall-clock speed (readings carry real timestamps, which the server checks), but
 * the day is compressed: a "simulated day" lasts a few minutes, so the readings taken at set
 * times of day (weight before breakfast, glucose after meals, blood pressure morning and evening)
 * and the circadian swing of heart rate and temperature show within a demo.
 */

export type PatientProfile = 'steady' | 'deteriorating';
/** Which of a patient's two devices sends a reading: the watch, or the home kit's hub (enrolled as the blood-pressure monitor). */
export type DeviceRole = 'wearable' | 'spot';

export interface Baseline {
  restingHeartRate: number;
  oxygenSaturation: number;
  respiratoryRate: number;
  systolic: number;
  diastolic: number;
  weightKg: number;
}

export interface SimulatedPatient {
  index: number;
  profile: PatientProfile;
  conditions: MonitoringCondition[];
  /** Their thermometer, scale and meter show °F, lb and mg/dL. */
  usUnits: boolean;
  baseline: Baseline;
}

export interface SimulatedReading {
  patient: number;
  device: DeviceRole;
  reading: RawReading;
  /** Deliberately impossible, for the server to reject. */
  implausible?: true;
}

export interface SimulatorOptions {
  seed: number;
  patients: number;
  /** How many patients deteriorate (the first ones); the rest stay steady. */
  deteriorating: number;
  /** Wall-clock time (ms) the simulation starts at; deterioration starts then too. */
  startMs: number;
  /** Wearable readings per patient per second (heart rate and SpO2 share them 4:1); default 5. */
  readingsPerSecondPerPatient?: number;
  /** Wall time over which a deteriorating patient goes from baseline to the end values; default 20. */
  deteriorationMinutes?: number;
  /** Wall time of a simulated day; default a third of the deterioration, so it spans "3 days". */
  dayMinutes?: number;
  /** Share of patients whose home kit reports in US units; default 0.2. */
  usUnitsFraction?: number;
  /** Share of readings made impossible on purpose; default 0.01. */
  implausibleFraction?: number;
  /** Mean wall time between a patient's 10-second ECG strips; default 5. */
  ecgEveryMinutes?: number;
  /** Mean wall time between a patient's falls; default 120. */
  fallEveryMinutes?: number;
}

/**
 * Where a deteriorating patient ends up: each value scores on NEWS2 (respiration 26: 3, SpO2 88:
 * 3 on scale 1, systolic 95: 2, pulse 125: 2, temperature 39.2: 2), a total of 12.
 */
export const DETERIORATED = { heartRate: 125, oxygenSaturation: 88, respiratoryRate: 26, temperature: 39.2, systolic: 95, diastolic: 58 } as const;
type Vital = 'heartRate' | 'oxygenSaturation' | 'respiratoryRate' | 'temperature' | 'bloodPressure';
/**
 * When each value moves, linearly, from the patient's own level to its end value, as fractions of
 * the span (a start below 0: already on its way when the simulation starts). Early signs first —
 * a fast pulse, a warm forehead, saturation slipping — the fall in pressure and fast breathing
 * last, as in sepsis. Moving all together, several NEWS2 rows would be crossed at once and the
 * total would leap from low to high; staggered, it is low for about the first 40 % of the span,
 * medium for the next quarter, then high.
 */
const RAMPS: Record<Vital, [number, number]> = {
  heartRate: [-0.25, 0.6],
  oxygenSaturation: [0, 1],
  temperature: [-0.45, 0.95],
  bloodPressure: [0.5, 1],
  respiratoryRate: [0.55, 1],
};
/** Fluid a deteriorating heart-failure patient puts on over the span (ESC: act on 2 kg in 3 days). */
export const HEART_FAILURE_GAIN_KG = 2.5;

export const ECG_HZ = 250;
export const ECG_SECONDS = 10;

const LOINC = 'http://loinc.org';
/** Glucose in blood by test strip, mass per volume: what a US meter reports. */
const GLUCOSE_MASS_CODE = '2339-0';
const GLUCOSE_MG_PER_MMOL = 18.016;
const LB_PER_KG = 1 / 0.45359237;

// Deteriorating patients are not on SpO2 scale 2 (COPD), where 88 % is on target and NEWS2 would not climb.
const DETERIORATING_CONDITIONS: MonitoringCondition[][] = [['heart-failure'], ['general'], ['hypertension']];
const STEADY_CONDITIONS: MonitoringCondition[][] = [['hypertension'], ['diabetes'], ['copd'], ['heart-failure'], ['hypertension', 'diabetes'], ['general']];

type SpotKind = 'blood-pressure' | 'body-temperature' | 'respiratory-rate' | 'body-weight' | 'blood-glucose';
/** A patient's day at home, in hours: weighed before breakfast, vital signs morning and evening, glucose two hours after meals. */
const DAY_PLAN: { hour: number; kinds: SpotKind[] }[] = [
  { hour: 7, kinds: ['body-weight'] },
  { hour: 7.5, kinds: ['blood-pressure', 'body-temperature', 'respiratory-rate'] },
  { hour: 9.5, kinds: ['blood-glucose'] },
  { hour: 14.5, kinds: ['blood-glucose'] },
  { hour: 19, kinds: ['blood-pressure', 'body-temperature', 'respiratory-rate'] },
  { hour: 20.5, kinds: ['blood-glucose'] },
];
/** Sent when the simulation starts, so every patient has a full set of vital signs at once. */
const FIRST_CHECK: SpotKind[] = ['body-weight', 'blood-pressure', 'body-temperature', 'respiratory-rate'];
/** Observations taken while a patient deteriorates, as a ward would step them up. */
const ESCALATED_CHECK: SpotKind[] = ['blood-pressure', 'body-temperature', 'respiratory-rate'];
/** Readings of one check are taken a few seconds apart, as a person moves from cuff to thermometer. */
const CHECK_STEP_MS = 3000;

/** Uniform, normal and exponential draws from one seeded stream. */
export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Box–Muller; the second value of each pair is dropped to keep the stream simple to replay. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));
const lerp = (a: number, b: number, p: number): number => a + (b - a) * p;
const round = (v: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const iso = (ms: number): string => new Date(ms).toISOString();

/** Patient i of the seed gets its own stream, so adding patients leaves the others' readings unchanged. */
const patientSeed = (seed: number, index: number): number => (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;

/** Exactly round(n × fraction) patients, spread out: i is chosen when the running count steps up. */
const spreadPick = (index: number, fraction: number): boolean => Math.floor((index + 1) * fraction) > Math.floor(index * fraction);

/**
 * A synthetic lead-I ECG: each beat a sum of Gaussian P, Q, R, S and T waves (the usual way to
 * draw one), a slight beat-to-beat variation, breathing's baseline wander and noise. The T wave
 * moves out as the beats slow, as the QT interval does. Millivolts, to the microvolt.
 */
export function ecgStrip(heartRate: number, rand: Random, seconds = ECG_SECONDS, hz = ECG_HZ): number[] {
  const n = Math.round(seconds * hz);
  const data = new Float64Array(n);
  const wander = rand.between(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) data[i] = 0.04 * Math.sin((2 * Math.PI * 0.25 * i) / hz + wander) + rand.normal(0, 0.01);
  const rr = 60 / heartRate;
  // [offset from R (s), amplitude (mV), width (s)]
  const waves = (interval: number): [number, number, number][] => [
    [-0.17, 0.14, 0.022],
    [-0.03, -0.12, 0.008],
    [0, 1.1, 0.01],
    [0.03, -0.24, 0.009],
    [0.28 * Math.sqrt(interval), 0.3, 0.045],
  ];
  for (let r = rand.between(0.2, 0.2 + rr); r < seconds + 0.5; r += rr * (1 + rand.normal(0, 0.02))) {
    for (const [offset, amplitude, width] of waves(rr)) {
      const centre = (r + offset) * hz;
      const reach = Math.ceil(4 * width * hz);
      for (let i = Math.max(0, Math.floor(centre - reach)); i <= Math.min(n - 1, Math.ceil(centre + reach)); i++) {
        const d = (i - centre) / (width * hz);
        data[i] += amplitude * Math.exp(-0.5 * d * d);
      }
    }
  }
  return Array.from(data, (v) => round(v, 3));
}

type Stream = 'heart-rate' | 'oxygen-saturation' | 'day-plan' | 'escalated' | 'ecg' | 'fall';

/** One patient's devices: the streams of readings, each with its next due time, drawn in time order from one random stream. */
class PatientSource {
  private readonly rand: Random;
  private readonly due = new Map<Stream, number>();
  private dayPlanSlot: number;
  /** First-order autoregressive noise, so consecutive heart-rate samples wander rather than jump. */
  private heartNoise = 0;
  private activity: { start: number; end: number; amplitude: number } | undefined;
  private weightDrift = 0;
  private weighedAt: number | undefined;

  constructor(
    readonly patient: SimulatedPatient,
    private readonly sim: Required<SimulatorOptions>,
    private readonly dayMs: number,
    private readonly spanMs: number,
  ) {
    this.rand = new Random(patientSeed(sim.seed, patient.index) ^ 0x5eed);
    const start = sim.startMs;
    const wearable = sim.readingsPerSecondPerPatient;
    // Devices are switched on at slightly different moments, so patients do not report in lockstep.
    this.due.set('heart-rate', start + this.rand.between(0, 1000 / (0.8 * wearable)));
    this.due.set('oxygen-saturation', start + this.rand.between(0, 1000 / (0.2 * wearable)));
    this.due.set('ecg', start + this.rand.exponential(sim.ecgEveryMinutes * 60_000));
    this.due.set('fall', start + this.rand.exponential(sim.fallEveryMinutes * 60_000));
    if (patient.profile === 'deteriorating') this.due.set('escalated', start + this.spanMs / 20);
    this.dayPlanSlot = 0;
    while (this.slotTime(this.dayPlanSlot) <= start) this.dayPlanSlot++;
    this.due.set('day-plan', this.slotTime(this.dayPlanSlot));
  }

  /** The first check, at the start. */
  firstCheck(): SimulatedReading[] {
    return this.check(FIRST_CHECK, this.sim.startMs);
  }

  /** Readings due up to `t`, in time order. */
  until(t: number, out: SimulatedReading[]): void {
    for (;;) {
      let stream: Stream | undefined;
      let at = Infinity;
      for (const [s, d] of this.due) if (d < at) [stream, at] = [s, d];
      if (stream === undefined || at > t) return;
      out.push(...this.emit(stream, at));
    }
  }

  /** 0 at the start of the deterioration, 1 at its end; 0 for a steady patient. */
  progress(t: number): number {
    if (this.patient.profile !== 'deteriorating') return 0;
    return clamp((t - this.sim.startMs) / this.spanMs, 0, 1);
  }

  /** How far `vital` has moved towards its end value at `t`, 0 to 1. */
  private ramp(vital: Vital, t: number): number {
    if (this.patient.profile !== 'deteriorating') return 0;
    const [from, to] = RAMPS[vital];
    return clamp(((t - this.sim.startMs) / this.spanMs - from) / (to - from), 0, 1);
  }

  /** Hour of the simulated day at `t`; the first day begins at the wall clock's UTC hour, so a run started in the evening starts in the evening. */
  hourOf(t: number): number {
    const days = (this.sim.startMs % 86_400_000) / 86_400_000 + (t - this.sim.startMs) / this.dayMs;
    return (days - Math.floor(days)) * 24;
  }

  private slotTime(slot: number): number {
    const day = Math.floor(slot / DAY_PLAN.length);
    const phase0 = (this.sim.startMs % 86_400_000) / 86_400_000;
    return this.sim.startMs + (day + DAY_PLAN[slot % DAY_PLAN.length]!.hour / 24 - phase0) * this.dayMs;
  }

  private emit(stream: Stream, at: number): SimulatedReading[] {
    const r = this.rand;
    const wearable = this.sim.readingsPerSecondPerPatient;
    const jitter = (ms: number): number => ms * r.between(0.9, 1.1);
    switch (stream) {
      case 'heart-rate':
        this.due.set(stream, at + jitter(1000 / (0.8 * wearable)));
        return [this.wearable({ kind: 'heart-rate', time: iso(at), value: round(this.heartRate(at)) }, at)];
      case 'oxygen-saturation':
        this.due.set(stream, at + jitter(1000 / (0.2 * wearable)));
        return [this.wearable({ kind: 'oxygen-saturation', time: iso(at), value: this.oxygenSaturation(at) }, at)];
      case 'ecg':
        this.due.set(stream, at + r.exponential(this.sim.ecgEveryMinutes * 60_000));
        return [{ patient: this.patient.index, device: 'wearable', reading: { kind: 'ecg', time: iso(at), sampled: { period: 1000 / ECG_HZ, unit: 'mV', data: ecgStrip(this.meanHeartRate(at), r) } } }];
      case 'fall':
        this.due.set(stream, at + r.exponential(this.sim.fallEveryMinutes * 60_000));
        return [{ patient: this.patient.index, device: 'wearable', reading: { kind: 'fall', time: iso(at), value: 1 } }];
      case 'escalated':
        this.due.set(stream, at + this.spanMs / 20);
        return this.check(ESCALATED_CHECK, at);
      case 'day-plan': {
        const kinds = DAY_PLAN[this.dayPlanSlot % DAY_PLAN.length]!.kinds;
        this.due.set(stream, this.slotTime(++this.dayPlanSlot));
        return this.check(kinds, at);
      }
    }
  }

  private check(kinds: SpotKind[], at: number): SimulatedReading[] {
    return kinds.map((kind, i) => this.spot(kind, at + i * CHECK_STEP_MS));
  }

  private wearable(reading: RawReading, at: number): SimulatedReading {
    return this.maybeImplausible({ patient: this.patient.index, device: 'wearable', reading }, at);
  }

  private spot(kind: SpotKind, at: number): SimulatedReading {
    const time = iso(at);
    const us = this.patient.usUnits;
    let reading: RawReading;
    switch (kind) {
      case 'blood-pressure': {
        const { systolic, diastolic } = this.bloodPressure(at);
        reading = { kind, time, systolic, diastolic, unit: 'mm[Hg]' };
        break;
      }
      case 'body-temperature': {
        const celsius = this.temperature(at);
        reading = us ? { kind, time, value: round((celsius * 9) / 5 + 32, 1), unit: '[degF]' } : { kind, time, value: celsius, unit: 'Cel' };
        break;
      }
      case 'respiratory-rate':
        reading = { kind, time, value: this.respiratoryRate(at) };
        break;
      case 'body-weight': {
        const kg = this.weight(at);
        reading = us ? { kind, time, value: round(kg * LB_PER_KG, 1), unit: '[lb_av]' } : { kind, time, value: kg, unit: 'kg' };
        break;
      }
      case 'blood-glucose': {
        const mmol = this.glucoseAfterMeal();
        // A US meter reports mass concentration under its own LOINC code, which the server maps onto blood glucose.
        reading = us
          ? { system: LOINC, code: GLUCOSE_MASS_CODE, time, value: Math.round(mmol * GLUCOSE_MG_PER_MMOL), unit: 'mg/dL' }
          : { kind, time, value: mmol, unit: 'mmol/L' };
        break;
      }
    }
    return this.maybeImplausible({ patient: this.patient.index, device: 'spot', reading }, at);
  }

  /** With the configured probability, a reading no body could produce: a device fault, for the server to reject. */
  private maybeImplausible(s: SimulatedReading, at: number): SimulatedReading {
    if (!this.rand.chance(this.sim.implausibleFraction)) return s;
    const time = iso(at);
    const broken: Record<string, RawReading> = {
      'heart-rate': { kind: 'heart-rate', time, value: 480 },
      'oxygen-saturation': { kind: 'oxygen-saturation', time, value: 130 },
      'respiratory-rate': { kind: 'respiratory-rate', time, value: -4 },
      'body-temperature': { kind: 'body-temperature', time, value: 58, unit: 'Cel' },
      'body-weight': { kind: 'body-weight', time, value: -70, unit: 'kg' },
      'blood-glucose': { kind: 'blood-glucose', time, value: 400, unit: 'mmol/L' },
      // Diastolic above systolic: the cuff lost count.
      'blood-pressure': { kind: 'blood-pressure', time, systolic: 70, diastolic: 125, unit: 'mm[Hg]' },
    };
    const kind = s.reading.kind ?? 'blood-glucose';
    return { ...s, reading: broken[kind]!, implausible: true };
  }

  /** +1 at 16:00, −1 at 04:00: the body clock's swing of pulse, pressure and temperature. */
  private circadian(t: number): number {
    return Math.cos((2 * Math.PI * (this.hourOf(t) - 16)) / 24);
  }

  private asleep(t: number): boolean {
    const h = this.hourOf(t);
    return h < 6.5 || h >= 23;
  }

  /** Steady-state pulse: resting rate, the body clock, lower asleep; kept to 55–85 before activity. */
  private meanHeartRate(t: number): number {
    const b = this.patient.baseline;
    const steady = clamp(b.restingHeartRate + 7 * this.circadian(t) - (this.asleep(t) ? 4 : 0), 55, 85);
    return lerp(steady, DETERIORATED.heartRate, this.ramp('heartRate', t));
  }

  private heartRate(t: number): number {
    const r = this.rand;
    this.heartNoise = 0.9 * this.heartNoise + r.normal(0, 0.8);
    const p = this.progress(t);
    if (this.activity && t > this.activity.end) this.activity = undefined;
    // A walk or the stairs about every three minutes while awake; less as the patient gets ill.
    const interval = 1000 / (0.8 * this.sim.readingsPerSecondPerPatient);
    if (!this.activity && !this.asleep(t) && r.chance(((1 - p) * interval) / 180_000)) {
      const length = r.between(30_000, 90_000);
      this.activity = { start: t, end: t + length, amplitude: r.between(12, 25) };
    }
    const a = this.activity;
    const bump = a ? a.amplitude * Math.sin((Math.PI * (t - a.start)) / (a.end - a.start)) : 0;
    return clamp(this.meanHeartRate(t) + bump + this.heartNoise, 40, 160);
  }

  private oxygenSaturation(t: number): number {
    const b = this.patient.baseline;
    const copd = this.patient.conditions.includes('copd');
    const mean = lerp(b.oxygenSaturation, DETERIORATED.oxygenSaturation, this.ramp('oxygenSaturation', t));
    const value = round(mean + this.rand.normal(0, 0.7));
    if (this.patient.profile === 'deteriorating') return clamp(value, 80, 100);
    return copd ? clamp(value, 91, 96) : clamp(value, 95, 99);
  }

  private respiratoryRate(t: number): number {
    const steady = this.patient.baseline.respiratoryRate + this.circadian(t);
    const value = round(lerp(steady, DETERIORATED.respiratoryRate, this.ramp('respiratoryRate', t)) + this.rand.normal(0, 1));
    return this.patient.profile === 'deteriorating' ? clamp(value, 10, 35) : clamp(value, 12, 18);
  }

  private temperature(t: number): number {
    const steady = 36.75 + 0.3 * this.circadian(t) + this.rand.normal(0, 0.08);
    const p = this.ramp('temperature', t);
    return round(p > 0 ? lerp(steady, DETERIORATED.temperature, p) : clamp(steady, 36.3, 37.2), 1);
  }

  private bloodPressure(t: number): { systolic: number; diastolic: number } {
    const b = this.patient.baseline;
    const c = this.circadian(t) - (this.asleep(t) ? 1 : 0);
    const p = this.ramp('bloodPressure', t);
    const systolic = Math.round(lerp(b.systolic + 4 * c, DETERIORATED.systolic, p) + this.rand.normal(0, 5));
    const diastolic = Math.round(lerp(b.diastolic + 3 * c, DETERIORATED.diastolic, p) + this.rand.normal(0, 4));
    return { systolic, diastolic: Math.min(diastolic, systolic - 25) };
  }

  /** A random walk of about ±0.3 kg a simulated day, pulled back to the baseline; heart failure adds fluid as it worsens. */
  private weight(t: number): number {
    const days = this.weighedAt === undefined ? 1 : (t - this.weighedAt) / this.dayMs;
    this.weighedAt = t;
    this.weightDrift = 0.7 * this.weightDrift + this.rand.normal(0, 0.3 * Math.sqrt(days));
    const fluid = this.patient.conditions.includes('heart-failure') ? HEART_FAILURE_GAIN_KG * this.progress(t) : 0;
    return round(this.patient.baseline.weightKg + this.weightDrift + fluid, 1);
  }

  /** Two hours after a meal: 5–9 mmol/L, the upper part of that for people with diabetes. */
  private glucoseAfterMeal(): number {
    const diabetes = this.patient.conditions.includes('diabetes');
    return round(diabetes ? this.rand.between(6.5, 9) : this.rand.between(5, 7.5), 1);
  }
}

function makePatient(seed: number, index: number, deteriorating: number, usUnitsFraction: number): SimulatedPatient {
  const r = new Random(patientSeed(seed, index));
  const profile: PatientProfile = index < deteriorating ? 'deteriorating' : 'steady';
  const conditions = profile === 'deteriorating' ? DETERIORATING_CONDITIONS[index % DETERIORATING_CONDITIONS.length]! : STEADY_CONDITIONS[(index - deteriorating) % STEADY_CONDITIONS.length]!;
  const hypertensive = conditions.includes('hypertension');
  const heartFailure = conditions.includes('heart-failure');
  return {
    index,
    profile,
    conditions: [...conditions],
    usUnits: spreadPick(index, usUnitsFraction),
    baseline: {
      restingHeartRate: round(r.between(64, 72), 1),
      oxygenSaturation: conditions.includes('copd') ? round(r.between(93, 94.5), 1) : round(r.between(96.5, 98), 1),
      respiratoryRate: round(r.between(13, 16), 1),
      systolic: Math.round(hypertensive ? r.between(140, 152) : r.between(110, 128)),
      diastolic: Math.round(hypertensive ? r.between(86, 94) : r.between(68, 80)),
      weightKg: round(heartFailure ? r.between(80, 95) : r.between(55, 95), 1),
    },
  };
}

/**
 * Readings for `patients` simulated patients, the first `deteriorating` of them getting worse
 * over the span. Call `until(t)` with increasing times; each call returns what the devices
 * measured since the last one (the first call also the check at the start). The same seed and the
 * same times give the same readings, however the times are chunked.
 */
export class Simulator {
  readonly patients: readonly SimulatedPatient[];
  readonly options: Readonly<Required<SimulatorOptions>>;
  private readonly sources: PatientSource[];
  private started = false;

  constructor(options: SimulatorOptions) {
    const o: Required<SimulatorOptions> = {
      readingsPerSecondPerPatient: 5,
      deteriorationMinutes: 20,
      usUnitsFraction: 0.2,
      implausibleFraction: 0.01,
      ecgEveryMinutes: 5,
      fallEveryMinutes: 120,
      ...options,
      dayMinutes: options.dayMinutes ?? (options.deteriorationMinutes ?? 20) / 3,
      deteriorating: Math.min(options.deteriorating, options.patients),
    };
    if (!(o.readingsPerSecondPerPatient > 0) || !(o.deteriorationMinutes > 0) || !(o.dayMinutes > 0)) {
      throw new Error('The reading rate, the deterioration span and the day must be positive');
    }
    this.options = o;
    this.patients = Array.from({ length: o.patients }, (_, i) => makePatient(o.seed, i, o.deteriorating, o.usUnitsFraction));
    this.sources = this.patients.map((p) => new PatientSource(p, o, o.dayMinutes * 60_000, o.deteriorationMinutes * 60_000));
  }

  until(t: number): SimulatedReading[] {
    const out: SimulatedReading[] = [];
    for (const s of this.sources) {
      if (!this.started) out.push(...s.firstCheck());
      s.until(t, out);
    }
    this.started = true;
    return out;
  }

  /** How far patient `index` has deteriorated at `t`, 0 to 1. */
  progress(index: number, t: number): number {
    return this.sources[index]!.progress(t);
  }
}

/** The compact batch format's limit on readings per request. */
export const MAX_BATCH = 5000;

/**
 * Readings grouped by the device that sends them, in compact batches of at most `max`, in time
 * order within each device.
 */
export function batchesByDevice(readings: SimulatedReading[], max = MAX_BATCH): { patient: number; device: DeviceRole; readings: RawReading[] }[] {
  const groups = new Map<string, { patient: number; device: DeviceRole; readings: RawReading[] }>();
  for (const s of readings) {
    const key = `${s.patient}:${s.device}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { patient: s.patient, device: s.device, readings: [] }));
    g.readings.push(s.reading);
  }
  const out: { patient: number; device: DeviceRole; readings: RawReading[] }[] = [];
  for (const g of groups.values()) {
    g.readings.sort((a, b) => (a.time! < b.time! ? -1 : a.time! > b.time! ? 1 : 0));
    for (let i = 0; i < g.readings.length; i += max) out.push({ patient: g.patient, device: g.device, readings: g.readings.slice(i, i + max) });
  }
  return out;
}
