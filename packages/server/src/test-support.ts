import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Resource } from '@medplum/fhirtypes';
import { stringifyFhirJson } from '@salus/core';
import { buildApp, defaultConfig, FHIR_PREFIX, type SalusApp } from './app.js';

export interface TestApp extends Omit<SalusApp, 'fhir'> {
  /** The FHIR interaction handler (SalusApp.fhir), for in-process calls without HTTP. */
  service: SalusApp['fhir'];
  /** Calls the FHIR API in-process and parses the JSON body. */
  fhir<T = Resource>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Record<string, string | string[] | number | undefined> }>;
}

/**
 * Boots the real app on a fresh database: an in-memory embedded engine by default, or, when
 * DATABASE_URL names a PostgreSQL server, a new database created on it (dropped on close), so
 * test files running side by side never see each other's data.
 */
/** A fresh database on the PostgreSQL server named by DATABASE_URL, and a way to drop it. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `salus_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Boots the real app on a fresh database: an in-memory embedded engine by default, or, when
 * DATABASE_URL names a PostgreSQL server, a new database created on it (dropped on close), so
 * test files running side by side never see each other's data.
 */
export async function startTestApp(): Promise<TestApp> {
  const config = { ...defaultConfig({}), port: 8080, dataDir: 'memory://' };
  let drop: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const created = await createTestDatabase(process.env.DATABASE_URL);
    config.databaseUrl = created.url;
    drop = created.drop;
  }
  const salus = await buildApp(config);
  return {
    ...salus,
    service: salus.fhir,
    async close() {
      await salus.close();
      await drop?.();
    },
    async fhir(method, path, body, headers = {}) {
      const res = await salus.app.inject({
        method: method as 'GET',
        url: `${FHIR_PREFIX}/${path.replace(/^\//, '')}`,
        headers: {
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/fhir+json' } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : stringifyFhirJson(body) }),
      });
      const text = res.body;
      return {
        status: res.statusCode,
        body: (text ? JSON.parse(text) : undefined) as never,
        headers: res.headers,
      };
    },
  };
}
