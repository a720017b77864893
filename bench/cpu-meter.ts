import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU time spent during a phase, in milliseconds. */
export interface CpuUse {
  /** The server's JavaScript thread: HTTP, routing, validation, index extraction, SQL client. */
  serverThread: number;
  /** Every other thread of this process: the load client's worker, GC helpers, libuv's pool. */
  otherThreads: number;
  /** PostgreSQL backends serving the bench database (background writers excluded). */
  postgres: number;
}

// USER_HZ: Linux reports process times in 1/100 s whatever the kernel's own tick rate.
const TICK_MS = 10;

function ticks(statFile: string): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    const fields = readFileSync(statFile, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    // The thread or process ended between listing and reading.
    return 0;
  }
}

/** Backend processes of one database, by their process title `postgres: user db host(port) state`. */
function postgresBackends(database: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.startsWith('postgres: ') && cmd.split(' ')[2] === database) out.set(pid, ticks(`/proc/${pid}/stat`));
  }
  return out;
}

/**
 * Measures where CPU time goes during a phase, so figures stay interpretable on a machine shared
 * with other work: requests per second fall when other processes take the cores, CPU time per
 * request does not. Linux only (reads /proc); elsewhere it measures nothing.
 */
export function startCpuMeter(database: string): { stop(): CpuUse | undefined } {
  if (!existsSync('/proc/self/task')) return { stop: () => undefined };
  const main = `/proc/self/task/${process.pid}/stat`;
  const main0 = ticks(main);
  const proc0 = ticks('/proc/self/stat');
  const pg0 = postgresBackends(database);
  return {
    stop() {
      const mainMs = (ticks(main) - main0) * TICK_MS;
      const procMs = (ticks('/proc/self/stat') - proc0) * TICK_MS;
      let pgTicks = 0;
      // A backend that started during the phase counts from zero; one that ended is missed.
      for (const [pid, t] of postgresBackends(database)) pgTicks += t - (pg0.get(pid) ?? 0);
      return { serverThread: mainMs, otherThreads: Math.max(0, procMs - mainMs), postgres: pgTicks * TICK_MS };
    },
  };
}

/** CPU milliseconds per `per` units of work (per request: 1; per 1000 resources: 1000). */
export function cpuPer(use: CpuUse | undefined, units: number, per = 1): CpuUse | undefined {
  if (!use || units === 0) return undefined;
  const f = (ms: number): number => Math.round((ms / units) * per * 1000) / 1000;
  return { serverThread: f(use.serverThread), otherThreads: f(use.otherThreads), postgres: f(use.postgres) };
}
