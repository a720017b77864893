import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bundle, Parameters, Resource, Slot } from '@medplum/fhirtypes';
import { withAvailability, type Availability } from '@salus/core';
import type { SalusApp } from '../packages/server/src/app.js';
import { startCpuMeter } from './cpu-meter.js';
import { requestFigure, type RequestFigure } from './crud.js';
import { createBenchDatabase, postgresInfo, underThrowawayPostgres } from './database.js';
import { runLoad, type LoadResult, type LoadScenario } from './load.js';
import { benchOptions, type SchedulingBenchOptions } from './options.js';
import { startBenchServer, type BenchServer } from './server.js';
import { progress, round } from './stats.js';

/**
 * Scheduling on the real server: how long Schedule/$find takes for a week of one clinician and of
 * all of them, and how many Appointment/$book calls go through when many clients want the same
 * few times (each time serialized by its schedule's lock, all but one refused with 409) and when
 * they are spread over many times. Runs inside `npm run bench`, or alone with
 * `npx tsx bench/scheduling.ts` (a throwaway PostgreSQL unless DATABASE_URL is set).
 */

export interface FindFigure extends RequestFigure {
  example: string;
  /** Free slots each distinct query found (the searchset total). */
  freeSlots: { min: number; max: number };
}

export interface BookFigure extends RequestFigure {
  /** Distinct slots the phase asked for, and how many requests asked for each. */
  slots: number;
  requestsPerSlot: number;
  /** 201s: appointments made. */
  booked: number;
  bookedPerSecond: number;
  /** 409s: the time was taken by another client first. */
  conflicts: number;
}

export interface SchedulingFigures {
  clinicians: number;
  clients: number;
  week: { start: string; end: string };
  find: { oneClinician: FindFigure; allClinicians: FindFigure };
  book: { contended: BookFigure; spread: BookFigure };
  /** Read back from the database after the booking phases: every 201 stored once, no time booked twice. */
  integrity: { successfulBookings: number; bookedAppointments: number; slotsBookedTwice: number };
}

export interface SchedulingOptions extends SchedulingBenchOptions {
  salus: SalusApp;
  baseUrl: string;
  /** The caller's credentials (the Backend Services client, who may book for any patient). */
  headers: Record<string, string>;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
}

const CLINICIAN = (i: number): string => `bench-clinician-${i}`;
const PATIENT = (i: number): string => `bench-booker-${i}`;
/** Clinicians whose times warm the booking path up; not measured. */
const WARM_UP_CLINICIANS = 2;
/** Clinicians whose times the contended phase fights over. */
const CONTENDED_CLINICIANS = 2;

/** A clinic's week: weekday hours on Oregon time, all three kinds of visit. */
const AVAILABILITY: Availability = {
  timeZone: 'America/Los_Angeles',
  weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }],
  exceptions: [],
  visitTypes: [
    { mode: 'video', minutes: 20, bufferMinutes: 5 },
    { mode: 'phone', minutes: 15, bufferMinutes: 5 },
    { mode: 'in-person', minutes: 30, bufferMinutes: 10 },
  ],
  minNoticeHours: 2,
  horizonDays: 60,
};

/** The clinicians, their schedules and the patients, in one transaction through the server's own repository. */
async function loadClinic(salus: SalusApp, clinicians: number, patients: number): Promise<void> {
  const entries: Resource[] = [];
  for (let i = 0; i < clinicians; i++) {
    entries.push({ resourceType: 'Practitioner', id: CLINICIAN(i), name: [{ family: `Clinician ${i}`, prefix: ['Dr.'] }] });
    entries.push(withAvailability({ resourceType: 'Schedule', id: `bench-schedule-${i}`, active: true, actor: [{ reference: `Practitioner/${CLINICIAN(i)}` }] }, AVAILABILITY));
  }
  for (let i = 0; i < patients; i++) entries.push({ resourceType: 'Patient', id: PATIENT(i), name: [{ family: `Booker ${i}` }] });
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) };
  const res = await salus.fhir.bundle(salus.fhir, { method: 'POST', path: '', query: [], prefer: 'return=minimal' }, bundle);
  if (res.status !== 200) throw new Error(`Loading the bench clinic failed: ${res.status} ${res.body?.slice(0, 300)}`);
}

