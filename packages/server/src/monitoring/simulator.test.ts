import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeReading, parseCompactBatch, scoreNews2, type News2Band, type RawReading } from '@salus/core';
import { batchesByDevice, ECG_HZ, ECG_SECONDS, ecgStrip, HEART_FAILURE_GAIN_KG, MAX_BATCH, Random, Simulator, type SimulatedReading } from './simulator.js';

const START = Date.parse('2026-03-09T14:00:00.000Z');
const MINUTE = 60_000;

/** Runs a simulator over `minutes`, asking for readings every `stepMs` as the runner would. */
function run(sim: Simulator, minutes: number, stepMs = 5000): SimulatedReading[] {
  const out: SimulatedReading[] = [];
  for (let t = START; t <= START + minutes * MINUTE; t += stepMs) out.push(...sim.until(t));
  return out;
}

/** The reading in canonical units, as the server would store it. */
function canonical(r: RawReading, now = new Date(START + 60 * MINUTE)): { kind: string; value: number; value2?: number; time: number } {
  const n = normalizeReading(r, 'reading', 0, now);
  if (!('reading' in n)) throw new Error(`refused: ${n.error.message}`);
  return { kind: n.reading.kind, value: n.reading.value, ...(n.reading.value2 !== undefined ? { value2: n.reading.value2 } : {}), time: Date.parse(n.reading.time) };
}

const plausible = (readings: SimulatedReading[]): SimulatedReading[] => readings.filter((r) => !r.implausible);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('the random stream is the same for the same seed and differs between seeds', () => {
  const draw = (seed: number): number[] => {
    const r = new Random(seed);
    return Array.from({ length: 1000 }, () => r.float());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.ok(draw(7).every((x) => x >= 0 && x < 1));
  const r = new Random(9);
  const normals = Array.from({ length: 20_000 }, () => r.normal(10, 2));
  const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
  const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length);
  assert.ok(Math.abs(mean - 10) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(sd - 2) < 0.05, `sd ${sd}`);
});

test('a seed replays the same readings however the times are chunked', () => {
  const options = { seed: 1234, patients: 6, deteriorating: 2, startMs: START };
  // Each call lists patient by patient, so compare each patient's readings.
  const byPatient = (rs: SimulatedReading[]): SimulatedReading[][] => Array.from({ length: 6 }, (_, p) => rs.filter((r) => r.patient === p));
  const fine = run(new Simulator(options), 8, 250);
  const coarse = run(new Simulator(options), 8, 60_000);
  assert.ok(fine.length > 10_000, `${fine.length} readings`);
  assert.deepEqual(byPatient(coarse), byPatient(fine));
  const other = run(new Simulator({ ...options, seed: 1235 }), 8, 60_000);
  assert.notDeepEqual(other.slice(0, 200), fine.slice(0, 200));
});

test('adding patients does not change the readings of the others', () => {
  const few = run(new Simulator({ seed: 5, patients: 3, deteriorating: 1, startMs: START }), 3, 30_000);
  const many = run(new Simulator({ seed: 5, patients: 8, deteriorating: 1, startMs: START }), 3, 30_000);
  assert.deepEqual(
    many.filter((r) => r.patient < 3),
    few,
  );
});

test('the wearable rate follows the option: heart rate and SpO2 share it four to one', () => {
  const sim = new Simulator({ seed: 3, patients: 4, deteriorating: 0, startMs: START, readingsPerSecondPerPatient: 5, implausibleFraction: 0 });
  const readings = run(sim, 10);
  const perPatientPerSecond = (kind: string): number => readings.filter((r) => r.reading.kind === kind).length / 4 / 600;
  assert.ok(Math.abs(perPatientPerSecond('heart-rate') - 4) < 0.2, `heart rate ${perPatientPerSecond('heart-rate')}/s`);
  assert.ok(Math.abs(perPatientPerSecond('oxygen-saturation') - 1) < 0.1, `SpO2 ${perPatientPerSecond('oxygen-saturation')}/s`);
});

