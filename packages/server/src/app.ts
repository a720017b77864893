import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { badRequest, FhirError, notFound, outcome, issue, parseFhirJson, tooLarge, unsupportedMediaType } from '@salus/core';
import { openDb, type Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { handle, type FhirRequest, type FhirResponse, type InteractionConfig } from './fhir/interaction.js';
import { FhirRepository } from './fhir/repository.js';
import { createFhirService } from './fhir/service.js';

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
}

export const FHIR_PREFIX = '/fhir/R4';

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): SalusConfig {
  const config: SalusConfig = {
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '0.0.0.0',
    dataDir: env.SALUS_DATA_DIR ?? './data',
    bodyLimit: env.SALUS_BODY_LIMIT ? Number(env.SALUS_BODY_LIMIT) : 64 * 1024 * 1024,
    logger: env.SALUS_LOG === 'true',
  };
  if (env.DATABASE_URL) config.databaseUrl = env.DATABASE_URL;
  if (env.SALUS_PUBLIC_URL) config.publicUrl = env.SALUS_PUBLIC_URL.replace(/\/$/, '');
  return config;
}

export interface SalusApp {
  app: FastifyInstance;
  db: Db;
  repo: FhirRepository;
  fhir: InteractionConfig;
  close(): Promise<void>;
}

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];

/** The one composition root: opens the database, migrates it, and returns the ready HTTP server. */
export async function buildApp(config: SalusConfig, existingDb?: Db): Promise<SalusApp> {
  const db = existingDb ?? (await openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }));
  await migrate(db);
  const origin = config.publicUrl ?? `http://localhost:${config.port}`;
  const repo = new FhirRepository(db, { baseUrl: `${origin}${FHIR_PREFIX}` });
  const fhir = createFhirService(repo);

  const app = Fastify({ logger: config.logger, bodyLimit: config.bodyLimit, routerOptions: { ignoreTrailingSlash: true } });
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
  app.setNotFoundHandler((req, reply) => {
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
    send(reply, await handle(fhir, fr), req.method === 'HEAD');
  };
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  app.route({ method: [...methods], url: FHIR_PREFIX, handler: fhirRoute, exposeHeadRoute: false });
  app.route({ method: [...methods], url: `${FHIR_PREFIX}/*`, handler: fhirRoute, exposeHeadRoute: false });
  app.get('/healthz', async () => {
    await db.query('SELECT 1');
    return { status: 'ok', engine: db.engine };
  });
  app.get('/', async (_req, reply) => {
    void reply.type('text/html; charset=utf-8').send(landingPage(origin));
  });

  return {
    app,
    db,
    repo,
    fhir,
    async close() {
      await app.close();
      if (!existingDb) await db.close();
    },
  };
}

function send(reply: FastifyReply, res: FhirResponse, head: boolean): void {
  void reply.code(res.status).headers(res.headers);
  void reply.send(head || res.body === undefined ? undefined : res.body);
}

function landingPage(origin: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salus</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5; padding: 0 1rem">
<h1>Salus</h1><p>Open internet-healthcare platform. The FHIR R4 API is at
<a href="${origin}${FHIR_PREFIX}/metadata">${origin}${FHIR_PREFIX}</a>.</p>
<ul><li><a href="${FHIR_PREFIX}/metadata">CapabilityStatement</a></li>
<li><a href="${FHIR_PREFIX}/Patient">Patients</a></li><li><a href="/healthz">Health</a></li></ul></body></html>`;
}
