import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameDay } from './visits.js';

test("a visit's day is read in the offset its start was written with", () => {
  const now = new Date('2026-05-04T23:30:00Z');
  assert.equal(sameDay('2026-05-04T09:00:00Z', now), true);
  assert.equal(sameDay('2026-05-05T00:10:00Z', now), false);
  // 23:30 UTC is already the 5th in Berlin, and still the 4th in Oregon.
  assert.equal(sameDay('2026-05-05T09:00:00+02:00', now), true);
  assert.equal(sameDay('2026-05-04T09:00:00+02:00', now), false);
  assert.equal(sameDay('2026-05-04T16:00:00-07:00', now), true);
});

test('a start that is not an instant is no day at all', () => {
  assert.equal(sameDay('2026-05-04', new Date('2026-05-04T10:00:00Z')), false);
  assert.equal(sameDay('soon', new Date()), false);
});
