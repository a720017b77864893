import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Appointment, Bundle, CapabilityStatement, Encounter, OperationOutcome } from '@medplum/fhirtypes';
import { CALL_OUTCOME_EXTENSION } from '@salus/core';
import type { AuditInput } from '../audit/types.js';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';
import { book, CASTILLO, MALIK, OKAFOR } from './visit-test-support.js';

let t: TestApp;
let malik: Caller;
let castillo: Caller;
let okafor: Caller;
const audit: AuditInput[] = [];

before(async () => {
  t = await startTestApp({ seed: true, onAudit: (e) => audit.push(e) });
  [malik, castillo, okafor] = await Promise.all([t.signIn(MALIK.email), t.signIn(CASTILLO.email), t.signIn(OKAFOR.email)]);
});
after(() => t?.close());

const video = (o: Partial<Parameters<typeof book>[1]> = {}) => book(t, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'video', ...o });
const phone = (o: Partial<Parameters<typeof book>[1]> = {}) => book(t, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'phone', ...o });
/** An operation's answer: the Encounter, or the OperationOutcome saying why not. */
type Answer = Encounter & Pick<OperationOutcome, 'issue'>;
const op = (who: Caller, id: string, name: string, body?: unknown) => who.fhir<Answer>('POST', `Appointment/${id}/$${name}`, body);
const message = (r: { body: Pick<OperationOutcome, 'issue'> }) => r.body.issue?.[0]?.diagnostics ?? '';
const appointment = async (id: string) => (await t.fhir<Appointment>('GET', `Appointment/${id}`)).body;
const encounters = async (id: string) => ((await t.fhir<Bundle<Encounter>>('GET', `Encounter?appointment=Appointment/${id}`)).body.entry ?? []).map((e) => e.resource!);