test('steady patients stay in normal ranges, with a day-night swing in pulse and temperature', () => {
  // 30 minutes at 5-minute days: six simulated days.
  const sim = new Simulator({ seed: 77, patients: 12, deteriorating: 0, startMs: START, dayMinutes: 5, readingsPerSecondPerPatient: 1.25, implausibleFraction: 0, fallEveryMinutes: 1e9 });
  const readings = plausible(run(sim, 30, 10_000));
  const values = (kind: string, copd?: boolean): number[] =>
    readings
      .filter((r) => copd === undefined || sim.patients[r.patient]!.conditions.includes('copd') === copd)
      .map((r) => canonical(r.reading))
      .filter((c) => c.kind === kind)
      .map((c) => c.value);
  const within = (xs: number[], min: number, max: number, what: string): void => {
    assert.ok(xs.length > 0, `no ${what}`);
    assert.ok(xs.every((x) => x >= min && x <= max), `${what} outside ${min}–${max}: ${xs.filter((x) => x < min || x > max).slice(0, 5).join(', ')}`);
  };
  within(values('oxygen-saturation', false), 95, 99, 'SpO2');
  within(values('respiratory-rate'), 12, 18, 'respiratory rate');
  // °F converted back to °C rounds to the tenth, which can land a hair outside.
  within(values('body-temperature'), 36.2, 37.3, 'temperature');
  within(values('blood-glucose'), 5, 9, 'glucose after meals');
  within(values('heart-rate'), 45, 115, 'heart rate');
  const hr = values('heart-rate');
  assert.ok(hr.filter((x) => x >= 55 && x <= 85).length / hr.length > 0.8, 'heart rate mostly 55–85');

  // Weight moves by a few tenths a day around each person's own baseline.
  for (const p of sim.patients) {
    const weights = readings.filter((r) => r.patient === p.index).map((r) => canonical(r.reading)).filter((c) => c.kind === 'body-weight').map((c) => c.value);
    assert.ok(weights.length >= 6, `patient ${p.index} weighed ${weights.length} times`);
    for (let i = 1; i < weights.length; i++) assert.ok(Math.abs(weights[i]! - weights[i - 1]!) < 1.2, `patient ${p.index} weight jumped ${weights[i - 1]} → ${weights[i]}`);
    assert.ok(weights.every((w) => Math.abs(w - p.baseline.weightKg) < 1.5));
  }

  // The body clock: afternoon pulse and temperature above those of the small hours.
  const byHour = (kind: string, from: number, to: number): number[] =>
    readings
      .filter((r) => r.reading.kind === kind || (kind === 'body-temperature' && r.reading.unit === '[degF]'))
      .map((r) => canonical(r.reading))
      .filter((c) => c.kind === kind)
      .filter((c) => {
        const hour = (((c.time - START) / (5 * MINUTE)) * 24 + 14) % 24;
        return hour >= from && hour < to;
      })
      .map((c) => c.value);
  assert.ok(median(byHour('heart-rate', 14, 18)) - median(byHour('heart-rate', 2, 5)) >= 8, 'afternoon pulse higher than at night');
  const afternoon = byHour('body-temperature', 18, 21);
  const morning = byHour('body-temperature', 7, 8);
  assert.ok(median(afternoon) > median(morning), `evening temperature ${median(afternoon)} above morning ${median(morning)}`);
});

/** NEWS2 from what the devices last said by `t`: latest spot values, median wearable values of the last half-minute. */
function news2At(readings: SimulatedReading[], patient: number, t: number, scale2 = false): { total: number; band: News2Band } {
  const mine = plausible(readings)
    .filter((r) => r.patient === patient)
    .map((r) => canonical(r.reading))
    .filter((c) => c.time <= t);
  const latest = (kind: string): { value: number; value2?: number } => {
    const xs = mine.filter((c) => c.kind === kind);
    assert.ok(xs.length > 0, `no ${kind} by ${new Date(t).toISOString()}`);
    return xs[xs.length - 1]!;
  };
  const recent = (kind: string): number => median(mine.filter((c) => c.kind === kind && c.time > t - 30_000).map((c) => c.value));
  const r = scoreNews2({
    respiratoryRate: latest('respiratory-rate').value,
    oxygenSaturation: recent('oxygen-saturation'),
    onOxygen: false,
    systolic: latest('blood-pressure').value,
    heartRate: recent('heart-rate'),
    consciousness: 'A',
    temperature: latest('body-temperature').value,
    scale2,
  });
  return { total: r.total, band: r.band };
}

