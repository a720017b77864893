import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Slot } from '@medplum/fhirtypes';
import { addDays, dayLabel, groupByDay, sameClock, zoneName } from './slots.js';

const slot = (start: string, end: string): Slot => ({ resourceType: 'Slot', id: start, schedule: { reference: 'Schedule/s' }, status: 'free', start, end });

describe('free times by day', () => {
  test('a time is placed on the day it falls on where the reader is, not in UTC', () => {
    // 01:30 UTC on 2 Dec is still 1 Dec in Los Angeles (17:30) but 2 Dec in Berlin.
    const slots = [slot('2026-12-02T01:30:00Z', '2026-12-02T01:50:00Z'), slot('2026-12-02T17:00:00Z', '2026-12-02T17:20:00Z')];
    assert.deepEqual(
      groupByDay(slots, { timeZone: 'America/Los_Angeles' }).map((d) => [d.key, d.slots.length]),
      [['2026-12-01', 1], ['2026-12-02', 1]],
    );
    assert.deepEqual(
      groupByDay(slots, { timeZone: 'Europe/Berlin' }).map((d) => [d.key, d.slots.length]),
      [['2026-12-02', 2]],
    );
  });

  test('days come in order and times within a day too', () => {
    const days = groupByDay([slot('2026-12-03T10:00:00Z', '2026-12-03T10:20:00Z'), slot('2026-12-02T11:00:00Z', 'x'), slot('2026-12-02T09:00:00Z', 'x')], { timeZone: 'UTC' });
    assert.deepEqual(days.map((d) => d.slots.map((s) => s.start.slice(11, 16))), [['09:00', '11:00'], ['10:00']]);
    assert.equal(days[0]!.label, dayLabel('2026-12-02'));
  });

  test('day arithmetic crosses month and year ends', () => {
    assert.equal(addDays('2026-12-29', 7), '2027-01-05');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });

  test('zones are named as people say them, and the name follows daylight saving', () => {
    assert.equal(zoneName('America/Los_Angeles', new Date('2026-12-01T12:00:00Z'), 'en-US'), 'Pacific Standard Time');
    assert.equal(zoneName('America/Los_Angeles', new Date('2026-07-01T12:00:00Z'), 'en-US'), 'Pacific Daylight Time');
  });

  test('two zones with the same clock are not called different', () => {
    const at = new Date('2026-12-01T12:00:00Z');
    assert.equal(sameClock('America/Los_Angeles', 'America/Vancouver', at), true);
    assert.equal(sameClock('America/Los_Angeles', 'America/New_York', at), false);
  });
});
