import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Appointment, Bundle, Slot } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { handle } from '../fhir/interaction.js';
import { createFhirService } from '../fhir/service.js';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';
import type { AppointmentChange } from './events.js';
import { schedulingOperations } from './operations.js';
import { availability, book, bookingRows, cancel, expressions, find, noShow, parameters, putSchedule, reschedule } from './scheduling-test-support.js';

/** Booking, moving, cancelling and missing appointments, and the input each operation refuses. */

const MONDAY = new Date('2026-03-02T12:00:00Z');
const ANA = 'demo-ana-souza';
let now = MONDAY;
let t: TestApp;
let ana: Caller;
let okafor: Caller;

before(async () => {
  t = await startTestApp({ seed: true, now: () => now });
  ana = await t.signIn('ana.souza@example.com');
  okafor = await t.signIn('amara.okafor@riverton-clinic.example');
  // Oregon hours, two hours' notice, four weeks ahead, off on Friday 13 March.
  await putSchedule(t, 'book-oregon', availability('America/Los_Angeles', { minNoticeHours: 2, horizonDays: 28, exceptions: [{ start: '2026-03-13', end: '2026-03-13', reason: 'Training' }] }), {
    actors: ['Practitioner/demo-dr-okafor', 'Location/demo-riverton-clinic-main'],
  });
});
after(() => t.close());
beforeEach(() => {
  now = MONDAY;
});

/** A free time of the test schedule on a day of March 2026. */
async function slotOn(day: number, mode: 'video' | 'in-person' = 'video', index = 0): Promise<Slot> {
  const d = String(day).padStart(2, '0');
  const next = String(day + 1).padStart(2, '0');
  const r = await find(ana, { start: `2026-03-${d}`, end: `2026-03-${next}`, 'visit-type': mode, practitioner: 'Practitioner/demo-dr-okafor', location: 'Location/demo-riverton-clinic-main' });
  const slot = r.slots.filter((s) => s.schedule.reference === 'Schedule/book-oregon')[index];
  assert.ok(slot, `no free ${mode} time on 2026-03-${d}`);
  return slot;
}

const stored = async <T>(path: string): Promise<T> => (await t.fhir<T>('GET', path)).body;

