import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCompactBatch } from '@salus/core';
import { Simulator } from './simulator.js';
import { IngestRefused, readIngestAnswer, runSimulation, type DeviceCredentials, type IngestCounts, type ReadingsTransport } from './simulator-transport.js';

test('answers are counted: accepted, duplicates, refused readings and alerts', () => {
  const ok = JSON.stringify({ accepted: 7, duplicates: 2, rejected: [{ index: 3, field: 'readings[3].value', message: 'too high' }], alerts: ['t1', 't2'] });
  assert.deepEqual(readIngestAnswer(200, ok), { accepted: 7, duplicates: 2, rejected: 1, alerts: 2 });
  // MQTT results carry the same JSON, without a status.
  assert.deepEqual(readIngestAnswer(undefined, ok), { accepted: 7, duplicates: 2, rejected: 1, alerts: 2 });
  // Every reading refused: HTTP's 422 OperationOutcome and MQTT's { error, rejected }.
  const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'x', expression: ['readings[0].value'] }, { severity: 'error', code: 'invalid', diagnostics: 'y', expression: ['readings[1].time'] }] };
  assert.deepEqual(readIngestAnswer(422, JSON.stringify(outcome)), { accepted: 0, duplicates: 0, rejected: 2, alerts: 0 });
  const mqttRefusal = { error: 'x', rejected: [{ field: 'readings[0].value', message: 'x' }, { field: 'readings[1].time', message: 'y' }] };
  assert.deepEqual(readIngestAnswer(undefined, JSON.stringify(mqttRefusal)), { accepted: 0, duplicates: 0, rejected: 2, alerts: 0 });
});

test('a batch refused as a whole is an error carrying the server\'s words, not a count', () => {
  const unauthorized = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'Send the device token as Authorization: Bearer <token>' }] };
  assert.throws(() => readIngestAnswer(401, JSON.stringify(unauthorized)), (e: unknown) => e instanceof IngestRefused && e.status === 401 && /device token/.test(e.message));
  assert.throws(() => readIngestAnswer(undefined, JSON.stringify({ error: 'The message is not JSON', rejected: [{ message: 'The message is not JSON' }] })), /not JSON/);
  assert.throws(() => readIngestAnswer(502, '<html>Bad gateway</html>'), (e: unknown) => e instanceof IngestRefused && e.status === 502);
  // A 400 naming the batch (too many readings) is not a reading-by-reading refusal.
  const tooMany = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'A batch holds at most 5000 readings', expression: ['readings'] }] };
  assert.throws(() => readIngestAnswer(400, JSON.stringify(tooMany)), /at most 5000/);
});

/** Answers like the server would, by parsing each batch; remembers who sent what. */
function fakeServer(): ReadingsTransport & { seen: { device: string; readings: number }[] } {
  const seen: { device: string; readings: number }[] = [];
  return {
    seen,
    async send(device: DeviceCredentials, body: string): Promise<IngestCounts> {
      const parsed = parseCompactBatch(JSON.parse(body), new Date(Date.now() + 60_000));
      seen.push({ device: device.deviceId, readings: parsed.readings.length + parsed.errors.length });
      if (device.token === 'revoked') throw new IngestRefused(401, '401: revoked');
      return { accepted: parsed.readings.length, duplicates: 0, rejected: parsed.errors.length, alerts: 0 };
    },
    async close() {},
  };
}

test('a run sends each device its own batches every interval, counts the answers and reports each second', async () => {
  const sim = new Simulator({ seed: 4, patients: 3, deteriorating: 1, startMs: Date.now(), readingsPerSecondPerPatient: 20, implausibleFraction: 0.05 });
  const devices = [0, 1, 2].map((p) => ({ wearable: { deviceId: `w${p}`, token: 't' }, spot: { deviceId: `s${p}`, token: p === 2 ? 'revoked' : 't' } }));
  const server = fakeServer();
  const lines: string[] = [];
  const totals = await runSimulation({ simulator: sim, devices, transport: server, batchMs: 200, durationMs: 2200, report: (l) => lines.push(l) });

  // A line a second and a last one; timers on a busy machine may skip, never add.
  assert.ok(lines.length >= 1 && lines.length <= 4, `${lines.length} progress lines`);
  assert.match(lines.at(-1)!, /sent [\d,]+, accepted [\d,]+, rejected \d+, duplicates 0, alerts opened 0/);
  // About 20 readings a second for each of 3 patients over 2.2 s, plus the first check.
  assert.ok(totals.sent > 100 && totals.sent < 200, `${totals.sent} sent`);
  assert.equal(totals.sent, server.seen.reduce((n, s) => n + s.readings, 0));
  // The home kit of patient 2 has a revoked token: its batches fail, the rest are counted.
  const failedReadings = server.seen.filter((s) => s.device === 's2').reduce((n, s) => n + s.readings, 0);
  assert.ok(totals.failedBatches >= 1);
  assert.equal(totals.firstError, '401: revoked');
  assert.equal(totals.accepted + totals.rejected + failedReadings, totals.sent);
  assert.ok(totals.rejected <= totals.implausibleSent);
  // Each device sends at most one batch per interval (2.2 s of 200 ms), whatever it measured meanwhile.
  for (const id of ['w0', 'w1', 'w2']) {
    const n = server.seen.filter((s) => s.device === id).length;
    assert.ok(n >= 1 && n <= 12, `${id}: ${n} batches`);
  }
});

test('a run ends when its signal aborts, with what was sent so far answered', async () => {
  const sim = new Simulator({ seed: 4, patients: 2, deteriorating: 0, startMs: Date.now() });
  const devices = [0, 1].map((p) => ({ wearable: { deviceId: `w${p}`, token: 't' }, spot: { deviceId: `s${p}`, token: 't' } }));
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 600);
  const started = Date.now();
  const totals = await runSimulation({ simulator: sim, devices, transport: fakeServer(), batchMs: 100, signal: stop.signal, report: () => undefined });
  assert.ok(Date.now() - started < 1500);
  assert.ok(totals.sent > 0);
  assert.equal(totals.accepted + totals.rejected, totals.sent);
});
