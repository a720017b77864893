import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Parameters } from '@medplum/fhirtypes';
import { buildApp, defaultConfig, type SalusApp } from '../app.js';
import { seedDemo } from '../seed/seed.js';
import { createTestDatabase, startTestApp, type TestApp } from '../test-support.js';
import type { AuditInput } from '../audit/types.js';
import { readingsTopic, resultsTopic } from './mqtt.js';

/**
 * Readings over MQTT, with real brokers: the embedded one (aedes) that devices sign in to with
 * their token, and Debian's mosquitto as an external MQTT 5 broker that two Salus nodes share
 * through a shared subscription, each message taken in once.
 */

const ANA = 'demo-ana-souza';
const JOSE = 'demo-jose-martinez';

async function enrol(fhir: TestApp['fhir'] | ((m: string, p: string, b?: unknown) => Promise<{ body: Parameters }>), patient: string): Promise<{ id: string; token: string }> {
  const r = await fhir('POST', `Patient/${patient}/$enrol-device`, { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'watch' }] });
  const body = r.body as Parameters;
  return { id: (body.parameter!.find((p) => p.name === 'device')!.resource as { id: string }).id, token: body.parameter!.find((p) => p.name === 'token')!.valueString! };
}

function nextMessage(client: mqtt.MqttClient, topic: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', on);
      resolve(JSON.parse(payload.toString()) as Record<string, unknown>);
    };
    client.on('message', on);
  });
}

const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

describe('embedded broker', () => {
  let t: TestApp;
  let url: string;
  const audits: AuditInput[] = [];
  before(async () => {
    t = await startTestApp({ seed: true, mqtt: { port: 0, host: '127.0.0.1' }, onAudit: (e) => audits.push(e) });
    url = `mqtt://127.0.0.1:${t.monitoring.mqttPort()}`;
  });
  after(async () => {
    await t?.close();
  });

  test('a device signs in with its token, publishes a batch with bad readings mixed in, and hears the result', async () => {
    const { id, token } = await enrol(t.fhir, ANA);
    const device = await mqtt.connectAsync(url, { username: id, password: token, protocolVersion: 4, reconnectPeriod: 0 });
    try {
      await device.subscribeAsync(resultsTopic(id), { qos: 0 });
      const result = nextMessage(device, resultsTopic(id));
      await device.publishAsync(
        readingsTopic(id),
        JSON.stringify({
          readings: [
            { kind: 'heart-rate', time: minutesAgo(3), value: 64 },
            { kind: 'oxygen-saturation', time: minutesAgo(3), value: 140 },
            { kind: 'body-temperature', time: minutesAgo(3), value: 98.6, unit: '[degF]' },
          ],
        }),
        { qos: 1 },
      );
      const r = await result;
      assert.equal(r.accepted, 2);
      assert.deepEqual((r.rejected as { field: string }[]).map((e) => e.field), ['readings[1].value']);
      // QoS 1 is acknowledged once the readings are stored.
      const rows = await t.db.query<{ kind: string; value: number }>('SELECT kind, value FROM device_readings WHERE device_id = $1 ORDER BY kind', [id]);
      assert.deepEqual(rows.rows.map((x) => [x.kind, x.value]), [
        ['body-temperature', 37],
        ['heart-rate', 64],
      ]);
      const entry = audits.find((a) => a.subtype === 'monitoring-readings' && a.agent.clientId === `Device/${id}`);
      assert.match(entry?.outcomeDesc ?? '', /2 readings stored.*1 rejected \(mqtt\)/);
      assert.deepEqual(entry?.patientIds, [ANA]);
    } finally {
      await device.endAsync();
    }
  });

  test('a wrong token is refused at connection; a device may not publish for, or listen to, another device', async () => {
    const { id } = await enrol(t.fhir, ANA);
    await assert.rejects(mqtt.connectAsync(url, { username: id, password: 'sdt_0000000000000000_' + 'x'.repeat(43), protocolVersion: 4, reconnectPeriod: 0 }));
    const other = await enrol(t.fhir, JOSE);
    const mine = await enrol(t.fhir, ANA);
    const device = await mqtt.connectAsync(url, { username: mine.id, password: mine.token, protocolVersion: 4, reconnectPeriod: 0 });
    // Refused with SUBACK 0x80, which the client library reports as an error.
    await assert.rejects(device.subscribeAsync(resultsTopic(other.id), { qos: 0 }), /Subscribe error/);
    assert.ok(device.connected, 'a refused subscription leaves the device connected');
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(readingsTopic(other.id), JSON.stringify({ readings: [{ kind: 'heart-rate', time: minutesAgo(1), value: 60 }] }), { qos: 1 });
    await closed;
    device.end(true);
    const rows = await t.db.query('SELECT 1 FROM device_readings WHERE device_id = $1', [other.id]);
    assert.equal(rows.rows.length, 0);
  });
});

