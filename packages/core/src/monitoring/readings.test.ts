import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { FhirDecimal } from '../json.js';
import { FhirError } from '../outcome.js';
import {
  formatReading,
  normalizeReading,
  observationFromReading,
  parseCompactBatch,
  READING_KINDS,
  readingsFromFhir,
  type Reading,
  type ReadingError,
  type ReadingKind,
} from './readings.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const T = '2025-03-01T11:30:00Z';
const T_ISO = '2025-03-01T11:30:00.000Z';

/** The reading `raw` normalizes to; fails the test with the error otherwise. */
function ok(raw: unknown): Reading {
  const r = normalizeReading(raw, 'readings[0]', 0, NOW);
  if ('error' in r) assert.fail(`unexpected error: ${r.error.field}: ${r.error.message}`);
  return r.reading;
}

/** The error `raw` is rejected with. */
function rejected(raw: unknown): ReadingError {
  const r = normalizeReading(raw, 'readings[0]', 0, NOW);
  if ('reading' in r) assert.fail(`expected an error, got ${JSON.stringify(r.reading)}`);
  return r.error;
}

function fhirOne(resource: unknown): Reading {
  const { readings, errors } = readingsFromFhir(resource, NOW);
  assert.deepEqual(errors, []);
  assert.equal(readings.length, 1);
  return readings[0]!;
}

function fhirError(resource: unknown): ReadingError {
  const { readings, errors } = readingsFromFhir(resource, NOW);
  assert.deepEqual(readings, []);
  assert.equal(errors.length, 1);
  return errors[0]!;
}

function throwsBadRequest(fn: () => unknown, expression: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FhirError);
    assert.equal(e.status, 400);
    assert.deepEqual(e.outcome.issue?.[0]?.expression, [expression]);
    assert.match(e.message, message);
    return true;
  });
}

const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });

// ---------------------------------------------------------------------------------------------
// Compact form: accepted readings