describe('the life of a booking', () => {
  test('booking writes the appointment and its busy slot, and the time leaves $find', async () => {
    const slot = await slotOn(3, 'in-person');
    const res = await book(ana, slot.id!, ANA, { reason: 'Knee pain', comment: 'Wheelchair access please' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const a = res.body;
    assert.match(String(res.headers.location), new RegExp(`/Appointment/${a.id}/_history/1$`));
    assert.equal(a.status, 'booked');
    assert.deepEqual([a.start, a.end, a.minutesDuration], [slot.start, slot.end, 20]);
    assert.deepEqual(a.serviceType, [visitModeConcept('in-person')]);
    assert.deepEqual(a.reasonCode, [{ text: 'Knee pain' }]);
    assert.equal(a.comment, 'Wheelchair access please');
    assert.equal(a.created, MONDAY.toISOString());
    assert.deepEqual(
      a.participant.map((p) => [p.actor?.reference, p.type?.[0]?.coding?.[0]?.code]),
      [[`Patient/${ANA}`, undefined], ['Practitioner/demo-dr-okafor', 'PPRF'], ['Location/demo-riverton-clinic-main', undefined]],
    );
    assert.deepEqual(a.slot, [{ reference: `Slot/${slot.id}` }]);
    const busy = await stored<Slot>(`Slot/${slot.id}`);
    assert.deepEqual([busy.status, busy.start, busy.end, busy.schedule.reference], ['busy', slot.start, slot.end, 'Schedule/book-oregon']);
    const after = await slotOn(3, 'in-person');
    assert.notEqual(after.start, slot.start);
  });

  test('a video visit names no place', async () => {
    const res = await book(ana, (await slotOn(4)).id!, ANA);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.participant.map((p) => p.actor?.reference), [`Patient/${ANA}`, 'Practitioner/demo-dr-okafor']);
  });

  test('cancelling frees the slot, which can then be booked again', async () => {
    const slot = await slotOn(5);
    const booked = await book(ana, slot.id!, ANA);
    const res = await cancel(ana, booked.body.id!, 'Feeling better');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, booked.body.id);
    assert.equal(res.body.status, 'cancelled');
    assert.deepEqual(res.body.cancelationReason, {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'pat', display: 'Patient' }],
      text: 'Feeling better',
    });
    assert.equal((await stored<Slot>(`Slot/${slot.id}`)).status, 'free');
    assert.equal((await slotOn(5)).id, slot.id, 'offered again');
    const again = await book(okafor, slot.id!, ANA);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal((await stored<Slot>(`Slot/${slot.id}`)).status, 'busy');
    const byClinician = await cancel(okafor, again.body.id!);
    assert.equal(byClinician.body.cancelationReason?.coding?.[0]?.code, 'prov');
  });

  test('rescheduling moves the same appointment, freeing the old slot', async () => {
    const first = await slotOn(9);
    const booked = await book(ana, first.id!, ANA);
    const target = await slotOn(10, 'in-person');
    const res = await reschedule(ana, booked.body.id!, target.id!);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, booked.body.id);
    assert.deepEqual([res.body.start, res.body.end, res.body.minutesDuration, res.body.status], [target.start, target.end, 20, 'booked']);
    assert.deepEqual(res.body.serviceType, [visitModeConcept('in-person')]);
    assert.deepEqual(res.body.slot, [{ reference: `Slot/${target.id}` }]);
    assert.ok(res.body.participant.some((p) => p.actor?.reference === 'Location/demo-riverton-clinic-main'), 'in person now, so at the clinic');
    assert.equal((await stored<Slot>(`Slot/${first.id}`)).status, 'free');
    assert.equal((await stored<Slot>(`Slot/${target.id}`)).status, 'busy');
    const history = await t.fhir<Bundle>('GET', `Appointment/${booked.body.id}/_history`);
    assert.equal(history.body.entry?.length, 2);
  });

  test('a move to a time overlapping the appointment’s own is no conflict', async () => {
    const slots = await find(ana, { start: '2026-03-11', end: '2026-03-12', 'visit-type': 'in-person', practitioner: 'Practitioner/demo-dr-okafor' });
    const mine = slots.slots.filter((s) => s.schedule.reference === 'Schedule/book-oregon');
    const booked = await book(ana, mine[0]!.id!, ANA);
    // The video visit at the same start overlaps the in-person one it replaces.
    const video = await find(ana, { start: mine[0]!.start, end: mine[0]!.end, 'visit-type': 'video', practitioner: 'Practitioner/demo-dr-okafor' });
    assert.equal(video.slots.length, 0, 'taken for everyone else');
    const res = await reschedule(ana, booked.body.id!, mine[0]!.id!.replace(/\.i$/, '.v'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.serviceType, [visitModeConcept('video')]);
  });

  test('a clinician records a no-show once the time has come; the slot stays taken', async () => {
    const slot = await slotOn(12);
    const booked = await book(ana, slot.id!, ANA);
    const early = await noShow(okafor, booked.body.id!);
    assert.equal(early.status, 422, 'not before the visit');
    now = new Date(Date.parse(slot.start) + 10 * 60_000);
    const clinician = await t.signIn('amara.okafor@riverton-clinic.example');
    const res = await noShow(clinician, booked.body.id!);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'noshow');
    assert.equal((await stored<Slot>(`Slot/${slot.id}`)).status, 'busy');
  });
});

