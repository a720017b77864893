import { openDb, type Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { createTestDatabase } from '../test-support.js';

export interface TestDb {
  db: Db;
  /** The server database's URL, to open a second connection pool as another instance would. */
  url?: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: embedded and in memory, or, when DATABASE_URL
 * names a PostgreSQL server, a new database there that close() drops.
 */
export async function openTestDb(): Promise<TestDb> {
  if (!process.env.DATABASE_URL) {
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const created = await createTestDatabase(process.env.DATABASE_URL);
  const db = await openDb({ databaseUrl: created.url });
  await migrate(db);
  return {
    db,
    url: created.url,
    async close() {
      await db.close();
      await created.drop();
    },
  };
}

/**
 * Runs statements as someone with direct access to the database would to cover their tracks:
 * with the append-only triggers out of the way (session_replication_role = replica skips
 * ordinary triggers; it needs superuser, which the test databases run as).
 */
export async function asAttacker(db: Db, ...statements: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    for (const s of statements) await tx.query(s);
  });
}