test('every kind is accepted in its canonical form', () => {
  const ecg = { period: 4, unit: 'mV', data: [0.05, 1.2, -0.3] };
  const cases: [unknown, Reading][] = [
    [{ kind: 'blood-pressure', time: T, systolic: 142, diastolic: 91, unit: 'mm[Hg]' }, { kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 142, value2: 91, unit: 'mm[Hg]' }],
    [{ kind: 'heart-rate', time: T, value: 72, unit: '/min' }, { kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' }],
    [{ kind: 'oxygen-saturation', time: T, value: 97, unit: '%' }, { kind: 'oxygen-saturation', code: '59408-5', time: T_ISO, value: 97, unit: '%' }],
    [{ kind: 'respiratory-rate', time: T, value: 16, unit: '/min' }, { kind: 'respiratory-rate', code: '9279-1', time: T_ISO, value: 16, unit: '/min' }],
    [{ kind: 'body-temperature', time: T, value: 37.9, unit: 'Cel' }, { kind: 'body-temperature', code: '8310-5', time: T_ISO, value: 37.9, unit: 'Cel' }],
    [{ kind: 'blood-glucose', time: T, value: 6.4, unit: 'mmol/L' }, { kind: 'blood-glucose', code: '14743-9', time: T_ISO, value: 6.4, unit: 'mmol/L' }],
    [{ kind: 'body-weight', time: T, value: 81.35, unit: 'kg' }, { kind: 'body-weight', code: '29463-7', time: T_ISO, value: 81.35, unit: 'kg' }],
    [{ kind: 'ecg', time: T, sampled: ecg }, { kind: 'ecg', code: '131329', time: T_ISO, value: 3, unit: 'mV', sampled: { period: 4, unit: 'mV', data: [0.05, 1.2, -0.3] } }],
    [{ kind: 'fall', time: T, value: 1 }, { kind: 'fall', code: '1912002', time: T_ISO, value: 1, unit: '1' }],
    [{ kind: 'consciousness', time: T, value: 2 }, { kind: 'consciousness', code: '67775-7', time: T_ISO, value: 2, unit: '1' }],
    [{ kind: 'supplemental-oxygen', time: T, value: 2, unit: 'L/min' }, { kind: 'supplemental-oxygen', code: '3151-8', time: T_ISO, value: 2, unit: 'L/min' }],
  ];
  assert.equal(cases.length, Object.keys(READING_KINDS).length);
  for (const [raw, expected] of cases) assert.deepEqual(ok(raw), expected);
});

test('a missing unit means the canonical unit, and a fall needs no value', () => {
  assert.equal(ok({ kind: 'heart-rate', time: T, value: 58 }).value, 58);
  assert.deepEqual(ok({ kind: 'blood-pressure', time: T, systolic: 120, diastolic: 80 }), {
    kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 120, value2: 80, unit: 'mm[Hg]',
  });
  assert.deepEqual(ok({ kind: 'fall', time: T }), { kind: 'fall', code: '1912002', time: T_ISO, value: 1, unit: '1' });
  assert.equal(ok({ kind: 'supplemental-oxygen', time: T, value: 0 }).value, 0);
  assert.equal(ok({ kind: 'consciousness', time: T, value: 0 }).value, 0);
});

test('a code (with or without its system) stands in for the kind, and maps to the canonical code', () => {
  assert.deepEqual(ok({ code: '2708-6', system: 'http://loinc.org', time: T, value: 95 }), {
    kind: 'oxygen-saturation', code: '59408-5', time: T_ISO, value: 95, unit: '%',
  });
  assert.equal(ok({ code: '8867-4', time: T, value: 61 }).kind, 'heart-rate');
  assert.equal(ok({ kind: 'heart-rate', code: '8867-4', time: T, value: 61 }).value, 61);
  assert.equal(ok({ code: '1912002', system: 'http://snomed.info/sct', time: T }).kind, 'fall');
  assert.equal(ok({ code: '15074-8', time: T, value: 7.1 }).value, 7.1);
});

test('common unit spellings are accepted', () => {
  assert.deepEqual(ok({ kind: 'blood-pressure', time: T, systolic: 130, diastolic: 85, unit: 'mmHg' }).unit, 'mm[Hg]');
  assert.equal(ok({ kind: 'heart-rate', time: T, value: 72, unit: 'bpm' }).value, 72);
  assert.equal(ok({ kind: 'heart-rate', time: T, value: 72, unit: 'beats/min' }).unit, '/min');
  assert.equal(ok({ kind: 'body-temperature', time: T, value: 36.8, unit: '°C' }).value, 36.8);
  assert.equal(ok({ kind: 'body-weight', time: T, value: 70, unit: 'kg' }).value, 70);
  assert.equal(ok({ kind: 'oxygen-saturation', time: T, value: 99, unit: '%' }).value, 99);
});

test('°F becomes °C: (F − 32) × 5/9, to 0.1', () => {
  const celsius = (value: number, unit: string) => ok({ kind: 'body-temperature', time: T, value, unit });
  assert.deepEqual(celsius(98.6, '[degF]'), { kind: 'body-temperature', code: '8310-5', time: T_ISO, value: 37, unit: 'Cel' });
  assert.equal(celsius(101.3, '°F').value, 38.5);
  assert.equal(celsius(100.4, 'degF').value, 38);
  assert.equal(celsius(96.1, '[degF]').value, 35.6);
});

test('glucose mg/dL becomes mmol/L: ÷ 18.016, to 0.1', () => {
  const glucose = (raw: object) => ok({ time: T, ...raw });
  assert.deepEqual(glucose({ kind: 'blood-glucose', value: 100, unit: 'mg/dL' }), {
    kind: 'blood-glucose', code: '14743-9', time: T_ISO, value: 5.6, unit: 'mmol/L',
  });
  assert.equal(glucose({ kind: 'blood-glucose', value: 180, unit: 'mg/dL' }).value, 10);
  assert.equal(glucose({ kind: 'blood-glucose', value: 70, unit: 'mg/dL' }).value, 3.9);
  // Mass-concentration codes mean mg/dL when no unit is sent.
  assert.equal(glucose({ code: '41653-7', value: 126 }).value, 7);
  assert.equal(glucose({ code: '2339-0', value: 54 }).value, 3);
  assert.equal(glucose({ code: '2339-0', value: 54, unit: 'mg/dL' }).value, 3);
});

test('pounds and grams become kg: × 0.45359237 and ÷ 1000, to 0.01', () => {
  const weight = (value: number, unit: string) => ok({ kind: 'body-weight', time: T, value, unit }).value;
  assert.equal(weight(154, '[lb_av]'), 69.85);
  assert.equal(weight(200, 'lbs'), 90.72);
  assert.equal(weight(1, 'lb'), 0.45);
  assert.equal(weight(3250, 'g'), 3.25);
  assert.equal(weight(70500, 'g'), 70.5);
});

test('times are normalized to UTC with milliseconds; up to 5 minutes ahead is tolerated', () => {
  assert.equal(ok({ kind: 'heart-rate', time: '2025-03-01T12:30:00+01:00', value: 70 }).time, '2025-03-01T11:30:00.000Z');
  assert.equal(ok({ kind: 'heart-rate', time: '2025-03-01T06:15-05:00', value: 70 }).time, '2025-03-01T11:15:00.000Z');
  assert.equal(ok({ kind: 'heart-rate', time: '2025-03-01T11:59:59.123456Z', value: 70 }).time, '2025-03-01T11:59:59.123Z');
  assert.equal(ok({ kind: 'heart-rate', time: '2025-03-01T12:04:00Z', value: 70 }).time, '2025-03-01T12:04:00.000Z');
  assert.equal(ok({ kind: 'heart-rate', time: '2024-02-29T08:00:00Z', value: 70 }).time, '2024-02-29T08:00:00.000Z');
});

// ---------------------------------------------------------------------------------------------
// Compact form: rejections

test('time: missing, not ISO 8601 with a zone, a day that does not exist, or in the future', () => {
  const timeError = (time: unknown) => rejected({ kind: 'heart-rate', time, value: 70 });
  const missing = rejected({ kind: 'heart-rate', value: 70 });
  assert.equal(missing.field, 'readings[0].time');
  assert.match(missing.message, /^Time is missing; .*ISO 8601.*2024-05-01T08:30:00Z/);
  for (const time of ['2025-03-01T11:00:00', '2025-03-01', '2025-03-01 11:00:00Z', '01/03/2025 11:00', '2025-03-01T25:00:00Z']) {
    const e = timeError(time);
    assert.equal(e.field, 'readings[0].time');
    assert.equal(e.message, `Time '${time}' is not an ISO 8601 date-time with a time of day and a zone (Z or ±hh:mm), e.g. 2024-05-01T08:30:00Z or 2024-05-01T10:30:00+02:00`);
  }
  assert.equal(timeError('2025-02-29T10:00:00Z').message, "Time '2025-02-29T10:00:00Z' names a date that does not exist");
  assert.equal(timeError('2025-04-31T10:00:00Z').message, "Time '2025-04-31T10:00:00Z' names a date that does not exist");
  assert.match(timeError(1740830400000).message, /^Time must be an ISO 8601 date-time string, .*; not number$/);
  assert.deepEqual(timeError('2025-03-01T12:10:00Z'), {
    index: 0,
    field: 'readings[0].time',
    message: "Time '2025-03-01T12:10:00Z' is 10 minutes ahead of the server clock (2025-03-01T12:00:00.000Z); check the device's clock",
  });
});

test('kind and code: unknown, missing, disagreeing, or a code from another system', () => {
  assert.deepEqual(rejected({ kind: 'pulse', time: T, value: 70 }), {
    index: 0,
    field: 'readings[0].kind',
    message: `Unknown kind 'pulse'; send one of ${Object.keys(READING_KINDS).join(', ')}`,
  });
  assert.equal(rejected({ kind: 'constructor', time: T, value: 70 }).field, 'readings[0].kind');
  assert.match(rejected({ time: T, value: 70 }).message, /^Reading has no kind; send kind \(one of blood-pressure, heart-rate, /);
  const unknownCode = rejected({ code: '1234-5', time: T, value: 70 });
  assert.equal(unknownCode.field, 'readings[0].code');
  assert.match(unknownCode.message, /^Code 1234-5 is not a reading Salus accepts; send kind instead, or one of the codes 85354-9, 8867-4, /);
  assert.deepEqual(rejected({ kind: 'blood-glucose', code: '8867-4', time: T, value: 70 }), {
    index: 0,
    field: 'readings[0].kind',
    message: "Kind 'blood-glucose' does not match code 8867-4, which is Heart rate",
  });
  assert.deepEqual(rejected({ code: '8867-4', system: 'http://snomed.info/sct', time: T, value: 70 }), {
    index: 0,
    field: 'readings[0].system',
    message: 'Code 8867-4 is given with system http://snomed.info/sct; Salus reads it as Heart rate only with system http://loinc.org',
  });
});

test('a systolic or diastolic code on its own is refused with the panel to send instead', () => {
  assert.deepEqual(rejected({ code: '8480-6', time: T, value: 120 }), {
    index: 0,
    field: 'readings[0].code',
    message: 'A systolic pressure on its own (8480-6) is not accepted; send blood pressure as panel 85354-9 with systolic (8480-6) and diastolic (8462-4) components together',
  });
});

test('wrong unit names the unit field and the units that would do', () => {
  assert.deepEqual(rejected({ kind: 'body-weight', time: T, value: 70, unit: 'mg' }), {
    index: 0,
    field: 'readings[0].unit',
    message: "Unit 'mg' cannot be used for Body weight; send kg, g or [lb_av]",
  });
  assert.equal(rejected({ kind: 'heart-rate', time: T, value: 70, unit: 'Hz' }).message, "Unit 'Hz' cannot be used for Heart rate; send /min");
  assert.equal(rejected({ kind: 'body-temperature', time: T, value: 310, unit: 'K' }).message, "Unit 'K' cannot be used for Body temperature; send Cel or [degF]");
  assert.equal(rejected({ kind: 'blood-glucose', time: T, value: 5, unit: 'mmol/l' }).message, "Unit 'mmol/l' cannot be used for Blood glucose; send mmol/L or mg/dL");
  assert.equal(rejected({ kind: 'blood-pressure', time: T, systolic: 16, diastolic: 10, unit: 'kPa' }).field, 'readings[0].unit');
  assert.equal(rejected({ kind: 'oxygen-saturation', time: T, value: 0.97, unit: 1 }).message, "Unit must be text such as '%', not number");
  assert.deepEqual(rejected({ code: '2339-0', time: T, value: 5.5, unit: 'mmol/L' }), {
    index: 0,
    field: 'readings[0].unit',
    message: "Unit 'mmol/L' does not fit code 2339-0, which is measured in mg/dL",
  });
  assert.equal(rejected({ kind: 'fall', time: T, unit: 'kg' }).message, "A fall has no unit; leave unit out, not 'kg'");
});

test('values: missing, not a number, negative, or outside what can be measured', () => {
  assert.deepEqual(rejected({ kind: 'heart-rate', time: T }), {
    index: 0, field: 'readings[0].value', message: 'Heart rate is missing; send a number in /min',
  });
  assert.equal(rejected({ kind: 'heart-rate', time: T, value: '72' }).message, "Heart rate must be a number in /min, not the text '72'");
  assert.equal(rejected({ kind: 'heart-rate', time: T, value: Number.NaN }).message, 'Heart rate must be a finite number, not NaN');
  assert.deepEqual(rejected({ kind: 'respiratory-rate', time: T, value: -4 }), {
    index: 0, field: 'readings[0].value', message: 'Respiratory rate cannot be negative (got -4 /min)',
  });
  assert.equal(rejected({ kind: 'body-weight', time: T, value: -70, unit: 'kg' }).message, 'Body weight cannot be negative (got -70 kg)');
  assert.equal(rejected({ kind: 'supplemental-oxygen', time: T, value: -1 }).message, 'Supplemental oxygen cannot be negative (got -1 L/min)');
  assert.deepEqual(rejected({ kind: 'heart-rate', time: T, value: 400 }), {
    index: 0, field: 'readings[0].value', message: 'Heart rate 400 /min is outside what can be measured (20–300 /min)',
  });
  assert.equal(rejected({ kind: 'oxygen-saturation', time: T, value: 101 }).message, 'Oxygen saturation 101 % is outside what can be measured (50–100 %)');
  assert.equal(rejected({ kind: 'body-temperature', time: T, value: 122, unit: '°F' }).message, 'Body temperature 122 °F (50 Cel) is outside what can be measured (25–45 Cel)');
  assert.equal(rejected({ kind: 'body-temperature', time: T, value: 24.9 }).message, 'Body temperature 24.9 Cel is outside what can be measured (25–45 Cel)');
  assert.equal(rejected({ kind: 'blood-glucose', time: T, value: 400, unit: 'mmol/L' }).message, 'Blood glucose 400 mmol/L is outside what can be measured (0.5–60 mmol/L)');
  assert.equal(rejected({ kind: 'blood-glucose', time: T, value: 1100, unit: 'mg/dL' }).message, 'Blood glucose 1100 mg/dL (61.1 mmol/L) is outside what can be measured (0.5–60 mmol/L)');
  assert.equal(rejected({ kind: 'body-weight', time: T, value: 200, unit: 'g' }).message, 'Body weight 200 g (0.2 kg) is outside what can be measured (0.3–500 kg)');
  assert.equal(rejected({ kind: 'supplemental-oxygen', time: T, value: 61 }).message, 'Supplemental oxygen 61 L/min is outside what can be measured (0–60 L/min)');
  assert.equal(rejected({ kind: 'consciousness', time: T, value: 5 }).message, 'Consciousness (ACVPU) 5 is outside what can be measured (0–4)');
  assert.equal(rejected({ kind: 'consciousness', time: T, value: 1.5 }).message, 'Consciousness (ACVPU) must be a whole number from 0 to 4 (A, C, V, P, U), not 1.5');
  assert.equal(rejected({ kind: 'fall', time: T, value: 0 }).message, 'A fall reading records that a fall happened; leave value out or send 1, not 0');
});

test('blood pressure: each value checked on its own field, and diastolic must be below systolic', () => {
  assert.deepEqual(rejected({ kind: 'blood-pressure', time: T, systolic: 90, diastolic: 95 }), {
    index: 0,
    field: 'readings[0].diastolic',
    message: 'Diastolic 95 mm[Hg] must be lower than systolic 90 mm[Hg]; check that the two are not swapped',
  });
  assert.equal(rejected({ kind: 'blood-pressure', time: T, systolic: 90, diastolic: 90 }).field, 'readings[0].diastolic');
  assert.deepEqual(rejected({ kind: 'blood-pressure', time: T, systolic: 120 }), {
    index: 0, field: 'readings[0].diastolic', message: 'Diastolic pressure is missing; send a number in mm[Hg]',
  });
  assert.deepEqual(rejected({ kind: 'blood-pressure', time: T, value: 120 }), {
    index: 0, field: 'readings[0].systolic', message: 'Systolic pressure is missing; send a number in mm[Hg]',
  });
  assert.equal(rejected({ kind: 'blood-pressure', time: T, systolic: 320, diastolic: 80 }).message, 'Systolic pressure 320 mm[Hg] is outside what can be measured (40–300 mm[Hg])');
  assert.equal(rejected({ kind: 'blood-pressure', time: T, systolic: 120, diastolic: 15 }).field, 'readings[0].diastolic');
});

test('ECG: samples required, period above 0, mV only, at most 30,000 samples each within ±20 mV', () => {
  const ecg = (sampled: unknown, extra: object = {}) => rejected({ kind: 'ecg', time: T, sampled, ...extra });
  assert.deepEqual(rejected({ kind: 'ecg', time: T }), {
    index: 0, field: 'readings[0].sampled', message: 'ECG needs sampled: { period, data } with the lead I samples in mV',
  });
  assert.deepEqual(ecg({ period: 4, data: [] }), {
    index: 0, field: 'readings[0].sampled.data', message: 'ECG has no samples; send sampled.data as an array of numbers in mV',
  });
  assert.equal(ecg({ period: 0, data: [0.1] }).message, 'ECG period must be the milliseconds between samples, a number above 0; not 0');
  assert.equal(ecg({ period: 0, data: [0.1] }).field, 'readings[0].sampled.period');
  assert.deepEqual(ecg({ period: 4, unit: 'uV', data: [100] }), {
    index: 0, field: 'readings[0].sampled.unit', message: "ECG samples must be in mV, not 'uV'",
  });
  assert.equal(ecg({ period: 4, data: [0.1] }, { unit: 'V' }).field, 'readings[0].unit');
  assert.deepEqual(ecg({ period: 2, data: new Array<number>(30_001).fill(0) }), {
    index: 0, field: 'readings[0].sampled.data', message: 'ECG strip has more than 30000 samples; send it as several strips',
  });
  assert.equal(ok({ kind: 'ecg', time: T, sampled: { period: 2, data: new Array<number>(30_000).fill(0) } }).value, 30_000);
  assert.deepEqual(ecg({ period: 4, data: [0.1, 0.2, 1200] }), {
    index: 0,
    field: 'readings[0].sampled.data[2]',
    message: 'ECG sample 2 is 1200 mV; a body surface ECG stays within ±20 mV, so the strip is likely mis-scaled (samples must be in mV)',
  });
  assert.equal(ecg({ period: 4, data: [0.1, -20.5] }).field, 'readings[0].sampled.data[1]');
  assert.deepEqual(ecg({ period: 4, data: [0.1, null] }), {
    index: 0, field: 'readings[0].sampled.data[1]', message: 'ECG sample 1 must be a number in mV, not null',
  });
  assert.deepEqual(ok({ kind: 'ecg', time: T, sampled: { period: 4, data: [-20, 20] } }).sampled, { period: 4, unit: 'mV', data: [-20, 20] });
});

test('a reading that is not an object is reported at its own path', () => {
  assert.deepEqual(normalizeReading('hr=72', 'readings[7]', 7, NOW), {
    error: { index: 7, field: 'readings[7]', message: "Each reading must be a JSON object, not the text 'hr=72'" },
  });
});

// ---------------------------------------------------------------------------------------------
// Compact batches

test('a batch keeps its good readings and reports each bad one with index and field', () => {
  const { readings, errors } = parseCompactBatch(
    {
      readings: [
        { kind: 'heart-rate', time: T, value: 72 },
        { kind: 'heart-rate', time: T, value: 400 },
        { kind: 'body-weight', time: T, value: 154, unit: 'lbs' },
        { kind: 'blood-pressure', time: T, systolic: 120, diastolic: 130 },
        42,
        { kind: 'oxygen-saturation', value: 96 },
        { kind: 'blood-pressure', time: '2025-03-01T12:00:00+01:00', systolic: 142, diastolic: 91 },
      ],
    },
    NOW,
  );
  assert.deepEqual(readings, [
    { kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' },
    { kind: 'body-weight', code: '29463-7', time: T_ISO, value: 69.85, unit: 'kg' },
    { kind: 'blood-pressure', code: '85354-9', time: '2025-03-01T11:00:00.000Z', value: 142, value2: 91, unit: 'mm[Hg]' },
  ]);
  assert.deepEqual(
    errors.map((e) => [e.index, e.field]),
    [
      [1, 'readings[1].value'],
      [3, 'readings[3].diastolic'],
      [4, 'readings[4]'],
      [5, 'readings[5].time'],
    ],
  );
  assert.equal(errors[0]!.message, 'Heart rate 400 /min is outside what can be measured (20–300 /min)');
});

test('a batch that is not { readings: [...] } or holds more than 5000 readings is a bad request', () => {
  throwsBadRequest(() => parseCompactBatch(null, NOW), 'readings', /\{ "readings": \[ \.\.\. \] \}/);
  throwsBadRequest(() => parseCompactBatch([{ kind: 'heart-rate' }], NOW), 'readings', /readings as an array/);
  throwsBadRequest(() => parseCompactBatch({ readings: { kind: 'heart-rate' } }, NOW), 'readings', /readings as an array/);
  const many = new Array(5001).fill({ kind: 'heart-rate', time: T, value: 70 });
  throwsBadRequest(() => parseCompactBatch({ readings: many }, NOW), 'readings', /at most 5000 readings and this one has 5001/);
  assert.equal(parseCompactBatch({ readings: many.slice(1) }, NOW).readings.length, 5000);
  assert.deepEqual(parseCompactBatch({ readings: [] }, NOW), { readings: [], errors: [] });
});

// ---------------------------------------------------------------------------------------------
// FHIR input

const observation = (extra: object): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: loinc('8867-4'),
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: T,
  ...extra,
});

test('an Observation with valueQuantity: UCUM code preferred, unit text otherwise, decimals kept as numbers', () => {
  assert.deepEqual(fhirOne(observation({ valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } })), {
    kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min',
  });
  assert.equal(fhirOne(observation({ valueQuantity: { value: 64, unit: 'bpm' } })).value, 64);
  const temp = observation({ code: loinc('8310-5'), valueQuantity: { value: new FhirDecimal('101.30'), system: 'http://unitsofmeasure.org', code: '[degF]' } });
  assert.equal(fhirOne(temp).value, 38.5);
  const weight = observation({ code: loinc('29463-7'), valueQuantity: { value: 3250, system: 'http://unitsofmeasure.org', code: 'g' } });
  assert.equal(fhirOne(weight).value, 3.25);
  const glucose = observation({ code: loinc('41653-7'), valueQuantity: { value: 100 } });
  assert.deepEqual(fhirOne(glucose), { kind: 'blood-glucose', code: '14743-9', time: T_ISO, value: 5.6, unit: 'mmol/L' });
});

test('effectiveInstant and effectivePeriod.start give the time when there is no effectiveDateTime', () => {
  const base = { effectiveDateTime: undefined, valueQuantity: { value: 72 } };
  assert.equal(fhirOne(observation({ ...base, effectiveInstant: '2025-03-01T10:00:00.5+00:00' })).time, '2025-03-01T10:00:00.500Z');
  assert.equal(fhirOne(observation({ ...base, effectivePeriod: { start: '2025-03-01T10:00:00Z', end: '2025-03-01T10:05:00Z' } })).time, '2025-03-01T10:00:00.000Z');
  assert.deepEqual(fhirError(observation(base)), {
    index: 0,
    field: 'Observation.effectiveDateTime',
    message: 'Observation has no effectiveDateTime, effectiveInstant or effectivePeriod.start; the time it was measured is required',
  });
  const future = fhirError(observation({ ...base, effectivePeriod: { start: '2025-03-01T13:00:00Z' } }));
  assert.equal(future.field, 'Observation.effectivePeriod.start');
  assert.match(future.message, /is 60 minutes ahead of the server clock/);
  assert.equal(fhirError(observation({ effectiveDateTime: '2025-03-01', valueQuantity: { value: 72 } })).field, 'Observation.effectiveDateTime');
});

test('Observation errors name FHIRPath-like fields', () => {
  assert.deepEqual(fhirError(observation({ valueQuantity: { value: 400, system: 'http://unitsofmeasure.org', code: '/min' } })), {
    index: 0, field: 'Observation.valueQuantity.value', message: 'Heart rate 400 /min is outside what can be measured (20–300 /min)',
  });
  assert.deepEqual(fhirError(observation({ code: loinc('29463-7'), valueQuantity: { value: 70, unit: 'stone' } })), {
    index: 0, field: 'Observation.valueQuantity.unit', message: "Unit 'stone' cannot be used for Body weight; send kg, g or [lb_av]",
  });
  assert.equal(fhirError(observation({ code: loinc('29463-7'), valueQuantity: { value: 70, system: 'http://unitsofmeasure.org', code: 'mg' } })).field, 'Observation.valueQuantity.code');
  assert.deepEqual(fhirError(observation({})), {
    index: 0, field: 'Observation.valueQuantity', message: 'Heart rate needs a valueQuantity with a number in /min',
  });
  assert.deepEqual(fhirError(observation({ code: loinc('14743-9'), valueQuantity: { value: 1.1, comparator: '<', code: 'mmol/L' } })), {
    index: 0, field: 'Observation.valueQuantity.comparator', message: "Blood glucose '< 1.1' is a limit, not a measurement; only exact values are stored",
  });
  const unknown = fhirError(observation({ code: loinc('8302-2'), valueQuantity: { value: 170 } }));
  assert.equal(unknown.field, 'Observation.code');
  assert.match(unknown.message, /^Code http:\/\/loinc.org\|8302-2 is not a reading Salus accepts; send one of the codes 85354-9, /);
  assert.equal(
    fhirError(observation({ code: { coding: [{ code: '8867-4' }] }, valueQuantity: { value: 70 } })).message,
    'Code 8867-4 is given with system (none); Salus reads it as Heart rate only with system http://loinc.org',
  );
  assert.deepEqual(fhirError(observation({ status: 'entered-in-error', valueQuantity: { value: 70 } })), {
    index: 0, field: 'Observation.status', message: "Observation has status 'entered-in-error', so it holds no measurement to store",
  });
});

test('the first accepted coding decides the kind', () => {
  const spo2 = observation({
    code: { coding: [{ system: 'http://snomed.info/sct', code: '431314004' }, { system: 'http://loinc.org', code: '2708-6' }, { system: 'http://loinc.org', code: '59408-5' }] },
    valueQuantity: { value: 94, system: 'http://unitsofmeasure.org', code: '%' },
  });
  assert.deepEqual(fhirOne(spo2), { kind: 'oxygen-saturation', code: '59408-5', time: T_ISO, value: 94, unit: '%' });
});

test('blood pressure comes as a panel with components; a lone systolic Observation is refused', () => {
  const panel = (components: unknown[]) => observation({ code: loinc('85354-9'), component: components });
  const part = (code: string, value: number) => ({ code: loinc(code), valueQuantity: { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } });
  assert.deepEqual(fhirOne(panel([part('8480-6', 142), part('8462-4', 91)])), {
    kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 142, value2: 91, unit: 'mm[Hg]',
  });
  // Devices add mean pressure or pulse; order does not matter and the extras are not read.
  assert.deepEqual(fhirOne(panel([part('8478-0', 108), part('8462-4', 80), part('8480-6', 125)])).value2, 80);
  assert.deepEqual(fhirError(panel([part('8480-6', 142)])), {
    index: 0, field: 'Observation.component', message: 'Blood pressure panel has no diastolic component; send systolic (8480-6) and diastolic (8462-4) as components',
  });
  assert.equal(fhirError(panel([part('8480-6', 142), part('8462-4', 250)])).field, 'Observation.component[1].valueQuantity.value');
  assert.equal(fhirError(panel([part('8480-6', 80), part('8462-4', 90)])).field, 'Observation.component[1].valueQuantity.value');
  assert.deepEqual(fhirError(observation({ code: loinc('8480-6'), valueQuantity: { value: 142, code: 'mm[Hg]' } })), {
    index: 0,
    field: 'Observation.code',
    message: 'A systolic pressure on its own (8480-6) is not accepted; send blood pressure as panel 85354-9 with systolic (8480-6) and diastolic (8462-4) components together',
  });
});

const mdc = { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.24', code: '131329', display: 'MDC_ECG_ELEC_POTL_I' }] };

test('an ECG as valueSampledData: origin + factor × data, in mV', () => {
  const strip = observation({
    code: mdc,
    valueSampledData: { origin: { value: 0, code: 'mV', system: 'http://unitsofmeasure.org' }, period: 4, dimensions: 1, data: '0.05 1.2  -0.3\n0' },
  });
  assert.deepEqual(fhirOne(strip), { kind: 'ecg', code: '131329', time: T_ISO, value: 4, unit: 'mV', sampled: { period: 4, unit: 'mV', data: [0.05, 1.2, -0.3, 0] } });
  // Raw ADC counts around a baseline of 2048, 0.001 mV each.
  const scaled = observation({ code: mdc, valueSampledData: { origin: { value: -2.048, unit: 'mV' }, factor: 0.001, period: 2, dimensions: 1, data: '2048 2148 1948 3048' } });
  assert.deepEqual(fhirOne(scaled).sampled, { period: 2, unit: 'mV', data: [0, 0.1, -0.1, 1] });
});

test('ECG SampledData errors: E, L, U, bad tokens, too many samples, out of range, wrong unit or shape', () => {
  const strip = (sd: object) => observation({ code: mdc, valueSampledData: { origin: { value: 0 }, period: 4, dimensions: 1, ...sd } });
  assert.deepEqual(fhirError(strip({ data: '0.1 E 0.2' })), {
    index: 0,
    field: 'Observation.valueSampledData.data',
    message: "ECG sample 1 is 'E': an error reported by the device; strips with E, L or U samples are not stored",
  });
  assert.match(fhirError(strip({ data: '0.1 0.2 U' })).message, /^ECG sample 2 is 'U': above the device's upper limit;/);
  assert.match(fhirError(strip({ data: 'L' })).message, /^ECG sample 0 is 'L': below the device's lower limit;/);
  assert.equal(fhirError(strip({ data: '0.1 0x10' })).message, "ECG sample 1 is '0x10': not a decimal number");
  assert.equal(fhirError(strip({ data: '0.1,0.2' })).message, "ECG sample 0 is '0.1,0.2': not a decimal number");
  assert.equal(fhirError(strip({ data: '0.1 21' })).message, 'ECG sample 1 is 21 mV; a body surface ECG stays within ±20 mV, so the strip is likely mis-scaled (samples must be in mV)');
  assert.equal(fhirError(strip({ data: '0 '.repeat(30_001) })).message, 'ECG strip has more than 30000 samples; send it as several strips');
  assert.equal(fhirError(strip({ data: '   ' })).message, 'ECG has no samples; send valueSampledData.data as space-separated decimals');
  assert.equal(fhirError(strip({})).field, 'Observation.valueSampledData.data');
  assert.deepEqual(fhirError(strip({ dimensions: 3, data: '0 0 0' })), {
    index: 0, field: 'Observation.valueSampledData.dimensions', message: 'Only single-lead strips (dimensions 1) are accepted; this one has 3',
  });
  assert.equal(fhirError(strip({ period: -1, data: '0' })).field, 'Observation.valueSampledData.period');
  assert.deepEqual(fhirError(strip({ origin: { value: 0, system: 'http://unitsofmeasure.org', code: 'uV' }, data: '0' })), {
    index: 0, field: 'Observation.valueSampledData.origin.code', message: "ECG samples must be in mV, not 'uV'",
  });
  assert.equal(fhirError(observation({ code: mdc, valueQuantity: { value: 1 } })).field, 'Observation.valueSampledData');
});

test('falls: valueBoolean true or no value; consciousness: a coded ACVPU letter or word, or valueInteger', () => {
  const fall = { coding: [{ system: 'http://snomed.info/sct', code: '1912002' }] };
  const fallReading = { kind: 'fall', code: '1912002', time: T_ISO, value: 1, unit: '1' };
  assert.deepEqual(fhirOne(observation({ code: fall, valueBoolean: true })), fallReading);
  assert.deepEqual(fhirOne(observation({ code: fall })), fallReading);
  assert.deepEqual(fhirError(observation({ code: fall, valueBoolean: false })), {
    index: 0, field: 'Observation.valueBoolean', message: 'A fall is sent as valueBoolean true, or with no value at all; only falls that happened are recorded',
  });
  assert.equal(fhirError(observation({ code: fall, valueQuantity: { value: 1 } })).field, 'Observation.valueQuantity');

  const acvpu = (extra: object) => observation({ code: loinc('67775-7'), ...extra });
  assert.deepEqual(fhirOne(acvpu({ valueCodeableConcept: { coding: [{ system: 'http://example.org/acvpu', code: 'V' }] } })), {
    kind: 'consciousness', code: '67775-7', time: T_ISO, value: 2, unit: '1',
  });
  assert.equal(fhirOne(acvpu({ valueCodeableConcept: { text: 'new confusion' } })).value, 1);
  assert.equal(fhirOne(acvpu({ valueCodeableConcept: { text: 'U' } })).value, 4);
  assert.equal(fhirOne(acvpu({ valueInteger: 3 })).value, 3);
  assert.equal(fhirError(acvpu({ valueInteger: 7 })).field, 'Observation.valueInteger');
  const unreadable = fhirError(acvpu({ valueCodeableConcept: { text: 'drowsy' } }));
  assert.equal(unreadable.field, 'Observation.valueCodeableConcept');
  assert.match(unreadable.message, /^Level of responsiveness must be valueCodeableConcept with A, C, V, P or U/);
});

test('a Bundle: every Observation read, other entries reported on their own', () => {
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: observation({ valueQuantity: { value: 72, code: '/min' } }), request: { method: 'POST', url: 'Observation' } },
      { resource: { resourceType: 'Patient', id: 'p1' } },
      { resource: observation({ code: loinc('85354-9'), component: [{ code: loinc('8480-6'), valueQuantity: { value: 150 } }, { code: loinc('8462-4'), valueQuantity: { value: 95 } }] }) },
      { fullUrl: 'urn:uuid:1' },
      { resource: observation({ valueQuantity: { value: 10 } }) },
      { resource: observation({ code: mdc, valueSampledData: { origin: { value: 0, unit: 'mV' }, period: 8, dimensions: 1, data: '0.1 0.4 -0.1' } }) },
    ],
  };
  const { readings, errors } = readingsFromFhir(bundle, NOW);
  assert.deepEqual(readings, [
    { kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' },
    { kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 150, value2: 95, unit: 'mm[Hg]' },
    { kind: 'ecg', code: '131329', time: T_ISO, value: 3, unit: 'mV', sampled: { period: 8, unit: 'mV', data: [0.1, 0.4, -0.1] } },
  ]);
  assert.deepEqual(errors, [
    { index: 1, field: 'Bundle.entry[1].resource.resourceType', message: 'Entry holds a Patient; only Observations carry readings' },
    { index: 3, field: 'Bundle.entry[3].resource', message: 'Entry has no resource; each entry must hold an Observation' },
    { index: 4, field: 'Bundle.entry[4].resource.valueQuantity.value', message: 'Heart rate 10 /min is outside what can be measured (20–300 /min)' },
  ]);
});

test('what is neither an Observation nor a batch, transaction or collection Bundle, or too big a Bundle, is a bad request', () => {
  throwsBadRequest(() => readingsFromFhir('{}', NOW), 'resourceType', /Observation or a Bundle of Observations/);
  throwsBadRequest(() => readingsFromFhir({ resourceType: 'Patient' }, NOW), 'resourceType', /^A Patient does not carry readings/);
  throwsBadRequest(() => readingsFromFhir({ resourceType: 'Bundle', type: 'searchset', entry: [] }, NOW), 'Bundle.type', /batch, transaction or collection, not the text 'searchset'/);
  throwsBadRequest(() => readingsFromFhir({ resourceType: 'Bundle', type: 'batch', entry: {} }, NOW), 'Bundle.entry', /must be an array/);
  const entry = new Array(5001).fill({ resource: observation({ valueQuantity: { value: 70 } }) });
  throwsBadRequest(() => readingsFromFhir({ resourceType: 'Bundle', type: 'collection', entry }, NOW), 'Bundle.entry', /at most 5000 entries and this one has 5001/);
  assert.equal(readingsFromFhir({ resourceType: 'Bundle', type: 'collection', entry: entry.slice(1) }, NOW).readings.length, 5000);
  assert.deepEqual(readingsFromFhir({ resourceType: 'Bundle', type: 'batch' }, NOW), { readings: [], errors: [] });
});

// ---------------------------------------------------------------------------------------------
// Writing Observations

test('observationFromReading writes R4 vital-signs Observations', () => {
  const hr = observationFromReading({ kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' }, { id: 'o1', patientId: 'p1', deviceId: 'd1' });
  assert.deepEqual(hr, {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' },
    id: 'o1',
    meta: { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: T_ISO,
    device: { reference: 'Device/d1' },
    valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
  });

  const bp = observationFromReading({ kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 142, value2: 91, unit: 'mm[Hg]' }, { patientId: 'p1' });
  assert.deepEqual(bp.meta, { profile: ['http://hl7.org/fhir/StructureDefinition/bp'] });
  assert.equal(bp.valueQuantity, undefined);
  assert.equal(bp.device, undefined);
  assert.equal(bp.id, undefined);
  assert.deepEqual(bp.component, [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: 142, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: 91, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  ]);

  // The oxygensat profile requires 2708-6 among the codes.
  const spo2 = observationFromReading({ kind: 'oxygen-saturation', code: '59408-5', time: T_ISO, value: 96, unit: '%' }, { patientId: 'p1' });
  assert.deepEqual(spo2.code.coding?.map((c) => c.code), ['2708-6', '59408-5']);
  assert.deepEqual(spo2.meta?.profile, ['http://hl7.org/fhir/StructureDefinition/oxygensat']);

  const ecg = observationFromReading(
    { kind: 'ecg', code: '131329', time: T_ISO, value: 3, unit: 'mV', sampled: { period: 4, unit: 'mV', data: [0.05, -1.2, 0] } },
    { patientId: 'p1' },
  );
  assert.equal(ecg.meta, undefined);
  assert.deepEqual(ecg.category?.[0]?.coding?.[0]?.code, 'procedure');
  assert.deepEqual(ecg.code.coding, [{ system: 'urn:oid:2.16.840.1.113883.6.24', code: '131329', display: 'MDC_ECG_ELEC_POTL_I' }]);
  assert.deepEqual(ecg.valueSampledData, {
    origin: { value: 0, unit: 'mV', system: 'http://unitsofmeasure.org', code: 'mV' },
    period: 4,
    dimensions: 1,
    data: '0.05 -1.2 0',
  });

  const fall = observationFromReading({ kind: 'fall', code: '1912002', time: T_ISO, value: 1, unit: '1' }, { patientId: 'p1' });
  assert.equal(fall.valueBoolean, true);
  assert.equal(fall.category, undefined);
  const acvpu = observationFromReading({ kind: 'consciousness', code: '67775-7', time: T_ISO, value: 2, unit: '1' }, { patientId: 'p1' });
  assert.deepEqual(acvpu.valueCodeableConcept, { text: 'Responds to voice' });
  const glucose = observationFromReading({ kind: 'blood-glucose', code: '14743-9', time: T_ISO, value: 5.6, unit: 'mmol/L' }, { patientId: 'p1' });
  assert.equal(glucose.category?.[0]?.coding?.[0]?.code, 'laboratory');
});

test('written Observations do not share codings with the tables', () => {
  const r: Reading = { kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' };
  const first = observationFromReading(r, { patientId: 'p1' });
  first.code.coding![0]!.display = 'changed';
  first.category![0]!.coding![0]!.code = 'changed';
  const second = observationFromReading(r, { patientId: 'p1' });
  assert.equal(second.code.coding?.[0]?.display, 'Heart rate');
  assert.equal(second.category?.[0]?.coding?.[0]?.code, 'vital-signs');
});

test('reading → Observation → reading gives the same reading for every kind', () => {
  const readings: Record<ReadingKind, Reading> = {
    'blood-pressure': { kind: 'blood-pressure', code: '85354-9', time: T_ISO, value: 142, value2: 91, unit: 'mm[Hg]' },
    'heart-rate': { kind: 'heart-rate', code: '8867-4', time: T_ISO, value: 72, unit: '/min' },
    'oxygen-saturation': { kind: 'oxygen-saturation', code: '59408-5', time: T_ISO, value: 93, unit: '%' },
    'respiratory-rate': { kind: 'respiratory-rate', code: '9279-1', time: T_ISO, value: 22, unit: '/min' },
    'body-temperature': { kind: 'body-temperature', code: '8310-5', time: T_ISO, value: 38.4, unit: 'Cel' },
    'blood-glucose': { kind: 'blood-glucose', code: '14743-9', time: T_ISO, value: 11.2, unit: 'mmol/L' },
    'body-weight': { kind: 'body-weight', code: '29463-7', time: T_ISO, value: 88.45, unit: 'kg' },
    ecg: { kind: 'ecg', code: '131329', time: T_ISO, value: 5, unit: 'mV', sampled: { period: 4, unit: 'mV', data: [0, 0.125, 1.5, -0.4, 0.000001] } },
    fall: { kind: 'fall', code: '1912002', time: T_ISO, value: 1, unit: '1' },
    consciousness: { kind: 'consciousness', code: '67775-7', time: T_ISO, value: 4, unit: '1' },
    'supplemental-oxygen': { kind: 'supplemental-oxygen', code: '3151-8', time: T_ISO, value: 0, unit: 'L/min' },
  };
  for (const reading of Object.values(readings)) {
    const obs = observationFromReading(reading, { patientId: 'p1', deviceId: 'd1' });
    assert.deepEqual(fhirOne(obs), reading, reading.kind);
    // Through JSON text too, as the server stores and sends it.
    assert.deepEqual(fhirOne(JSON.parse(JSON.stringify(obs))), reading, reading.kind);
  }
  for (let level = 0; level <= 4; level++) {
    const reading: Reading = { kind: 'consciousness', code: '67775-7', time: T_ISO, value: level, unit: '1' };
    assert.deepEqual(fhirOne(observationFromReading(reading, { patientId: 'p1' })), reading);
  }
});

// ---------------------------------------------------------------------------------------------
// Tables and words

test('READING_KINDS: one entry per kind, canonical codes among the accepted ones, no code accepted twice', () => {
  const seen = new Set<string>();
  for (const [kind, info] of Object.entries(READING_KINDS)) {
    assert.equal(info.kind, kind);
    assert.ok(info.accepts.some((a) => a.system === info.system && a.code === info.code), kind);
    for (const a of info.accepts) {
      assert.ok(!seen.has(a.code), a.code);
      seen.add(a.code);
    }
  }
  assert.deepEqual(READING_KINDS['oxygen-saturation'].accepts, [
    { system: 'http://loinc.org', code: '59408-5' },
    { system: 'http://loinc.org', code: '2708-6' },
  ]);
  assert.deepEqual(READING_KINDS['body-temperature'].plausible, { min: 25, max: 45 });
  assert.equal(READING_KINDS.ecg.system, 'urn:oid:2.16.840.1.113883.6.24');
  assert.equal(READING_KINDS.fall.system, 'http://snomed.info/sct');
});

test('formatReading writes readings as people read them', () => {
  assert.equal(formatReading({ kind: 'blood-pressure', value: 142, value2: 91 }), '142/91 mmHg');
  assert.equal(formatReading({ kind: 'heart-rate', value: 72 }), '72 beats/min');
  assert.equal(formatReading({ kind: 'respiratory-rate', value: 18 }), '18 breaths/min');
  assert.equal(formatReading({ kind: 'body-temperature', value: 37.9 }), '37.9 °C');
  assert.equal(formatReading({ kind: 'oxygen-saturation', value: 96 }), '96%');
  assert.equal(formatReading({ kind: 'blood-glucose', value: 5.6 }), '5.6 mmol/L');
  assert.equal(formatReading({ kind: 'body-weight', value: 69.85 }), '69.85 kg');
  assert.equal(formatReading({ kind: 'ecg', value: 2500 }), 'ECG strip of 2500 samples');
  assert.equal(formatReading({ kind: 'fall', value: 1 }), 'Fall');
  assert.equal(formatReading({ kind: 'consciousness', value: 1 }), 'New confusion');
  assert.equal(formatReading({ kind: 'supplemental-oxygen', value: 2 }), '2 L/min');
  assert.equal(formatReading({ kind: 'supplemental-oxygen', value: 0 }), '0 L/min (air)');
});
