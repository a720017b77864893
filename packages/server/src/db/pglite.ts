import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';

const asText = (v: string): string => v;
// Same representation as the server engine: bigint and numeric as text, timestamps as ISO strings.
const parsers = {
  [types.INT8]: asText,
  [types.NUMERIC]: asText,
  [types.TIMESTAMPTZ]: (v: string) => new Date(v).toISOString(),
};

function wrap(q: Pick<PGlite, 'query'>): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params, { parsers });
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  };
}

export async function openPglite(dataDir: string): Promise<Db> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const base = wrap(db);
  return {
    engine: 'pglite',
    query: base.query,
    // PGlite has a single connection; its transaction() holds it exclusively, so transactions
    // are serialized here where the server engine runs them concurrently.
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async listen(channel, onMessage) {
      const unsubscribe = await db.listen(channel, onMessage);
      return async () => unsubscribe();
    },
    async close(): Promise<void> {
      await db.close();
    },
  };
}
