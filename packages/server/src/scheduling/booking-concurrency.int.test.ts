import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Appointment, Bundle, Slot } from '@medplum/fhirtypes';
import { seedDemoAccounts } from '../auth/demo-accounts.js';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';
import { availability, book, find, outcomeOf, putSchedule, reschedule } from './scheduling-test-support.js';

/**
 * Many people wanting one time at once: exactly one gets it, everyone else a 409, and the
 * database holds one booking and one busy Slot. Runs on both engines; on PostgreSQL the
 * transactions really do run side by side.
 */

const PATIENTS = 30;
const now = new Date('2026-03-02T12:00:00Z');
let t: TestApp;
const patients: { id: string; caller: Caller }[] = [];

before(async () => {
  t = await startTestApp({ now: () => now });
  await putSchedule(t, 'race', availability('America/Los_Angeles', { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }] }));
  const ids = Array.from({ length: PATIENTS }, (_, i) => `race-patient-${i}`);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: ids.map((id) => ({ resource: { resourceType: 'Patient', id, name: [{ family: id }] }, request: { method: 'PUT', url: `Patient/${id}` } })),
  };
  assert.equal((await t.fhir('POST', '', bundle)).status, 200);
  const people = ids.map((id) => ({ role: 'patient' as const, name: id, email: `${id}@example.org`, resource: `Patient/${id}`, note: 'racer' }));
  await seedDemoAccounts(t.db, t.repo, people);
  for (const p of people) patients.push({ id: p.resource.slice('Patient/'.length), caller: await t.signIn(p.email) });
});
after(() => t.close());

async function freeSlots(day: string, next: string): Promise<Slot[]> {
  const r = await find(t.system, { start: day, end: next, 'visit-type': 'video', practitioner: 'Practitioner/race', _count: '1000' });
  assert.equal(r.status, 200);
  return r.slots;
}

const total = async (query: string): Promise<number> => (await t.fhir<Bundle>('GET', `${query}&_total=accurate`)).body.total!;

test(`${PATIENTS} patients booking one slot at once: one 201, the rest 409, one booking stored`, async () => {
  const [slot] = await freeSlots('2026-03-03', '2026-03-04');
  const results = await Promise.all(patients.map((p) => book(p.caller, slot!.id!, p.id)));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array<number>(PATIENTS - 1).fill(409)], JSON.stringify(results.find((r) => r.status !== 201 && r.status !== 409)?.body));
  for (const r of results.filter((x) => x.status === 409)) {
    assert.match(outcomeOf(r.body).issue[0]!.diagnostics!, /just taken/);
  }
  const winner = results.find((r) => r.status === 201)!.body;
  assert.equal(await total(`Appointment?slot=Slot/${slot!.id}`), 1);
  assert.equal(await total('Slot?schedule=Schedule/race&status=busy'), 1);
  const rows = await t.db.query<{ n: string }>("SELECT count(*) AS n FROM resources WHERE res_type = 'Appointment' AND NOT deleted");
  assert.equal(Number(rows.rows[0]!.n), 1, 'no loser left an appointment behind');
  assert.equal((await t.fhir<Slot>('GET', `Slot/${slot!.id}`)).body.status, 'busy');
  assert.equal((await t.fhir<Appointment>('GET', `Appointment/${winner.id}`)).body.status, 'booked');
});

test('overlapping times of different kinds, booked at once: still only one', async () => {
  // Video and in-person slots at the same start have different ids; only the schedule's lock keeps them apart.
  const [video] = await freeSlots('2026-03-05', '2026-03-06');
  const inPerson = video!.id!.replace(/\.v$/, '.i');
  const results = await Promise.all(patients.map((p, i) => book(p.caller, i % 2 === 0 ? video!.id! : inPerson, p.id)));
  assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array<number>(PATIENTS - 1).fill(409)]);
  assert.equal(await total('Slot?schedule=Schedule/race&status=busy&start=ge2026-03-05&start=lt2026-03-06'), 1);
  assert.equal(await total('Appointment?date=ge2026-03-05&date=lt2026-03-06'), 1);
});

test('a reschedule and a booking racing for one slot: one wins, the other gets 409, nothing is lost', async () => {
  const slots = await freeSlots('2026-03-04', '2026-03-05');
  const rounds = 6;
  let moved = 0;
  for (let i = 0; i < rounds; i++) {
    const [mover, booker] = [patients[2 * i]!, patients[2 * i + 1]!];
    const own = slots[2 * i]!;
    const wanted = slots[2 * i + 1]!;
    const booked = await book(mover.caller, own.id!, mover.id);
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    const [move, take] = await Promise.all([reschedule(mover.caller, booked.body.id!, wanted.id!), book(booker.caller, wanted.id!, booker.id)]);
    assert.deepEqual([move.status, take.status].sort(), move.status === 200 ? [200, 409] : [201, 409], `${move.status} ${take.status}`);
    assert.equal(await total(`Appointment?slot=Slot/${wanted.id}&status=booked`), 1);
    const appointment = (await t.fhir<Appointment>('GET', `Appointment/${booked.body.id}`)).body;
    const ownSlot = (await t.fhir<Slot>('GET', `Slot/${own.id}`)).body;
    if (move.status === 200) {
      moved++;
      assert.deepEqual([appointment.start, ownSlot.status], [wanted.start, 'free']);
    } else {
      assert.deepEqual([appointment.start, ownSlot.status], [own.start, 'busy']);
    }
    assert.equal((await t.fhir<Slot>('GET', `Slot/${wanted.id}`)).body.status, 'busy');
  }
  // Each round leaves two booked appointments: the mover's and, if it won, the booker's.
  assert.equal(await total('Appointment?status=booked&date=ge2026-03-04&date=lt2026-03-05'), rounds * 2 - moved);
});
