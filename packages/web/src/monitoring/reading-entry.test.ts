import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { emptyEntry, entryField, entryReading, localInputValue } from './reading-entry.js';

const at = new Date(2026, 3, 20, 8, 30);

describe('entryReading', () => {
  test('blood pressure is sent as both numbers in mmHg, at the time given', () => {
    const out = entryReading('blood-pressure', { ...emptyEntry('blood-pressure', at), systolic: '142', diastolic: '91' });
    assert.deepEqual(out, { reading: { kind: 'blood-pressure', time: at.toISOString(), systolic: 142, diastolic: 91, unit: 'mm[Hg]' } });
  });

  test('the unit chosen goes with the value; a decimal comma is read as a point', () => {
    const out = entryReading('body-temperature', { ...emptyEntry('body-temperature', at), value: '100,4', unit: '[degF]' });
    assert.deepEqual(out, { reading: { kind: 'body-temperature', time: at.toISOString(), value: 100.4, unit: '[degF]' } });
    assert.equal(emptyEntry('blood-glucose', at).unit, 'mmol/L');
  });

  test('what is missing is named by field', () => {
    assert.deepEqual(entryReading('blood-pressure', { ...emptyEntry('blood-pressure', at), systolic: '140' }), { errors: { diastolic: 'Enter the bottom number' } });
    assert.deepEqual(entryReading('heart-rate', { ...emptyEntry('heart-rate', at), value: 'fast', time: '' }), { errors: { time: 'Enter when you took the reading', value: 'Enter a number' } });
  });
});

test('the server’s field names the form field', () => {
  assert.equal(entryField('readings[0].diastolic'), 'diastolic');
  assert.equal(entryField('readings[0].value'), 'value');
  assert.equal(entryField('readings[0].time'), 'time');
  assert.equal(entryField('readings[0].unit'), 'unit');
  assert.equal(entryField('readings[0]'), undefined);
  assert.equal(entryField(undefined), undefined);
});

test('the time field holds local time to the minute', () => {
  assert.equal(localInputValue(at), '2026-04-20T08:30');
});
