import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import { defaultPlan, type RawReading } from '@salus/core';
import WebSocket from 'ws';
import type { SalusApp } from '../packages/server/src/app.js';
import { Simulator, type DeviceRole } from '../packages/server/src/monitoring/simulator.js';
import { httpTransport, mqttTransport, type DeviceCredentials, type PatientDevices, type ReadingsTransport } from '../packages/server/src/monitoring/simulator-transport.js';
import { cpuPer, startCpuMeter, type CpuUse } from './cpu-meter.js';
import { createBenchDatabase, postgresInfo, underThrowawayPostgres } from './database.js';
import { progress, round, summarize, type LatencySummary } from './stats.js';

/**
 * Remote monitoring on the real server: how many readings a second it takes in from devices over
 * HTTPS and over its embedded MQTT broker, and how long an alarming reading takes to reach a
 * clinician's dashboard as an alert on `/monitoring/live` while other devices keep sending.
 * Runs inside `npm run bench`, or alone with `npx tsx bench/monitoring.ts` (a throwaway
 * PostgreSQL unless DATABASE_URL is set).
 *
 * The readings are those of `salus simulate` (mostly steady patients, a few deteriorating, some in
 * US units, 1 % impossible on purpose), each device's sent in batches in time order. The device
 * clients and the dashboard run on worker threads, so their work does not queue behind the
 * server's on its event loop.
 */

export const MONITORING_AIMS = { readingsPerSecond: 10_000, alertP99Ms: 250 } as const;

export interface MonitoringBenchOptions {
  /** Patients enrolled, each with a watch and a home kit. */
  patients: number;
  /** Concurrent device clients of the ingestion phases, and readings per batch. */
  clients: number;
  readingsPerBatch: number;
  warmupSeconds: number;
  seconds: number;
  /** Alert round trips per transport, one at a time, each for a different patient. */
  alertSamples: number;
  /** The other devices' readings while alerts are timed. */
  backgroundReadingsPerSecond: number;
}

export function monitoringOptions(mode: 'default' | 'long'): MonitoringBenchOptions {
  const long = mode === 'long';
  return { patients: long ? 1000 : 500, clients: 32, readingsPerBatch: 200, warmupSeconds: long ? 5 : 3, seconds: long ? 30 : 10, alertSamples: long ? 400 : 200, backgroundReadingsPerSecond: 2000 };
}

export interface IngestFigure {
  transport: 'https' | 'mqtt';
  clients: number;
  readingsPerBatch: number;
  seconds: number;
  /** Readings in the batches answered during the measured time, accepted or not. */
  readings: number;
  readingsPerSecond: number;
  /** HTTP requests (MQTT: publishes answered on the results topic). */
  requestsPerSecond: number;
  /** From sending a batch to its answer (MQTT: to its message on the results topic). */
  latencyMs: LatencySummary;
  accepted: number;
  rejected: number;
  duplicates: number;
  alertsOpened: number;
  /** Batches refused whole or not answered. */
  errors: number;
  firstError?: string;
  cpuMsPer1000Readings?: CpuUse;
  aim: number;
}

export interface AlertFigure {
  transport: 'https' | 'mqtt';
  samples: number;
  /** Readings answered without opening an alert, or whose alert did not arrive within the time limit. */
  missed: number;
  firstError?: string;
  latencyMs: LatencySummary;
  aimP99Ms: number;
}

export interface MonitoringFigures {
  patients: number;
  devices: number;
  setupSeconds: number;
  ingest: { https: IngestFigure; mqtt: IngestFigure };
  alerts: {
    /** What the other devices actually sent meanwhile, over HTTPS. */
    backgroundReadingsPerSecond: number;
    https: AlertFigure;
    mqtt: AlertFigure;
  };
  /** Read back afterwards: one row per accepted reading, no reading stored twice. */
  integrity: { acceptedReadings: number; storedReadings: number; storedTwice: number };
  aims: {
    readingsPerSecond: { aim: number; https: number; mqtt: number; met: boolean };
    alertP99Ms: { aim: number; https: number; mqtt: number; met: boolean };
  };
}