describe('every change is reported inside its transaction', () => {
  test('the hook sees booked, rescheduled, cancelled and no-show with the appointment before and after', async () => {
    const seen: AppointmentChange[] = [];
    const service = createFhirService(t.repo, schedulingOperations({ repo: t.repo, now: () => now, onAppointmentChange: async (tx, change) => {
      // Inside the transaction: the new version is visible through it.
      const r = await tx.query<{ version_id: number }>('SELECT version_id FROM resources WHERE res_type = $1 AND id = $2', ['Appointment', change.appointment.id]);
      assert.equal(Number(r.rows[0]!.version_id), Number(change.appointment.meta!.versionId));
      seen.push(change);
    } }));
    const call = (path: string, body: unknown) => handle(service, { method: 'POST', path, query: [], body });
    const booked = JSON.parse((await call('Appointment/$book', parameters({ slot: { reference: `Slot/${(await slotOn(16)).id}` }, patient: { reference: `Patient/${ANA}` } }))).body!) as Appointment;
    await call(`Appointment/${booked.id}/$reschedule`, parameters({ slot: { reference: `Slot/${(await slotOn(17)).id}` } }));
    const other = JSON.parse((await call('Appointment/$book', parameters({ slot: { reference: `Slot/${(await slotOn(18)).id}` }, patient: { reference: `Patient/${ANA}` } }))).body!) as Appointment;
    await call(`Appointment/${other.id}/$cancel`, parameters({}));
    // The no-show comes once the time it was moved to has come.
    now = new Date(Date.parse((await stored<Appointment>(`Appointment/${booked.id}`)).start!) + 60_000);
    await call(`Appointment/${booked.id}/$no-show`, parameters({}));
    assert.deepEqual(seen.map((c) => c.kind), ['booked', 'rescheduled', 'booked', 'cancelled', 'no-show']);
    assert.equal(seen[1]!.previous?.start, booked.start);
    assert.notEqual(seen[1]!.appointment.start, booked.start);
    assert.equal(seen[3]!.appointment.status, 'cancelled');
    assert.equal(seen[3]!.previous?.status, 'booked');
  });

  test('when the hook fails, the booking is not made', async () => {
    const service = createFhirService(t.repo, schedulingOperations({ repo: t.repo, now: () => now, onAppointmentChange: async () => {
      throw new Error('reminder queue down');
    } }));
    const slot = await slotOn(19);
    const before = await bookingRows(t);
    await assert.rejects(handle(service, { method: 'POST', path: 'Appointment/$book', query: [], body: parameters({ slot: { reference: `Slot/${slot.id}` }, patient: { reference: `Patient/${ANA}` } }) }), /reminder queue down/);
    assert.deepEqual(await bookingRows(t), before);
    assert.equal((await slotOn(19)).id, slot.id, 'still free');
  });
});

