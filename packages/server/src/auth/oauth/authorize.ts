import { timingSafeEqual } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatName, isFhirError, parseFhirJson } from '@salus/core';
import { AccessGuard } from '../../access/guard.js';
import { principalFromGrants } from '../authenticate.js';
import type { AuditInput } from '../../audit/types.js';
import type { Db } from '../../db/db.js';
import type { FhirRepository } from '../../fhir/repository.js';
import { hashToken, randomToken } from '../tokens.js';
import { SESSION_COOKIE, type AccountGrants, type AccountService, type SessionInfo } from '../types.js';
import type { ClientStore, OAuthClient } from './clients.js';
import { OAUTH_PATHS, type OAuthEndpoints } from './discovery.js';
import { OAuthError, type OAuthErrorCode } from './errors.js';
import type { GrantStore } from './grants.js';
import { formParams, queryParams, rejectRepeated, requestMeta } from './http.js';
import {
  approvalPage,
  messagePage,
  patientPickerPage,
  secondFactorPage,
  signInPage,
  type FormContext,
  type PatientChoice,
  type ScopeItem,
} from './pages.js';
import { describeScope } from './scope-text.js';
import { hasContext, narrowScopes, splitScope } from './scopes.js';

/** Binds an authorization request to the browser that started it. */
const BROWSER_COOKIE = 'salus_oauth_browser';
const CONTINUE = `${OAUTH_PATHS.authorize}/continue`;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** Scopes that come with connecting at all; the approval screen lets the person clear the others. */
const FIXED_SCOPES: ReadonlySet<string> = new Set(['openid', 'fhirUser', 'profile', 'launch/patient']);
const MAX_PARAM = 2048;
const PICKER_RESULTS = 20;

export interface AuthorizeDeps {
  db: Db;
  repo: FhirRepository;
  accounts: AccountService;
  clients: ClientStore;
  grants: GrantStore;
  endpoints: OAuthEndpoints;
  /** Cookies get the Secure attribute when the public URL is https. */
  secureCookies: boolean;
  /** How long a person has to finish signing in and approving. */
  requestSeconds: number;
  /** Patient searches in the picker, for the audit ledger. */
  audit(e: AuditInput): Promise<void>;
}

interface AuthorizeRequest {
  id: string;
  browser_hash: string;
  csrf: string;
  client_id: string;
  redirect_uri: string;
  redirect_uri_given: boolean;
  scope: string;
  state: string;
  code_challenge: string;
  nonce: string | null;
  patient: string | null;
  patient_picked_by: string | null;
}

