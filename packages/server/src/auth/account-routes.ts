import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, FhirError, issue, notFound, outcome, unauthorized, forbidden } from '@salus/core';
import type { AccountListInput, Accounts } from './accounts.js';
import { SESSION_COOKIE, type RequestMeta, type SessionInfo } from './types.js';

/**
 * The JSON API of accounts and sign-in under /auth (and the administrators' part under /admin).
 * Bodies must be JSON objects: a cross-site HTML form can only send form-encoded or plain text,
 * which is refused, and that together with the SameSite=Lax cookie keeps other sites from
 * acting with a signed-in person's session.
 */

export interface AccountRoutesDeps {
  accounts: Accounts;
  /** The public origin; the session cookie is Secure when it is https. */
  publicUrl: string;
}

type Body = Record<string, unknown>;

/** Longest value any field takes; passwords get their real limit from the password rules. */
const MAX_FIELD = 1000;

function bodyOf(req: FastifyRequest): Body {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw badRequest('The request body must be a JSON object (Content-Type: application/json)');
  return b as Body;
}

function text(body: Body, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) throw badRequest(`${field} is required and must be a string`, field);
  if (v.length > MAX_FIELD) throw badRequest(`${field} is too long`, field);
  return v;
}

function optionalText(body: Body, field: string): string | undefined {
  return body[field] === undefined ? undefined : text(body, field);
}

function stringList(body: Body, field: string): string[] {
  const v = body[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`${field} must be an array of strings`, field);
  return v as string[];
}

function qualificationOf(body: Body): { licence: string; system?: string; degree?: string; issuer?: string } | undefined {
  const q = body.qualification;
  if (q === undefined) return undefined;
  if (typeof q !== 'object' || q === null || Array.isArray(q)) throw badRequest('qualification must be an object', 'qualification');
  const field = (name: string, required: boolean): string | undefined => {
    const v = (q as Body)[name];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim().length === 0 || v.length > MAX_FIELD) {
      throw badRequest(`qualification.${name} must be a non-empty string`, `qualification.${name}`);
    }
    return v;
  };
  const system = field('system', false);
  const degree = field('degree', false);
  const issuer = field('issuer', false);
  return { licence: field('licence', true)!, ...(system ? { system } : {}), ...(degree ? { degree } : {}), ...(issuer ? { issuer } : {}) };
}

const ACCOUNT_LIST_PARAMS: readonly (keyof AccountListInput)[] = ['role', 'status', 'q', 'verified', 'limit', 'offset'];

/** The account list's query string; each parameter at most once, and no others (a misspelt filter would silently list everyone). */
function accountListInput(req: FastifyRequest): AccountListInput {
  const input: AccountListInput = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const known = ACCOUNT_LIST_PARAMS.find((p) => p === name);
    if (!known) throw badRequest(`Unknown parameter '${name}'; use ${ACCOUNT_LIST_PARAMS.join(', ')}`, name);
    if (typeof value !== 'string') throw badRequest(`Parameter '${name}' may be given only once`, name);
    if (value !== '') input[known] = value;
  }
  return input;
}

function meta(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, ...(ua ? { userAgent: ua } : {}) };
}

/** An error answered here rather than thrown, because it carries a header (Retry-After). */
function tooManyAttempts(reply: FastifyReply, retryAfterSeconds: number | undefined): FastifyReply {
  const seconds = retryAfterSeconds ?? 60;
  const e = new FhirError(429, outcome(issue('error', 'throttled', `Too many failed attempts; try again in ${seconds} seconds`)));
  return reply.code(429).header('retry-after', String(seconds)).type('application/fhir+json; charset=utf-8').send(JSON.stringify(e.outcome));
}

