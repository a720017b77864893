import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../access/audit-recorder.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/service.js';
import type { JobQueue } from '../jobs/queue.js';
import { createDeviceTokens, type DeviceTokens } from './device-tokens.js';
import { deviceOperations } from './devices.js';
import { createIngestor, type Ingestor } from './ingest.js';
import { createLiveHub, type LiveHub } from './live.js';
import { readingsTopic, startMqtt, type MqttIngest } from './mqtt.js';
import { registerMonitoringRoutes } from './routes.js';
import { createWatcher, MONITORING_CHANNEL, type Watcher } from './watch.js';

/**
 * Where devices reach Salus over MQTT: an embedded broker on a port, or an external broker.
 * `optional`: the default port of `salus start`, which may be taken (a broker already running on
 * the machine); then Salus starts without MQTT and says so, rather than not at all.
 */
export type MqttConfig = { port: number; host?: string; optional?: boolean } | { url: string };

/** The MQTT settings the environment names; none when it names none (`salus start` then uses 1883). */
export function mqttConfigFromEnv(env: NodeJS.ProcessEnv): MqttConfig | undefined {
  if (env.MQTT_URL) return { url: env.MQTT_URL };
  if (!env.SALUS_MQTT_PORT || env.SALUS_MQTT_PORT === 'off') return undefined;
  return { port: Number(env.SALUS_MQTT_PORT) };
}

export const DEFAULT_MQTT: MqttConfig = { port: 1883, optional: true };

/** How often monitored patients are checked for readings that stopped coming. */
const MISSING_DATA_EVERY_MS = 15 * 60_000;

export interface Monitoring {
  operations: FhirOperation[];
  tokens: DeviceTokens;
  ingestor: Ingestor;
  watcher: Watcher;
  /** The embedded MQTT broker's port, once started. */
  mqttPort(): number | undefined;
  register(app: FastifyInstance, deps: { auth: Authenticator; audit: AuditSink }): Promise<void>;
  /** Starts MQTT and the missing-data checks (after the HTTP routes are up). */
  start(audit: AuditSink): Promise<void>;
  close(): Promise<void>;
}

export async function createMonitoring(deps: { db: Db; repo: FhirRepository; jobs: JobQueue; now: () => Date; publicUrl: string; mqtt?: MqttConfig }): Promise<Monitoring> {
  const { db, repo, jobs, now } = deps;
  const tokens = await createDeviceTokens(db, now);
  const watcher = createWatcher({ db, repo, jobs, now });
  const ingestor = createIngestor({ db, watcher, now });
  let live: LiveHub | undefined;
  let mqtt: MqttIngest | undefined;
  // The next check is due at the next quarter hour; named by that time, so nodes starting
  // together, and the check that schedules its successor, add one job between them.
  const scheduleMissingCheck = async (): Promise<void> => {
    const runAt = new Date((Math.floor(now().getTime() / MISSING_DATA_EVERY_MS) + 1) * MISSING_DATA_EVERY_MS);
    await jobs.enqueue(db, { kind: 'monitoring.missing-data', payload: {}, runAt, key: `monitoring.missing-data|${runAt.toISOString()}` });
  };
  jobs.register('monitoring.missing-data', async () => {
    await watcher.checkMissing();
    await scheduleMissingCheck();
  });
  return {
    operations: deviceOperations({ tokens, now }),
    tokens,
    ingestor,
    watcher,
    mqttPort: () => mqtt?.port,
    async register(app, { auth, audit }) {
      live = await createLiveHub({ db, repo, auth, audit, publicUrl: deps.publicUrl, onPlanChanged: (p) => watcher.forget(p) });
      live.register(app);
      registerMonitoringRoutes(app, {
        db,
        repo,
        auth,
        audit,
        tokens,
        ingestor,
        now,
        planChanged: async (p) => {
          watcher.forget(p);
          await db.query('SELECT pg_notify($1, $2)', [MONITORING_CHANNEL, JSON.stringify({ t: 'plan', p })]);
        },
        mqttTopic: readingsTopic,
      });
    },
    async start(audit) {
      if (deps.mqtt) {
        try {
          mqtt = await startMqtt({ ...deps.mqtt, tokens, ingestor, audit });
        } catch (e) {
          if (!('optional' in deps.mqtt && deps.mqtt.optional && (e as { code?: string }).code === 'EADDRINUSE')) throw e;
          console.warn(`MQTT: port ${deps.mqtt.port} is taken, so devices can send readings over HTTPS only; set SALUS_MQTT_PORT to another port, or MQTT_URL.`);
        }
      }
      await scheduleMissingCheck();
    },
    async close() {
      await mqtt?.close();
      await live?.close();
      await tokens.close();
    },
  };
}
