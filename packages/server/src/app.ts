import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { badRequest, FhirError, forbidden, isValidId, notFound, outcome, issue, parseFhirJson, tooLarge, unauthorized, unsupportedMediaType } from '@salus/core';
import { AesGcmCipher } from './crypto/cipher.js';
import { loadKeyring } from './crypto/keyring.js';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { registerWebApp, DEFAULT_WEB_DIR, type WebApp } from './web/serve-app.js';
import { registerDemoRoutes } from './auth/demo-routes.js';
import type { DemoPerson } from './seed/demo-world.js';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { auditAgent, classify, interactionEntry } from './access/audit-recorder.js';
import { syncPatientCompartment } from './access/compartment.js';
import { checkInOperations, loadCheckInQuestionnaires } from './check-ins/check-ins.js';
import { AccessGuard } from './access/guard.js';
import type { Principal } from './access/principal.js';
import { registerAccessRoutes } from './access/routes.js';
import { AuditLedger, ledgerKey } from './audit/ledger.js';
import { registerAuditRoutes } from './audit/routes.js';
import type { AuditInput } from './audit/types.js';
import { registerAccountRoutes } from './auth/account-routes.js';
import { createAccountService, type AccountPolicy, type Accounts } from './auth/accounts.js';
import { createAuthenticator, type Authenticator } from './auth/authenticate.js';
import { createOAuthServer, oauthOptionsFromEnv, type OAuthOptions, type OAuthServer } from './auth/oauth/server.js';
import type { AuthEvent } from './auth/types.js';
import { createNotifier, type ConfiguredNotifier } from './notify/notifier.js';
import { registerOutboxRoutes } from './notify/outbox-routes.js';
import { registerPushRoutes } from './notify/push-routes.js';
import { createWebPush, type WebPush } from './notify/web-push.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { appointmentNotices } from './scheduling/appointment-notices.js';
import { schedulingOperations } from './scheduling/operations.js';
import { SCHEDULING_WRITE_RULES } from './scheduling/schedule-rules.js';
import type { Agent } from 'node:https';
import { openDb, type Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { handle, type FhirRequest, type FhirResponse, type InteractionConfig } from './fhir/interaction.js';
import { FhirRepository } from './fhir/repository.js';
import { createFhirService } from './fhir/service.js';
import { createTelehealth } from './telehealth/telehealth.js';
import { createMonitoring, mqttConfigFromEnv, type Monitoring, type MqttConfig } from './monitoring/monitoring.js';

export interface SalusConfig {
  port: number;
  host: string;
  /** PostgreSQL server; when absent the embedded engine runs in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Public origin the server is reached at (links in Bundles); defaults to http://localhost:PORT. */
  publicUrl?: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  logger: boolean;
  /** Trust X-Forwarded-For from a reverse proxy in front (SALUS_TRUST_PROXY=true). */
  trustProxy: boolean;
  /** Requests per minute per address to sign-in and token endpoints. */
  authRateLimit: number;
  /** The built web app served at `/` (SALUS_WEB_DIR); without a build there only the API answers. */
  webDir: string;
  /** Devices' MQTT: the embedded broker's port (SALUS_MQTT_PORT, default 1883; `off`), or an external broker (MQTT_URL). */
  mqtt?: MqttConfig;
}

export const FHIR_PREFIX = '/fhir/R4';

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): SalusConfig {
  const config: SalusConfig = {
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '0.0.0.0',
    dataDir: env.SALUS_DATA_DIR ?? './data',
    bodyLimit: env.SALUS_BODY_LIMIT ? Number(env.SALUS_BODY_LIMIT) : 64 * 1024 * 1024,
    logger: env.SALUS_LOG === 'true',
    trustProxy: env.SALUS_TRUST_PROXY === 'true',
    authRateLimit: env.SALUS_AUTH_RATE_LIMIT ? Number(env.SALUS_AUTH_RATE_LIMIT) : 30,
    webDir: env.SALUS_WEB_DIR ?? DEFAULT_WEB_DIR,
  };
  if (env.DATABASE_URL) config.databaseUrl = env.DATABASE_URL;
  const mqtt = mqttConfigFromEnv(env);
  if (mqtt) config.mqtt = mqtt;
  if (env.SALUS_PUBLIC_URL) config.publicUrl = env.SALUS_PUBLIC_URL.replace(/\/$/, '');
  return config;
}