export async function registerAccountRoutes(app: FastifyInstance, deps: AccountRoutesDeps): Promise<void> {
  const { accounts } = deps;
  const secure = deps.publicUrl.startsWith('https:');

  await app.register(async (scope) => {
    // The app may register the cookie plugin for everyone; otherwise this scope brings its own.
    if (!scope.hasRequestDecorator('cookies')) await scope.register(cookie);

    const setSessionCookie = (reply: FastifyReply, token: string): void => {
      void reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: accounts.policy.sessionMaxSeconds });
    };
    const clearSessionCookie = (reply: FastifyReply): void => {
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    };

    async function liveSession(req: FastifyRequest): Promise<SessionInfo | undefined> {
      const token = req.cookies[SESSION_COOKIE];
      return token ? accounts.sessionFromToken(token) : undefined;
    }

    /** The caller's session; unless `pending` is allowed, both sign-in steps must be done. */
    async function session(req: FastifyRequest, options: { pending?: boolean } = {}): Promise<SessionInfo> {
      const s = await liveSession(req);
      if (!s) throw unauthorized('Sign in first');
      if (!s.complete && !options.pending) throw unauthorized('Finish signing in with your second factor first');
      return s;
    }

    /**
     * Authenticator set-up is open to a complete session, and to a session half-way through
     * sign-in only when the account has no authenticator yet (staff on their first sign-in):
     * someone who knows only the password must not replace an existing one.
     */
    async function enrolmentSession(req: FastifyRequest): Promise<SessionInfo> {
      const s = await session(req, { pending: true });
      if (!s.complete && (await accounts.mfaEnrolled(s.accountId))) throw unauthorized('Finish signing in with your second factor first');
      return s;
    }

    scope.post('/auth/register', async (req, reply) => {
      const body = bodyOf(req);
      await accounts.register(
        {
          email: text(body, 'email'),
          password: text(body, 'password'),
          givenName: text(body, 'givenName'),
          familyName: text(body, 'familyName'),
          birthDate: text(body, 'birthDate'),
        },
        meta(req),
      );
      // Identical whether or not the address already had an account; its owner gets an email either way.
      return reply.code(202).send({ status: 'pending', message: 'Check your inbox: follow the link we sent to activate the account.' });
    });

    scope.get('/auth/verify-email', async (req, reply) => {
      const token = (req.query as Record<string, unknown>).token;
      if (typeof token !== 'string' || token.length === 0) throw badRequest('token is required', 'token');
      await accounts.verifyEmail(token, meta(req));
      // The link is opened from a mail program: a browser gets a page, an API client JSON.
      const accept = req.headers.accept ?? '';
      if (accept.includes('text/html') && !accept.includes('json')) {
        return reply
          .type('text/html; charset=utf-8')
          .send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salus</title></head><body><h1>Email confirmed</h1><p>Your account is active. <a href="/">Sign in</a>.</p></body></html>');
      }
      return { status: 'active' };
    });

    scope.post('/auth/login', async (req, reply) => {
      const body = bodyOf(req);
      const result = await accounts.checkPassword(text(body, 'email'), text(body, 'password'), meta(req));
      if (!result.ok) {
        if (result.reason === 'locked') return tooManyAttempts(reply, result.retryAfterSeconds);
        if (result.reason === 'invalid') throw unauthorized('The email address or password is wrong');
        throw forbidden(result.reason === 'disabled' ? 'This account is disabled' : 'Confirm your email address first: follow the link in the email we sent');
      }
      const { session: s, token } = await accounts.createSession(result.accountId, result.mfa === 'none', meta(req));
      setSessionCookie(reply, token);
      return { mfa: result.mfa, complete: s.complete };
    });

    scope.post('/auth/login/mfa', async (req, reply) => {
      const code = text(bodyOf(req), 'code');
      const s = await session(req, { pending: true });
      if (s.complete) return { complete: true };
      const result = await accounts.secondFactor(s.accountId, code, meta(req));
      if (!result.ok) {
        if (result.reason === 'locked') return tooManyAttempts(reply, result.retryAfterSeconds);
        throw unauthorized('The code is wrong or was already used');
      }
      await accounts.completeSession(s.id);
      return { complete: true, method: result.method };
    });

    scope.post('/auth/logout', async (req, reply) => {
      const s = await liveSession(req);
      if (s) await accounts.revokeSession(s.accountId, s.id);
      clearSessionCookie(reply);
      return reply.code(204).send();
    });

    scope.post('/auth/password/forgot', async (req, reply) => {
      await accounts.requestPasswordReset(text(bodyOf(req), 'email'), meta(req));
      return reply.code(202).send({ status: 'sent', message: 'If the address has an account, a link to choose a new password is on its way.' });
    });

    scope.post('/auth/password/reset', async (req) => {
      const body = bodyOf(req);
      await accounts.resetPassword(text(body, 'token'), text(body, 'password'), meta(req));
      return { status: 'changed' };
    });

    scope.post('/auth/password/change', async (req, reply) => {
      const body = bodyOf(req);
      const s = await session(req);
      await accounts.setPassword(s.accountId, text(body, 'currentPassword'), text(body, 'newPassword'), { ...meta(req), keepSessionId: s.id });
      return reply.code(204).send();
    });

    scope.post('/auth/mfa/totp/begin', async (req) => {
      const s = await enrolmentSession(req);
      return accounts.beginTotpEnrollment(s.accountId);
    });

    scope.post('/auth/mfa/totp/confirm', async (req) => {
      const code = text(bodyOf(req), 'code');
      const s = await enrolmentSession(req);
      const { recoveryCodes } = await accounts.confirmTotpEnrollment(s.accountId, code, meta(req));
      // A first sign-in that was waiting for the set-up is now complete.
      if (!s.complete) await accounts.completeSession(s.id);
      return { recoveryCodes, complete: true };
    });

    scope.post('/auth/recovery-codes', async (req) => {
      const s = await session(req);
      return accounts.regenerateRecoveryCodes(s.accountId, meta(req));
    });

    scope.get('/auth/sessions', async (req) => {
      const s = await session(req);
      const list = await accounts.listSessions(s.accountId);
      return { sessions: list.map((x) => ({ ...x, current: x.id === s.id })) };
    });

    scope.delete('/auth/sessions/:id', async (req, reply) => {
      const s = await session(req);
      const { id } = req.params as { id: string };
      if (!(await accounts.revokeSession(s.accountId, id))) throw notFound(`No live session ${id} of yours`);
      if (id === s.id) clearSessionCookie(reply);
      return reply.code(204).send();
    });

    scope.get('/auth/me', async (req) => {
      const s = await session(req, { pending: true });
      const [grants, mfaEnrolled] = await Promise.all([accounts.grants(s.accountId), accounts.mfaEnrolled(s.accountId)]);
      return { account: grants, mfaEnrolled, session: { id: s.id, complete: s.complete, expiresAt: s.expiresAt } };
    });

    scope.post('/admin/invitations', async (req, reply) => {
      const body = bodyOf(req);
      const s = await session(req);
      const fhirUser = optionalText(body, 'fhirUser');
      const qualification = qualificationOf(body);
      const result = await accounts.invite(
        s.accountId,
        {
          email: text(body, 'email'),
          displayName: text(body, 'displayName'),
          roles: stringList(body, 'roles'),
          organizationId: text(body, 'organizationId'),
          ...(fhirUser ? { fhirUser } : {}),
          ...(qualification ? { qualification } : {}),
        },
        meta(req),
      );
      return reply.code(result.created ? 201 : 200).send(result);
    });

    scope.post('/auth/invitations/accept', async (req) => {
      const body = bodyOf(req);
      const { accountId } = await accounts.acceptInvite(text(body, 'token'), text(body, 'password'), meta(req));
      return { accountId, next: 'Sign in, then set up an authenticator app' };
    });

    scope.post('/admin/practitioners/:accountId/verify', async (req, reply) => {
      const s = await session(req);
      await accounts.verifyPractitioner(s.accountId, (req.params as { accountId: string }).accountId, meta(req));
      return reply.code(204).send();
    });

    scope.post('/admin/accounts/:accountId/disable', async (req, reply) => {
      const s = await session(req);
      await accounts.disableAccount(s.accountId, (req.params as { accountId: string }).accountId, meta(req));
      return reply.code(204).send();
    });

    scope.get('/admin/accounts', async (req) => {
      const s = await session(req);
      return accounts.listAccounts(s.accountId, accountListInput(req), meta(req));
    });

    scope.get('/admin/accounts/:accountId/sessions', async (req) => {
      const s = await session(req);
      const list = await accounts.accountSessions(s.accountId, (req.params as { accountId: string }).accountId, meta(req));
      return { sessions: list.map((x) => ({ ...x, current: x.id === s.id })) };
    });

    scope.delete('/admin/accounts/:accountId/sessions/:sessionId', async (req, reply) => {
      const s = await session(req);
      const { accountId, sessionId } = req.params as { accountId: string; sessionId: string };
      await accounts.endAccountSession(s.accountId, accountId, sessionId, meta(req));
      if (sessionId === s.id) clearSessionCookie(reply);
      return reply.code(204).send();
    });

    scope.delete('/admin/accounts/:accountId/sessions', async (req) => {
      const s = await session(req);
      return accounts.endAccountSessions(s.accountId, (req.params as { accountId: string }).accountId, { ...meta(req), keepSessionId: s.id });
    });
  });
}
