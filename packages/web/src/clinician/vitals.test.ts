import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { parseVitals, vitalsBundle } from './vitals.js';

const ctx = { patientId: 'p1', performer: 'Practitioner/dr', when: '2026-11-23T09:30:00Z' };

describe('vital signs entry', () => {
  test('typed values become numbers; decimal commas are read as points', () => {
    const { values, errors } = parseVitals({ systolic: '128', diastolic: '82', bodyTemperature: '37,2', heartRate: '' });
    assert.deepEqual(errors, {});
    assert.deepEqual(values, { systolic: 128, diastolic: 82, bodyTemperature: 37.2 });
  });

  test('implausible values are refused with the field and its range named', () => {
    const { errors } = parseVitals({ bodyTemperature: '98.6', bodyWeight: 'heavy', oxygenSaturation: '104' });
    assert.match(errors.bodyTemperature!, /Temperature of 98.6 °C is outside 30–45 °C/);
    assert.equal(errors.bodyWeight, 'Weight must be a number');
    assert.match(errors.oxygenSaturation!, /outside 50–100 %/);
  });

  test('blood pressure needs both numbers, diastolic below systolic', () => {
    assert.equal(parseVitals({ systolic: '120' }).errors.diastolic, 'Enter the diastolic pressure too');
    assert.equal(parseVitals({ systolic: '80', diastolic: '90' }).errors.diastolic, 'Diastolic must be lower than systolic');
  });

  test('an empty form says what is missing', () => {
    assert.equal(parseVitals({}).errors.form, 'Enter at least one measurement');
  });

  test('the set is one transaction of R4 vital-signs Observations, with the BMI worked out', () => {
    const bundle = vitalsBundle({ systolic: 142, diastolic: 91, heartRate: 76, bodyWeight: 80, bodyHeight: 175 }, ctx);
    assert.equal(bundle.type, 'transaction');
    const obs = bundle.entry!.map((e) => e.resource as Observation);
    assert.deepEqual(obs.map((o) => o.code.coding![0]!.code), ['85354-9', '8867-4', '29463-7', '8302-2', '39156-5']);
    const bp = obs[0]!;
    assert.deepEqual(bp.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity!.value, c.valueQuantity!.code]), [
      ['8480-6', 142, 'mm[Hg]'],
      ['8462-4', 91, 'mm[Hg]'],
    ]);
    assert.equal(obs[4]!.valueQuantity!.value, 26.1);
    for (const o of obs) {
      assert.equal(o.subject!.reference, 'Patient/p1');
      assert.equal(o.effectiveDateTime, ctx.when);
      assert.equal(o.performer![0]!.reference, 'Practitioner/dr');
      assert.equal(o.category![0]!.coding![0]!.code, 'vital-signs');
    }
    assert.deepEqual(bundle.entry!.map((e) => e.request), obs.map(() => ({ method: 'POST', url: 'Observation' })));
  });
});
