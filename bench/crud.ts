import { cpuPer, startCpuMeter, type CpuUse } from './cpu-meter.js';
import { errorCount, runLoad, type LoadResult, type LoadScenario } from './load.js';
import { progress, round, summarize, type LatencySummary } from './stats.js';

export interface RequestFigure {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  /** Requests without a 2xx answer; `statuses` tells which. */
  errors: number;
  statuses: Record<string, number>;
  firstError?: string;
  /** CPU milliseconds per request, by where they were spent (Linux only). */
  cpuMsPerRequest?: CpuUse;
  aim?: number;
}

export interface CrudFigures {
  clients: number;
  create: RequestFigure;
  read: RequestFigure;
  update: RequestFigure;
}

export interface CrudOptions {
  baseUrl: string;
  /** The caller's credentials, sent on every request. */
  headers: Record<string, string>;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
  clients: number;
  seconds: number;
  maxRequests: number;
  readAim: number;
}

/** The figures of one closed-loop load phase. */
export function requestFigure(r: LoadResult, cpu: CpuUse | undefined, aim?: number): RequestFigure {
  const f: RequestFigure = {
    requests: r.requests,
    seconds: round(r.seconds),
    requestsPerSecond: Math.round(r.requests / r.seconds),
    latencyMs: summarize(r.latenciesMs),
    errors: errorCount(r.statuses),
    statuses: r.statuses,
  };
  if (r.firstError !== undefined) f.firstError = r.firstError;
  const perRequest = cpuPer(cpu, r.requests);
  if (perRequest) f.cpuMsPerRequest = perRequest;
  if (aim !== undefined) f.aim = aim;
  return f;
}

/** POST, then GET and PUT the Patients just created, each phase with `clients` concurrent clients. */
export async function crudFigures(options: CrudOptions): Promise<CrudFigures> {
  const base = { baseUrl: options.baseUrl, headers: options.headers, concurrency: options.clients, maxSeconds: options.seconds, maxRequests: options.maxRequests };
  const phase = async (name: string, scenario: LoadScenario, warmupRequests: number, aim?: number): Promise<{ f: RequestFigure; r: LoadResult }> => {
    progress(`${name}: ${options.clients} clients, up to ${options.seconds} s or ${options.maxRequests} requests`);
    let meter: ReturnType<typeof startCpuMeter> | undefined;
    const r = await runLoad({ ...scenario, ...base, warmupRequests }, () => (meter = startCpuMeter(options.database)));
    const f = requestFigure(r, meter?.stop(), aim);
    progress(`${name}: ${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, ${f.errors} errors`);
    return { f, r };
  };
  const create = await phase('create (POST Patient)', { kind: 'create' }, 500);
  const ids = create.r.createdIds;
  if (ids.length === 0) throw new Error(`No Patient was created: ${create.f.firstError ?? 'no answer'}`);
  const read = await phase('read (GET Patient/id)', { kind: 'read', ids }, 2000, options.readAim);
  const update = await phase('update (PUT Patient/id)', { kind: 'update', ids }, 500);
  return { clients: options.clients, create: create.f, read: read.f, update: update.f };
}