export interface MonitoringOptions extends MonitoringBenchOptions {
  salus: SalusApp;
  /** http://127.0.0.1:PORT (the server's root, not the FHIR base). */
  origin: string;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
}

const CLINICIAN = 'bench-monitor-clinician';
const ORGANIZATION = 'bench-monitor-clinic';
const PATIENT = (i: number): string => `bench-monitored-${i}`;
const SEED = 2026;
/** Share of patients who deteriorate while the readings flow, and open alerts as real ones would. */
const DETERIORATING_SHARE = 0.02;
/** Wearable readings per patient per simulated second: a batch of 200 is about 50 s of a watch's data. */
const READINGS_PER_PATIENT_SECOND = 4;
/** Each device client gets its own stretch of simulated time (one hour, ending an hour apart), so no reading is sent twice. */
const SIM_WINDOW_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Worker threads: the device clients and the dashboard.

interface IngestTask {
  role: 'ingest';
  transport: 'https' | 'mqtt';
  origin: string;
  mqttUrl: string;
  devices: PatientDevices[];
  /** The simulated patients start this long ago. */
  simStartMs: number;
  readingsPerBatch: number;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** Send at this rate (readings a second) until told to stop, instead of closed loop. */
  paced?: number;
}

interface IngestResult {
  seconds: number;
  batches: number;
  readings: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  alerts: number;
  errors: number;
  firstError?: string;
  latenciesMs: Float64Array;
  /** Accepted readings over the whole run, warm-up included, for the integrity check. */
  acceptedAll: number;
}

interface ProbeTarget {
  patientId: string;
  device: DeviceCredentials;
}

interface ProbeTask {
  role: 'probe';
  origin: string;
  mqttUrl: string;
  /** A clinician's session, as the dashboard has it. */
  cookie: string;
  https: ProbeTarget[];
  mqtt: ProbeTarget[];
  timeoutMs: number;
}

interface ProbeSeries {
  latenciesMs: number[];
  missed: number;
  accepted: number;
  firstError?: string;
}

type FromWorker = { type: 'measuring' } | { type: 'ingest'; result: IngestResult } | { type: 'probe'; https: ProbeSeries; mqtt: ProbeSeries };

/** Compact batches of the simulated patients, each device's filled to `size` readings in time order, produced as they are asked for. */
class BatchSource {
  private readonly sim: Simulator;
  private t: number;
  private readonly buffers = new Map<string, RawReading[]>();
  private ready: { device: DeviceCredentials; readings: RawReading[] }[] = [];

  constructor(
    private readonly devices: PatientDevices[],
    startMs: number,
    private readonly size: number,
  ) {
    this.sim = new Simulator({ seed: SEED, patients: devices.length, deteriorating: Math.round(devices.length * DETERIORATING_SHARE), startMs, readingsPerSecondPerPatient: READINGS_PER_PATIENT_SECOND });
    this.t = startMs;
  }

  next(): { device: DeviceCredentials; body: string; readings: number } {
    while (this.ready.length === 0) this.advance();
    const b = this.ready.pop()!;
    return { device: b.device, body: JSON.stringify({ readings: b.readings }), readings: b.readings.length };
  }

  private advance(): void {
    this.t += 5000;
    if (this.t > Date.now()) throw new Error('The simulated readings caught up with the clock; give the phase a longer window');
    for (const r of this.sim.until(this.t)) {
      const key = `${r.patient}:${r.device}`;
      let buffer = this.buffers.get(key);
      if (!buffer) this.buffers.set(key, (buffer = []));
      buffer.push(r.reading);
      if (buffer.length === this.size) {
        this.ready.push({ device: this.devices[r.patient]![r.device as DeviceRole], readings: buffer });
        this.buffers.set(key, []);
      }
    }
    // Taken from the end: reversed, so batches still go out in the order they filled.
    this.ready.reverse();
  }
}

