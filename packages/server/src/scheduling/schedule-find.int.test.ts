import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location, Practitioner, Schedule, Slot } from '@medplum/fhirtypes';
import { isValidId, visitModeConcept } from '@salus/core';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';
import { availability, book, expressions, find, putSchedule } from './scheduling-test-support.js';

/**
 * Schedule/$find end to end: free times across clinicians in different zones, through both
 * daylight-saving changes of 2026, for patients whose own day falls elsewhere.
 */

const FEBRUARY = new Date('2026-02-20T12:00:00Z');
let now = FEBRUARY;
let t: TestApp;
let ana: Caller;

before(async () => {
  t = await startTestApp({ seed: true, now: () => now });
  ana = await t.signIn('ana.souza@example.com');
  await putSchedule(t, 'test-new-york', availability('America/New_York', { weekly: [{ days: ['sun'], start: '00:00', end: '04:00' }, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '10:00' }] }));
  await putSchedule(t, 'test-london', availability('Europe/London', { weekly: [{ days: ['sun', 'mon', 'fri'], start: '00:30', end: '10:00' }] }));
  await putSchedule(t, 'test-kolkata', availability('Asia/Kolkata', { weekly: [{ days: ['sun', 'mon'], start: '09:00', end: '09:30' }] }));
  await putSchedule(t, 'test-oregon', availability('America/Los_Angeles', { weekly: [{ days: ['mon', 'tue'], start: '09:00', end: '17:00' }] }), {
    specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '394579002', display: 'Cardiology' }] }],
  });
});
after(() => t.close());
beforeEach(() => {
  now = FEBRUARY;
});

/** Moves the clock, and signs in again: a session from another date has expired or not begun. */
async function at(date: string): Promise<Caller> {
  now = new Date(date);
  return t.signIn('ana.souza@example.com');
}

const starts = (slots: Slot[]): string[] => slots.map((s) => s.start);
const of = (slots: Slot[], schedule: string): Slot[] => slots.filter((s) => s.schedule.reference === `Schedule/${schedule}`);