const mosquitto = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
const databaseUrl = process.env.DATABASE_URL;
const skip = !mosquitto ? 'needs mosquitto (apt-get install mosquitto)' : !databaseUrl ? 'needs a PostgreSQL server shared by two nodes: run with scripts/with-postgres.sh (or DATABASE_URL)' : false;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = tcpConnect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('external MQTT 5 broker shared by two nodes', () => {
  let broker: ChildProcess | undefined;
  let dir: string | undefined;
  let brokerUrl = '';
  const nodes: SalusApp[] = [];
  const handledBy = [0, 0];
  let drop: (() => Promise<void>) | undefined;
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'salus-mosquitto-'));
    const port = await freePort();
    writeFileSync(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    broker = spawn(mosquitto!, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitForPort(port);
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    const created = await createTestDatabase(databaseUrl!);
    drop = created.drop;
    const config = { ...defaultConfig({}), dataDir: 'memory://', databaseUrl: created.url, mqtt: { url: brokerUrl } };
    for (let i = 0; i < 2; i++) {
      nodes.push(await buildApp(config, { onAudit: (e) => void (e.subtype === 'monitoring-readings' && e.outcome === 'success' && handledBy[i]!++) }));
    }
    await seedDemo(nodes[0]!.fhir, { onlyIfEmpty: false });
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await drop?.();
    broker?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each message is taken in once, by one node or the other, with the token as an MQTT 5 user property', { skip }, async () => {
    const repo = nodes[0]!.repo;
    const { stored } = await repo.create({ resourceType: 'Device', status: 'active', patient: { reference: `Patient/${ANA}` } });
    const { issueDeviceToken } = await import('./device-tokens.js');
    const token = await issueDeviceToken(nodes[0]!.db, { deviceId: stored.id, patientId: ANA });
    const device = await mqtt.connectAsync(brokerUrl, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      await device.subscribeAsync(resultsTopic(stored.id), { qos: 0 });
      const results: Record<string, unknown>[] = [];
      device.on('message', (topic, payload) => {
        if (topic === resultsTopic(stored.id)) results.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      });
      const count = 40;
      for (let i = 0; i < count; i++) {
        await device.publishAsync(readingsTopic(stored.id), JSON.stringify({ readings: [{ kind: 'heart-rate', time: minutesAgo(60 - i), value: 60 + (i % 20) }] }), {
          qos: 1,
          properties: { userProperties: { authorization: `Bearer ${token}` } },
        });
      }
      // One without a token is refused, and says why.
      await device.publishAsync(readingsTopic(stored.id), JSON.stringify({ readings: [{ kind: 'heart-rate', time: minutesAgo(1), value: 60 }] }), { qos: 1 });
      const deadline = Date.now() + 10_000;
      while (results.length < count + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(results.filter((r) => r.accepted === 1).length, count);
      assert.equal(results.filter((r) => typeof r.error === 'string').length, 1);
      const rows = await nodes[0]!.db.query<{ n: string }>('SELECT count(*) AS n FROM device_readings WHERE device_id = $1', [stored.id]);
      assert.equal(Number(rows.rows[0]!.n), count);
      assert.equal(handledBy[0]! + handledBy[1]!, count);
      assert.ok(handledBy[0]! > 0 && handledBy[1]! > 0, `both nodes took a share: ${handledBy.join(' and ')}`);
    } finally {
      await device.endAsync();
    }
  });
});