/** The free video times of one clinician over the week, as $find gives them. */
async function freeTimes(o: SchedulingOptions, clinician: number, week: { start: string; end: string }): Promise<Slot[]> {
  const query = new URLSearchParams({ ...week, 'visit-type': 'video', practitioner: `Practitioner/${CLINICIAN(clinician)}`, _count: '1000' });
  const res = await fetch(`${o.baseUrl}/Schedule/$find?${query}`, { headers: o.headers });
  if (!res.ok) throw new Error(`$find failed: ${res.status} ${await res.text()}`);
  const bundle = (await res.json()) as Bundle;
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as Slot);
}

const bookBody = (slot: string, patient: string): string =>
  JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'slot', valueReference: { reference: `Slot/${slot}` } },
      { name: 'patient', valueReference: { reference: `Patient/${patient}` } },
    ],
  } satisfies Parameters);

/** Round robin over the lists, so consecutive requests go to different clinicians. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; out.length < lists.reduce((n, l) => n + l.length, 0); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

async function phase(name: string, o: SchedulingOptions, scenario: LoadScenario, limits: { concurrency: number; warmupRequests: number; maxRequests: number; maxSeconds: number }): Promise<{ f: RequestFigure; r: LoadResult }> {
  progress(`scheduling ${name}: ${limits.concurrency} client(s), up to ${limits.maxSeconds} s or ${limits.maxRequests} requests`);
  let meter: ReturnType<typeof startCpuMeter> | undefined;
  const r = await runLoad({ ...scenario, baseUrl: o.baseUrl, headers: o.headers, ...limits }, () => (meter = startCpuMeter(o.database)));
  const f = requestFigure(r, meter?.stop());
  progress(`scheduling ${name}: ${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, statuses ${JSON.stringify(f.statuses)}`);
  return { f, r };
}

async function bookPhase(name: string, o: SchedulingOptions, bodies: string[], slots: number): Promise<BookFigure> {
  // Every body is sent once at most; warm-up requests would take the measured times first.
  const { f } = await phase(name, o, { kind: 'post', path: 'Appointment/$book', bodies }, { concurrency: o.bookClients, warmupRequests: 0, maxRequests: bodies.length, maxSeconds: o.bookSeconds });
  const booked = f.statuses['201'] ?? 0;
  return { ...f, slots, requestsPerSlot: round(bodies.length / slots), booked, bookedPerSecond: round(booked / f.seconds), conflicts: f.statuses['409'] ?? 0 };
}

async function findPhase(name: string, o: SchedulingOptions, paths: string[]): Promise<FindFigure> {
  const { f, r } = await phase(name, o, { kind: 'get', paths }, { concurrency: 1, warmupRequests: Math.min(20, paths.length * 2), maxRequests: o.findQueries, maxSeconds: 60 });
  const totals = Object.values(r.results).map((x) => x.total ?? x.matches);
  return { ...f, example: paths[0]!, freeSlots: { min: Math.min(...totals), max: Math.max(...totals) } };
}

export async function schedulingFigures(o: SchedulingOptions): Promise<SchedulingFigures> {
  progress(`scheduling: ${o.clinicians} clinicians, ${o.patients} patients`);
  await loadClinic(o.salus, o.clinicians, o.patients);
  // The coming week, from tomorrow (UTC), as dates the server places in the clinic's zone.
  const day = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const week = { start: day(1), end: day(8) };
  const times = await Promise.all(Array.from({ length: o.clinicians }, (_, i) => freeTimes(o, i, week)));
  let patient = 0;
  const nextPatient = (): string => PATIENT(patient++ % o.patients);

  const warmUp = interleave(times.slice(o.clinicians - WARM_UP_CLINICIANS));
  const warm = await phase('book warm-up', o, { kind: 'post', path: 'Appointment/$book', bodies: warmUp.map((s) => bookBody(s.id!, nextPatient())) }, { concurrency: o.bookClients, warmupRequests: 0, maxRequests: warmUp.length, maxSeconds: 30 });

  // Contended: all clients on the same time at once, then on the next, on two clinicians' weeks.
  const contendedSlots = interleave(times.slice(0, CONTENDED_CLINICIANS));
  const contendedBodies = contendedSlots.flatMap((s) => Array.from({ length: o.bookClients }, () => bookBody(s.id!, nextPatient())));
  const contended = await bookPhase('book contended', o, contendedBodies, contendedSlots.length);
  // Spread: every request a different time, consecutive ones at different clinicians.
  const spreadSlots = interleave(times.slice(CONTENDED_CLINICIANS, o.clinicians - WARM_UP_CLINICIANS));
  const spread = await bookPhase('book spread', o, spreadSlots.map((s) => bookBody(s.id!, nextPatient())), spreadSlots.length);

  const integrity = await o.salus.db.query<{ appointments: string; twice: string }>(
    `WITH booked AS (
       SELECT s.ref FROM sp_reference s
       JOIN sp_token st ON st.res_type = 'Appointment' AND st.res_id = s.res_id AND st.code = 'status' AND st.value = 'booked'
       WHERE s.res_type = 'Appointment' AND s.code = 'slot' AND s.ref LIKE 'Slot/bench-schedule-%')
     SELECT (SELECT count(*) FROM booked) AS appointments,
            (SELECT count(*) FROM (SELECT ref FROM booked GROUP BY ref HAVING count(*) > 1) x) AS twice`,
  );

  // Searches after the bookings, so every week has busy times to work around, and after the
  // confirmations those bookings queued have gone out, so the job worker does not share the cores.
  await o.salus.jobs.runDue();
  const base = `start=${week.start}&end=${week.end}`;
  const oneClinician = await findPhase(
    'find one clinician',
    o,
    Array.from({ length: o.clinicians }, (_, i) => `Schedule/$find?${base}&visit-type=video&practitioner=Practitioner/${CLINICIAN(i)}`),
  );
  const allClinicians = await findPhase('find all clinicians', o, ['video', 'phone', 'in-person'].map((m) => `Schedule/$find?${base}&visit-type=${m}`));

  const row = integrity.rows[0]!;
  return {
    clinicians: o.clinicians,
    clients: o.bookClients,
    week,
    find: { oneClinician, allClinicians },
    book: { contended, spread },
    integrity: {
      successfulBookings: contended.booked + spread.booked + (warm.f.statuses['201'] ?? 0),
      bookedAppointments: Number(row.appointments),
      slotsBookedTwice: Number(row.twice),
    },
  };
}

/** Alone: a fresh database on the server DATABASE_URL names (or a throwaway one), the figures as JSON on stdout. */
async function main(adminUrl: string): Promise<void> {
  const options = benchOptions();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg().map((n) => round(n));
  const database = await createBenchDatabase(adminUrl);
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer(database.url);
    const scheduling = await schedulingFigures({ salus: server.salus, baseUrl: server.baseUrl, headers: { authorization: `Bearer ${server.token}` }, database: database.name, ...options.scheduling });
    const pg = await postgresInfo(database.url);
    const result = {
      benchmark: 'salus-scheduling',
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      environment: { node: process.version, postgres: pg.version, postgresSettings: pg.settings, cores: availableParallelism(), loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((n) => round(n)) } },
      scheduling,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await server?.salus.close();
    if (options.keepDatabase) progress(`kept ${database.url}`);
    else await database.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) await main(adminUrl);
  else process.exitCode = await underThrowawayPostgres();
}