async function openTransport(task: { transport: 'https' | 'mqtt'; origin: string; mqttUrl: string }, devices: DeviceCredentials[], connections: number): Promise<ReadingsTransport> {
  return task.transport === 'mqtt' ? mqttTransport(task.mqttUrl, devices) : httpTransport(task.origin, connections);
}

async function ingestWorker(task: IngestTask): Promise<IngestResult> {
  const source = new BatchSource(task.devices, task.simStartMs, task.readingsPerBatch);
  const transport = await openTransport(task, task.devices.flatMap((d) => [d.wearable, d.spot]), task.concurrency);
  const r: IngestResult = { seconds: 0, batches: 0, readings: 0, accepted: 0, rejected: 0, duplicates: 0, alerts: 0, errors: 0, latenciesMs: new Float64Array(0), acceptedAll: 0 };
  const latencies: number[] = [];
  let recording = false;
  const sendOne = async (): Promise<void> => {
    const b = source.next();
    const t0 = performance.now();
    try {
      const c = await transport.send(b.device, b.body);
      r.acceptedAll += c.accepted;
      if (!recording) return;
      latencies.push(performance.now() - t0);
      r.batches++;
      r.readings += b.readings;
      r.accepted += c.accepted;
      r.rejected += c.rejected;
      r.duplicates += c.duplicates;
      r.alerts += c.alerts;
    } catch (e) {
      if (!recording) return;
      r.errors++;
      r.firstError ??= e instanceof Error ? e.message : String(e);
    }
  };

  if (task.paced !== undefined) {
    // Open loop: batches go out at the rate asked for, up to `concurrency` unanswered, until the main thread says stop.
    const stop = new Promise<void>((done) => parentPort!.once('message', () => done()));
    recording = true;
    parentPort!.postMessage({ type: 'measuring' } satisfies FromWorker);
    const started = performance.now();
    const perMs = task.paced / task.readingsPerBatch / 1000;
    let issued = 0;
    let inFlight = 0;
    let stopped = false;
    void stop.then(() => (stopped = true));
    while (!stopped && performance.now() - started < task.seconds * 1000) {
      while (issued < (performance.now() - started) * perMs && inFlight < task.concurrency) {
        issued++;
        inFlight++;
        void sendOne().finally(() => inFlight--);
      }
      await new Promise((done) => setTimeout(done, 5));
    }
    while (inFlight > 0) await new Promise((done) => setTimeout(done, 5));
    r.seconds = (performance.now() - started) / 1000;
  } else {
    const loop = async (seconds: number): Promise<void> => {
      const deadline = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: task.concurrency }, async () => {
          while (performance.now() < deadline) await sendOne();
        }),
      );
    };
    await loop(task.warmupSeconds);
    recording = true;
    parentPort!.postMessage({ type: 'measuring' } satisfies FromWorker);
    const started = performance.now();
    await loop(task.seconds);
    r.seconds = (performance.now() - started) / 1000;
  }
  await transport.close();
  r.latenciesMs = Float64Array.from(latencies);
  return r;
}

/**
 * The dashboard: a WebSocket on /monitoring/live with a clinician's session. For each target in
 * turn, one alarming reading timestamped now (a pulse of 150, or an SpO2 of 84, alternately), and
 * the time until the alert about that patient arrives on the socket.
 */
