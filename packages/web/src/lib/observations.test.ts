import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { byCategory, flagLabel, flagOf, formatRange, groupResults, worstFlag } from './observations.js';

const GB = { locale: 'en-GB', timeZone: 'UTC' };
const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const category = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }];

function hba1c(id: string, when: string, value: number, interpretation?: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: category('laboratory'),
    code: { coding: [{ system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'HbA1c' },
    effectiveDateTime: when,
    valueQuantity: { value, unit: '%', system: UCUM, code: '%' },
    referenceRange: [{ low: { value: 4 }, high: { value: 5.6 }, text: '4.0-5.6 %' }],
    ...(interpretation ? { interpretation: [{ coding: [{ system: V3, code: interpretation }] }] } : {}),
  };
}

function bloodPressure(id: string, when: string, systolic: number, diastolic: number): Observation {
  const part = (code: string, display: string, value: number) => ({
    code: { coding: [{ system: LOINC, code, display }] },
    valueQuantity: { value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
  });
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: category('vital-signs'),
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }] },
    effectiveDateTime: when,
    component: [part('8480-6', 'Systolic blood pressure', systolic), part('8462-4', 'Diastolic blood pressure', diastolic)],
  };
}

describe('grouping observations into tests', () => {
  test('values of one test come together, oldest first, with the latest at hand', () => {
    const tests = groupResults([hba1c('b', '2025-06-01T09:00:00Z', 7.4, 'H'), hba1c('a', '2025-02-01T09:00:00Z', 8.9, 'H'), hba1c('c', '2026-10-24T09:00:00Z', 5.4, 'N')], GB);
    assert.equal(tests.length, 1);
    const [t] = tests;
    assert.equal(t!.key, '4548-4');
    assert.equal(t!.label, 'HbA1c');
    assert.deepEqual(t!.readings.map((r) => r.display), ['8.9%', '7.4%', '5.4%']);
    assert.equal(t!.latest.display, '5.4%');
    assert.equal(t!.latest.flag, 'normal');
    assert.deepEqual(t!.series[0]!.range, { low: 4, high: 5.6, text: '4.0-5.6 %' });
    assert.equal(t!.series[0]!.unit, '%');
  });

  test('a blood-pressure panel is one test with systolic and diastolic series', () => {
    const [t] = groupResults([bloodPressure('bp1', '2025-02-01T09:35:00Z', 146, 92), bloodPressure('bp2', '2026-10-24T09:35:00Z', 128, 78)], GB);
    assert.equal(t!.label, 'Blood pressure');
    assert.deepEqual(t!.series.map((s) => [s.key, s.label, s.unit]), [['8480-6', 'Systolic', 'mmHg'], ['8462-4', 'Diastolic', 'mmHg']]);
    assert.equal(t!.latest.display, '128/78 mmHg');
    assert.equal(t!.readings[0]!.values['8480-6']!.value, 146);
    assert.equal(t!.readings[0]!.values['8462-4']!.value, 92);
  });

  test('systolic and diastolic recorded as separate observations still make one reading', () => {
    const single = (id: string, code: string, value: number): Observation => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      category: category('vital-signs'),
      code: { coding: [{ system: LOINC, code }] },
      effectiveDateTime: '2025-03-01T08:00:00Z',
      valueQuantity: { value, system: UCUM, code: 'mm[Hg]' },
    });
    const [t] = groupResults([single('d', '8462-4', 81), single('s', '8480-6', 131)], GB);
    assert.equal(t!.key, '85354-9');
    assert.equal(t!.label, 'Blood pressure');
    assert.equal(t!.readings.length, 1);
    assert.equal(t!.latest.display, '131/81 mmHg');
    assert.deepEqual(t!.latest.observationIds.sort(), ['d', 's']);
  });

  test('tests without LOINC are keyed by their own coding, or by name', () => {
    const local: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:lab', code: 'X1' }], text: 'Local test' }, effectiveDateTime: '2025-01-01', valueString: 'Positive' };
    const named: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Mood diary' }, effectiveDateTime: '2025-01-02', valueString: 'Good' };
    const keys = groupResults([local, named], GB).map((t) => t.key).sort();
    assert.deepEqual(keys, ['text:mood diary', 'urn:lab|X1']);
  });

  test('values entered in error and observations without a time are left out', () => {
    const wrong = { ...hba1c('x', '2025-01-01T00:00:00Z', 12), status: 'entered-in-error' as const };
    const timeless: Observation = { ...hba1c('y', '2025-01-01T00:00:00Z', 6), effectiveDateTime: undefined };
    assert.deepEqual(groupResults([wrong, timeless], GB), []);
  });

  test('vital signs come before lab results, and each category is named for patients', () => {
    const groups = byCategory(groupResults([hba1c('a', '2025-02-01T09:00:00Z', 8.9), bloodPressure('bp', '2025-02-01T09:35:00Z', 146, 92)], GB));
    assert.deepEqual(groups.map((g) => [g.label, g.tests.map((t) => t.label)]), [['Vital signs', ['Blood pressure']], ['Lab results', ['HbA1c']]]);
  });

  test('coded and free-text values are shown in words', () => {
    const coded: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Smoking' }, effectiveDateTime: '2025-01-01', valueCodeableConcept: { text: 'Never smoked' } };
    const [t] = groupResults([coded], GB);
    assert.equal(t!.latest.display, 'Never smoked');
    assert.equal(t!.latest.values[t!.series[0]!.key]!.value, undefined);
  });
});

