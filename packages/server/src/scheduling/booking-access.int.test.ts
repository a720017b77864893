import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { DEMO_EMAIL, startTestApp, type Caller, type TestApp } from '../test-support.js';
import { availability, book, cancel, find, noShow, outcomeOf, putSchedule, reschedule } from './scheduling-test-support.js';

/**
 * Who may use each scheduling operation, against the demo world's people: patients for
 * themselves, a caregiver for her child, clinicians for patients in their care; nobody else.
 */

const ANA = 'demo-ana-souza';
const JOSE = 'demo-jose-martinez';
const ZOE = 'demo-zoe-brennan';

const PEOPLE = DEMO_EMAIL;
type Who = keyof typeof PEOPLE | 'system' | 'anonymous';

let now = new Date('2026-03-02T12:00:00Z');
let t: TestApp;
let free: Slot[] = [];

before(async () => {
  t = await startTestApp({ seed: true, now: () => now });
  await putSchedule(t, 'access-oregon', availability('America/Los_Angeles', { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }] }), {
    actors: ['Practitioner/demo-dr-okafor'],
  });
  const r = await find(t.system, { start: '2026-03-03', end: '2026-03-07', 'visit-type': 'video', practitioner: 'Practitioner/demo-dr-okafor', _count: '1000' });
  free = r.slots.filter((s) => s.schedule.reference === 'Schedule/access-oregon');
});
after(() => t.close());

/** Signed in as of the clock's present time (a session belongs to the time it was opened). */
async function as(who: Who): Promise<Caller> {
  if (who === 'system') return t.system;
  if (who === 'anonymous') return t.anonymous;
  return t.signIn(PEOPLE[who]);
}

/** A free time no test has used yet. */
const nextSlot = (): string => free.shift()!.id!;

/** A booking of `patient`'s, made by the system client. */
async function appointmentOf(patient: string): Promise<Appointment> {
  const res = await book(t.system, nextSlot(), patient);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe('Schedule/$find', () => {
  for (const [who, status] of [['ana', 200], ['siobhan', 200], ['okafor', 200], ['chen', 200], ['whitfield', 200], ['system', 200], ['anonymous', 401]] as [Who, number][]) {
    test(`${who} → ${status}`, async () => {
      const res = await (await as(who)).fhir('GET', 'Schedule/$find?start=2026-03-03&end=2026-03-04&visit-type=video');
      assert.equal(res.status, status);
    });
  }
});

describe('Appointment/$book', () => {
  const rows: [Who, string, number][] = [
    ['ana', ANA, 201],
    ['ana', JOSE, 403],
    ['siobhan', ZOE, 201],
    ['siobhan', ANA, 403],
    ['okafor', ANA, 201],
    ['lindqvist', ANA, 404],
    ['chen', ANA, 403],
    ['whitfield', ANA, 403],
    ['wojcik', ANA, 403],
    ['system', ANA, 201],
    ['anonymous', ANA, 401],
  ];
  for (const [who, patient, status] of rows) {
    test(`${who} for ${patient} → ${status}`, async () => {
      const res = await book(await as(who), nextSlot(), patient);
      assert.equal(res.status, status, JSON.stringify(res.body));
      if (status >= 400) outcomeOf(res.body);
    });
  }

  test('a refusal is in the audit ledger, in the patient’s access log', async () => {
    const jose = await as('jose');
    assert.equal((await book(jose, nextSlot(), ANA)).status, 403);
    const [latest] = (await t.ledger.list({ patientId: ANA, count: 1 })).entries;
    assert.equal(latest?.outcome, '4', 'denied');
    assert.match(latest?.outcomeDesc ?? '', /booked and changed by the patient/);
    assert.equal(latest?.agent[0]?.who?.reference, `Patient/${JOSE}`);
  });
});

describe('Appointment/[id]/$cancel and $reschedule', () => {
  const rows: [Who, string, number][] = [
    ['ana', ANA, 200],
    ['jose', ANA, 404],
    ['siobhan', ZOE, 200],
    ['siobhan', ANA, 404],
    ['okafor', ANA, 200],
    ['lindqvist', ANA, 404],
    ['chen', ANA, 403],
    ['whitfield', ANA, 403],
    ['wojcik', ANA, 403],
    ['system', ANA, 200],
    ['anonymous', ANA, 401],
  ];
  for (const [who, patient, status] of rows) {
    test(`$cancel: ${who} on ${patient}'s → ${status}`, async () => {
      const a = await appointmentOf(patient);
      const res = await cancel(await as(who), a.id!);
      assert.equal(res.status, status, JSON.stringify(res.body));
      const after = (await t.fhir<Appointment>('GET', `Appointment/${a.id}`)).body;
      assert.equal(after.status, status === 200 ? 'cancelled' : 'booked');
    });
    test(`$reschedule: ${who} on ${patient}'s → ${status}`, async () => {
      const a = await appointmentOf(patient);
      const res = await reschedule(await as(who), a.id!, nextSlot());
      assert.equal(res.status, status, JSON.stringify(res.body));
      const after = (await t.fhir<Appointment>('GET', `Appointment/${a.id}`)).body;
      assert.equal(after.start === a.start, status !== 200);
    });
  }
});

describe('Appointment/[id]/$no-show', () => {
  const rows: [Who, number][] = [
    ['ana', 403],
    ['jose', 404],
    ['okafor', 200],
    ['lindqvist', 404],
    ['chen', 403],
    ['whitfield', 403],
    ['system', 200],
    ['anonymous', 401],
  ];
  const missed = new Map<Who, Appointment>();
  before(async () => {
    for (const [who] of rows) missed.set(who, await appointmentOf(ANA));
    // Every one of those visits has begun.
    now = new Date(Date.parse(missed.get('anonymous')!.start!) + 60_000);
  });
  for (const [who, status] of rows) {
    test(`${who} on ${ANA}'s → ${status}`, async () => {
      const a = missed.get(who)!;
      const res = await noShow(await as(who), a.id!);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal((await t.fhir<Appointment>('GET', `Appointment/${a.id}`)).body.status, status === 200 ? 'noshow' : 'booked');
    });
  }
});