/** The database the configuration names: the PostgreSQL server, or the embedded one in its folder. */
export function openConfiguredDb(config: Pick<SalusConfig, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  return openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
}

export interface SalusApp {
  app: FastifyInstance;
  db: Db;
  repo: FhirRepository;
  fhir: InteractionConfig;
  /** The origin the server is reached at. */
  publicUrl: string;
  accounts: Accounts;
  oauth: OAuthServer;
  auth: Authenticator;
  ledger: AuditLedger;
  notifier: ConfiguredNotifier;
  /** The durable job queue; its worker runs from start to close. */
  jobs: JobQueue;
  /** Web Push to people's subscribed browsers, signed with the server's VAPID key. */
  push: WebPush;
  /** Remote monitoring: device tokens, ingestion, the watcher, MQTT. */
  monitoring: Monitoring;
  /** True when the keys (encryption, ledger) were generated by the server, as in a demo. */
  demoKeys: boolean;
  close(): Promise<void>;
}

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];

/** The one composition root: opens the database, migrates it, and returns the ready HTTP server. */
/** Parts a caller may supply instead of the configured ones (tests: a mail catcher, a clock). */
export interface BuildOptions {
  /** An open database to use (and leave open on close). */
  db?: Db;
  /** Where settings beyond SalusConfig are read (keys, mail, token lifetimes); process.env by default. */
  env?: NodeJS.ProcessEnv;
  notifier?: ConfiguredNotifier;
  /** The clock of the account service (lockouts, link expiry). */
  now?: () => Date;
  accountPolicy?: Partial<AccountPolicy>;
  oauthOptions?: Partial<OAuthOptions>;
  /** Sees every entry on its way to the ledger. */
  onAudit?: (e: AuditInput) => void;
  /** Sees sign-in and account events. */
  onAuthEvent?: (e: AuthEvent) => void;
  /** Sees the browser sessions that end (sign-out, revocation, password change). */
  onSessionsEnded?: (ids: string[]) => void;
  /** The demo people, when the server runs the demo world: the sign-in page lists them. */
  demoPeople?: DemoPerson[];
  /** The HTTPS agent Web Push requests go through (tests: one trusting a local push service). */
  pushAgent?: Agent;
}

