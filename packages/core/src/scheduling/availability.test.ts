import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schedule } from '@medplum/fhirtypes';
import { parseFhirJson, stringifyFhirJson } from '../json.js';
import { availabilityIssues, type Availability } from './availability.js';
import { AVAILABILITY_URL, readAvailability, scheduleAvailabilityIssues, TIMEZONE_URL, withAvailability } from './availability-extension.js';

const GOOD: Availability = {
  timeZone: 'America/Los_Angeles',
  weekly: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '12:00' },
    { days: ['mon', 'wed'], start: '13:00', end: '17:30' },
  ],
  exceptions: [
    { start: '2026-12-24', end: '2026-12-26', reason: 'Holidays' },
    { start: '2026-07-01T12:00:00-07:00', end: '2026-07-01T15:00:00-07:00' },
  ],
  visitTypes: [
    { mode: 'video', minutes: 20, bufferMinutes: 5 },
    { mode: 'in-person', minutes: 30, bufferMinutes: 10 },
  ],
  minNoticeHours: 1.5,
  horizonDays: 60,
};

const paths = (a: unknown): string[] => availabilityIssues(a).map((i) => i.path);

test('a sound availability has no issues', () => {
  assert.deepEqual(availabilityIssues(GOOD), []);
  assert.deepEqual(availabilityIssues({ ...GOOD, weekly: [], exceptions: [] }), []);
});

test('every problem is reported, each naming its field', () => {
  const bad = {
    timeZone: 'Mars/Olympus_Mons',
    weekly: [
      { days: ['mon'], start: '09:00', end: '12:00' },
      { days: [], start: '9am', end: '25:00' },
      { days: ['tue', 'tue'], start: '10:00', end: '09:00' },
      { days: ['mon', 'fri'], start: '11:00', end: '13:00' },
    ],
    exceptions: [{ start: '2026-02-30', end: '2026-03-01T10:00:00' }, { start: '2026-03-05', end: '2026-03-04', reason: 7 }],
    visitTypes: [
      { mode: 'video', minutes: 2, bufferMinutes: 5.5 },
      { mode: 'video', minutes: 30, bufferMinutes: 0 },
      { mode: 'carrier-pigeon', minutes: 30, bufferMinutes: 0 },
    ],
    minNoticeHours: -1,
    horizonDays: 1000,
  };
  assert.deepEqual(paths(bad), [
    'timeZone',
    'weekly[1].days',
    'weekly[1].start',
    'weekly[1].end',
    'weekly[2].days',
    'weekly[2].end',
    'weekly[3].start',
    'exceptions[0].start',
    'exceptions[0].end',
    'exceptions[1].end',
    'exceptions[1].reason',
    'visitTypes[0].minutes',
    'visitTypes[0].bufferMinutes',
    'visitTypes[1].mode',
    'visitTypes[2].mode',
    'minNoticeHours',
    'horizonDays',
  ]);
  const overlap = availabilityIssues(bad).find((i) => i.path === 'weekly[3].start');
  assert.match(overlap!.message, /Overlaps weekly\[0\] on mon/);
});

test('missing parts and wrong shapes are issues, not exceptions', () => {
  assert.deepEqual(paths(null), ['']);
  assert.deepEqual(paths({}), ['timeZone', 'weekly', 'exceptions', 'visitTypes', 'minNoticeHours', 'horizonDays']);
  assert.deepEqual(paths({ ...GOOD, visitTypes: [] }), ['visitTypes']);
  assert.deepEqual(paths({ ...GOOD, weekly: ['x'], exceptions: [null], visitTypes: [1] }), ['weekly[0]', 'exceptions[0]', 'visitTypes[0]']);
});

test('an availability survives the round trip through its Schedule', () => {
  const now = new Date('2026-05-01T08:00:00Z');
  const schedule = withAvailability({ resourceType: 'Schedule', active: true, actor: [{ reference: 'Practitioner/p1' }] }, GOOD, now);
  const stored = parseFhirJson<Schedule>(stringifyFhirJson(schedule));
  assert.deepEqual(readAvailability(stored), GOOD);
  assert.deepEqual(stored.extension?.find((e) => e.url === TIMEZONE_URL), { url: TIMEZONE_URL, valueCode: 'America/Los_Angeles' });
  assert.deepEqual(stored.planningHorizon, { start: '2026-05-01T08:00:00.000Z', end: '2026-06-30T08:00:00.000Z' });
  const weekly = stored.extension!.find((e) => e.url === AVAILABILITY_URL)!.extension![0]!;
  assert.deepEqual(weekly.extension!.at(-1), { url: 'end', valueTime: '12:00:00' });
});

test('saving again replaces the availability and keeps other extensions', () => {
  const other = { url: 'https://example.org/colour', valueString: 'teal' };
  const once = withAvailability({ resourceType: 'Schedule', actor: [{ reference: 'Practitioner/p1' }], extension: [other] }, GOOD);
  const twice = withAvailability(once, { ...GOOD, timeZone: 'Europe/London', weekly: [] });
  assert.equal(twice.extension!.length, 3);
  assert.deepEqual(twice.extension![0], other);
  assert.equal(readAvailability(twice)?.timeZone, 'Europe/London');
  assert.deepEqual(readAvailability(twice)?.weekly, []);
});

test('a blank reason is left out, since FHIR strings may not be empty', () => {
  const s = withAvailability({ resourceType: 'Schedule', actor: [] }, { ...GOOD, exceptions: [{ start: '2026-12-24', end: '2026-12-24', reason: '  ' }] });
  assert.deepEqual(readAvailability(s)?.exceptions, [{ start: '2026-12-24', end: '2026-12-24' }]);
});

test('a Schedule without availability has none; a malformed one reads as none but reports why', () => {
  assert.equal(readAvailability({ resourceType: 'Schedule', actor: [] }), undefined);
  assert.deepEqual(scheduleAvailabilityIssues({}), []);
  const broken: Schedule = {
    resourceType: 'Schedule',
    actor: [],
    extension: [
      {
        url: AVAILABILITY_URL,
        extension: [
          { url: 'weekly', extension: [{ url: 'day', valueCode: 'mon' }, { url: 'start', valueTime: '09:00:00' }, { url: 'end', valueTime: '08:00:00' }] },
          { url: 'visitType', extension: [{ url: 'mode', valueCode: 'video' }, { url: 'minutes', valuePositiveInt: 20 }, { url: 'bufferMinutes', valueUnsignedInt: 0 }] },
          { url: 'minNoticeHours', valueDecimal: 0 },
          { url: 'horizonDays', valuePositiveInt: 30 },
        ],
      },
    ],
  };
  assert.equal(readAvailability(broken), undefined);
  assert.deepEqual(scheduleAvailabilityIssues(broken).map((i) => i.path), ['timeZone', 'weekly[0].end']);
});