/** A page shown instead of redirecting: the request cannot be trusted to name where to send the person. */
class PageError extends Error {}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .headers({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      // No form-action: after approval the form's response redirects to the app's own origin.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    })
    .type('text/html; charset=utf-8')
    .send(html);
}

function nameOf(p: Patient): string {
  return formatName(p.name) || `Patient ${p.id}`;
}

/**
 * The browser side of the authorization code flow: /oauth/authorize checks the request and
 * parks it; /oauth/authorize/continue then shows whatever step is next (sign-in, second
 * factor, patient picker, approval) until the person approves or denies. Every form carries the
 * request id and its CSRF token, and the request only answers to the browser that started it.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, deps: AuthorizeDeps): void {
  const { db, accounts, clients, grants, endpoints } = deps;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: deps.secureCookies };

  /** Sends the person back to the app with an error (RFC 6749 §4.1.2.1). */
  function redirectToClient(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>): FastifyReply {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
    // RFC 9207: names the issuer, so an app talking to several servers cannot be confused.
    u.searchParams.set('iss', endpoints.issuer);
    return reply.header('cache-control', 'no-store').redirect(u.toString(), 303);
  }

  function fail(reply: FastifyReply, redirectUri: string, state: string | undefined, code: OAuthErrorCode, description: string): FastifyReply {
    return redirectToClient(reply, redirectUri, { error: code, error_description: description, state });
  }

  async function start(req: FastifyRequest, reply: FastifyReply, params: URLSearchParams): Promise<FastifyReply> {
    try {
      rejectRepeated(params);
    } catch (e) {
      return sendPage(reply, messagePage('Cannot connect the app', (e as OAuthError).description), 400);
    }
    const clientId = params.get('client_id');
    const client = clientId ? await clients.get(clientId) : undefined;
    if (!client) return sendPage(reply, messagePage('Unknown app', 'The app that sent you here is not registered with Salus.'), 400);
    const given = params.get('redirect_uri');
    const redirectUri = given ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return sendPage(reply, messagePage('Cannot connect the app', `${client.name} named a return address it has not registered with Salus.`), 400);
    }
    const state = params.get('state') ?? undefined;
    const no = (code: OAuthErrorCode, description: string): FastifyReply => fail(reply, redirectUri, state, code, description);
    if (params.get('response_type') !== 'code') return no('unsupported_response_type', 'Only response_type=code is supported');
    if (!client.grantTypes.includes('authorization_code')) return no('unauthorized_client', 'This client may not use the authorization code flow');
    if (!state) return no('invalid_request', 'state is required');
    const nonce = params.get('nonce');
    if (state.length > MAX_PARAM || (nonce?.length ?? 0) > MAX_PARAM) return no('invalid_request', 'state or nonce is too long');
    if (params.get('code_challenge_method') !== 'S256') return no('invalid_request', 'PKCE is required: code_challenge_method=S256');
    const challenge = params.get('code_challenge') ?? '';
    if (!CHALLENGE.test(challenge)) return no('invalid_request', 'code_challenge must be the base64url SHA-256 of the code_verifier');
    const aud = params.get('aud')?.replace(/\/+$/, '');
    if (aud !== endpoints.fhirBase) return no('invalid_request', `aud must be this server's FHIR base URL, ${endpoints.fhirBase}`);
    if (params.has('launch')) return no('invalid_request', 'EHR launch is not supported; use a standalone launch');
    const scopes = narrowScopes(
      splitScope(params.get('scope') ?? '').filter((s) => s !== 'launch'),
      client.scopes,
      ['patient', 'user'],
    );
    if (scopes.length === 0) return no('invalid_scope', 'None of the requested scopes is available to this app');

    let browser = req.cookies[BROWSER_COOKIE];
    if (!browser || browser.length > 100) {
      browser = randomToken();
      void reply.setCookie(BROWSER_COOKIE, browser, { ...cookieOptions, path: OAUTH_PATHS.authorize });
    }
    const id = randomToken();
    await db.query(
      `INSERT INTO oauth_authorize_requests (id, browser_hash, csrf, client_id, redirect_uri, redirect_uri_given, scope, state,
         code_challenge, nonce, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11))`,
      [id, hashToken(browser), randomToken(), client.id, redirectUri, given !== null, scopes.join(' '), state, challenge, nonce, deps.requestSeconds],
    );
    return reply.header('cache-control', 'no-store').redirect(`${CONTINUE}?tx=${encodeURIComponent(id)}`, 303);
  }

  /** The parked request a form or link names, when this browser started it and it is still live. */
  async function load(req: FastifyRequest, id: string | null): Promise<AuthorizeRequest> {
    const browser = req.cookies[BROWSER_COOKIE];
    const r = id && browser
      ? await db.query<AuthorizeRequest>('SELECT * FROM oauth_authorize_requests WHERE id = $1 AND expires_at > now()', [id])
      : undefined;
    const tx = r?.rows[0];
    if (!tx || !browser || !sameText(tx.browser_hash, hashToken(browser))) {
      throw new PageError('This sign-in has expired or was started in another browser. Go back to the app and connect again.');
    }
    return tx;
  }

  /** A POST from one of the pages: the request, after its CSRF token is checked. */
  async function posted(req: FastifyRequest): Promise<{ tx: AuthorizeRequest; form: URLSearchParams }> {
    const form = formParams(req);
    const tx = await load(req, form.get('tx'));
    if (!sameText(tx.csrf, form.get('csrf') ?? '')) throw new PageError('This form has expired. Go back to the app and connect again.');
    return { tx, form };
  }

  async function clientOf(tx: AuthorizeRequest): Promise<OAuthClient> {
    const client = await clients.get(tx.client_id);
    if (!client) throw new PageError('The app is no longer registered with Salus.');
    return client;
  }

  async function session(req: FastifyRequest): Promise<SessionInfo | undefined> {
    const token = req.cookies[SESSION_COOKIE];
    return token ? accounts.sessionFromToken(token) : undefined;
  }

  function setSessionCookie(reply: FastifyReply, token: string, s: SessionInfo): void {
    const maxAge = Math.max(0, Math.floor((Date.parse(s.expiresAt) - Date.now()) / 1000));
    void reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge });
  }

  const toContinue = (reply: FastifyReply, tx: AuthorizeRequest): FastifyReply => reply.redirect(`${CONTINUE}?tx=${encodeURIComponent(tx.id)}`, 303);
  const formContext = (tx: AuthorizeRequest, client: OAuthClient): FormContext => ({ tx: tx.id, csrf: tx.csrf, clientName: client.name });
  const needsPatient = (tx: AuthorizeRequest): boolean => {
    const scopes = splitScope(tx.scope);
    return scopes.includes('launch/patient') || hasContext(scopes, 'patient');
  };

  /** Patient records are read through the gate, as the signed-in person. */
  const repoFor = (account: AccountGrants, req: FastifyRequest): FhirRepository => deps.repo.as(new AccessGuard(principalFromGrants(account, req.ip)));

  /** The Patient, or undefined when it does not exist or this person may not see it. */
  async function readPatient(repo: FhirRepository, id: string): Promise<Patient | undefined> {
    try {
      return parseFhirJson<Patient>((await repo.read('Patient', id)).content);
    } catch (e) {
      if (isFhirError(e) && [403, 404, 410].includes(e.status)) return undefined;
      throw e;
    }
  }

  /** The patients a person acts for: their own record and, for caregivers, their wards. */
  async function ownPatients(repo: FhirRepository, account: AccountGrants): Promise<PatientChoice[]> {
    if (account.patientIds.length === 0) return [];
    // One search for all of them; records the person may no longer see are simply not found.
    const { page } = await repo.search('Patient', [['_id', account.patientIds.join(',')], ['_count', String(account.patientIds.length)]]);
    const found = new Map(page.entries.map((e) => [e.id, parseFhirJson<Patient>(e.content)]));
    return account.patientIds.flatMap((id) => {
      const p = found.get(id);
      if (!p) return [];
      const own = account.fhirUser === `Patient/${id}`;
      return [{ id, name: nameOf(p), detail: [own ? 'Your own record' : 'Someone you care for', p.birthDate && `born ${p.birthDate}`].filter(Boolean).join(' · ') }];
    });
  }

  async function searchPatients(repo: FhirRepository, account: AccountGrants, req: FastifyRequest, query: string): Promise<PatientChoice[]> {
    const { page } = await repo.search('Patient', [
      ['name', query],
      ['_count', String(PICKER_RESULTS)],
    ]);
    const ids = page.entries.map((e) => e.id);
    await deps.audit({
      action: 'R',
      subtype: 'search-type',
      outcome: 'success',
      outcomeDesc: 'patient picker of an app authorization',
      agent: { accountId: account.accountId, roles: account.roles, ...(account.fhirUser ? { fhirUser: account.fhirUser } : {}), ...requestMeta(req) },
      entities: ids.map((id) => `Patient/${id}`),
      patientIds: ids,
      query: `Patient?name=${encodeURIComponent(query)}`,
    });
    return page.entries.map((e) => {
      const p = parseFhirJson<Patient>(e.content);
      return { id: e.id, name: nameOf(p), detail: [p.birthDate && `born ${p.birthDate}`, `id ${e.id}`].filter(Boolean).join(' · ') };
    });
  }

  /** Practitioners pick any patient by searching; the access layer still decides what the token reaches. */
  const searches = (account: AccountGrants): boolean => account.roles.includes('practitioner');

  async function mayPick(repo: FhirRepository, account: AccountGrants, patientId: string): Promise<boolean> {
    if (account.patientIds.includes(patientId)) return true;
    return searches(account) && (await readPatient(repo, patientId)) !== undefined;
  }

  async function activeAccount(s: SessionInfo): Promise<AccountGrants> {
    const account = await accounts.grants(s.accountId);
    if (!account || account.status !== 'active') throw new PageError('This account is not active.');
    return account;
  }

  /** Shows the next step of a parked request. */
  async function resume(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const query = queryParams(req);
    const tx = await load(req, query.get('tx'));
    const client = await clientOf(tx);
    const ctx = formContext(tx, client);
    const s = await session(req);
    if (!s) return sendPage(reply, signInPage(ctx));
    if (!s.complete) return sendPage(reply, secondFactorPage(ctx));
    const account = await activeAccount(s);
    const repo = repoFor(account, req);
    let patient = tx.patient_picked_by === account.accountId ? (tx.patient ?? undefined) : undefined;
    if (needsPatient(tx) && !patient) {
      const own = await ownPatients(repo, account);
      if (!searches(account) && own.length === 1) {
        patient = own[0]!.id;
        await db.query('UPDATE oauth_authorize_requests SET patient = $2, patient_picked_by = $3 WHERE id = $1', [tx.id, patient, account.accountId]);
      } else {
        const q = (query.get('q') ?? '').trim().slice(0, 100);
        const found = searches(account) && q ? await searchPatients(repo, account, req, q) : [];
        const patients = [...own, ...found.filter((f) => !own.some((o) => o.id === f.id))];
        return sendPage(reply, patientPickerPage(ctx, { userName: account.displayName, patients, ...(searches(account) ? { search: { query: q } } : {}) }));
      }
    }
    const picked = patient ? await readPatient(repo, patient) : undefined;
    const own = patient !== undefined && account.fhirUser === `Patient/${patient}`;
    const whose = !picked || own ? 'your' : `${nameOf(picked)}’s`;
    const items: ScopeItem[] = splitScope(tx.scope).map((scope) => ({ scope, text: describeScope(scope, whose), optional: !FIXED_SCOPES.has(scope) }));
    return sendPage(reply, approvalPage(ctx, { userName: account.displayName, ...(picked && !own ? { patientName: nameOf(picked) } : {}), items }));
  }

  async function signIn(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { tx, form } = await posted(req);
    const ctx = formContext(tx, await clientOf(tx));
    const email = (form.get('email') ?? '').slice(0, 320);
    const result = await accounts.checkPassword(email, form.get('password') ?? '', requestMeta(req));
    if (!result.ok) {
      const error = {
        invalid: 'The email address or password is not right.',
        locked: `Too many attempts. Try again in ${Math.ceil((result.retryAfterSeconds ?? 60) / 60)} minutes.`,
        unverified: 'Confirm your email address first: follow the link we sent you.',
        disabled: 'This account is disabled.',
      }[result.reason];
      return sendPage(reply, signInPage(ctx, { error, email }), result.reason === 'locked' ? 429 : 401);
    }
    if (result.mfa === 'setup-required') {
      return sendPage(reply, messagePage('Set up two-step sign-in first', 'Your account needs an authenticator app before it can connect apps. Sign in to Salus to set one up, then connect the app again.'), 403);
    }
    const { session: s, token } = await accounts.createSession(result.accountId, result.mfa === 'none', requestMeta(req));
    setSessionCookie(reply, token, s);
    return toContinue(reply, tx);
  }

  async function secondFactor(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { tx, form } = await posted(req);
    const token = req.cookies[SESSION_COOKIE];
    const s = await session(req);
    if (!s || !token || s.complete) return toContinue(reply, tx);
    if (!(await accounts.checkSecondFactor(s.accountId, form.get('code') ?? '', requestMeta(req)))) {
      const ctx = formContext(tx, await clientOf(tx));
      return sendPage(reply, secondFactorPage(ctx, { error: 'That code is not right, or there were too many attempts. Check the code and try again.' }), 401);
    }
    await accounts.completeSession(s.id);
    // Completing extends the session; the cookie follows.
    const completed = await accounts.sessionFromToken(token);
    if (completed) setSessionCookie(reply, token, completed);
    return toContinue(reply, tx);
  }

  async function pickPatient(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { tx, form } = await posted(req);
    const s = await session(req);
    if (!s?.complete) return toContinue(reply, tx);
    const account = await activeAccount(s);
    const patient = form.get('patient') ?? '';
    if (!(await mayPick(repoFor(account, req), account, patient))) throw new PageError('You cannot choose that patient.');
    await db.query('UPDATE oauth_authorize_requests SET patient = $2, patient_picked_by = $3 WHERE id = $1', [tx.id, patient, account.accountId]);
    return toContinue(reply, tx);
  }

  async function decide(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { tx, form } = await posted(req);
    const state = tx.state;
    if (form.get('decision') !== 'approve') {
      await db.query('DELETE FROM oauth_authorize_requests WHERE id = $1', [tx.id]);
      return fail(reply, tx.redirect_uri, state, 'access_denied', 'The person declined');
    }
    const s = await session(req);
    if (!s?.complete) return toContinue(reply, tx);
    const account = await activeAccount(s);
    const patient = tx.patient_picked_by === account.accountId ? (tx.patient ?? undefined) : undefined;
    if (needsPatient(tx) && !patient) return toContinue(reply, tx);
    const chosen = new Set(form.getAll('scope'));
    const scopes = splitScope(tx.scope).filter((sc) => FIXED_SCOPES.has(sc) || chosen.has(sc));
    // Deleting first makes the request single-use even when the form is posted twice at once.
    const taken = await db.query('DELETE FROM oauth_authorize_requests WHERE id = $1', [tx.id]);
    if (taken.rowCount === 0) throw new PageError('This request was already answered.');
    const code = await grants.createCode({
      clientId: tx.client_id,
      ...(tx.redirect_uri_given ? { redirectUri: tx.redirect_uri } : {}),
      codeChallenge: tx.code_challenge,
      scopes,
      accountId: account.accountId,
      sessionId: s.id,
      sessionExpiresAt: s.expiresAt,
      ...(patient ? { patient } : {}),
      ...(account.fhirUser ? { fhirUser: absolute(account.fhirUser) } : {}),
      ...(tx.nonce ? { nonce: tx.nonce } : {}),
      authTime: s.createdAt,
    });
    return redirectToClient(reply, tx.redirect_uri, { code, state });
  }

  /** "Not you?": ends the browser session (and the online grants made in it) and starts over. */
  async function switchAccount(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { tx } = await posted(req);
    const s = await session(req);
    if (s) {
      await accounts.revokeSession(s.accountId, s.id);
      await grants.revokeSession(s.id);
    }
    void reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return toContinue(reply, tx);
  }

  function absolute(reference: string): string {
    return /^https?:\/\//.test(reference) ? reference : `${endpoints.fhirBase}/${reference}`;
  }

  const page = (handler: (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handler(req, reply);
    } catch (e) {
      if (e instanceof PageError) return sendPage(reply, messagePage('Cannot continue', e.message), 400);
      if (e instanceof OAuthError) return sendPage(reply, messagePage('Cannot continue', e.description), 400);
      throw e;
    }
  };

  app.get(OAUTH_PATHS.authorize, page((req, reply) => start(req, reply, queryParams(req))));
  app.post(OAUTH_PATHS.authorize, page((req, reply) => start(req, reply, formParams(req))));
  app.get(CONTINUE, page(resume));
  app.post(`${OAUTH_PATHS.authorize}/sign-in`, page(signIn));
  app.post(`${OAUTH_PATHS.authorize}/mfa`, page(secondFactor));
  app.post(`${OAUTH_PATHS.authorize}/patient`, page(pickPatient));
  app.post(`${OAUTH_PATHS.authorize}/decide`, page(decide));
  app.post(`${OAUTH_PATHS.authorize}/switch`, page(switchAccount));
}