export async function buildApp(config: SalusConfig, options: BuildOptions = {}): Promise<SalusApp> {
  const existingDb = options.db;
  const env = options.env ?? process.env;
  const db = existingDb ?? (await openConfiguredDb(config));
  await migrate(db);
  const origin = config.publicUrl ?? `http://localhost:${config.port}`;
  const keyring = await loadKeyring(db, env);
  const repo = new FhirRepository(db, { baseUrl: `${origin}${FHIR_PREFIX}`, cipher: new AesGcmCipher(keyring), writeRules: SCHEDULING_WRITE_RULES });
  await syncPatientCompartment(db);
  await loadCheckInQuestionnaires(repo);
  const notifier = options.notifier ?? createNotifier(db, env);
  const lk = await ledgerKey(db, env);
  const ledger = new AuditLedger(db, { key: lk.key });
  const record = (e: AuditInput): Promise<void> => {
    options.onAudit?.(e);
    return ledger.append(e);
  };
  const now = options.now ?? (() => new Date());
  const jobs = createJobQueue({
    db,
    now,
    onError: (e, job, final) => {
      if (final || config.logger) console.error(`Job ${job.kind} #${job.id} failed (attempt ${job.attempt} of ${job.maxAttempts})${final ? ', giving up' : ''}:`, e);
    },
  });
  const push = await createWebPush({ db, env, publicUrl: origin, ...(options.pushAgent ? { agent: options.pushAgent } : {}) });
  const notices = appointmentNotices({ db, repo, notifier, push, publicUrl: origin, jobs, now });
  // Each domain's $operations join the one FHIR API, so they share its access checks and audit.
  const telehealth = createTelehealth({ db, repo, env, now, publicUrl: origin });
  const monitoring = await createMonitoring({ db, repo, jobs, now, publicUrl: origin, ...(config.mqtt ? { mqtt: config.mqtt } : {}) });
  const fhir = createFhirService(repo, [
    ...telehealth.operations,
    ...monitoring.operations,
    ...checkInOperations(repo, now),
    ...schedulingOperations({ repo, now, onAppointmentChange: notices.onAppointmentChange }),
  ]);
  let oauth: OAuthServer | undefined;
  const accounts = createAccountService({
    db,
    repo,
    notifier,
    publicUrl: origin,
    onEvent: (e) => {
      options.onAuthEvent?.(e);
      return record(authAudit(e));
    },
    // Tokens issued through a browser session end with it.
    onSessionsEnded: async (ids) => {
      options.onSessionsEnded?.(ids);
      for (const id of ids) await oauth?.revokeSession(id);
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.accountPolicy ? { policy: options.accountPolicy } : {}),
  });
  oauth = createOAuthServer({
    db,
    repo,
    accounts,
    publicUrl: origin,
    fhirPrefix: FHIR_PREFIX,
    onEvent: record,
    options: { ...oauthOptionsFromEnv(env), ...options.oauthOptions },
  });
  const authServer = oauth;
  const auth = createAuthenticator({ accounts, verifyAccessToken: (t) => authServer.verifyAccessToken(t) });

  const app = Fastify({
    logger: config.logger,
    bodyLimit: config.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
    // Behind a reverse proxy the client address (for the ledger and rate limits) is in X-Forwarded-For.
    trustProxy: config.trustProxy,
  });
  await app.register(cookie);
  // The pages are plain server-rendered HTML with inline styles and no scripts of their own.
  await app.register(helmet, {
    // Mantine sets styles inline; scripts come only from the server's own files. Plain-http
    // installations (a LAN demo) must not be told to upgrade their own requests to https.
    contentSecurityPolicy: {
      directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'form-action': null, 'upgrade-insecure-requests': origin.startsWith('https:') ? [] : null },
    },
    strictTransportSecurity: origin.startsWith('https:'),
  });
  // Browsers may call the API from the origins of registered SMART apps, and from nowhere else.
  await app.register(cors, {
    origin: (o, cb) => {
      if (!o) return cb(null, false);
      authServer.originAllowed(o).then((ok) => cb(null, ok), (e: Error) => cb(e, false));
    },
    credentials: false,
    exposedHeaders: ['ETag', 'Last-Modified', 'Location', 'Content-Location'],
  });
  // Sign-in, token and registration endpoints get a per-address limit; the account service adds
  // per-account back-off in the database, which holds across instances.
  await app.register(rateLimit, { global: false });
  // One WebSocket server for every domain's sockets (a second registration would answer each upgrade twice).
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  app.addHook('onRoute', (route) => {
    if (/^\/(auth|oauth)\/(login|token|register|password|introspect|revoke|invitations|authorize\/sign-in|authorize\/mfa)/.test(route.url) && route.method !== 'GET') {
      route.config = { ...(route.config as object), rateLimit: { max: config.authRateLimit, timeWindow: '1 minute' } };
    }
  });
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : parseFhirJson(body as string));
    } catch (e) {
      done(badRequest(`Malformed JSON: ${e instanceof Error ? e.message : String(e)}`) as unknown as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    let e: FhirError;
    if (err instanceof FhirError) e = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = tooLarge(`The request body is larger than ${config.bodyLimit} bytes`);
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      e = unsupportedMediaType(`Unsupported Content-Type '${req.headers['content-type'] ?? ''}'; use application/fhir+json`);
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      e = new FhirError(err.statusCode, outcome(issue('error', 'invalid', err.message)));
    } else {
      // Internal details (stack, SQL) stay in the log, never in the response.
      req.log.error(err);
      if (!config.logger) console.error(err);
      e = new FhirError(500, outcome(issue('fatal', 'exception', 'Internal server error')));
    }
    void reply.code(e.status).header('content-type', 'application/fhir+json; charset=utf-8').send(JSON.stringify(e.outcome));
  });
  let web: WebApp | undefined;
  app.setNotFoundHandler((req, reply) => {
    if (web?.fallback(req, reply)) return;
    const e = notFound(`Nothing at ${req.method} ${req.url.split('?')[0]}`);
    void reply.code(404).header('content-type', 'application/fhir+json; charset=utf-8').send(JSON.stringify(e.outcome));
  });

  const fhirRoute = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = req.url;
    const q = url.indexOf('?');
    const rawPath = (q >= 0 ? url.slice(0, q) : url).slice(FHIR_PREFIX.length);
    const path = rawPath
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s))
      .join('/');
    const query = q >= 0 ? [...new URLSearchParams(url.slice(q + 1))] : [];
    const format = query.find(([k]) => k === '_format')?.[1];
    if (format && !/json/.test(format)) throw new FhirError(406, outcome(issue('error', 'not-supported', 'Only JSON is supported')));
    const h = req.headers;
    const header = (name: string): string | undefined => {
      const v = h[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const fr: FhirRequest = { method: req.method, path, query, body: req.body };
    const set = <K extends keyof FhirRequest>(k: K, v: FhirRequest[K] | undefined): void => {
      if (v !== undefined) fr[k] = v;
    };
    set('ifMatch', header('if-match'));
    set('ifNoneMatch', header('if-none-match'));
    set('ifNoneExist', header('if-none-exist'));
    set('ifModifiedSince', header('if-modified-since'));
    set('prefer', header('prefer'));
    set('contentType', header('content-type'));
    if (path === 'metadata' && (req.method === 'GET' || req.method === 'HEAD')) {
      return send(reply, await handle(fhir, fr), req.method === 'HEAD');
    }
    const principal = await auth.principal(req);
    if (!principal) {
      void reply.header('www-authenticate', `Bearer realm="${origin}${FHIR_PREFIX}"`);
      throw unauthorized('Sign in, or send an OAuth 2 bearer token (see /.well-known/smart-configuration)');
    }
    const res = await guarded(principal, fr, req);
    send(reply, res, req.method === 'HEAD');
  };

  /** Runs one interaction as `principal` and records it in the ledger, whatever the outcome. */
  const guarded = async (principal: Principal, fr: FhirRequest, req: FastifyRequest): Promise<FhirResponse> => {
    const guard = new AccessGuard(principal);
    const query = `${fr.path}${fr.query.length ? `?${new URLSearchParams(fr.query)}` : ''}`;
    const audit = async (status: number, error?: string): Promise<void> => {
      const meta = { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) };
      const kind = classify(fr.method, fr.path);
      const body = fr.body as { type?: string } | undefined;
      if (kind.subtype === 'batch' && body?.type === 'transaction') kind.subtype = 'transaction';
      await record(await interactionEntry(db, principal, guard, meta, { ...kind, query, status, ...(error ? { error } : {}) }));
    };
    let res: FhirResponse;
    try {
      res = await handle({ ...fhir, repo: repo.as(guard) }, fr);
    } catch (e) {
      await audit(e instanceof FhirError ? e.status : 500, e instanceof FhirError ? e.outcome.issue?.[0]?.diagnostics : undefined);
      throw e;
    }
    await audit(res.status);
    return res;
  };
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  app.route({ method: [...methods], url: FHIR_PREFIX, handler: fhirRoute, exposeHeadRoute: false });
  app.route({ method: [...methods], url: `${FHIR_PREFIX}/*`, handler: fhirRoute, exposeHeadRoute: false });
  await registerAccountRoutes(app, { accounts, publicUrl: origin });
  await authServer.register(app);
  // Who read the ledger, kept per request so the entry recording it names them.
  const ledgerReaders = new WeakMap<FastifyRequest, Principal>();
  const signedIn = async (req: FastifyRequest): Promise<Principal> => {
    const p = await auth.principal(req);
    if (!p) throw unauthorized();
    ledgerReaders.set(req, p);
    return p;
  };
  // Reading the ledger is itself an access to be recorded: an administrator's search of a
  // patient's trail shows in that patient's access log. Written before the response leaves, as
  // FHIR interactions are.
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0]!;
    const subtype = path === '/admin/audit/verify' ? 'audit-verify' : path === '/admin/audit' ? 'audit-read' : path === '/me/access-log' ? 'access-log' : undefined;
    if (!subtype || req.method !== 'GET') return payload;
    const p = ledgerReaders.get(req);
    const asked = (req.query as Record<string, unknown>).patient;
    const named = typeof asked === 'string' && isValidId(asked) ? [asked] : [];
    const status = reply.statusCode;
    await record({
      action: subtype === 'audit-verify' ? 'E' : 'R',
      subtype,
      outcome: status === 401 || status === 403 ? 'denied' : status >= 400 ? 'failure' : 'success',
      agent: auditAgent(p, { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) }),
      entities: [],
      patientIds: status < 400 && subtype === 'access-log' && named.length === 0 ? (p?.patientIds ?? []) : named,
      query: req.url,
    });
    return payload;
  });
  registerAuditRoutes(app, {
    ledger,
    requireAdmin: async (req) => {
      const p = await signedIn(req);
      if (!p.roles.includes('admin') || p.scopes) throw forbidden('Only administrators, signed in, may read the audit ledger');
    },
    currentPatientIds: async (req) => (await signedIn(req)).patientIds,
  });
  await registerAccessRoutes(app, { db, auth, ledger: { append: record }, notifier, publicUrl: origin });
  registerOutboxRoutes(app, { db, notifier });
  registerPushRoutes(app, { auth, push, ledger: { append: record } });
  telehealth.register(app, { auth, audit: { append: record } });
  await monitoring.register(app, { auth, audit: { append: record } });
  app.get('/healthz', async () => {
    await db.query('SELECT 1');
    return { status: 'ok', engine: db.engine };
  });
  registerDemoRoutes(app, { people: options.demoPeople, now });
  web = await registerWebApp(app, config.webDir);
  if (!web) {
    app.get('/', async (_req, reply) => {
      void reply.type('text/html; charset=utf-8').send(landingPage(origin));
    });
  }
  // Last, once every handler is registered: jobs left due while no node ran are taken up now.
  await jobs.start();
  await monitoring.start({ append: record });

  return {
    app,
    db,
    repo,
    fhir,
    publicUrl: origin,
    accounts,
    oauth: authServer,
    auth,
    ledger,
    notifier,
    jobs,
    push,
    monitoring,
    demoKeys: lk.source === 'database' || keyring.usesDemoKey,
    async close() {
      await monitoring.close();
      await app.close();
      // Jobs still running finish while the database and the mail transport are open.
      await jobs.close();
      await authServer.close();
      await ledger.close();
      if (!options.notifier) await notifier.close();
      if (!existingDb) await db.close();
    },
  };
}