async function probeWorker(task: ProbeTask): Promise<{ https: ProbeSeries; mqtt: ProbeSeries }> {
  const socket = new WebSocket(`${task.origin.replace(/^http/, 'ws')}/monitoring/live`, { headers: { cookie: task.cookie } });
  const waiting = new Map<string, (at: number) => void>();
  await new Promise<void>((ready, fail) => {
    socket.once('error', fail);
    socket.once('unexpected-response', (_req, res) => fail(new Error(`/monitoring/live answered ${res.statusCode}`)));
    socket.on('message', (data: Buffer) => {
      const at = performance.now();
      const m = JSON.parse(data.toString('utf8')) as { type: string; alert?: { patientId: string; status: string } };
      if (m.type === 'hello') ready();
      if (m.type === 'alert' && m.alert?.status === 'open') waiting.get(m.alert.patientId.replace(/^Patient\//, ''))?.(at);
    });
  });

  const series = async (transport: 'https' | 'mqtt', targets: ProbeTarget[]): Promise<ProbeSeries> => {
    const out: ProbeSeries = { latenciesMs: [], missed: 0, accepted: 0 };
    const sender = await openTransport({ ...task, transport }, targets.map((t) => t.device), 1);
    for (const [i, target] of targets.entries()) {
      const reading: RawReading = i % 2 === 0 ? { kind: 'heart-rate', value: 150 } : { kind: 'oxygen-saturation', value: 84 };
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<number | undefined>((done) => {
        waiting.set(target.patientId, done);
        timer = setTimeout(() => done(undefined), task.timeoutMs);
      });
      const t0 = performance.now();
      const answer = sender.send(target.device, JSON.stringify({ readings: [{ ...reading, time: new Date().toISOString() }] })).then(
        (c) => {
          out.accepted += c.accepted;
          return c.alerts;
        },
        (e: unknown) => {
          out.firstError ??= e instanceof Error ? e.message : String(e);
          return 0;
        },
      );
      const at = await Promise.race([arrived, answer.then((alerts) => (alerts === 0 ? undefined : arrived))]);
      clearTimeout(timer);
      waiting.delete(target.patientId);
      if (at === undefined) out.missed++;
      else out.latenciesMs.push(at - t0);
      await answer;
    }
    await sender.close();
    return out;
  };
  const https = await series('https', task.https);
  const mqtt = await series('mqtt', task.mqtt);
  socket.close();
  return { https, mqtt };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role) {
  const task = workerData as IngestTask | ProbeTask;
  if (task.role === 'ingest') {
    const result = await ingestWorker(task);
    parentPort!.postMessage({ type: 'ingest', result } satisfies FromWorker, [result.latenciesMs.buffer as ArrayBuffer]);
  } else {
    parentPort!.postMessage({ type: 'probe', ...(await probeWorker(task)) } satisfies FromWorker);
  }
}

/** Starts this module on a worker thread with `task`; the worker needs the TypeScript loader this process runs under. */
function startWorker(task: IngestTask | ProbeTask): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const self = JSON.stringify(import.meta.url);
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${self}); })`, { eval: true, workerData: task });
}

/** The worker's answer; `onMeasuring` when its warm-up ends. */
function workerResult<T extends FromWorker['type']>(worker: Worker, type: T, limitSeconds: number, onMeasuring?: () => void): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((done, fail) => {
    const guard = setTimeout(() => {
      void worker.terminate();
      fail(new Error(`monitoring ${type} worker did not finish`));
    }, limitSeconds * 1000);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'measuring') return onMeasuring?.();
      if (m.type !== type) return;
      clearTimeout(guard);
      void worker.terminate();
      done(m as Extract<FromWorker, { type: T }>);
    });
    worker.once('error', (e) => {
      clearTimeout(guard);
      fail(e);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The main thread: set-up, phases, figures.

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map((x, j) => fn(x, i + j)))));
  return out;
}

/**
 * The clinic, its clinician and the patients (one transaction through the server's repository),
 * the clinician's account and a signed-in session; then, over the API as a Backend Services
 * client, each patient's default plan for the conditions the simulator gives them (with the
 * general rules, so a pulse of 150 alarms for everyone) and their two devices.
 */
async function setUp(o: MonitoringOptions, simulator: Simulator): Promise<{ devices: PatientDevices[]; cookie: string }> {
  const { provisionAccount } = await import('../packages/server/src/auth/accounts.js');
  const { SESSION_COOKIE } = await import('../packages/server/src/auth/types.js');
  const { backendToken } = await import('../packages/server/src/test-support.js');
  const entries: Resource[] = [
    { resourceType: 'Organization', id: ORGANIZATION, name: 'Bench Monitoring Clinic' },
    { resourceType: 'Practitioner', id: CLINICIAN, name: [{ family: 'Monitor', given: ['Bench'], prefix: ['Dr.'] }] },
    { resourceType: 'PractitionerRole', id: `${CLINICIAN}-role`, practitioner: { reference: `Practitioner/${CLINICIAN}` }, organization: { reference: `Organization/${ORGANIZATION}` } },
  ];
  for (let i = 0; i < o.patients; i++) {
    entries.push({ resourceType: 'Patient', id: PATIENT(i), name: [{ family: `Monitored ${i}` }], generalPractitioner: [{ reference: `Practitioner/${CLINICIAN}` }], managingOrganization: { reference: `Organization/${ORGANIZATION}` } });
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) };
  const res = await o.salus.fhir.bundle(o.salus.fhir, { method: 'POST', path: '', query: [], prefer: 'return=minimal' }, bundle);
  if (res.status !== 200) throw new Error(`Loading the monitored patients failed: ${res.status} ${res.body?.slice(0, 300)}`);

  const accountId = await provisionAccount(o.salus.db, {
    email: 'bench.monitor@example.org',
    displayName: 'Dr. Bench Monitor',
    status: 'active',
    fhirUser: `Practitioner/${CLINICIAN}`,
    roles: [{ role: 'practitioner', organizationId: ORGANIZATION, verified: true }],
  });
  if (!accountId) throw new Error('The bench clinician already has an account');
  const { token: session } = await o.salus.accounts.createSession(accountId, true, { ip: '127.0.0.1' });

  // Backend Services tokens last five minutes: one for the set-up alone.
  const authorization = `Bearer ${await backendToken(o.salus)}`;
  const call = async <T>(method: string, path: string, body: unknown, type: string): Promise<T> => {
    const r = await fetch(`${o.origin}${path}`, { method, headers: { authorization, 'content-type': type, accept: 'application/json, application/fhir+json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${(await r.text()).slice(0, 300)}`);
    return (await r.json()) as T;
  };
  const enrol = async (patient: string, type: string): Promise<DeviceCredentials> => {
    const params: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: type }, { name: 'manufacturer', valueString: 'Salus bench' }] };
    const out = await call<Parameters>('POST', `/fhir/R4/Patient/${patient}/$enrol-device`, params, 'application/fhir+json');
    return { deviceId: out.parameter!.find((p) => p.name === 'device')!.resource!.id!, token: out.parameter!.find((p) => p.name === 'token')!.valueString! };
  };
  const devices = await inBatches(simulator.patients.slice(), 16, async (p, i) => {
    await call('PUT', `/monitoring/patients/${PATIENT(i)}/plan`, defaultPlan([...p.conditions, 'general']), 'application/json');
    return { wearable: await enrol(PATIENT(i), 'watch'), spot: await enrol(PATIENT(i), 'blood-pressure-monitor') };
  });
  return { devices, cookie: `${SESSION_COOKIE}=${session}` };
}

