import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Appointment } from '@medplum/fhirtypes';
import { SIGNAL_CLOSE, visitModeConcept, type ServerSignal, type WaitingRoomSignal } from '@salus/core';
import { buildApp, defaultConfig, type SalusApp } from '../app.js';
import { seedDemoAccounts } from '../auth/demo-accounts.js';
import { buildDemoWorld } from '../seed/demo-world.js';
import { seedDemo } from '../seed/seed.js';
import { createTestDatabase } from '../test-support.js';
import { CASTILLO, connect, MALIK, sessionCookie, thisMinute, visitPath } from './visit-test-support.js';

/**
 * Two app nodes on one PostgreSQL database, the patient connected to one and the clinician to the
 * other: everything between them goes through LISTEN/NOTIFY (and the table, for signals too large
 * for a NOTIFY). Needs a PostgreSQL server; the embedded engine is one process's own.
 */

const databaseUrl = process.env.DATABASE_URL;
const skip = databaseUrl ? false : 'needs a PostgreSQL server shared by two nodes: run with scripts/with-postgres.sh (or DATABASE_URL)';

let nodes: { salus: SalusApp; base: string }[] = [];
let drop: (() => Promise<void>) | undefined;

before(async () => {
  if (!databaseUrl) return;
  const created = await createTestDatabase(databaseUrl);
  drop = created.drop;
  const config = { ...defaultConfig({}), dataDir: 'memory://', databaseUrl: created.url };
  for (let i = 0; i < 2; i++) {
    const salus = await buildApp(config);
    await salus.app.listen({ port: 0, host: '127.0.0.1' });
    nodes.push({ salus, base: `http://127.0.0.1:${(salus.app.server.address() as AddressInfo).port}` });
  }
  const a = nodes[0]!.salus;
  await seedDemo(a.fhir, { onlyIfEmpty: false });
  await seedDemoAccounts(a.db, a.repo, buildDemoWorld().people);
});
after(async () => {
  for (const n of nodes) await n.salus.close();
  nodes = [];
  await drop?.();
});

const is =
  (type: string, extra: (m: never) => boolean = () => true) =>
  (m: ServerSignal | WaitingRoomSignal) =>
    m.type === type && extra(m as never);

test('a call relays between two nodes on one database, one peer on each', { skip }, async () => {
  const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  const { stored } = await a.salus.repo.create({
    resourceType: 'Appointment',
    status: 'booked',
    serviceType: [visitModeConcept('video')],
    start: thisMinute(),
    participant: [
      { actor: { reference: `Patient/${MALIK.patient}` }, status: 'accepted' },
      { actor: { reference: CASTILLO.practitioner }, status: 'accepted' },
    ],
  } satisfies Appointment);
  const id = stored.id;
  const patientCookie = await sessionCookie(a.salus, MALIK.email);
  const clinicianCookie = await sessionCookie(b.salus, CASTILLO.email);
  const op = async (node: SalusApp, cookie: string, name: string) => {
    const r = await node.app.inject({ method: 'POST', url: `/fhir/R4/Appointment/${id}/$${name}`, headers: { cookie } });
    assert.equal(r.statusCode, 200, r.body);
  };

  const desk = await connect(b.base, '/telehealth/waiting-room', clinicianCookie);
  await op(a.salus, patientCookie, 'check-in');
  await desk.next(is('visit', (m: WaitingRoomSignal) => m.appointment === id && m.event === 'checked-in'));
  const patient = await connect(a.base, visitPath(id), patientCookie);
  await patient.next(is('welcome'));
  await desk.next(is('visit', (m: WaitingRoomSignal) => m.appointment === id && m.event === 'patient-joined'));

  await op(b.salus, clinicianCookie, 'admit');
  await patient.next(is('admitted'));
  const clinician = await connect(b.base, visitPath(id), clinicianCookie);
  await clinician.next(is('welcome', (m: { admitted: boolean }) => m.admitted));
  await clinician.next(is('presence', (m: { role: string; state: string }) => m.role === 'patient' && m.state === 'here'));
  await patient.next(is('presence', (m: { role: string; state: string }) => m.role === 'practitioner' && m.state === 'joined'));

  const sdp = `v=0\r\n${'a=x-padding:0123456789abcdef0123456789abcdef\r\n'.repeat(400)}`;
  clinician.send({ type: 'description', description: { type: 'offer', sdp } });
  clinician.send({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  const offer = await patient.next(is('description'));
  assert.equal((offer as { description: { sdp: string } }).description.sdp, sdp);
  await patient.next(is('candidate'));
  patient.send({ type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
  await clinician.next(is('description', (m: { from: string }) => m.from === 'patient'));

  patient.send({ type: 'chat', text: 'Hello from node A' });
  const line = await clinician.next(is('chat'));
  assert.equal((line as { text: string }).text, 'Hello from node A');

  // The patient's page reconnects to the other node: the socket left behind gives way.
  const again = await connect(b.base, visitPath(id), patientCookie);
  await again.next(is('welcome'));
  assert.equal((await patient.closed).code, SIGNAL_CLOSE.replaced);

  await op(b.salus, clinicianCookie, 'finish');
  await again.next(is('ended'));
  await clinician.next(is('ended'));
  desk.socket.close();
});