/** A sign-in or account event as a ledger entry. */
function authAudit(e: AuthEvent): AuditInput {
  const agent: AuditInput['agent'] = {};
  if (e.accountId) agent.accountId = e.accountId;
  if (e.ip) agent.ip = e.ip;
  if (e.userAgent) agent.userAgent = e.userAgent;
  return {
    action: 'E',
    subtype: e.subtype,
    outcome: e.outcome,
    outcomeDesc: e.email && !e.accountId ? `${e.detail} (${e.email})` : e.detail,
    agent,
    entities: [],
    patientIds: [],
  };
}

function send(reply: FastifyReply, res: FhirResponse, head: boolean): void {
  void reply.code(res.status).headers(res.headers);
  void reply.send(head || res.body === undefined ? undefined : res.body);
}

/** The start page of a server run without a build of the web app. */
function landingPage(origin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salus</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5; padding: 0 1rem">
<h1>Salus</h1><p>Open internet-healthcare platform. The FHIR R4 API is at
<a href="${origin}${FHIR_PREFIX}/metadata">${origin}${FHIR_PREFIX}</a>.</p>
<ul><li><a href="${FHIR_PREFIX}/metadata">CapabilityStatement</a></li>
<li><a href="${FHIR_PREFIX}/Patient">Patients</a></li><li><a href="/healthz">Health</a></li></ul></body></html>`;
}