async function ingestPhase(o: MonitoringOptions, transport: 'https' | 'mqtt', devices: PatientDevices[], mqttUrl: string, simStartMs: number): Promise<{ figure: IngestFigure; acceptedAll: number }> {
  progress(`monitoring ingest over ${transport}: ${o.clients} clients, batches of ${o.readingsPerBatch}, ${o.warmupSeconds} s warm-up, ${o.seconds} s measured`);
  let meter: ReturnType<typeof startCpuMeter> | undefined;
  const task: IngestTask = { role: 'ingest', transport, origin: o.origin, mqttUrl, devices, simStartMs, readingsPerBatch: o.readingsPerBatch, concurrency: o.clients, warmupSeconds: o.warmupSeconds, seconds: o.seconds };
  const { result: r } = await workerResult(startWorker(task), 'ingest', o.warmupSeconds + o.seconds + 180, () => (meter = startCpuMeter(o.database)));
  const cpu = meter?.stop();
  const figure: IngestFigure = {
    transport,
    clients: o.clients,
    readingsPerBatch: o.readingsPerBatch,
    seconds: round(r.seconds),
    readings: r.readings,
    readingsPerSecond: Math.round(r.readings / r.seconds),
    requestsPerSecond: Math.round(r.batches / r.seconds),
    latencyMs: summarize(r.latenciesMs),
    accepted: r.accepted,
    rejected: r.rejected,
    duplicates: r.duplicates,
    alertsOpened: r.alerts,
    errors: r.errors,
    aim: MONITORING_AIMS.readingsPerSecond,
  };
  if (r.firstError !== undefined) figure.firstError = r.firstError;
  const per1000 = cpuPer(cpu, r.readings, 1000);
  if (per1000) figure.cpuMsPer1000Readings = per1000;
  progress(`monitoring ingest over ${transport}: ${figure.readingsPerSecond} readings/s, ${figure.requestsPerSecond} batches/s, p50 ${figure.latencyMs.p50} ms, p99 ${figure.latencyMs.p99} ms, ${figure.errors} errors`);
  return { figure, acceptedAll: r.acceptedAll };
}

