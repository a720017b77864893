import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connectAsync, type MqttClient } from 'mqtt';
import { batchesByDevice, type DeviceRole, type Simulator } from './simulator.js';

/**
 * How simulated devices reach Salus: `POST /monitoring/readings` with the device's token over
 * keep-alive HTTP(S), or the embedded MQTT broker with the device's id and token, one connection
 * per device as real devices would hold. Both give the server's answer to each batch, so the
 * simulator can count what was accepted, refused and alerted on.
 */

export interface DeviceCredentials {
  deviceId: string;
  token: string;
}

/** A patient's two simulated devices. */
export type PatientDevices = Record<DeviceRole, DeviceCredentials>;

/** The server's answer to one batch, counted. */
export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Alerts the batch opened. */
  alerts: number;
}

/** The server refused the batch as a whole (bad token, malformed body, server error). */
export class IngestRefused extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefused';
  }
}

interface OutcomeLike {
  resourceType?: unknown;
  issue?: { diagnostics?: string; expression?: string[] }[];
}

/** The MQTT form of a refusal: the first issue's words, and each issue's field and words. */
interface MqttRefusal {
  error?: unknown;
  rejected?: { field?: string; message?: string }[];
}

const count = (v: unknown): number => (typeof v === 'number' ? v : Array.isArray(v) ? v.length : 0);
const aboutReadings = (fields: (string | undefined)[]): boolean => fields.length > 0 && fields.every((f) => f?.startsWith('readings[') === true);

/**
 * Reads an answer: `{ accepted, duplicates, rejected[], alerts[] }`; or a batch refused reading by
 * reading, as HTTP says it (422, an OperationOutcome with an issue per reading) or MQTT does
 * (`{ error, rejected: [{ field, message }] }`, every field a reading's). Anything else is an
 * IngestRefused carrying the server's words. `status` is undefined for MQTT results.
 */
export function readIngestAnswer(status: number | undefined, text: string): IngestCounts {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new IngestRefused(status, `${status ?? 'MQTT'}: ${text.slice(0, 200) || 'empty answer'}`);
  }
  if (typeof body !== 'object' || body === null) throw new IngestRefused(status, `${status ?? 'MQTT'}: ${text.slice(0, 200)}`);
  const b = body as Record<string, unknown>;
  const ok = status === undefined || (status >= 200 && status < 300);
  if (ok && typeof b.accepted === 'number') {
    return { accepted: count(b.accepted), duplicates: count(b.duplicates), rejected: count(b.rejected), alerts: count(b.alerts) };
  }
  const oo = body as OutcomeLike;
  if (status === 422 && oo.resourceType === 'OperationOutcome') return { accepted: 0, duplicates: 0, rejected: oo.issue?.length ?? 0, alerts: 0 };
  const refusal = body as MqttRefusal;
  if (status === undefined && Array.isArray(refusal.rejected) && aboutReadings(refusal.rejected.map((r) => r.field))) {
    return { accepted: 0, duplicates: 0, rejected: refusal.rejected.length, alerts: 0 };
  }
  const words = oo.resourceType === 'OperationOutcome' ? oo.issue?.[0]?.diagnostics : typeof refusal.error === 'string' ? refusal.error : undefined;
  throw new IngestRefused(status, `${status ?? 'MQTT'}: ${words ?? text.slice(0, 200)}`);
}

export interface ReadingsTransport {
  /** Sends one compact batch (JSON text) as the device; settles with the server's answer to it. */
  send(device: DeviceCredentials, body: string): Promise<IngestCounts>;
  close(): Promise<void>;
}

/**
 * `POST {baseUrl}/monitoring/readings` over keep-alive connections (node:http's Agent: undici is
 * not among the project's packages), at most `connections` at once; further batches queue.
 */
