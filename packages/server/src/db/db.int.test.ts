import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Patient } from '@medplum/fhirtypes';
import { buildApp, defaultConfig } from '../app.js';
import { backendToken, createTestDatabase } from '../test-support.js';
import { openDb } from './db.js';
import { listMigrations, migrate } from './migrate.js';

async function withDb<T>(fn: (url: string | undefined) => Promise<T>): Promise<T> {
  if (!process.env.DATABASE_URL) return fn(undefined);
  const created = await createTestDatabase(process.env.DATABASE_URL);
  try {
    return await fn(created.url);
  } finally {
    await created.drop();
  }
}

test('both engines return bigint and numeric as text and timestamps as ISO strings', async () => {
  await withDb(async (url) => {
    const db = await openDb(url ? { databaseUrl: url } : { dataDir: 'memory://' });
    try {
      const r = await db.query<{ big: string; num: string; ts: string }>(
        "SELECT 9007199254740993::bigint AS big, 1.50::numeric AS num, '2024-01-02T03:04:05.678Z'::timestamptz AS ts",
      );
      assert.deepEqual(r.rows[0], { big: '9007199254740993', num: '1.50', ts: '2024-01-02T03:04:05.678Z' });
      await assert.rejects(db.transaction(async (tx) => {
        await tx.query('CREATE TABLE t_rollback (x int)');
        throw new Error('stop');
      }));
      const exists = await db.query("SELECT to_regclass('t_rollback') AS t");
      assert.equal(exists.rows[0]!.t, null);
    } finally {
      await db.close();
    }
  });
});

test('migrations apply once and record every version', async () => {
  await withDb(async (url) => {
    const db = await openDb(url ? { databaseUrl: url } : { dataDir: 'memory://' });
    try {
      assert.equal((await migrate(db)).length, listMigrations().length);
      assert.equal((await migrate(db)).length, 0);
    } finally {
      await db.close();
    }
  });
});

test('several instances start together on one PostgreSQL database and share its data', { skip: !process.env.DATABASE_URL && 'needs a PostgreSQL server (DATABASE_URL)' }, async () => {
  await withDb(async (url) => {
    const config = { ...defaultConfig({}), databaseUrl: url!, port: 8080 };
    // Both race to migrate the empty database; the migration lock lets one do it.
    const [a, b] = await Promise.all([buildApp(config), buildApp(config)]);
    try {
      // A token issued by one instance is honoured by the other: keys live in the shared database.
      const authorization = `Bearer ${await backendToken(a)}`;
      const created = await a.app.inject({
        method: 'POST',
        url: '/fhir/R4/Patient',
        headers: { 'content-type': 'application/fhir+json', authorization },
        payload: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Shared' }] }),
      });
      assert.equal(created.statusCode, 201);
      const id = (JSON.parse(created.body) as Patient).id;
      const read = await b.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${id}`, headers: { authorization } });
      assert.equal(read.statusCode, 200);
      const found = await b.app.inject({ method: 'GET', url: '/fhir/R4/Patient?name=shared', headers: { authorization } });
      assert.equal((JSON.parse(found.body) as { total: number }).total, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

test('a notification sent after commit reaches every listener of the channel, and none after unsubscribing', async () => {
  await withDb(async (url) => {
    const open = () => openDb(url ? { databaseUrl: url } : { dataDir: 'memory://' });
    const db = await open();
    // On the server engine a second pool stands for a second app node; the embedded engine is one process.
    const other = url ? await open() : db;
    try {
      const remote: string[] = [];
      const local: string[] = [];
      let arrived!: () => void;
      const bothArrived = new Promise<void>((resolve) => (arrived = resolve));
      await other.listen('salus_test', (payload) => {
        remote.push(payload);
        if (remote.length === 2) arrived();
      });
      const stop = await db.listen('salus_test', (payload) => local.push(payload));
      await db.transaction(async (tx) => {
        await tx.query("SELECT pg_notify('salus_test', 'in-tx')");
        // Nothing is delivered before the transaction commits.
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(remote.length + local.length, 0);
      });
      while (local.length === 0) await new Promise((r) => setTimeout(r, 10));
      await stop();
      await db.query("SELECT pg_notify('salus_test', 'second')");
      await bothArrived;
      assert.deepEqual(remote, ['in-tx', 'second']);
      assert.deepEqual(local, ['in-tx']);
    } finally {
      if (other !== db) await other.close();
      await db.close();
    }
  });
});
