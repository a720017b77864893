import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestMeta } from '../types.js';
import { OAuthError } from './errors.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Form parsing for this scope, unless the app already parses forms (as text or as an object). */
export function ensureFormParser(scope: FastifyInstance): void {
  if (!scope.hasContentTypeParser(FORM_TYPE)) {
    scope.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
}

/** The parameters of a form-encoded POST (OAuth endpoints accept nothing else). */
export function formParams(req: FastifyRequest): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith(FORM_TYPE)) throw new OAuthError('invalid_request', `Send the parameters as ${FORM_TYPE}`);
  const body = req.body;
  if (typeof body === 'string') return new URLSearchParams(body);
  const params = new URLSearchParams();
  if (typeof body === 'object' && body !== null) {
    for (const [k, v] of Object.entries(body)) for (const x of [v].flat()) params.append(k, String(x));
  }
  return params;
}

export function queryParams(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1));
}

/** RFC 6749 §3.1: a parameter may appear at most once. */
export function rejectRepeated(params: URLSearchParams, except: readonly string[] = []): void {
  const seen = new Set<string>();
  for (const k of params.keys()) {
    if (seen.has(k) && !except.includes(k)) throw new OAuthError('invalid_request', `${k} is given more than once`);
    seen.add(k);
  }
}

export function requestMeta(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, ...(ua ? { userAgent: ua } : {}) };
}

/** Token responses and other secrets must never be cached (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export function sendOAuthError(reply: FastifyReply, e: OAuthError): FastifyReply {
  noStore(reply).code(e.status);
  if (e.code === 'invalid_client' && e.status === 401) void reply.header('www-authenticate', 'Basic realm="salus"');
  if (e.code === 'invalid_token' || e.code === 'insufficient_scope') {
    void reply.header('www-authenticate', `Bearer error="${e.code}", error_description="${e.description.replace(/["\\]/g, '')}"`);
  }
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(e.toJSON()));
}