describe('a video visit', () => {
  test('the patient checks in once however often they arrive; the clinician admits and finishes', async () => {
    const id = await video();
    const first = await op(malik, id, 'check-in');
    assert.equal(first.status, 200, message(first));
    const e = first.body;
    assert.equal(e.resourceType, 'Encounter');
    assert.equal(e.status, 'arrived');
    assert.equal(e.class.code, 'VR');
    assert.equal(e.subject?.reference, `Patient/${MALIK.patient}`);
    assert.deepEqual(e.appointment, [{ reference: `Appointment/${id}` }]);
    assert.equal(e.participant?.[0]?.individual?.reference, CASTILLO.practitioner);
    assert.ok(e.period?.start);
    assert.equal((await appointment(id)).status, 'arrived');

    const again = await op(malik, id, 'check-in');
    assert.equal(again.status, 200);
    assert.equal(again.body.id, e.id);
    assert.equal((await encounters(id)).length, 1);

    const admitted = await op(castillo, id, 'admit');
    assert.equal(admitted.status, 200, message(admitted));
    assert.equal(admitted.body.id, e.id);
    assert.equal(admitted.body.status, 'in-progress');

    const finished = await op(castillo, id, 'finish');
    assert.equal(finished.status, 200, message(finished));
    assert.equal(finished.body.status, 'finished');
    assert.ok(finished.body.period?.end);
    assert.equal((await appointment(id)).status, 'fulfilled');

    const twice = await op(castillo, id, 'finish');
    assert.equal(twice.status, 409);
  });

  test('the operations are in the ledger with the Encounter they touched, and in the CapabilityStatement', async () => {
    const id = await video();
    const before = audit.length;
    const r = await op(malik, id, 'check-in');
    const entry = audit.slice(before).find((a) => a.subtype === 'operation' && a.query?.startsWith(`Appointment/${id}/$check-in`));
    assert.ok(entry, 'check-in recorded');
    assert.equal(entry.outcome, 'success');
    assert.ok(entry.entities.includes(`Encounter/${r.body.id}`));
    assert.deepEqual(entry.patientIds, [MALIK.patient]);

    const meta = await t.anonymous.fhir<CapabilityStatement>('GET', 'metadata');
    const ops = meta.body.rest?.[0]?.resource?.find((x) => x.type === 'Appointment')?.operation?.map((o) => o.name);
    for (const name of ['check-in', 'admit', 'finish']) assert.ok(ops?.includes(name), `${name} in ${ops}`);
  });

  test('check-in is refused with the reason for visits of other days, other kinds and other states', async () => {
    const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString();
    const later = await op(malik, await video({ start: tomorrow }), 'check-in');
    assert.equal(later.status, 409);
    assert.match(message(later), /on its day only/);

    const inPerson = await op(malik, await book(t, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'in-person' }), 'check-in');
    assert.equal(inPerson.status, 422);
    assert.match(message(inPerson), /in-person visit/);

    const cancelled = await op(malik, await video({ status: 'cancelled' }), 'check-in');
    assert.equal(cancelled.status, 409);
    assert.match(message(cancelled), /cancelled/);

    const viaGet = await malik.fhir('GET', `Appointment/${await video()}/$check-in`);
    assert.equal(viaGet.status, 400);
  });

  test('only the patient checks in, and only the visit\'s own clinician admits and finishes', async () => {
    const id = await video();
    const ana = await t.signIn('ana.souza@example.com');
    assert.equal((await op(ana, id, 'check-in')).status, 404, 'another patient does not even see the visit');
    const byClinician = await op(castillo, id, 'check-in');
    assert.equal(byClinician.status, 403);
    assert.match(message(byClinician), /Only the patient/);

    const early = await op(castillo, id, 'admit');
    assert.equal(early.status, 409);
    assert.match(message(early), /not checked in/);

    assert.equal((await op(malik, id, 'check-in')).status, 200);
    const colleague = await op(okafor, id, 'admit');
    assert.equal(colleague.status, 403, 'a clinician of the same clinic is not this visit\'s clinician');
    assert.equal((await op(malik, id, 'admit')).status, 403);
    assert.equal((await op(malik, id, 'finish')).status, 403);

    const withOutcome = await op(castillo, id, 'finish', { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'reached' }] });
    assert.equal(withOutcome.status, 400);
    assert.match(message(withOutcome), /phone visits only/);
  });

  test('a caregiver checks in for their ward', async () => {
    const id = await book(t, { patient: 'demo-zoe-brennan', practitioner: OKAFOR.practitioner, mode: 'video' });
    const mother = await t.signIn('siobhan.brennan@example.com');
    const r = await op(mother, id, 'check-in');
    assert.equal(r.status, 200, message(r));
    assert.equal(r.body.subject?.reference, 'Patient/demo-zoe-brennan');
  });
});

describe('a phone visit', () => {
  test('the clinician starts it without a check-in and records that nobody answered: a no-show', async () => {
    const id = await phone();
    const started = await op(castillo, id, 'admit');
    assert.equal(started.status, 200, message(started));
    assert.equal(started.body.status, 'in-progress');
    assert.equal(started.body.class.code, 'VR');

    const missing = await op(castillo, id, 'finish');
    assert.equal(missing.status, 400);
    assert.equal(missing.body.issue?.[0]?.expression?.[0], 'outcome');
    const wrong = await op(castillo, id, 'finish', { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'busy' }] });
    assert.equal(wrong.status, 400);
    assert.match(message(wrong), /reached, no-answer, wrong-number, callback-requested/);

    const done = await op(castillo, id, 'finish', { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'no-answer' }] });
    assert.equal(done.status, 200, message(done));
    assert.equal(done.body.status, 'finished');
    assert.equal(done.body.extension?.find((x) => x.url === CALL_OUTCOME_EXTENSION)?.valueCoding?.code, 'no-answer');
    assert.equal((await appointment(id)).status, 'noshow');
  });

  test('a call that reached the patient fulfils the appointment (outcome given in the query)', async () => {
    const id = await phone();
    assert.equal((await op(castillo, id, 'admit')).status, 200);
    const done = await castillo.fhir<Encounter>('POST', `Appointment/${id}/$finish?outcome=reached`);
    assert.equal(done.status, 200);
    assert.equal((await appointment(id)).status, 'fulfilled');
    assert.equal((await encounters(id)).length, 1);
  });
});
