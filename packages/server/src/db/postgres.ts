import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.js';

// Keep bigint and numeric columns as text: ids and decimals must not lose precision in JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
// Timestamps are handed to the application as ISO strings, as PGlite does with its own parser below.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());

const statementNames = new Map<string, string>();

/** A stable name per statement text; pg prepares a named statement once on each connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
      const r = options?.prepare
        ? await client.query({ name: statementName(sql), text: sql, values: params as unknown[] })
        : await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
  };
}

export async function openPostgres(url: string, poolSize = 20): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Idle clients can be dropped by the server; without a listener that would crash the process.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  await base.query('SELECT 1');
  const listener = createListener(url);
  return {
    engine: 'postgres',
    query: base.query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    listen: listener.listen,
    async close(): Promise<void> {
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * LISTEN/NOTIFY over one dedicated connection (a pooled one would be handed to other queries).
 * It is opened at the first subscription and, if the server drops it, opened again with every
 * channel listened to afresh, so realtime fan-out between nodes survives a database restart.
 */
function createListener(url: string): { listen: Db['listen']; close(): Promise<void> } {
  const channels = new Map<string, Set<(payload: string) => void>>();
  let client: Promise<pg.Client> | undefined;
  let closed = false;
  const quote = (channel: string): string => `"${channel.replace(/"/g, '""')}"`;
  const connect = (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      for (const fn of channels.get(n.channel) ?? []) fn(n.payload ?? '');
    });
    c.on('error', () => {
      client = undefined;
      c.end().catch(() => undefined);
      if (!closed && channels.size > 0) setTimeout(() => void reconnect(), 500);
    });
    return c.connect().then(async () => {
      for (const channel of channels.keys()) await c.query(`LISTEN ${quote(channel)}`);
      return c;
    });
  };
  const reconnect = async (): Promise<void> => {
    if (client || closed) return;
    client = connect();
    await client.catch(() => {
      client = undefined;
      if (!closed) setTimeout(() => void reconnect(), 1000);
    });
  };
  return {
    async listen(channel, onMessage) {
      let fns = channels.get(channel);
      const first = !fns;
      if (!fns) channels.set(channel, (fns = new Set()));
      fns.add(onMessage);
      client ??= connect();
      const c = await client;
      if (first) await c.query(`LISTEN ${quote(channel)}`);
      return async () => {
        const set = channels.get(channel);
        set?.delete(onMessage);
        if (set && set.size === 0) {
          channels.delete(channel);
          if (client) await (await client).query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      if (c) await (await c).end().catch(() => undefined);
    },
  };
}