describe('flags', () => {
  test('the interpretation given wins over the range', () => {
    assert.equal(flagOf([{ coding: [{ system: V3, code: 'HH' }] }], 5, { low: 4, high: 6 }), 'critically-high');
    assert.equal(flagOf([{ coding: [{ system: V3, code: 'LL' }] }], undefined, undefined), 'critically-low');
    assert.equal(flagOf([{ coding: [{ system: V3, code: 'A' }] }], undefined, undefined), 'abnormal');
    assert.equal(flagOf([{ coding: [{ system: V3, code: 'AA' }] }], undefined, undefined), 'critically-abnormal');
    assert.equal(flagOf([{ coding: [{ system: V3, code: 'N' }] }], 9, { high: 6 }), 'normal');
  });

  test('without an interpretation the value is compared with the reference range', () => {
    assert.equal(flagOf(undefined, 7, { low: 4, high: 5.6 }), 'high');
    assert.equal(flagOf(undefined, 3.9, { low: 4, high: 5.6 }), 'low');
    assert.equal(flagOf(undefined, 5.6, { low: 4, high: 5.6 }), 'normal');
    assert.equal(flagOf(undefined, 50, { low: 60 }), 'low');
    assert.equal(flagOf(undefined, 50, { text: 'depends on age' }), undefined);
    assert.equal(flagOf(undefined, undefined, { low: 1 }), undefined);
  });

  test('a reading takes the worst flag of its values', () => {
    const bp = bloodPressure('bp', '2025-02-01T09:35:00Z', 146, 92);
    bp.component![0]!.referenceRange = [{ high: { value: 120 } }];
    bp.component![1]!.interpretation = [{ coding: [{ system: V3, code: 'HH' }] }];
    const [t] = groupResults([bp], GB);
    assert.equal(t!.latest.values['8480-6']!.flag, 'high');
    assert.equal(t!.latest.flag, 'critically-high');
    assert.equal(worstFlag([undefined, 'normal', 'low']), 'low');
    assert.equal(worstFlag([]), undefined);
  });

  test('flags have words, so colour is never the only signal', () => {
    assert.equal(flagLabel('critically-high'), 'Critical high');
    assert.equal(flagLabel('low'), 'Low');
  });

  test('ranges read as their own text or as bounds', () => {
    assert.equal(formatRange({ low: 4, high: 5.6, text: '4.0-5.6 %' }, '%', GB), '4.0-5.6 %');
    assert.equal(formatRange({ low: 136, high: 145 }, 'mmol/L', GB), '136–145 mmol/L');
    assert.equal(formatRange({ low: 4, high: 5.6 }, '%', GB), '4–5.6%');
    assert.equal(formatRange({ high: 5 }, 'mg/L', GB), 'below 5 mg/L');
    assert.equal(formatRange({ low: 60 }, '', GB), 'above 60');
    assert.equal(formatRange(undefined), '');
  });
});
