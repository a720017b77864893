import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serves the built web app (packages/web/dist) from the server's own origin, so the app and the
 * API share one origin and the session cookie. Routes of the app (/patient/…, /sign-in) are
 * answered with index.html; paths of the API keep their own 404s.
 */

/** Where `npm run build -w @salus/web` writes the app. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Path prefixes the server answers itself; an unknown path under them is a real 404, never the app. */
const API_PREFIXES = ['/fhir', '/auth', '/oauth', '/admin', '/me', '/access', '/dev', '/.well-known', '/healthz', '/telehealth', '/monitoring'];

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

export interface WebApp {
  /** Answers a request nothing else matched with the app's page, when it is a page request. */
  fallback(req: FastifyRequest, reply: FastifyReply): boolean;
}

/**
 * Registers the app's files when `dir` holds a build; returns undefined otherwise (a server run
 * from source without a build still serves the API).
 */
export async function registerWebApp(app: FastifyInstance, dir: string): Promise<WebApp | undefined> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const index = readFileSync(indexFile, 'utf8');
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per file found now, so the app's files never shadow API routes.
    wildcard: false,
    index: false,
    // The build writes .br and .gz twins; browsers that accept them get those.
    preCompressed: true,
    setHeaders(res, path) {
      // Vite puts a content hash in every asset name: such a file never changes.
      if (path.includes(`${join(dir, 'assets')}`)) void res.header('cache-control', 'public, max-age=31536000, immutable');
      // The page and the service worker must be fetched fresh for updates to reach people.
      else void res.header('cache-control', 'no-cache');
    },
  });
  const sendIndex = (reply: FastifyReply): void => {
    void reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  app.get('/', async (_req, reply) => sendIndex(reply));
  return {
    fallback(req, reply) {
      const path = req.url.split('?')[0]!;
      if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(path)) return false;
      const accept = req.headers.accept ?? '';
      if (!accept.includes('text/html')) return false;
      sendIndex(reply);
      return true;
    },
  };
}
