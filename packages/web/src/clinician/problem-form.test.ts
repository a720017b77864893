import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { problemCondition } from './problem-form.js';
import { patientQuery } from './patient-search-page.js';

const ctx = { patientId: 'p1', recorder: 'Practitioner/dr', today: '2026-11-23' };

describe('adding a problem', () => {
  test('a common problem is coded in SNOMED CT and keeps the words people read', () => {
    const { condition } = problemCondition({ text: 'high blood pressure', onset: '2024-05-01', note: ' home readings high ' }, ctx);
    assert.deepEqual(condition!.code, { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder, systemic arterial' }], text: 'High blood pressure' });
    assert.equal(condition!.clinicalStatus!.coding![0]!.code, 'active');
    assert.equal(condition!.category![0]!.coding![0]!.code, 'problem-list-item');
    assert.equal(condition!.onsetDateTime, '2024-05-01');
    assert.deepEqual(condition!.recorder, { reference: 'Practitioner/dr' });
    assert.deepEqual(condition!.note, [{ text: 'home readings high' }]);
  });

  test('anything else is kept as typed, without a code', () => {
    const { condition } = problemCondition({ text: 'Recurrent tonsillitis', onset: '', note: '' }, ctx);
    assert.deepEqual(condition!.code, { text: 'Recurrent tonsillitis' });
    assert.equal(condition!.onsetDateTime, undefined);
  });

  test('a missing name or a future onset is refused with the field named', () => {
    assert.deepEqual(problemCondition({ text: '  ', onset: '', note: '' }, ctx).error, { field: 'text', message: 'Name the problem' });
    assert.equal(problemCondition({ text: 'Asthma', onset: '2027-01-01', note: '' }, ctx).error?.field, 'onset');
  });
});

describe('patient search', () => {
  test('only the criteria typed become search parameters', () => {
    assert.deepEqual(patientQuery({ name: ' Souza ', birthdate: '', identifier: '' }), { name: 'Souza' });
    assert.deepEqual(patientQuery({ name: '', birthdate: '1968-04-12', identifier: 'RCH-1' }), { birthdate: '1968-04-12', identifier: 'RCH-1' });
    assert.equal(patientQuery({ name: ' ', birthdate: '', identifier: '' }), undefined);
  });
});
