import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Parameters } from '@medplum/fhirtypes';
import { defaultPlan } from '@salus/core';
import { buildApp, defaultConfig, type SalusApp } from '../app.js';
import { seedDemoAccounts } from '../auth/demo-accounts.js';
import { buildDemoWorld } from '../seed/demo-world.js';
import { seedDemo } from '../seed/seed.js';
import { createTestDatabase, DEMO_EMAIL } from '../test-support.js';
import { connect, sessionCookie, type SignalClient } from '../telehealth/visit-test-support.js';
import type { MonitoringAlert } from './alerts.js';

/**
 * Alerts pushed to dashboards over `/monitoring/live`: to whoever may see the patient and nobody
 * else; across two app nodes sharing one PostgreSQL database, a reading taken in on one node
 * reaches a socket held by the other.
 */

const ANA = 'demo-ana-souza';
type Live = { type: string; alert?: MonitoringAlert; patientId?: string };

async function startNodes(count: number, databaseUrl: string | undefined): Promise<{ nodes: { salus: SalusApp; base: string }[]; drop?: () => Promise<void> }> {
  const created = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  const { mqtt: _none, ...config } = { ...defaultConfig({}), dataDir: 'memory://', ...(created ? { databaseUrl: created.url } : {}) };
  const nodes: { salus: SalusApp; base: string }[] = [];
  for (let i = 0; i < count; i++) {
    const salus = await buildApp(config);
    await salus.app.listen({ port: 0, host: '127.0.0.1' });
    nodes.push({ salus, base: `http://127.0.0.1:${(salus.app.server.address() as AddressInfo).port}` });
  }
  const a = nodes[0]!.salus;
  await seedDemo(a.fhir, { onlyIfEmpty: false });
  await seedDemoAccounts(a.db, a.repo, buildDemoWorld().people);
  return { nodes, ...(created ? { drop: created.drop } : {}) };
}

/** Okafor sets Ana's plan and enrols her cuff, through the API; resolves to the device token. */
async function prepare(base: string, okafor: string): Promise<string> {
  const put = await fetch(`${base}/monitoring/patients/${ANA}/plan`, { method: 'PUT', headers: { cookie: okafor, 'content-type': 'application/json' }, body: JSON.stringify(defaultPlan(['hypertension'])) });
  assert.equal(put.status, 200, await put.text());
  const r = await fetch(`${base}/fhir/R4/Patient/${ANA}/$enrol-device`, {
    method: 'POST',
    headers: { cookie: okafor, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'blood-pressure-monitor' }] }),
  });
  const body = (await r.json()) as Parameters;
  return body.parameter!.find((p) => p.name === 'token')!.valueString!;
}

const highReading = () => ({ readings: [{ kind: 'blood-pressure', time: new Date(Date.now() - 60_000).toISOString(), systolic: 196, diastolic: 104 }] });

async function post(base: string, token: string, body: unknown): Promise<{ alerts: string[] }> {
  const r = await fetch(`${base}/monitoring/readings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()) as { alerts: string[] };
}

describe('one node', () => {
  let nodes: { salus: SalusApp; base: string }[] = [];
  let sockets: SignalClient[] = [];
  before(async () => {
    nodes = (await startNodes(1, undefined)).nodes;
  });
  after(async () => {
    for (const s of sockets) s.socket.close();
    for (const n of nodes) await n.salus.close();
  });

  test('the patient\'s clinician hears of the alert at once, acknowledgement included; a clinician outside her care does not', async () => {
    const { salus, base } = nodes[0]!;
    const okafor = await sessionCookie(salus, DEMO_EMAIL.okafor);
    const lindqvist = await sessionCookie(salus, DEMO_EMAIL.lindqvist);
    const token = await prepare(base, okafor);
    const mine = await connect(base, '/monitoring/live', okafor);
    const other = await connect(base, '/monitoring/live', lindqvist);
    sockets = [mine, other];
    const { alerts } = await post(base, token, highReading());
    assert.equal(alerts.length, 1);
    const m = await mine.next<never>((x) => (x as Live).type === 'alert');
    const alert = (m as Live).alert!;
    assert.equal(alert.id, alerts[0]);
    assert.equal(alert.status, 'open');
    assert.equal(alert.patientName, 'Ana Beatriz Souza');
    await fetch(`${base}/monitoring/alerts/${alert.id}/acknowledge`, { method: 'POST', headers: { cookie: okafor, 'content-type': 'application/json' }, body: '{}' });
    const acked = await mine.next<never>((x) => (x as Live).type === 'alert' && (x as Live).alert?.status === 'acknowledged');
    assert.equal((acked as Live).alert!.acknowledgedBy, 'Dr. Amara Okafor');
    // Both events have passed Lindqvist's socket by now, if they were ever going to reach it.
    await mine.next<never>((x) => (x as Live).type === 'readings', 3000);
    assert.deepEqual(other.received.filter((x) => (x as Live).type !== 'hello'), []);
  });

  test('no session, or a page of another site, cannot open the socket', async () => {
    const { salus, base } = nodes[0]!;
    await assert.rejects(connect(base, '/monitoring/live'), (e: { status?: number }) => e.status === 401);
    const okafor = await sessionCookie(salus, DEMO_EMAIL.okafor);
    await assert.rejects(connect(base, '/monitoring/live', okafor, 'https://evil.example'), (e: { status?: number }) => e.status === 403);
  });
});

const databaseUrl = process.env.DATABASE_URL;
const skip = databaseUrl ? false : 'needs a PostgreSQL server shared by two nodes: run with scripts/with-postgres.sh (or DATABASE_URL)';

describe('two nodes on one database', () => {
  let nodes: { salus: SalusApp; base: string }[] = [];
  let drop: (() => Promise<void>) | undefined;
  let socket: SignalClient | undefined;
  before(async () => {
    if (!databaseUrl) return;
    ({ nodes, drop } = await startNodes(2, databaseUrl));
  });
  after(async () => {
    socket?.socket.close();
    for (const n of nodes) await n.salus.close();
    await drop?.();
  });

  test('a reading taken in on one node raises the alert on a dashboard connected to the other', { skip }, async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const okafor = await sessionCookie(a.salus, DEMO_EMAIL.okafor);
    const token = await prepare(a.base, okafor);
    socket = await connect(b.base, '/monitoring/live', okafor);
    const { alerts } = await post(a.base, token, highReading());
    const m = await socket.next<never>((x) => (x as Live).type === 'alert');
    assert.equal((m as Live).alert!.id, alerts[0]);
    // Node B learns of the plan Okafor changes on node A, and applies it to readings it takes in.
    const before = await post(b.base, token, { readings: [{ kind: 'heart-rate', time: new Date(Date.now() - 30_000).toISOString(), value: 121 }] });
    assert.deepEqual(before.alerts, []);
    const put = await fetch(`${a.base}/monitoring/patients/${ANA}/plan`, {
      method: 'PUT',
      headers: { cookie: okafor, 'content-type': 'application/json' },
      body: JSON.stringify({ ...defaultPlan(['hypertension']), rules: [{ type: 'threshold', kind: 'heart-rate', above: 100, severity: 'medium' }] }),
    });
    assert.equal(put.status, 200, await put.text());
    const deadline = Date.now() + 5000;
    let opened: string[] = [];
    while (Date.now() < deadline && opened.length === 0) {
      opened = (await post(b.base, token, { readings: [{ kind: 'heart-rate', time: new Date(Date.now() - 1000).toISOString(), value: 121 }] })).alerts;
      if (opened.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(opened.length, 1);
  });
});
