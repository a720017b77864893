import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Availability } from './availability.js';
import { freeSlots, slotProblem, type Period } from './free-slots.js';

const NOW = '2026-01-01T00:00:00Z';

function availability(patch: Partial<Availability> = {}): Availability {
  return {
    timeZone: 'America/New_York',
    weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '12:00' }],
    exceptions: [],
    visitTypes: [
      { mode: 'video', minutes: 30, bufferMinutes: 0 },
      { mode: 'in-person', minutes: 20, bufferMinutes: 5 },
    ],
    minNoticeHours: 0,
    horizonDays: 365,
    ...patch,
  };
}

const local = (slots: Period[], zone: string): string[] => slots.map((s) => DateTime.fromISO(s.start, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ'));
const starts = (slots: Period[]): string[] => slots.map((s) => s.start);

/** In order, no two alike, each clear of the one before by at least the buffer. */
function assertOrderedAndApart(slots: Period[], bufferMinutes: number): void {
  for (let i = 1; i < slots.length; i++) {
    const gap = Date.parse(slots[i]!.start) - Date.parse(slots[i - 1]!.end);
    assert.ok(gap >= bufferMinutes * 60_000, `${slots[i - 1]!.start}–${slots[i - 1]!.end} then ${slots[i]!.start}`);
  }
}

test('visits follow one another with their buffer from the start of the hours', () => {
  const slots = freeSlots({ availability: availability(), busy: [], mode: 'in-person', from: '2026-03-02T00:00:00-05:00', to: '2026-03-03T00:00:00-05:00', now: NOW });
  assert.deepEqual(local(slots, 'America/New_York').map((s) => s.slice(11, 16)), ['09:00', '09:25', '09:50', '10:15', '10:40', '11:05', '11:30']);
  assert.deepEqual(slots[0], { start: '2026-03-02T14:00:00Z', end: '2026-03-02T14:20:00Z' });
  assertOrderedAndApart(slots, 5);
});

test('a 09:00 start stays 09:00 local across the spring change, so it moves an hour in UTC', () => {
  const slots = freeSlots({ availability: availability(), busy: [], mode: 'video', from: '2026-03-06T00:00:00Z', to: '2026-03-10T00:00:00Z', now: NOW });
  const firsts = slots.filter((s) => local([s], 'America/New_York')[0]!.includes(' 09:00 '));
  assert.deepEqual(starts(firsts), ['2026-03-06T14:00:00Z', '2026-03-09T13:00:00Z']);
});

test('on the spring-forward day the hour that does not exist offers nothing', () => {
  // 2026-03-08 02:00 EST becomes 03:00 EDT in New York.
  const a = availability({ weekly: [{ days: ['sun'], start: '01:00', end: '04:00' }] });
  const slots = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-03-08T00:00:00-05:00', to: '2026-03-09T00:00:00-04:00', now: NOW });
  assert.deepEqual(local(slots, 'America/New_York'), ['2026-03-08 01:00 EST', '2026-03-08 01:30 EST', '2026-03-08 03:00 EDT', '2026-03-08 03:30 EDT']);
  assertOrderedAndApart(slots, 0);
});

test('a visit reaching into the skipped hour does not collide with the first one after it', () => {
  const a = availability({ weekly: [{ days: ['sun'], start: '01:00', end: '06:00' }], visitTypes: [{ mode: 'phone', minutes: 50, bufferMinutes: 0 }] });
  const slots = freeSlots({ availability: a, busy: [], mode: 'phone', from: '2026-03-08T00:00:00-05:00', to: '2026-03-09T00:00:00-04:00', now: NOW });
  assertOrderedAndApart(slots, 0);
  // 01:50 EST runs to 03:40 EDT, so 03:30 EDT is dropped; the grid goes on at 04:20 EDT.
  assert.deepEqual(local(slots, 'America/New_York'), ['2026-03-08 01:00 EST', '2026-03-08 01:50 EST', '2026-03-08 04:20 EDT', '2026-03-08 05:10 EDT']);
});

test('on the fall-back day the repeated hour gives no duplicate or overlapping visits', () => {
  // 2026-11-01 02:00 EDT becomes 01:00 EST: 01:00–02:00 happens twice.
  const a = availability({ weekly: [{ days: ['sun'], start: '00:00', end: '03:00' }] });
  for (const mode of ['video', 'in-person'] as const) {
    const slots = freeSlots({ availability: a, busy: [], mode, from: '2026-11-01T00:00:00-04:00', to: '2026-11-02T00:00:00-05:00', now: NOW });
    const wall = local(slots, 'America/New_York').map((s) => s.slice(11, 16));
    assert.equal(new Set(wall).size, wall.length, wall.join());
    assert.equal(new Set(starts(slots)).size, slots.length);
    assertOrderedAndApart(slots, mode === 'video' ? 0 : 5);
    assert.ok(slots.every((s) => Date.parse(s.end) <= Date.parse('2026-11-01T08:00:00Z')), 'nothing after 03:00 EST');
  }
  const video = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-11-01T00:00:00-04:00', to: '2026-11-02T00:00:00-05:00', now: NOW });
  // A repeated wall time is its first occurrence, whenever the question is asked.
  assert.deepEqual(local(video, 'America/New_York').map((s) => s.slice(11)), ['00:00 EDT', '00:30 EDT', '01:00 EDT', '01:30 EDT', '02:00 EST', '02:30 EST']);
});

test('Europe/London keeps 09:00 through its own change, a different Sunday from America’s', () => {
  const a = availability({ timeZone: 'Europe/London', weekly: [{ days: ['fri', 'sun', 'mon'], start: '00:30', end: '10:00' }] });
  const slots = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-03-27T00:00:00Z', to: '2026-03-31T00:00:00Z', now: NOW });
  const at9 = slots.filter((s) => local([s], 'Europe/London')[0]!.includes(' 09:00 '));
  assert.deepEqual(starts(at9), ['2026-03-27T09:00:00Z', '2026-03-29T08:00:00Z', '2026-03-30T08:00:00Z']);
  // 01:00 GMT on 2026-03-29 becomes 02:00 BST: 01:00 and 01:30 do not exist that day.
  const sunday = local(slots, 'Europe/London').filter((s) => s.startsWith('2026-03-29')).map((s) => s.slice(11, 16));
  assert.deepEqual(sunday.slice(0, 3), ['00:30', '02:00', '02:30']);
  assertOrderedAndApart(slots, 0);
});

test('a zone without daylight saving keeps the same UTC times all year', () => {
  const a = availability({ timeZone: 'Asia/Kolkata', weekly: [{ days: ['sun', 'mon'], start: '09:00', end: '09:30' }] });
  for (const day of ['2026-03-08', '2026-03-09', '2026-11-01', '2026-11-02']) {
    const slots = freeSlots({ availability: a, busy: [], mode: 'video', from: `${day}T00:00:00+05:30`, to: `${day}T23:59:00+05:30`, now: NOW });
    assert.deepEqual(starts(slots), [`${day}T03:30:00Z`]);
  }
});

test('a patient’s day in another zone holds the clinician’s times that fall in it', () => {
  const a = availability({ timeZone: 'America/Los_Angeles', weekly: [{ days: ['mon', 'tue'], start: '09:00', end: '17:00' }] });
  // New York, Monday 1 June: the Oregon clinician's Monday, 09:00 PDT being 12:00 EDT.
  const ny = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-06-01T00:00:00-04:00', to: '2026-06-02T00:00:00-04:00', now: NOW });
  assert.equal(ny.length, 16);
  assert.equal(local(ny, 'America/New_York')[0], '2026-06-01 12:00 EDT');
  assert.equal(local(ny, 'America/New_York').at(-1), '2026-06-01 19:30 EDT');
  // Tokyo, Tuesday 2 June: still Monday in Oregon, so Monday's times, and none of Tuesday's.
  const tokyo = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-06-02T00:00:00+09:00', to: '2026-06-03T00:00:00+09:00', now: NOW });
  assert.deepEqual(local(tokyo, 'America/Los_Angeles').map((s) => s.slice(0, 10)), Array(16).fill('2026-06-01'));
  assert.equal(local(tokyo, 'Asia/Tokyo')[0], '2026-06-02 01:00 GMT+9');
});

test('busy periods remove the visits they touch, buffer included, and shift nothing', () => {
  const from = '2026-03-02T14:00:00Z';
  const to = '2026-03-02T17:00:00Z';
  // 09:30–09:50 local is taken.
  const busy = [{ start: '2026-03-02T14:30:00Z', end: '2026-03-02T14:50:00Z' }];
  const inPerson = local(freeSlots({ availability: availability(), busy, mode: 'in-person', from, to, now: NOW }), 'America/New_York').map((s) => s.slice(11, 16));
  // 09:25 overlaps it, 09:50 would start inside its 5-minute buffer; 10:15 stays where it was.
  assert.deepEqual(inPerson, ['09:00', '10:15', '10:40', '11:05', '11:30']);
  const video = local(freeSlots({ availability: availability(), busy, mode: 'video', from, to, now: NOW }), 'America/New_York').map((s) => s.slice(11, 16));
  assert.deepEqual(video, ['09:00', '10:00', '10:30', '11:00', '11:30']);
});

test('notice, horizon and time off hold visits back', () => {
  const a = availability({
    minNoticeHours: 24,
    horizonDays: 3,
    exceptions: [
      { start: '2026-03-04', end: '2026-03-04', reason: 'Training' },
      { start: '2026-03-05T15:00:00Z', end: '2026-03-05T16:00:00Z' },
    ],
  });
  // Monday 2 March 10:15 local; the horizon ends Thursday 10:15 local.
  const now = '2026-03-02T15:15:00Z';
  const slots = freeSlots({ availability: a, busy: [], mode: 'video', from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', now });
  const days = local(slots, 'America/New_York').map((s) => s.slice(0, 16));
  assert.deepEqual(days, ['2026-03-03 10:30', '2026-03-03 11:00', '2026-03-03 11:30', '2026-03-05 09:00', '2026-03-05 09:30']);
});

test('a query with nothing bookable, or a kind of visit not offered, is empty', () => {
  assert.deepEqual(freeSlots({ availability: availability(), busy: [], mode: 'phone', from: '2026-03-02T00:00:00Z', to: '2026-03-09T00:00:00Z', now: NOW }), []);
  assert.deepEqual(freeSlots({ availability: availability(), busy: [], mode: 'video', from: '2026-03-07T00:00:00Z', to: '2026-03-07T00:00:00Z', now: NOW }), []);
  assert.deepEqual(freeSlots({ availability: availability({ weekly: [] }), busy: [], mode: 'video', from: '2026-03-02T00:00:00Z', to: '2026-03-09T00:00:00Z', now: NOW }), []);
});

test('slotProblem says why a time cannot be booked, and nothing for a time on offer', () => {
  const a = availability({ minNoticeHours: 2, horizonDays: 30, exceptions: [{ start: '2026-03-04', end: '2026-03-04' }] });
  const now = '2026-03-02T14:00:00Z';
  const problem = (start: string, mode: 'video' | 'phone' = 'video') => slotProblem({ availability: a, start, mode, now })?.reason;
  assert.equal(problem('2026-03-03T14:00:00Z'), undefined);
  assert.equal(problem('2026-03-03T14:00:00Z', 'phone'), 'visit-type');
  assert.equal(problem('2026-03-02T13:00:00Z'), 'past');
  assert.equal(problem('2026-03-02T15:00:00Z'), 'notice');
  assert.equal(problem('2026-04-02T14:00:00Z'), 'horizon');
  assert.equal(problem('2026-03-03T14:10:00Z'), 'closed');
  assert.equal(problem('2026-03-03T18:00:00Z'), 'closed');
  assert.equal(problem('2026-03-07T14:00:00Z'), 'closed');
  assert.equal(problem('2026-03-04T14:00:00Z'), 'exception');
});

test('every time freeSlots offers passes slotProblem, through both changes of 2026', () => {
  const a = availability({ weekly: [{ days: ['sun', 'mon'], start: '00:00', end: '04:00' }, { days: ['sun'], start: '08:00', end: '11:00' }] });
  for (const [from, to] of [['2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'], ['2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z']] as const) {
    for (const mode of ['video', 'in-person'] as const) {
      const slots = freeSlots({ availability: a, busy: [], mode, from, to, now: NOW });
      assert.ok(slots.length > 10);
      for (const s of slots) assert.equal(slotProblem({ availability: a, start: s.start, mode, now: NOW }), undefined, s.start);
    }
  }
});
