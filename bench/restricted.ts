import type { SalusApp } from '../packages/server/src/app.js';
import { seedDemoAccounts } from '../packages/server/src/auth/demo-accounts.js';
import { SESSION_COOKIE } from '../packages/server/src/auth/types.js';
import { buildDemoWorld } from '../packages/server/src/seed/demo-world.js';
import { seedDemo } from '../packages/server/src/seed/seed.js';
import { startCpuMeter } from './cpu-meter.js';
import { requestFigure, type RequestFigure } from './crud.js';
import { runLoad, type LoadResult } from './load.js';
import { progress, round } from './stats.js';

/** The demo patient who signs in, and what a patient portal shows her: her record and her results. */
const PATIENT_EMAIL = 'ana.souza@example.com';
const PATIENT = 'Patient/demo-ana-souza';
const READ_PATH = PATIENT;
const SEARCH_PATH = 'Observation?patient=demo-ana-souza&_count=20';

export interface RestrictedPair {
  path: string;
  /** As the signed-in patient: a session looked up per request, rows narrowed to her compartment. */
  patient: RequestFigure;
  /** The same request as the Backend Services client, whose `system/*.cruds` reaches every row. */
  system: RequestFigure;
  /** Patient ÷ system requests per second: what the restriction costs in throughput. */
  throughputRatio: number;
}

export interface RestrictedFigures {
  caller: string;
  clients: number;
  read: RestrictedPair;
  /** `totals` shows both callers matched the same Observations, so the two figures compare like for like. */
  search: RestrictedPair & { totals: { patient: number; system: number } };
}

export interface RestrictedOptions {
  salus: SalusApp;
  baseUrl: string;
  /** Credentials of the unrestricted caller the patient is compared with. */
  systemHeaders: Record<string, string>;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
  clients: number;
  seconds: number;
  maxRequests: number;
}

/** A first-party browser session of the demo patient, both sign-in steps done, as its cookie. */
async function patientCookie(salus: SalusApp): Promise<string> {
  await seedDemo(salus.fhir, { onlyIfEmpty: false });
  const accounts = await seedDemoAccounts(salus.db, salus.repo, buildDemoWorld().people);
  const account = accounts.find((a) => a.email === PATIENT_EMAIL);
  if (!account) throw new Error(`The demo world has no account for ${PATIENT_EMAIL}`);
  const { token } = await salus.accounts.createSession(account.accountId, true, { ip: '127.0.0.1' });
  return `${SESSION_COOKIE}=${token}`;
}

/**
 * The cost of access control for a restricted caller: the same read and search, closed loop, as
 * the signed-in patient and as the Backend Services client. Seeds the demo world first, after the
 * other phases, so its people do not change what they measure.
 */
export async function restrictedFigures(options: RestrictedOptions): Promise<RestrictedFigures> {
  const patientHeaders = { cookie: await patientCookie(options.salus) };
  const phase = async (name: string, path: string, headers: Record<string, string>): Promise<{ f: RequestFigure; r: LoadResult }> => {
    progress(`restricted ${name}: GET ${path}, ${options.clients} clients, up to ${options.seconds} s or ${options.maxRequests} requests`);
    let meter: ReturnType<typeof startCpuMeter> | undefined;
    const r = await runLoad(
      {
        kind: 'get',
        paths: [path],
        baseUrl: options.baseUrl,
        headers,
        concurrency: options.clients,
        warmupRequests: 500,
        maxRequests: options.maxRequests,
        maxSeconds: options.seconds,
      },
      () => (meter = startCpuMeter(options.database)),
    );
    const f = requestFigure(r, meter?.stop());
    progress(`restricted ${name}: ${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, ${f.errors} errors`);
    return { f, r };
  };
  const pair = async (name: string, path: string): Promise<{ figures: RestrictedPair; patient: LoadResult; system: LoadResult }> => {
    const system = await phase(`${name} as system`, path, options.systemHeaders);
    const patient = await phase(`${name} as patient`, path, patientHeaders);
    const throughputRatio = round(patient.f.requestsPerSecond / system.f.requestsPerSecond);
    return { figures: { path, patient: patient.f, system: system.f, throughputRatio }, patient: patient.r, system: system.r };
  };

  const read = await pair('read', READ_PATH);
  const search = await pair('search', SEARCH_PATH);
  const total = (r: LoadResult): number => {
    const seen = r.results[SEARCH_PATH];
    return seen?.total ?? seen?.matches ?? 0;
  };
  return {
    caller: `${PATIENT} (${PATIENT_EMAIL}), signed in with a session cookie`,
    clients: options.clients,
    read: read.figures,
    search: { ...search.figures, totals: { patient: total(search.patient), system: total(search.system) } },
  };
}