export function httpTransport(baseUrl: string, connections: number, timeoutMs = 30_000): ReadingsTransport {
  const url = new URL(`${baseUrl.replace(/\/$/, '')}/monitoring/readings`);
  const secure = url.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: connections }) : new HttpAgent({ keepAlive: true, maxSockets: connections });
  const request = secure ? httpsRequest : httpRequest;
  return {
    send(device, body) {
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              try {
                resolve(readIngestAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
              } catch (e) {
                reject(e);
              }
            });
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

export const readingsTopic = (deviceId: string): string => `salus/devices/${deviceId}/readings`;
export const resultsTopic = (deviceId: string): string => `salus/devices/${deviceId}/results`;

interface Waiting {
  resolve: (c: IngestCounts) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Devices connected at once while the connections are made, so a few hundred do not arrive in one burst. */
const CONNECT_AT_ONCE = 50;

export interface MqttTransport extends ReadingsTransport {
  /** The MQTT version the broker took: 5 when it speaks it, else 3.1.1 (4). */
  protocolVersion: 4 | 5;
}

/**
 * One MQTT connection per device (username = device id, password = token), subscribed to its
 * results topic; each batch is published QoS 1 and settles when its result arrives. A device's
 * results come back in the order its batches went out, so they are matched first in, first out.
 * MQTT 5 is asked for first; a broker that only speaks 3.1.1 refuses the version, and then every
 * device connects with 3.1.1.
 */
export async function mqttTransport(mqttUrl: string, devices: DeviceCredentials[], timeoutMs = 30_000): Promise<MqttTransport> {
  const clients = new Map<string, MqttClient>();
  const waiting = new Map<string, Waiting[]>();
  const open = async (d: DeviceCredentials, protocolVersion: 4 | 5): Promise<void> => {
    const client = await connectAsync(mqttUrl, { username: d.deviceId, password: d.token, protocolVersion, clientId: `salus-sim-${d.deviceId}`, clean: true, reconnectPeriod: 0, connectTimeout: timeoutMs }, false);
    client.on('message', (topic, payload) => {
      if (topic !== resultsTopic(d.deviceId)) return;
      const w = waiting.get(d.deviceId)?.shift();
      if (!w) return;
      clearTimeout(w.timer);
      try {
        w.resolve(readIngestAnswer(undefined, payload.toString('utf8')));
      } catch (e) {
        w.reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    // A connection the broker drops fails what was still waiting on it.
    client.on('close', () => {
      for (const w of waiting.get(d.deviceId)?.splice(0) ?? []) {
        clearTimeout(w.timer);
        w.reject(new Error(`MQTT connection of ${d.deviceId} closed`));
      }
    });
    await client.subscribeAsync(resultsTopic(d.deviceId), { qos: 1 });
    clients.set(d.deviceId, client);
    waiting.set(d.deviceId, []);
  };

  let protocolVersion: 4 | 5 = 5;
  const [first, ...rest] = devices;
  if (first) {
    try {
      await open(first, 5);
    } catch (e) {
      // CONNACK "unacceptable protocol version" (3.1.1 code 1) or "unsupported protocol version" (5: 132).
      if (!/protocol version/i.test(e instanceof Error ? e.message : String(e))) throw e;
      protocolVersion = 4;
      await open(first, 4);
    }
  }
  for (let i = 0; i < rest.length; i += CONNECT_AT_ONCE) await Promise.all(rest.slice(i, i + CONNECT_AT_ONCE).map((d) => open(d, protocolVersion)));

  return {
    protocolVersion,
    send(device, body) {
      const client = clients.get(device.deviceId);
      const queue = waiting.get(device.deviceId);
      if (!client || !queue) return Promise.reject(new Error(`Device ${device.deviceId} is not connected`));
      return new Promise((resolve, reject) => {
        const w: Waiting = {
          resolve,
          reject,
          timer: setTimeout(() => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject(new Error(`no result within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        queue.push(w);
        // An external MQTT 5 broker is not Salus's to authenticate devices: each message carries the token too.
        const options = protocolVersion === 5 ? { qos: 1 as const, properties: { userProperties: { authorization: `Bearer ${device.token}` } } } : { qos: 1 as const };
        client.publish(readingsTopic(device.deviceId), body, options, (err) => {
          if (!err) return;
          const i = queue.indexOf(w);
          if (i >= 0) queue.splice(i, 1);
          clearTimeout(w.timer);
          reject(err);
        });
      });
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}

export interface SimulationTotals {
  seconds: number;
  /** Readings sent, and batches (requests or publishes) that carried them. */
  sent: number;
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Of `sent`: readings the simulator made impossible on purpose (all should be among `rejected`). */
  implausibleSent: number;
  alerts: number;
  /** Batches refused whole or unanswered, and the first reason. */
  failedBatches: number;
  firstError?: string;
}

export interface RunOptions {
  simulator: Simulator;
  /** Devices of simulated patient i at index i. */
  devices: PatientDevices[];
  transport: ReadingsTransport;
  /** Each device sends what it measured this often, as one batch. */
  batchMs: number;
  /** Stop after this long; otherwise when `signal` aborts (Ctrl-C). */
  durationMs?: number;
  signal?: AbortSignal;
  /** A progress line, once a second. */
  report: (line: string) => void;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Sends the simulator's readings as they fall due, one batch per device every `batchMs`, reports
 * once a second, and at the end waits for the answers still outstanding.
 */
export async function runSimulation(o: RunOptions): Promise<SimulationTotals> {
  const started = Date.now();
  const t: SimulationTotals = { seconds: 0, sent: 0, batches: 0, accepted: 0, duplicates: 0, rejected: 0, implausibleSent: 0, alerts: 0, failedBatches: 0 };
  const outstanding = new Set<Promise<void>>();
  let last = { at: started, sent: 0, accepted: 0 };

  const line = (now: number, final: boolean): string => {
    const dt = Math.max(0.001, (now - last.at) / 1000);
    const perSecond = final ? `${fmt(t.accepted / Math.max(0.001, (now - started) / 1000))} accepted/s overall` : `${fmt((t.sent - last.sent) / dt)}/s sent, ${fmt((t.accepted - last.accepted) / dt)}/s accepted`;
    const failed = t.failedBatches ? `, ${fmt(t.failedBatches)} batches failed (${t.firstError})` : '';
    return `[simulate ${Math.round((now - started) / 1000)} s] sent ${fmt(t.sent)}, accepted ${fmt(t.accepted)}, rejected ${fmt(t.rejected)}, duplicates ${fmt(t.duplicates)}, alerts opened ${fmt(t.alerts)}; ${perSecond}; ${outstanding.size} batches in flight${failed}`;
  };

  const flush = (now: number): void => {
    const due = o.simulator.until(now);
    t.implausibleSent += due.filter((r) => r.implausible).length;
    for (const b of batchesByDevice(due)) {
      const device = o.devices[b.patient]![b.device];
      t.sent += b.readings.length;
      t.batches++;
      const p: Promise<void> = o.transport.send(device, JSON.stringify({ readings: b.readings })).then(
        (c) => {
          t.accepted += c.accepted;
          t.duplicates += c.duplicates;
          t.rejected += c.rejected;
          t.alerts += c.alerts;
        },
        (e: unknown) => {
          t.failedBatches++;
          t.firstError ??= e instanceof Error ? e.message : String(e);
        },
      );
      outstanding.add(p);
      void p.finally(() => outstanding.delete(p));
    }
  };

  await new Promise<void>((resolve) => {
    const end = (): void => {
      clearInterval(sending);
      clearInterval(reporting);
      o.signal?.removeEventListener('abort', end);
      resolve();
    };
    const sending = setInterval(() => {
      const now = Date.now();
      if (o.durationMs !== undefined && now - started >= o.durationMs) {
        flush(started + o.durationMs);
        end();
      } else {
        flush(now);
      }
    }, o.batchMs);
    const reporting = setInterval(() => {
      const now = Date.now();
      o.report(line(now, false));
      last = { at: now, sent: t.sent, accepted: t.accepted };
    }, 1000);
    if (o.signal?.aborted) end();
    else o.signal?.addEventListener('abort', end);
  });
  // The answers still on their way belong to this run; each transport bounds how long one can take.
  await Promise.all(outstanding);
  const now = Date.now();
  t.seconds = Math.round((now - started) / 100) / 10;
  o.report(line(now, true));
  return t;
}
