/**
 * The one database interface. Two engines sit behind it: a PostgreSQL server through `pg`
 * (when DATABASE_URL is set) and embedded PGlite (WASM PostgreSQL in a data folder). Both speak the
 * same SQL, so repositories are written once.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Marks a statement whose text never varies with its values (hot reads and writes): the server
   * engine then parses and plans it once per connection instead of on every call. Never set for
   * searches, whose best plan depends on the values.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Subscribes to a LISTEN/NOTIFY channel (send with `SELECT pg_notify(channel, payload)`): how
   * app nodes sharing one database tell each other of realtime events. Resolves, once listening,
   * to the function that unsubscribes.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DbConfig {
  /** postgres://... — when absent the embedded engine is used. */
  databaseUrl?: string;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  /** Connection pool size for the server engine. */
  poolSize?: number;
}

export async function openDb(config: DbConfig): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(config.databaseUrl, config.poolSize);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(config.dataDir ?? './data');
}

/** PostgreSQL SQLSTATE codes the application reacts to. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export function sqlState(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
