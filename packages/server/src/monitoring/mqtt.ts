import { createServer, type AddressInfo, type Server } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import mqtt from 'mqtt';
import { FhirError } from '@salus/core';
import type { AuditSink } from '../access/audit-recorder.js';
import type { DeviceIdentity, DeviceTokens } from './device-tokens.js';
import { ingestAudit, type Ingestor, type IngestResult } from './ingest.js';

/**
 * Readings over MQTT. Devices publish compact JSON batches to `salus/devices/<device id>/readings`
 * and hear how each went on `salus/devices/<device id>/results`.
 *
 * - Embedded broker (aedes, MQTT 3.1.1): devices connect with their Device id as user name and
 *   their token as password, and may publish and subscribe to their own topics only.
 * - An external broker (MQTT_URL, MQTT 5): Salus joins as a client with the shared subscription
 *   `$share/salus/…`, so each message goes to one of the Salus nodes. The broker's own
 *   authentication is the operator's; Salus still checks every message's device token, sent as the
 *   MQTT 5 user property `authorization` (`Bearer <token>`) or as `token` in the JSON.
 */

export const readingsTopic = (deviceId: string): string => `salus/devices/${deviceId}/readings`;
export const resultsTopic = (deviceId: string): string => `salus/devices/${deviceId}/results`;
const TOPIC = /^salus\/devices\/([A-Za-z0-9\-.]{1,64})\/readings$/;
export const SHARED_SUBSCRIPTION = '$share/salus/salus/devices/+/readings';

export interface MqttOptions {
  /** Port of the embedded broker (0: any free one). */
  port?: number;
  host?: string;
  /** An external broker instead of the embedded one. */
  url?: string;
  tokens: DeviceTokens;
  ingestor: Ingestor;
  audit: AuditSink;
}

export interface MqttIngest {
  /** The embedded broker's port, when it runs. */
  port?: number;
  close(): Promise<void>;
}

type Outcome = IngestResult | { error: string; rejected?: { field?: string; message: string }[] };

async function handle(deps: MqttOptions, identity: DeviceIdentity, payload: Buffer, meta: { ip?: string }): Promise<Outcome> {
  const source = { patientId: identity.patientId, deviceId: identity.deviceId };
  const agent = { ...meta, clientId: `Device/${identity.deviceId}` };
  try {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new FhirError(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'The message is not JSON' }] });
    }
    if (body && typeof body === 'object' && 'token' in body) delete (body as { token?: unknown }).token;
    const result = await deps.ingestor.ingest(source, body);
    await deps.audit.append(ingestAudit(source, agent, 'mqtt', result, undefined));
    return result;
  } catch (e) {
    if (!(e instanceof FhirError)) throw e;
    await deps.audit.append(ingestAudit(source, agent, 'mqtt', undefined, e));
    return {
      error: e.outcome.issue?.[0]?.diagnostics ?? 'Refused',
      rejected: (e.outcome.issue ?? []).map((i) => ({ ...(i.expression?.[0] ? { field: i.expression[0] } : {}), message: i.diagnostics ?? '' })),
    };
  }
}

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 4 as const });
}

export async function startMqtt(deps: MqttOptions): Promise<MqttIngest> {
  return deps.url ? joinBroker(deps, deps.url) : embeddedBroker(deps);
}

async function embeddedBroker(deps: MqttOptions): Promise<MqttIngest> {
  const identities = new WeakMap<Client, DeviceIdentity>();
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const token = password?.toString('utf8') ?? '';
      deps.tokens.verify(token).then(
        (identity) => {
          if (!identity || identity.deviceId !== username) {
            deps.audit.append({ action: 'E', subtype: 'device-connect', outcome: 'denied', outcomeDesc: 'unknown or revoked device token (mqtt)', agent: { ...(client.conn && 'remoteAddress' in client.conn ? { ip: String(client.conn.remoteAddress) } : {}) }, entities: [], patientIds: [] }).catch((e: unknown) => console.error('mqtt audit:', e));
            done(authError('Unknown device or token'), false);
            return;
          }
          identities.set(client, identity);
          done(null, true);
        },
        () => done(authError('Credentials could not be checked'), false),
      );
    },
    authorizePublish: (client, packet, callback) => {
      // The broker's own messages (results) pass; devices publish their readings only.
      if (!client) return callback(null);
      const identity = identities.get(client);
      const m = TOPIC.exec(packet.topic);
      if (!identity || !m || m[1] !== identity.deviceId) return callback(new Error(`Devices publish to ${identity ? readingsTopic(identity.deviceId) : 'their own topic'} only`));
      const ip = client.conn && 'remoteAddress' in client.conn ? String(client.conn.remoteAddress) : undefined;
      // The PUBACK goes once the readings are stored: QoS 1 means stored, not merely received.
      handle(deps, identity, Buffer.from(packet.payload), ip ? { ip } : {}).then(
        (outcome) => {
          broker.publish({ cmd: 'publish', topic: resultsTopic(identity.deviceId), payload: Buffer.from(JSON.stringify(outcome)), qos: 0, retain: false, dup: false }, () => undefined);
          callback(null);
        },
        (e: unknown) => {
          console.error('mqtt ingestion:', e);
          callback(null);
        },
      );
    },
    authorizeSubscribe: (client, sub, callback) => {
      const identity = identities.get(client);
      // Refused with SUBACK 0x80 (a null subscription), without dropping the device's connection.
      if (!identity || sub.topic !== resultsTopic(identity.deviceId)) return callback(null, null);
      callback(null, sub);
    },
    // Readings go to Salus, never on to other clients.
    authorizeForward: (_client, packet) => (TOPIC.test(packet.topic) ? null : packet),
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port ?? 1883, deps.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function joinBroker(deps: MqttOptions, url: string): Promise<MqttIngest> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `salus-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    clean: true,
    reconnectPeriod: 2000,
  });
  client.on('message', (topic, payload, packet) => {
    const m = TOPIC.exec(topic);
    if (!m) return;
    const deviceId = m[1]!;
    const prop = packet.properties?.userProperties?.authorization;
    const header = Array.isArray(prop) ? prop[0] : prop;
    let token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) {
      try {
        const t = (JSON.parse(payload.toString('utf8')) as { token?: unknown }).token;
        if (typeof t === 'string') token = t;
      } catch {
        token = undefined;
      }
    }
    const answer = (o: Outcome) => client.publish(resultsTopic(deviceId), JSON.stringify(o), { qos: 0 });
    (async () => {
      const identity = token ? await deps.tokens.verify(token) : undefined;
      if (!identity || identity.deviceId !== deviceId) {
        await deps.audit.append({ action: 'C', subtype: 'monitoring-readings', outcome: 'denied', outcomeDesc: 'unknown or revoked device token (mqtt)', agent: { clientId: `Device/${deviceId}` }, entities: [], patientIds: [] });
        answer({ error: 'Unknown device or token: send the device token as the MQTT 5 user property authorization' });
        return;
      }
      answer(await handle(deps, identity, payload, {}));
    })().catch((e: unknown) => console.error('mqtt ingestion:', e));
  });
  await client.subscribeAsync(SHARED_SUBSCRIPTION, { qos: 1 });
  return {
    async close() {
      await client.endAsync();
    },
  };
}
