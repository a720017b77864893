import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Communication } from '@medplum/fhirtypes';
import { SIGNAL_CLOSE, SIGNAL_LIMITS, type ServerSignal, type WaitingRoomSignal } from '@salus/core';
import type { AuditInput } from '../audit/types.js';
import { startTestApp, type TestApp } from '../test-support.js';
import { book, CASTILLO, connect, JOSE, LINDQVIST, MALIK, OKAFOR, sessionCookie, visitPath } from './visit-test-support.js';

let t: TestApp;
let base: string;
const audit: AuditInput[] = [];
const cookies: Record<string, string> = {};
const TURN_SECRET = 'shared-with-coturn';

before(async () => {
  t = await startTestApp({
    seed: true,
    onAudit: (e) => audit.push(e),
    env: { ...process.env, SALUS_STUN_URLS: 'stun:stun.salus.test:3478', SALUS_TURN_URLS: 'turn:turn.salus.test:3478?transport=udp,turns:turn.salus.test:5349', SALUS_TURN_SECRET: TURN_SECRET, SALUS_TURN_TTL: '600' },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  for (const who of [MALIK, CASTILLO, OKAFOR, JOSE, LINDQVIST, { email: 'ana.souza@example.com' }]) cookies[who.email] = await sessionCookie(t, who.email);
});
after(() => t?.close());

const cookie = (who: { email: string }): string => cookies[who.email]!;
const video = () => book(t, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'video' });
const op = async (who: { email: string }, id: string, name: string) => {
  const r = await t.app.inject({ method: 'POST', url: `/fhir/R4/Appointment/${id}/$${name}`, headers: { cookie: cookie(who) } });
  assert.equal(r.statusCode, 200, r.body);
};
const is =
  <T extends ServerSignal['type'] | WaitingRoomSignal['type']>(type: T, extra: (m: never) => boolean = () => true) =>
  (m: ServerSignal | WaitingRoomSignal) =>
    m.type === type && extra(m as never);
const refused = async (path: string, c?: string, origin?: string): Promise<number> => {
  try {
    const client = await connect(base, path, c, origin);
    client.socket.close();
    return 101;
  } catch (e) {
    return (e as { status: number }).status;
  }
};
const entries = (subtype: string, since: number) => audit.slice(since).filter((a) => a.subtype === subtype);

describe('signaling for a video visit', () => {
  test('patient and clinician exchange descriptions, candidates, chat and hang-up, live in the waiting room', async () => {
    const id = await video();
    await op(MALIK, id, 'check-in');
    const patient = await connect(base, visitPath(id), cookie(MALIK));
    const welcome = await patient.next(is('welcome'));
    assert.deepEqual(welcome, { type: 'welcome', role: 'patient', admitted: false, encounter: welcome.type === 'welcome' ? welcome.encounter : '' });

    // The clinician opens the waiting room after the patient came in: the roll call finds them.
    const desk = await connect(base, '/telehealth/waiting-room', cookie(CASTILLO));
    await desk.next(is('visit', (m: WaitingRoomSignal) => m.appointment === id && m.event === 'patient-joined'));
    const other = await video();
    await op(MALIK, other, 'check-in');
    await desk.next(is('visit', (m: WaitingRoomSignal) => m.appointment === other && m.event === 'checked-in'));

    await op(CASTILLO, id, 'admit');
    await patient.next(is('admitted'));
    await desk.next(is('visit', (m: WaitingRoomSignal) => m.appointment === id && m.event === 'admitted'));

    const clinician = await connect(base, visitPath(id), cookie(CASTILLO));
    assert.deepEqual(await clinician.next(is('welcome')), { type: 'welcome', role: 'practitioner', admitted: true, encounter: welcome.type === 'welcome' ? welcome.encounter : '' });
    await patient.next(is('presence', (m: { role: string; state: string }) => m.role === 'practitioner' && m.state === 'joined'));
    await clinician.next(is('presence', (m: { role: string; state: string }) => m.role === 'patient' && m.state === 'here'));

    // A description larger than a NOTIFY payload goes through the table, still ahead of the candidate sent after it.
    const sdp = `v=0\r\n${'a=x-padding:0123456789abcdef0123456789abcdef\r\n'.repeat(400)}`;
    assert.ok(sdp.length > 8000);
    clinician.send({ type: 'description', description: { type: 'offer', sdp } });
    clinician.send({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    const offer = await patient.next(is('description'));
    assert.equal(offer.type === 'description' && offer.description.sdp, sdp);
    assert.equal(offer.type === 'description' && offer.from, 'practitioner');
    const candidate = await patient.next(is('candidate'));
    assert.equal(patient.received.indexOf(candidate), patient.received.indexOf(offer) + 1);

    patient.send({ type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
    assert.equal(((await clinician.next(is('description'))) as { from: string }).from, 'patient');

    patient.send({ type: 'chat', text: '  Can you hear me?  ' });
    const mine = await patient.next(is('chat'));
    const theirs = await clinician.next(is('chat'));
    assert.deepEqual(mine, theirs);
    assert.equal(theirs.type === 'chat' && theirs.text, 'Can you hear me?');
    const kept = await t.fhir<Communication>('GET', `Communication/${theirs.type === 'chat' ? theirs.id : ''}`);
    assert.equal(kept.body.encounter?.reference, welcome.type === 'welcome' ? welcome.encounter : '');
    assert.equal(kept.body.sender?.reference, `Patient/${MALIK.patient}`);
    assert.deepEqual(kept.body.recipient, [{ reference: CASTILLO.practitioner }]);
    assert.equal(kept.body.payload?.[0]?.contentString, 'Can you hear me?');

    clinician.send({ type: 'hang-up' });
    await patient.next(is('hang-up'));

    await op(CASTILLO, id, 'finish');
    await patient.next(is('ended'));
    assert.equal((await patient.closed).code, SIGNAL_CLOSE.ended);
    assert.equal((await clinician.closed).code, SIGNAL_CLOSE.ended);
    desk.socket.close();
  });

  test('a third user, another patient, or the same patient with another visit\'s id cannot join; each refusal is recorded', async () => {
    const id = await video();
    const joses = await book(t, { patient: JOSE.patient, practitioner: LINDQVIST.practitioner, mode: 'video' });
    const phone = await book(t, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'phone' });
    const since = audit.length;
    assert.equal(await refused(visitPath(id)), 401, 'anonymous');
    assert.equal(await refused(visitPath(id), cookie(OKAFOR)), 404, 'a clinician of the same clinic who is not this visit\'s');
    assert.equal(await refused(visitPath(id), cookie({ email: 'ana.souza@example.com' })), 404, 'another patient');
    assert.equal(await refused(visitPath(joses), cookie(MALIK)), 404, 'the patient, on another patient\'s visit');
    assert.equal(await refused(visitPath(id), cookie(LINDQVIST)), 404, 'a clinician of another organization');
    assert.equal(await refused(visitPath('no-such-visit'), cookie(MALIK)), 404);
    assert.equal(await refused(visitPath(phone), cookie(MALIK)), 422, 'a phone visit has no video call');
    assert.equal(await refused(`/telehealth/visits/${id}/signal?peer=x`, cookie(MALIK)), 400);
    assert.equal(await refused(visitPath(id), cookie(MALIK), 'https://evil.example'), 403, 'a page of another site');

    const joins = entries('video-join', since);
    const denied = joins.filter((a) => a.outcome === 'denied');
    assert.equal(denied.length, 6, JSON.stringify(joins.map((a) => [a.outcome, a.outcomeDesc])));
    const josesEntry = denied.find((a) => a.entities.includes(`Appointment/${joses}`));
    assert.ok(josesEntry, 'the attempt on José\'s visit');
    assert.deepEqual(josesEntry.patientIds, [JOSE.patient], 'shows in José\'s access log');
    assert.equal(josesEntry.agent.fhirUser, `Patient/${MALIK.patient}`);
    assert.ok(denied.some((a) => a.agent.fhirUser === OKAFOR.practitioner && a.entities.includes(`Appointment/${id}`)));
    assert.ok(!joins.some((a) => a.outcome === 'success'));
  });

  test('the waiting room is for clinicians only', async () => {
    const since = audit.length;
    assert.equal(await refused('/telehealth/waiting-room'), 401);
    assert.equal(await refused('/telehealth/waiting-room', cookie(MALIK)), 403);
    assert.deepEqual(entries('waiting-room', since).map((a) => a.outcome), ['denied', 'denied']);
  });

  test('joins and leaves are recorded; the same side joining again takes over without a leave', async () => {
    const id = await video();
    await op(MALIK, id, 'check-in');
    await op(CASTILLO, id, 'admit');
    const since = audit.length;
    const clinician = await connect(base, visitPath(id), cookie(CASTILLO));
    await clinician.next(is('welcome'));
    const first = await connect(base, visitPath(id), cookie(MALIK));
    await first.next(is('welcome'));
    await clinician.next(is('presence', (m: { state: string }) => m.state === 'joined'));
    const second = await connect(base, visitPath(id), cookie(MALIK));
    await second.next(is('welcome'));
    assert.equal((await first.closed).code, SIGNAL_CLOSE.replaced);
    await clinician.next(is('presence', (m: { state: string }) => m.state === 'joined'));
    second.socket.close();
    await clinician.next(is('presence', (m: { state: string; role: string }) => m.state === 'left' && m.role === 'patient'));
    assert.equal(clinician.received.filter((m) => m.type === 'presence' && m.state === 'left').length, 1);
    clinician.socket.close();
    await clinician.closed;
    await new Promise((r) => setTimeout(r, 200));

    const joins = entries('video-join', since);
    assert.deepEqual(joins.map((a) => a.agent.fhirUser), [CASTILLO.practitioner, `Patient/${MALIK.patient}`, `Patient/${MALIK.patient}`]);
    for (const j of joins) {
      assert.equal(j.outcome, 'success');
      assert.deepEqual(j.entities, [`Appointment/${id}`]);
      assert.deepEqual(j.patientIds, [MALIK.patient]);
    }
    const leaves = entries('video-leave', since);
    assert.equal(leaves.length, 3);
    assert.ok(leaves.some((a) => /rejoined/.test(a.outcomeDesc ?? '')));
  });

  test('oversized, malformed and flooding messages: an error for the malformed, the socket closed for the others', async () => {
    const id = await video();
    await op(MALIK, id, 'check-in');
    const patient = await connect(base, visitPath(id), cookie(MALIK));
    await patient.next(is('welcome'));
    patient.send({ type: 'candidate', candidate: { candidate: 42 } });
    assert.match(((await patient.next(is('error'))) as { message: string }).message, /candidate must be/);
    patient.send({ type: 'chat', text: 'x'.repeat(SIGNAL_LIMITS.maxChatChars + 1) });
    assert.match(((await patient.next(is('error'))) as { message: string }).message, /at most/);
    patient.send({ type: 'description', description: { type: 'offer', sdp: 'x'.repeat(SIGNAL_LIMITS.maxMessageBytes) } });
    assert.equal((await patient.closed).code, SIGNAL_CLOSE.policy);

    const flooder = await connect(base, visitPath(id), cookie(MALIK));
    await flooder.next(is('welcome'));
    for (let i = 0; i < SIGNAL_LIMITS.burst + 20; i++) flooder.send({ type: 'hang-up' });
    const closed = await flooder.closed;
    assert.equal(closed.code, SIGNAL_CLOSE.policy);
    assert.equal(closed.reason, 'Too many messages');
  });

  test('chat is refused before the patient has checked in', async () => {
    const id = await video();
    const clinician = await connect(base, visitPath(id), cookie(CASTILLO));
    await clinician.next(is('welcome'));
    clinician.send({ type: 'chat', text: 'Hello?' });
    assert.match(((await clinician.next(is('error'))) as { message: string }).message, /checked in/);
    clinician.socket.close();
  });
});

describe('ICE servers', () => {
  test('STUN and TURN with coturn use-auth-secret credentials for the signed-in account, recorded', async () => {
    const since = audit.length;
    const before = Math.floor(Date.now() / 1000);
    const r = await t.app.inject({ method: 'GET', url: '/telehealth/ice-servers', headers: { cookie: cookie(MALIK) } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const body = r.json<{ iceServers: { urls: string[]; username?: string; credential?: string }[]; expiresAt: string }>();
    assert.deepEqual(body.iceServers[0], { urls: ['stun:stun.salus.test:3478'] });
    const turn = body.iceServers[1]!;
    assert.deepEqual(turn.urls, ['turn:turn.salus.test:3478?transport=udp', 'turns:turn.salus.test:5349']);
    const [expiry, account] = turn.username!.split(':');
    const accountId = (await t.db.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [MALIK.email])).rows[0]!.id;
    assert.equal(account, accountId);
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= before + 602);
    assert.equal(turn.credential, createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
    assert.equal(body.expiresAt, new Date(Number(expiry) * 1000).toISOString());

    assert.equal((await t.app.inject({ method: 'GET', url: '/telehealth/ice-servers' })).statusCode, 401);
    assert.deepEqual(entries('ice-servers', since).map((a) => [a.outcome, a.agent.accountId]), [['success', accountId], ['denied', undefined]]);
  });
});