function alertFigure(transport: 'https' | 'mqtt', s: ProbeSeries, samples: number): AlertFigure {
  const f: AlertFigure = { transport, samples, missed: s.missed, latencyMs: summarize(s.latenciesMs), aimP99Ms: MONITORING_AIMS.alertP99Ms };
  if (s.firstError !== undefined) f.firstError = s.firstError;
  return f;
}

export async function monitoringFigures(o: MonitoringOptions): Promise<MonitoringFigures> {
  progress(`monitoring: ${o.patients} patients, a watch and a home kit each`);
  const started = performance.now();
  // buildApp opens no MQTT port unless told to (`salus start` does): then the same embedded broker
  // starts here, on a free port of 127.0.0.1, wired to the app's own device tokens, ingestion and ledger.
  const { startMqtt } = await import('../packages/server/src/monitoring/mqtt.js');
  const { salus } = o;
  const broker = salus.monitoring.mqttPort() === undefined ? await startMqtt({ port: 0, host: '127.0.0.1', tokens: salus.monitoring.tokens, ingestor: salus.monitoring.ingestor, audit: { append: (e) => salus.ledger.append(e) } }) : undefined;
  try {
    return await phases(o, `mqtt://127.0.0.1:${broker?.port ?? salus.monitoring.mqttPort()}`, started);
  } finally {
    await broker?.close();
  }
}

