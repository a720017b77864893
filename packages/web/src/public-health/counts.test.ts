import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { countParams, countProblems, countSearch, lastMonths, rangeParams } from './counts.js';

describe('month ranges', () => {
  test('twelve calendar months up to this one, each from its first day to the next month', () => {
    const months = lastMonths(new Date(2026, 2, 15, 12), 12, 'en-GB');
    assert.equal(months.length, 12);
    assert.deepEqual(months[0], { month: '2025-04', before: '2025-05', label: 'Apr 2025' });
    assert.deepEqual(months[8], { month: '2025-12', before: '2026-01', label: 'Dec 2025' });
    assert.deepEqual(months[11], { month: '2026-03', before: '2026-04', label: 'Mar 2026' });
  });

  test('the month is the one on the reader\'s calendar, even on its first and last moments', () => {
    assert.equal(lastMonths(new Date(2026, 0, 1, 0, 0, 0), 1)[0]!.month, '2026-01');
    assert.equal(lastMonths(new Date(2026, 11, 31, 23, 59, 59), 1)[0]!.before, '2027-01');
  });

  test('a range becomes ge and lt on the date parameter, each bound optional', () => {
    assert.deepEqual(rangeParams('date', '2026-01', '2026-02'), [['date', 'ge2026-01'], ['date', 'lt2026-02']]);
    assert.deepEqual(rangeParams('authoredon', undefined, '2026-02-01'), [['authoredon', 'lt2026-02-01']]);
  });
});

describe('count any type', () => {
  test('the code and dates go into the parameters that type has for them', () => {
    assert.deepEqual(countParams({ type: 'Observation', code: ' http://loinc.org|4548-4 ', from: '2026-01-01', before: '' }), [
      ['code', 'http://loinc.org|4548-4'],
      ['date', 'ge2026-01-01'],
    ]);
    assert.deepEqual(countParams({ type: 'Immunization', code: '207', from: '', before: '' }), [['vaccine-code', '207']]);
    assert.deepEqual(countParams({ type: 'Patient', code: '', from: '2020-01-01', before: '' }), []);
  });

  test('only the number of matches is asked for', () => {
    assert.equal(countSearch([['code', 'http://snomed.info/sct|44054006']]).toString(), 'code=http%3A%2F%2Fsnomed.info%2Fsct%7C44054006&_summary=count');
    assert.equal(countSearch([]).toString(), '_summary=count');
  });

  test('refuses what the server could not count', () => {
    assert.deepEqual(countProblems({ type: '', code: '', from: '', before: '' }), { type: 'Choose what to count' });
    assert.deepEqual(countProblems({ type: 'Patient', code: '123', from: '', before: '' }), { code: 'Patients have no code to count by' });
    assert.ok(countProblems({ type: 'Condition', code: 'type 2 diabetes', from: '', before: '' }).code);
    assert.deepEqual(countProblems({ type: 'Condition', code: '44054006', from: '2026-02-01', before: '2026-01-01' }), { before: 'The end must be after the start' });
    assert.deepEqual(countProblems({ type: 'Condition', code: 'http://snomed.info/sct|44054006', from: '2026-01-01', before: '2026-02-01' }), {});
  });
});