describe('time zones and daylight saving, end to end', () => {
  test('the spring-forward night in New York offers nothing in the hour that does not exist', async () => {
    const r = await find(ana, { start: '2026-03-08', end: '2026-03-09', 'visit-type': 'video', practitioner: 'Practitioner/test-new-york' });
    assert.equal(r.status, 200, JSON.stringify(r.bundle));
    // 00:00 to 01:30 EST, then 03:00 and 03:30 EDT: 02:00–03:00 never happened.
    assert.deepEqual(starts(r.slots), [
      '2026-03-08T05:00:00Z', '2026-03-08T05:30:00Z', '2026-03-08T06:00:00Z', '2026-03-08T06:30:00Z',
      '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z',
    ]);
  });

  test('the fall-back night in New York offers each wall time once, none overlapping', async () => {
    const r = await find(await at('2026-10-20T12:00:00Z'), { start: '2026-11-01', end: '2026-11-02', 'visit-type': 'video', practitioner: 'Practitioner/test-new-york' });
    // 00:00 to 01:30 EDT, then 02:00 to 03:30 EST: the repeated hour counts once, as its first occurrence.
    assert.deepEqual(starts(r.slots), [
      '2026-11-01T04:00:00Z', '2026-11-01T04:30:00Z', '2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z',
      '2026-11-01T07:00:00Z', '2026-11-01T07:30:00Z', '2026-11-01T08:00:00Z', '2026-11-01T08:30:00Z',
    ]);
    for (let i = 1; i < r.slots.length; i++) assert.ok(r.slots[i]!.start >= r.slots[i - 1]!.end);
  });

  test('09:00 in New York stays 09:00 across the change, an hour earlier in UTC', async () => {
    const r = await find(ana, { start: '2026-03-06', end: '2026-03-10', 'visit-type': 'video', practitioner: 'Practitioner/test-new-york' });
    const weekdays = r.slots.filter((s) => !s.start.startsWith('2026-03-08'));
    assert.deepEqual(starts(weekdays), ['2026-03-06T14:00:00Z', '2026-03-06T14:30:00Z', '2026-03-09T13:00:00Z', '2026-03-09T13:30:00Z']);
  });

  test('one query spans zones: each day is the clinician’s own, London and Kolkata alike', async () => {
    const r = await find(ana, { start: '2026-03-29', end: '2026-03-30', 'visit-type': 'video' });
    const london = of(r.slots, 'test-london');
    // 01:00 GMT became 02:00 BST that Sunday: 00:30 GMT, then 02:00 BST on.
    assert.deepEqual(starts(london).slice(0, 3), ['2026-03-29T00:30:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:30:00Z']);
    assert.ok(starts(london).includes('2026-03-29T08:00:00Z'), '09:00 BST');
    assert.ok(!starts(london).includes('2026-03-29T09:00:00Z'), '10:00 BST is closing time');
    assert.deepEqual(starts(of(r.slots, 'test-kolkata')), ['2026-03-29T03:30:00Z']);
    assert.deepEqual(starts(r.slots), [...starts(r.slots)].sort(), 'sorted by start across schedules');
  });

  test('a zone without daylight saving keeps its UTC times on both change days', async () => {
    for (const [day, next, expected] of [['2026-03-08', '2026-03-09', '2026-03-08T03:30:00Z'], ['2026-11-01', '2026-11-02', '2026-11-01T03:30:00Z']] as const) {
      const r = await find(await at(`${day.slice(0, 8)}01T00:00:00Z`), { start: day, end: next, 'visit-type': 'video', practitioner: 'Practitioner/test-kolkata' });
      assert.deepEqual(starts(r.slots), [expected]);
    }
  });

  test('a patient in New York sees the Oregon clinician’s Monday from noon, one in Tokyo sees it on Tuesday', async () => {
    const ny = await find(ana, { start: '2026-03-02T00:00:00-05:00', end: '2026-03-03T00:00:00-05:00', 'visit-type': 'video', practitioner: 'Practitioner/test-oregon' });
    assert.equal(ny.slots.length, 16);
    assert.equal(ny.slots[0]!.start, '2026-03-02T17:00:00Z', '09:00 PST is 12:00 EST');
    const tokyo = await find(ana, { start: '2026-03-03T00:00:00+09:00', end: '2026-03-04T00:00:00+09:00', 'visit-type': 'video', practitioner: 'Practitioner/test-oregon' });
    // Tuesday in Tokyo runs from 15:00 UTC Monday: Monday's Oregon hours, and Tuesday's not yet.
    assert.deepEqual(starts(tokyo.slots), starts(ny.slots));
    const schedule = tokyo.included.find((r) => r.resourceType === 'Schedule') as Schedule;
    assert.equal(schedule.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/timezone')?.valueCode, 'America/Los_Angeles');
  });
});

describe('what $find returns', () => {
  test('free Slots that are not stored, then the schedules and who and where they are for', async () => {
    const r = await find(ana, { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'in-person', practitioner: 'Practitioner/demo-dr-okafor' });
    assert.equal(r.bundle.type, 'searchset');
    assert.ok(r.slots.length > 5);
    assert.equal(r.bundle.total, r.slots.length);
    const s = r.slots[0]!;
    assert.ok(isValidId(s.id!) && s.id!.length <= 64);
    assert.equal(s.status, 'free');
    assert.equal(s.schedule.reference, 'Schedule/demo-schedule-dr-okafor');
    assert.deepEqual(s.serviceType, [visitModeConcept('in-person')]);
    // Oregon, 08:30 PST, in person for 20 minutes.
    assert.deepEqual([s.start, s.end], ['2026-03-02T16:30:00Z', '2026-03-02T16:50:00Z']);
    assert.equal((await t.fhir('GET', `Slot/${s.id}`)).status, 404, 'free slots are computed, not stored');
    const kinds = r.included.map((x) => `${x.resourceType}/${x.id}`).sort();
    assert.deepEqual(kinds, ['Location/demo-riverton-clinic-main', 'Practitioner/demo-dr-okafor', 'Schedule/demo-schedule-dr-okafor']);
    assert.equal((r.included.find((x) => x.resourceType === 'Practitioner') as Practitioner).name?.[0]?.family, 'Okafor');
    assert.equal((r.included.find((x) => x.resourceType === 'Location') as Location).name, 'Riverton Community Health Clinic - Alder Street');
  });

  test('the demo clinicians are bookable out of the box, each by video', async () => {
    const r = await find(ana, { start: '2026-03-02', end: '2026-03-07', 'visit-type': 'video', _count: '1000' });
    const schedules = new Set(r.slots.map((s) => s.schedule.reference));
    for (const who of ['dr-okafor', 'nurse-mensah', 'dr-castillo', 'dr-lindqvist', 'dr-raman']) assert.ok(schedules.has(`Schedule/demo-schedule-${who}`), who);
  });

  test('specialty, location and _count narrow the answer; total counts every free time', async () => {
    const bySystem = await find(ana, { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', specialty: 'http://snomed.info/sct|394579002' });
    assert.deepEqual([...new Set(bySystem.slots.map((s) => s.schedule.reference))].sort(), ['Schedule/demo-schedule-dr-lindqvist', 'Schedule/test-oregon']);
    const byCode = await find(ana, { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', specialty: '394579002' });
    assert.equal(byCode.bundle.total, bySystem.bundle.total);
    const hospital = await find(ana, { start: '2026-03-03', end: '2026-03-04', 'visit-type': 'in-person', location: 'Location/demo-harbor-view-outpatients' });
    assert.deepEqual([...new Set(hospital.slots.map((s) => s.schedule.reference))], ['Schedule/demo-schedule-dr-raman']);
    const few = await find(ana, { start: '2026-03-02', end: '2026-03-07', 'visit-type': 'video', _count: '3' });
    assert.equal(few.slots.length, 3);
    assert.ok(few.bundle.total! > 3);
  });

  test('a booked time, and a clinician’s appointment made directly, are no longer offered', async () => {
    const query = { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', practitioner: 'Practitioner/test-oregon' };
    const before = await find(ana, query);
    const booked = await book(ana, before.slots[2]!.id!, 'demo-ana-souza');
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    const direct = await t.fhir('POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: before.slots[5]!.start,
      end: before.slots[5]!.end,
      participant: [{ actor: { reference: 'Patient/demo-jose-martinez' }, status: 'accepted' }, { actor: { reference: 'Practitioner/test-oregon' }, status: 'accepted' }],
    });
    assert.equal(direct.status, 201);
    const later = await find(ana, query);
    assert.deepEqual(starts(later.slots), starts(before.slots).filter((_, i) => i !== 2 && i !== 5));
  });

  test('POST with a Parameters body answers as GET does', async () => {
    const get = await find(ana, { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'phone', practitioner: 'Practitioner/demo-nurse-mensah' });
    const post = await ana.fhir<{ entry?: unknown[] }>('POST', 'Schedule/$find', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'start', valueDate: '2026-03-02' },
        { name: 'end', valueDate: '2026-03-03' },
        { name: 'visit-type', valueCode: 'phone' },
        { name: 'practitioner', valueReference: { reference: 'Practitioner/demo-nurse-mensah' } },
      ],
    });
    assert.equal(post.status, 200);
    assert.equal(post.body.entry?.length, get.bundle.entry?.length);
  });
});

describe('bad searches are refused, naming the parameter', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['no start', { end: '2026-03-03', 'visit-type': 'video' }, 'start'],
    ['no end', { start: '2026-03-02', 'visit-type': 'video' }, 'end'],
    ['no visit type', { start: '2026-03-02', end: '2026-03-03' }, 'visit-type'],
    ['a date that is not one', { start: '2026-02-30', end: '2026-03-03', 'visit-type': 'video' }, 'start'],
    ['a time without its offset', { start: '2026-03-02T09:00:00', end: '2026-03-03', 'visit-type': 'video' }, 'start'],
    ['end before start', { start: '2026-03-03', end: '2026-03-02', 'visit-type': 'video' }, 'end'],
    ['more than 31 days', { start: '2026-03-01', end: '2026-04-02', 'visit-type': 'video' }, 'end'],
    ['an unknown kind of visit', { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'telepathy' }, 'visit-type'],
    ['a practitioner that is not one', { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', practitioner: 'Patient/demo-ana-souza' }, 'practitioner'],
    ['a count that is not a number', { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', _count: 'many' }, '_count'],
    ['an unknown parameter', { start: '2026-03-02', end: '2026-03-03', 'visit-type': 'video', doctor: 'who' }, 'doctor'],
  ];
  for (const [name, query, parameter] of cases) {
    test(name, async () => {
      const res = await ana.fhir('GET', `Schedule/$find?${new URLSearchParams(query)}`);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual(expressions(res.body), [parameter]);
    });
  }

  test('nobody anonymous', async () => {
    assert.equal((await t.anonymous.fhir('GET', 'Schedule/$find?start=2026-03-02&end=2026-03-03&visit-type=video')).status, 401);
  });
});
