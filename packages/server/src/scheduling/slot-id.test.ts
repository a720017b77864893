import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidId, VISIT_MODE_LIST } from '@salus/core';
import { MAX_SCHEDULE_ID_LENGTH, parseSlotId, slotId } from './slot-id.js';

test('a slot id names its schedule, start and kind of visit, and reads back', () => {
  assert.equal(slotId({ scheduleId: 'demo-schedule-dr-okafor', start: '2026-03-09T17:00:00Z', mode: 'video' }), 'demo-schedule-dr-okafor.202603091700.v');
  for (const mode of VISIT_MODE_LIST) {
    const key = { scheduleId: 'a.b-c', start: '2026-11-01T06:30:00Z', mode };
    assert.deepEqual(parseSlotId(slotId(key)), key);
  }
});

test('the longest schedule id still gives a valid FHIR id', () => {
  const id = slotId({ scheduleId: 'x'.repeat(MAX_SCHEDULE_ID_LENGTH), start: '2026-03-09T17:00:00.000Z', mode: 'in-person' });
  assert.equal(id.length, 64);
  assert.ok(isValidId(id));
});

test('ids $find never makes are not slots', () => {
  for (const id of ['', 'nope', 'sched.202603091700', 'sched.202603091700.x', 'sched.202602301700.v', 'sched.202603092460.v', '.202603091700.v', `${'x'.repeat(60)}.202603091700.v`]) {
    assert.equal(parseSlotId(id), undefined, id);
  }
  assert.throws(() => slotId({ scheduleId: 's', start: '2026-03-09T17:00:30Z', mode: 'video' }));
});