async function phases(o: MonitoringOptions, mqttUrl: string, started: number): Promise<MonitoringFigures> {
  // Only the patients' conditions are taken from this one; the device clients make their own readings.
  const plans = new Simulator({ seed: SEED, patients: o.patients, deteriorating: Math.round(o.patients * DETERIORATING_SHARE), startMs: 0 });
  const { devices, cookie } = await setUp(o, plans);
  const setupSeconds = round((performance.now() - started) / 1000);
  progress(`monitoring: set up in ${setupSeconds} s`);

  // Each phase's simulated hour ends an hour before the next one's, all in the past.
  const now = Date.now();
  const https = await ingestPhase(o, 'https', devices, mqttUrl, now - 3 * SIM_WINDOW_MS);
  const mqtt = await ingestPhase(o, 'mqtt', devices, mqttUrl, now - 2 * SIM_WINDOW_MS);

  // Alert round trips on steady patients, each on a patient of their own, while the others' devices keep sending.
  const steady = devices.map((d, i) => ({ patientId: PATIENT(i), device: d.wearable })).filter((_, i) => plans.patients[i]!.profile === 'steady');
  if (steady.length < 2 * o.alertSamples) throw new Error(`${o.alertSamples} alert samples per transport need ${2 * o.alertSamples} steady patients; there are ${steady.length}`);
  progress(`monitoring alerts: ${o.alertSamples} over https then ${o.alertSamples} over mqtt, one at a time, with ${o.backgroundReadingsPerSecond} readings/s from the other devices`);
  const background = startWorker({ role: 'ingest', transport: 'https', origin: o.origin, mqttUrl, devices, simStartMs: now - SIM_WINDOW_MS, readingsPerBatch: o.readingsPerBatch, concurrency: o.clients, warmupSeconds: 0, seconds: 600, paced: o.backgroundReadingsPerSecond });
  const backgroundDone = workerResult(background, 'ingest', 700);
  const probes = await workerResult(
    startWorker({ role: 'probe', origin: o.origin, mqttUrl, cookie, https: steady.slice(0, o.alertSamples), mqtt: steady.slice(o.alertSamples, 2 * o.alertSamples), timeoutMs: 5000 }),
    'probe',
    600,
  );
  background.postMessage('stop');
  const { result: bg } = await backgroundDone;
  const alerts = {
    backgroundReadingsPerSecond: Math.round(bg.readings / bg.seconds),
    https: alertFigure('https', probes.https, o.alertSamples),
    mqtt: alertFigure('mqtt', probes.mqtt, o.alertSamples),
  };
  progress(`monitoring alerts: https p50 ${alerts.https.latencyMs.p50} ms, p99 ${alerts.https.latencyMs.p99} ms; mqtt p50 ${alerts.mqtt.latencyMs.p50} ms, p99 ${alerts.mqtt.latencyMs.p99} ms; ${alerts.backgroundReadingsPerSecond} readings/s meanwhile`);

  const stored = await o.salus.db.query<{ n: string; twice: string }>(
    `SELECT (SELECT count(*) FROM device_readings) AS n,
            (SELECT count(*) FROM (SELECT 1 FROM device_readings GROUP BY device_id, kind, effective HAVING count(*) > 1) x) AS twice`,
  );
  const row = stored.rows[0]!;
  const acceptedReadings = https.acceptedAll + mqtt.acceptedAll + bg.acceptedAll + probes.https.accepted + probes.mqtt.accepted;
  const worstP99 = Math.max(alerts.https.latencyMs.p99, alerts.mqtt.latencyMs.p99);
  return {
    patients: o.patients,
    devices: devices.length * 2,
    setupSeconds,
    ingest: { https: https.figure, mqtt: mqtt.figure },
    alerts,
    integrity: { acceptedReadings, storedReadings: Number(row.n), storedTwice: Number(row.twice) },
    aims: {
      readingsPerSecond: {
        aim: MONITORING_AIMS.readingsPerSecond,
        https: https.figure.readingsPerSecond,
        mqtt: mqtt.figure.readingsPerSecond,
        met: Math.min(https.figure.readingsPerSecond, mqtt.figure.readingsPerSecond) >= MONITORING_AIMS.readingsPerSecond,
      },
      alertP99Ms: { aim: MONITORING_AIMS.alertP99Ms, https: alerts.https.latencyMs.p99, mqtt: alerts.mqtt.latencyMs.p99, met: worstP99 < MONITORING_AIMS.alertP99Ms },
    },
  };
}

/** Alone: a fresh database on the server DATABASE_URL names (or a throwaway one), the figures as JSON on stdout. */
async function main(adminUrl: string): Promise<void> {
  const { benchOptions } = await import('./options.js');
  const { startBenchServer } = await import('./server.js');
  const options = benchOptions();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg().map((n) => round(n));
  const database = await createBenchDatabase(adminUrl);
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  try {
    server = await startBenchServer(database.url);
    const monitoring = await monitoringFigures({ salus: server.salus, origin: new URL(server.baseUrl).origin, database: database.name, ...monitoringOptions(options.mode) });
    const pg = await postgresInfo(database.url);
    const result = {
      benchmark: 'salus-monitoring',
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      environment: { node: process.version, postgres: pg.version, postgresSettings: pg.settings, cores: availableParallelism(), loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((n) => round(n)) } },
      monitoring,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await server?.salus.close();
    if (options.keepDatabase) progress(`kept ${database.url}`);
    else await database.drop();
  }
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) await main(adminUrl);
  else process.exitCode = await underThrowawayPostgres();
}
