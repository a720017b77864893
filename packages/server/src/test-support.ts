import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Resource } from '@medplum/fhirtypes';
import { stringifyFhirJson } from '@salus/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp, defaultConfig, FHIR_PREFIX, type BuildOptions, type SalusApp, type SalusConfig } from './app.js';
import type { MqttConfig } from './monitoring/monitoring.js';
import { seedDemoAccounts } from './auth/demo-accounts.js';
import { SESSION_COOKIE } from './auth/types.js';
import { STAFF } from './seed/demo-directory.js';
import { CAREGIVER, PATIENTS } from './seed/demo-patients.js';
import { buildDemoWorld, DEMO_ADMIN_EMAIL } from './seed/demo-world.js';
import { seedDemo } from './seed/seed.js';

/** The demo people tests sign in as (`t.signIn(DEMO_EMAIL.ana)`), from the seed's own records. */
export const DEMO_EMAIL = {
  ana: PATIENTS.ana.email,
  jose: PATIENTS.jose.email,
  siobhan: CAREGIVER.email,
  okafor: STAFF.okafor.email,
  castillo: STAFF.castillo.email,
  lindqvist: STAFF.lindqvist.email,
  chen: STAFF.chen.email,
  wojcik: STAFF.wojcik.email,
  whitfield: DEMO_ADMIN_EMAIL,
} as const;

/** A response of the app, with the JSON body parsed. */
export interface TestResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Someone calling the running app: a signed-in person, a Backend Services client, or nobody. */
export interface Caller {
  /** Calls the FHIR API (`path` below the FHIR base). */
  fhir<T = Resource>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  get<T = unknown>(url: string): Promise<TestResponse<T>>;
  post<T = unknown>(url: string, body: unknown): Promise<TestResponse<T>>;
  /** Any other request outside the FHIR API. */
  send<T = unknown>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
}

export interface TestApp extends Omit<SalusApp, 'fhir'> {
  /** The FHIR interaction handler (SalusApp.fhir), for in-process calls without HTTP. */
  service: SalusApp['fhir'];
  /** Calls the FHIR API as a Backend Services client holding `system/*.cruds`. */
  fhir: Caller['fhir'];
  system: Caller;
  /** The system caller's Authorization header, for requests made by hand. */
  systemAuth(): Promise<Record<string, string>>;
  anonymous: Caller;
  /** A browser session of a demo person (seeded with `{ seed: true }`), both sign-in steps done. */
  signIn(email: string): Promise<Caller>;
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
export async function startTestApp(options: { seed?: boolean; publicUrl?: string; webDir?: string; mqtt?: MqttConfig } & Omit<BuildOptions, 'db'> = {}): Promise<TestApp> {
  const { seed, publicUrl, webDir, mqtt, ...build } = options;
  const { mqtt: _defaultBroker, ...defaults } = defaultConfig({});
  // No MQTT broker unless a test asks for one: test files run side by side, each on a free port.
  const config: SalusConfig = { ...defaults, port: 8080, dataDir: 'memory://', ...(publicUrl ? { publicUrl } : {}), ...(webDir ? { webDir } : {}), ...(mqtt ? { mqtt } : {}) };
  let drop: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const created = await createTestDatabase(process.env.DATABASE_URL);
    config.databaseUrl = created.url;
    drop = created.drop;
  }
  const salus = await buildApp(config, build);
  const caller = (authorize: () => Promise<Record<string, string>>): Caller => {
    const call = async <T>(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<TestResponse<T>> => {
      const res = await salus.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': url.startsWith(FHIR_PREFIX) ? 'application/fhir+json' : 'application/json' } : {}),
          ...(await authorize()),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : stringifyFhirJson(body) }),
      });
      const text = res.body;
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: res.statusCode, body: parsed as T, headers: res.headers };
    };
    return {
      fhir: (method, path, body, headers = {}) => call(method, `${FHIR_PREFIX}/${path.replace(/^\//, '')}`, body, headers),
      get: (url) => call('GET', url, undefined, {}),
      post: (url, body) => call('POST', url, body, {}),
      send: (method, url, body, headers = {}) => call(method, url, body, headers),
    };
  };
  // Backend Services tokens live five minutes; like a real client, fetch a new one before then.
  let token = { value: await backendToken(salus), at: Date.now() };
  const systemAuth = async (): Promise<Record<string, string>> => {
    if (Date.now() - token.at > 240_000) token = { value: await backendToken(salus), at: Date.now() };
    return { authorization: `Bearer ${token.value}` };
  };
  const system = caller(systemAuth);
  if (seed) {
    const { people } = buildDemoWorld();
    await seedDemo(salus.fhir, { onlyIfEmpty: false });
    await seedDemoAccounts(salus.db, salus.repo, people);
  }
  return {
    ...salus,
    service: salus.fhir,
    fhir: system.fhir,
    system,
    systemAuth,
    anonymous: caller(async () => ({})),
    async signIn(email) {
      const r = await salus.db.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [email.toLowerCase()]);
      if (!r.rows[0]) throw new Error(`No account for ${email}; start the app with { seed: true }`);
      const session = await salus.accounts.createSession(r.rows[0].id, true, { ip: '127.0.0.1' });
      return caller(async () => ({ cookie: `${SESSION_COOKIE}=${session.token}` }));
    },
    async close() {
      await salus.close();
      await drop?.();
    },
  };
}

/**
 * A token for a Backend Services client with every system scope, obtained the standard way:
 * client_credentials with a private_key_jwt assertion.
 */
export async function backendToken(salus: SalusApp): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const { client } = await salus.oauth.clients.create({ name: 'Test suite', scope: 'system/*.cruds', jwks: { keys: [jwk] } });
  const tokenUrl = `${salus.publicUrl}/oauth/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'test-key', typ: 'JWT' })
    .setIssuer(client.id)
    .setSubject(client.id)
    .setAudience(tokenUrl)
    .setJti(randomBytes(16).toString('hex'))
    .setExpirationTime('4m')
    .sign(privateKey);
  const res = await salus.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'system/*.cruds',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString(),
  });
  if (res.statusCode !== 200) throw new Error(`Backend Services token refused: ${res.body}`);
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}