describe('bad input is refused, naming the parameter, and writes nothing', () => {
  const slotId = (): Promise<string> => slotOn(20).then((s) => s.id!);
  const cases: [string, () => Promise<unknown>, number, string][] = [
    ['no slot', async () => parameters({ patient: { reference: `Patient/${ANA}` } }), 400, 'slot'],
    ['no patient', async () => parameters({ slot: { reference: `Slot/${await slotId()}` } }), 400, 'patient'],
    ['a slot that is not a Slot', async () => parameters({ slot: { reference: `Patient/${ANA}` }, patient: { reference: `Patient/${ANA}` } }), 400, 'slot'],
    ['a patient that is not a Patient', async () => parameters({ slot: { reference: `Slot/${await slotId()}` }, patient: { reference: 'Practitioner/demo-dr-okafor' } }), 400, 'patient'],
    ['a slot given as text', async () => ({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: '::' }, { name: 'patient', valueReference: { reference: `Patient/${ANA}` } }] }), 400, 'slot'],
    ['a slot with no value', async () => ({ resourceType: 'Parameters', parameter: [{ name: 'slot' }, { name: 'patient', valueReference: { reference: `Patient/${ANA}` } }] }), 400, 'slot'],
    ['a slot given twice', async () => ({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueReference: { reference: `Slot/${await slotId()}` } }, { name: 'slot', valueReference: { reference: `Slot/${await slotId()}` } }, { name: 'patient', valueReference: { reference: `Patient/${ANA}` } }] }), 400, 'slot'],
    ['an unknown parameter', async () => parameters({ slot: { reference: `Slot/${await slotId()}` }, patient: { reference: `Patient/${ANA}` }, priority: 'high' }), 400, 'priority'],
    ['a body that is not Parameters', async () => ({ resourceType: 'Appointment', status: 'booked', participant: [] }), 400, 'resourceType'],
    ['a slot id $find never made', async () => parameters({ slot: { reference: 'Slot/not-a-slot' }, patient: { reference: `Patient/${ANA}` } }), 404, 'slot'],
    ['a slot of a schedule that does not exist', async () => parameters({ slot: { reference: 'Slot/nobody.202603201700.v' }, patient: { reference: `Patient/${ANA}` } }), 404, 'slot'],
    ['a time in the past', async () => parameters({ slot: { reference: 'Slot/book-oregon.202602271700.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a time inside the notice period', async () => parameters({ slot: { reference: 'Slot/book-oregon.202603021330.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a time beyond the horizon', async () => parameters({ slot: { reference: 'Slot/book-oregon.202604061600.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a time during time off', async () => parameters({ slot: { reference: 'Slot/book-oregon.202603131700.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a time off the grid', async () => parameters({ slot: { reference: 'Slot/book-oregon.202603201710.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a time outside the hours', async () => parameters({ slot: { reference: 'Slot/book-oregon.202603210900.v' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
    ['a kind of visit not offered', async () => parameters({ slot: { reference: 'Slot/book-oregon.202603201700.p' }, patient: { reference: `Patient/${ANA}` } }), 422, 'slot'],
  ];
  for (const [name, body, status, parameter] of cases) {
    test(`$book: ${name}`, async () => {
      const payload = await body();
      const before = await bookingRows(t);
      const res = await ana.fhir('POST', 'Appointment/$book', payload);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.deepEqual(expressions(res.body), [parameter]);
      assert.deepEqual(await bookingRows(t), before);
    });
  }

  test('$book: a patient who does not exist, or whom the clinician cannot see', async () => {
    const before = await bookingRows(t);
    for (const patient of ['nobody', 'demo-ana-souza']) {
      const caller = patient === 'nobody' ? okafor : await t.signIn('henrik.lindqvist@harborview.example');
      const res = await book(caller, await slotId(), patient);
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.deepEqual(expressions(res.body), ['patient']);
    }
    assert.deepEqual(await bookingRows(t), before);
  });

  test('$book: a slot of a schedule deleted since $find', async () => {
    await putSchedule(t, 'book-gone', availability('America/Los_Angeles'));
    const [slot] = (await find(ana, { start: '2026-03-20', end: '2026-03-21', 'visit-type': 'video', practitioner: 'Practitioner/book-gone' })).slots;
    assert.equal((await t.fhir('DELETE', 'Schedule/book-gone')).status, 204);
    const before = await bookingRows(t);
    const res = await book(ana, slot!.id!, ANA);
    assert.equal(res.status, 404);
    assert.deepEqual(expressions(res.body), ['slot']);
    assert.deepEqual(await bookingRows(t), before);
  });

  test('$book: a schedule closed since $find', async () => {
    const schedule = await putSchedule(t, 'book-closed', availability('America/Los_Angeles'));
    const [slot] = (await find(ana, { start: '2026-03-20', end: '2026-03-21', 'visit-type': 'video', practitioner: 'Practitioner/book-closed' })).slots;
    await t.fhir('PUT', 'Schedule/book-closed', { ...schedule, active: false });
    const res = await book(ana, slot!.id!, ANA);
    assert.equal(res.status, 422);
    assert.deepEqual(expressions(res.body), ['slot']);
  });

  test('$book only answers POST', async () => {
    assert.equal((await ana.fhir('GET', 'Appointment/$book')).status, 405);
  });

  test('a cancelled appointment cannot be cancelled or moved again; a past one cannot be moved', async () => {
    const booked = await book(ana, (await slotOn(23)).id!, ANA);
    const target = (await slotOn(24)).id!;
    await cancel(ana, booked.body.id!);
    const before = await bookingRows(t);
    assert.equal((await cancel(ana, booked.body.id!)).status, 422);
    assert.equal((await reschedule(ana, booked.body.id!, target)).status, 422);
    assert.deepEqual(await bookingRows(t), before);
    const other = await book(ana, (await slotOn(25)).id!, ANA);
    now = new Date(Date.parse(other.body.start!) + 60_000);
    const later = await t.signIn('ana.souza@example.com');
    assert.equal((await reschedule(later, other.body.id!, target)).status, 422);
    assert.equal((await cancel(later, other.body.id!)).status, 422);
  });

  test('a move to the time it already has, or to nowhere, is refused', async () => {
    const slot = await slotOn(26);
    const booked = await book(ana, slot.id!, ANA);
    const same = await reschedule(ana, booked.body.id!, slot.id!);
    assert.equal(same.status, 422);
    assert.deepEqual(expressions(same.body), ['slot']);
    const nowhere = await ana.fhir('POST', `Appointment/${booked.body.id}/$reschedule`, parameters({}));
    assert.equal(nowhere.status, 400);
    assert.deepEqual(expressions(nowhere.body), ['slot']);
    assert.equal((await reschedule(ana, 'no-such-appointment', slot.id!)).status, 404);
    assert.equal((await cancel(ana, 'no-such-appointment')).status, 404);
  });
});
