import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { progress } from './stats.js';

export interface BenchDatabase {
  name: string;
  /** Connection URL of the fresh database. */
  url: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Creates an empty database on the server `adminUrl` points at, so a run never measures (or
 * damages) data that was there before, and two runs on one server do not meet.
 */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `salus_bench_${process.pid}_${Date.now().toString(36)}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export interface PostgresInfo {
  version: string;
  /** Settings that change write speed a lot; a throwaway server runs with durability off. */
  settings: Record<string, string>;
}

export async function postgresInfo(url: string): Promise<PostgresInfo> {
  return withClient(url, async (c) => {
    const version = (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const names = ['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem', 'max_connections'];
    // current_setting() gives the human form (256MB), as SHOW does.
    const r = await c.query<{ name: string; setting: string }>(
      'SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name',
      [names],
    );
    const settings: Record<string, string> = {};
    for (const row of r.rows) settings[row.name] = row.setting;
    return { version, settings };
  });
}

/**
 * Without DATABASE_URL, runs this same command again under scripts/with-postgres.sh, which starts
 * a throwaway PostgreSQL server and removes it afterwards.
 */
export function underThrowawayPostgres(): Promise<number> {
  if (process.env.SALUS_BENCH_REEXEC) throw new Error('scripts/with-postgres.sh did not set DATABASE_URL');
  const script = fileURLToPath(new URL('../scripts/with-postgres.sh', import.meta.url));
  progress('no DATABASE_URL: starting a throwaway PostgreSQL with scripts/with-postgres.sh');
  const args = [process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
  const child = spawn(script, args, { stdio: 'inherit', env: { ...process.env, SALUS_BENCH_REEXEC: '1' } });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