test('a deteriorating patient climbs through the NEWS2 bands to the end values of the span', () => {
  const sim = new Simulator({ seed: 2026, patients: 4, deteriorating: 2, startMs: START, deteriorationMinutes: 20, readingsPerSecondPerPatient: 1.25, implausibleFraction: 0 });
  const readings = run(sim, 24, 5000);
  for (const patient of [0, 1]) {
    const bands = Array.from({ length: 21 }, (_, m) => news2At(readings, patient, START + m * MINUTE + 20_000));
    assert.equal(bands[0]!.band, 'low', `patient ${patient} starts low: ${JSON.stringify(bands[0])}`);
    assert.equal(bands[20]!.band, 'high', `patient ${patient} ends high: ${JSON.stringify(bands[20])}`);
    // Minutes in the medium band, where the clinical response is urgent review rather than an emergency.
    assert.ok(bands.filter((b) => b.band === 'medium').length >= 3, `patient ${patient} passes through medium: ${bands.map((b) => b.total).join(' ')}`);
    // It gets worse, not better: no minute scores much below an earlier one.
    bands.forEach((b, m) => assert.ok(b.total >= Math.max(...bands.slice(0, m + 1).map((x) => x.total)) - 3, `minute ${m}: ${bands.map((x) => x.total).join(' ')}`));

    // Once the span is over, every parameter sits past the line where NEWS2 scores it 2 or more.
    const end = plausible(readings)
      .filter((r) => r.patient === patient)
      .map((r) => canonical(r.reading))
      .filter((c) => c.time >= START + 20 * MINUTE);
    const mean = (kind: string): number => {
      const xs = end.filter((c) => c.kind === kind).map((c) => c.value);
      assert.ok(xs.length >= 4, `${xs.length} ${kind} readings after the span`);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    assert.ok(mean('heart-rate') >= 111, `pulse ${mean('heart-rate')}`);
    assert.ok(mean('oxygen-saturation') <= 91, `SpO2 ${mean('oxygen-saturation')}`);
    assert.ok(mean('respiratory-rate') >= 21, `respiration ${mean('respiratory-rate')}`);
    assert.ok(mean('body-temperature') >= 39.1, `temperature ${mean('body-temperature')}`);
    assert.ok(mean('blood-pressure') <= 100, `systolic ${mean('blood-pressure')}`);
  }
  // The steady ones stay low all along.
  for (const patient of [2, 3]) {
    const scale2 = sim.patients[patient]!.conditions.includes('copd');
    for (let m = 0; m <= 20; m += 5) assert.equal(news2At(readings, patient, START + m * MINUTE + 20_000, scale2).band, 'low');
  }
  assert.equal(sim.progress(0, START), 0);
  assert.equal(sim.progress(0, START + 20 * MINUTE), 1);
  assert.equal(sim.progress(2, START + 20 * MINUTE), 0);
});

test('a deteriorating heart-failure patient puts on about 2.5 kg over the span ("3 days")', () => {
  const sim = new Simulator({ seed: 8, patients: 3, deteriorating: 1, startMs: START, deteriorationMinutes: 20, implausibleFraction: 0, readingsPerSecondPerPatient: 1 });
  assert.deepEqual(sim.patients[0]!.conditions, ['heart-failure']);
  const weights = plausible(run(sim, 21, 30_000))
    .filter((r) => r.patient === 0)
    .map((r) => canonical(r.reading))
    .filter((c) => c.kind === 'body-weight');
  // Weighed each simulated morning: the first check and about three more.
  assert.ok(weights.length >= 4, `${weights.length} weights`);
  const gain = weights[weights.length - 1]!.value - weights[0]!.value;
  assert.ok(gain > HEART_FAILURE_GAIN_KG - 0.8 && gain < HEART_FAILURE_GAIN_KG + 0.8, `gained ${gain} kg`);
  // Enough within 72 h for the heart-failure rule (2 kg in 3 days) to fire.
  assert.ok(gain > 2);
});

test('a share of patients sends US units, which the server converts into plausible canonical values', () => {
  const sim = new Simulator({ seed: 11, patients: 10, deteriorating: 2, startMs: START, usUnitsFraction: 0.2, implausibleFraction: 0, dayMinutes: 2 });
  assert.equal(sim.patients.filter((p) => p.usUnits).length, 2);
  const readings = run(sim, 6, 10_000);
  const us = readings.filter((r) => sim.patients[r.patient]!.usUnits && r.device === 'spot');
  const metric = readings.filter((r) => !sim.patients[r.patient]!.usUnits && r.device === 'spot');
  const units = (rs: SimulatedReading[]): Set<string | undefined> => new Set(rs.map((r) => r.reading.unit));
  assert.deepEqual([...units(us)].filter((u) => u !== undefined && u !== 'mm[Hg]').sort(), ['[degF]', '[lb_av]', 'mg/dL']);
  assert.deepEqual([...units(metric)].filter((u) => u !== undefined && u !== 'mm[Hg]').sort(), ['Cel', 'kg', 'mmol/L']);
  // Glucose from a US meter comes by its LOINC mass-concentration code rather than the kind.
  assert.ok(us.filter((r) => r.reading.unit === 'mg/dL').every((r) => r.reading.code === '2339-0' && r.reading.kind === undefined));
  for (const r of us) {
    const c = canonical(r.reading);
    if (c.kind === 'body-temperature') assert.ok(c.value > 36 && c.value < 37.5, `${r.reading.value} °F → ${c.value} °C`);
    if (c.kind === 'body-weight') assert.ok(c.value > 50 && c.value < 100, `${r.reading.value} lb → ${c.value} kg`);
    if (c.kind === 'blood-glucose') assert.ok(c.value >= 4.9 && c.value <= 9.1, `${r.reading.value} mg/dL → ${c.value} mmol/L`);
  }
});

test('batches are valid compact batches per device; only the deliberately implausible readings are refused', () => {
  const sim = new Simulator({ seed: 99, patients: 8, deteriorating: 2, startMs: START, implausibleFraction: 0.05, ecgEveryMinutes: 1, fallEveryMinutes: 3 });
  const readings = run(sim, 5, 1000);
  const implausible = readings.filter((r) => r.implausible).length;
  assert.ok(implausible / readings.length > 0.035 && implausible / readings.length < 0.065, `${implausible} of ${readings.length} implausible`);
  const kinds = new Set(readings.map((r) => r.reading.kind ?? r.reading.code));
  for (const k of ['heart-rate', 'oxygen-saturation', 'respiratory-rate', 'body-temperature', 'body-weight', 'blood-pressure', 'ecg', 'fall']) assert.ok(kinds.has(k), `no ${k}`);

  const batches = batchesByDevice(readings, 500);
  assert.equal(
    batches.reduce((n, b) => n + b.readings.length, 0),
    readings.length,
  );
  let refused = 0;
  const seen = new Set<string>();
  for (const b of batches) {
    assert.ok(b.readings.length > 0 && b.readings.length <= 500);
    const times = b.readings.map((r) => r.time!);
    assert.deepEqual(times, [...times].sort(), 'time order within a device');
    // Wearable kinds come from the watch, the rest from the home kit.
    const wearable = b.readings.every((r) => ['heart-rate', 'oxygen-saturation', 'ecg', 'fall'].includes(r.kind!));
    assert.equal(wearable, b.device === 'wearable');
    const body: unknown = JSON.parse(JSON.stringify({ readings: b.readings }));
    const parsed = parseCompactBatch(body, new Date(START + 6 * MINUTE));
    refused += parsed.errors.length;
    // No two readings of a device share kind and time: the server would count the second a duplicate.
    for (const r of parsed.readings) {
      const key = `${b.patient}:${b.device}:${r.kind}:${r.time}`;
      assert.ok(!seen.has(key), key);
      seen.add(key);
    }
  }
  assert.equal(refused, implausible);
  assert.ok(batchesByDevice(readings).every((b) => b.readings.length <= MAX_BATCH));
});

test('an ECG strip is 10 s at 250 Hz of PQRST beats at the heart rate', () => {
  for (const hr of [60, 90, 125]) {
    const data = ecgStrip(hr, new Random(hr));
    assert.equal(data.length, ECG_HZ * ECG_SECONDS);
    // R peaks: local maxima above half a millivolt.
    let peaks = 0;
    for (let i = 1; i < data.length - 1; i++) if (data[i]! > 0.6 && data[i]! >= data[i - 1]! && data[i]! > data[i + 1]!) peaks++;
    const expected = (hr * ECG_SECONDS) / 60;
    assert.ok(Math.abs(peaks - expected) <= 1.5, `${hr}/min: ${peaks} R peaks, expected about ${expected}`);
    assert.ok(Math.max(...data) > 0.9 && Math.max(...data) < 1.4);
    assert.ok(Math.min(...data) < -0.1 && Math.min(...data) > -0.6, 'S waves dip below the baseline');
  }
  const sim = new Simulator({ seed: 1, patients: 2, deteriorating: 0, startMs: START, ecgEveryMinutes: 0.5, implausibleFraction: 0 });
  const strips = run(sim, 3).filter((r) => r.reading.kind === 'ecg');
  assert.ok(strips.length >= 4);
  for (const s of strips) {
    assert.deepEqual({ period: s.reading.sampled!.period, unit: s.reading.sampled!.unit, samples: s.reading.sampled!.data.length }, { period: 4, unit: 'mV', samples: 2500 });
    assert.equal(canonical(s.reading).value, 2500);
  }
});
