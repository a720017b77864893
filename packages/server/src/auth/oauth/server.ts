import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditInput } from '../../audit/types.js';
import type { Db } from '../../db/db.js';
import type { FhirRepository } from '../../fhir/repository.js';
import type { Accounts } from '../accounts.js';
import { SESSION_COOKIE, type AccountService } from '../types.js';
import { registerAuthorizeRoutes } from './authorize.js';
import { ClientAuthenticator } from './client-auth.js';
import { ClientStore, type ClientInput, type OAuthClient } from './clients.js';
import { endpoints, OAUTH_PATHS, openidConfiguration, smartConfiguration } from './discovery.js';
import { OAuthError } from './errors.js';
import { GrantStore } from './grants.js';
import { ensureFormParser, formParams, noStore, requestMeta, sendOAuthError } from './http.js';
import { TokenIssuer, type AccessTokenClaims } from './issuer.js';
import { SigningKeys } from './keys.js';
import { registerClient, type Registrant } from './registration.js';
import { RevocationList } from './revocations.js';
import { TokenEndpoint } from './token-endpoint.js';

export interface OAuthOptions {
  /** Lifetime of access and id tokens. */
  accessTokenSeconds: number;
  /** Lifetime of an offline_access refresh token; each refresh starts a new one. */
  refreshTokenSeconds: number;
  /** Age at which a new signing key takes over. */
  keyRotationSeconds: number;
  /** How stale this instance's copy of other instances' revocations may be (0: read on every check). */
  revocationSyncMs: number;
  /** Whether anyone may register apps that people approve (RFC 7591 without an administrator). */
  openRegistration: boolean;
  codeSeconds: number;
  /** Time a person has to sign in and approve. */
  requestSeconds: number;
  /** How often expired codes, tokens and requests are deleted. */
  sweepMs: number;
}

const DEFAULT_OAUTH_OPTIONS: OAuthOptions = {
  accessTokenSeconds: 10 * 60,
  refreshTokenSeconds: 90 * 24 * 3600,
  keyRotationSeconds: 30 * 24 * 3600,
  revocationSyncMs: 1000,
  openRegistration: true,
  codeSeconds: 60,
  requestSeconds: 30 * 60,
  sweepMs: 60 * 60_000,
};

/** The options operators set through the environment. */
export function oauthOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<OAuthOptions> {
  const out: Partial<OAuthOptions> = {};
  const seconds = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds`);
    return n;
  };
  const access = seconds('SALUS_ACCESS_TOKEN_SECONDS');
  if (access) out.accessTokenSeconds = access;
  const refresh = seconds('SALUS_REFRESH_TOKEN_SECONDS');
  if (refresh) out.refreshTokenSeconds = refresh;
  const rotation = seconds('SALUS_KEY_ROTATION_SECONDS');
  if (rotation) out.keyRotationSeconds = rotation;
  if (env.SALUS_OPEN_REGISTRATION !== undefined) out.openRegistration = env.SALUS_OPEN_REGISTRATION !== 'false';
  return out;
}

export interface OAuthServerDeps {
  db: Db;
  repo: FhirRepository;
  /** The account service; `listSessions` tells whether an online_access grant's session is still live. */
  accounts: AccountService & Pick<Accounts, 'listSessions'>;
  /** Public origin, e.g. https://salus.example.org (no trailing slash). */
  publicUrl: string;
  /** Path of the FHIR API under the origin. */
  fhirPrefix?: string;
  /** Token issuance, refresh, revocation and failures, for the audit ledger. */
  onEvent?: (e: AuditInput) => Promise<void>;
  options?: Partial<OAuthOptions>;
}

export interface OAuthServer {
  /** Adds the authorization server's routes (discovery, JWKS, authorize pages, token, ...) to the app. */
  register(app: FastifyInstance): Promise<void>;
  /** Signature, expiry, audience and revocation of an access token; throws OAuthError('invalid_token'). */
  verifyAccessToken(token: string): Promise<Readonly<AccessTokenClaims>>;
  clients: {
    create(input: ClientInput): Promise<{ client: OAuthClient; secret?: string }>;
    list(): Promise<OAuthClient[]>;
    get(id: string): Promise<OAuthClient | undefined>;
  };
  /** Whether a registered client uses this browser origin (for @fastify/cors). */
  originAllowed(origin: string): Promise<boolean>;
  /** Call when a browser session ends: its online_access grants and the tokens issued through it end too. */
  revokeSession(sessionId: string): Promise<void>;
  /** The SMART discovery document (also served at `[fhir base]/.well-known/smart-configuration`). */
  smartConfiguration(): Record<string, unknown>;
  /** Stops background work (the sweep of expired rows). */
  close(): Promise<void>;
}

export function createOAuthServer(deps: OAuthServerDeps): OAuthServer {
  const options: OAuthOptions = { ...DEFAULT_OAUTH_OPTIONS, ...deps.options };
  const fhirPrefix = deps.fhirPrefix ?? '/fhir/R4';
  const urls = endpoints(deps.publicUrl, fhirPrefix);
  const { db, accounts } = deps;
  const audit = deps.onEvent ?? (async () => undefined);
  // Private signing keys are sealed with the same key as sensitive FHIR content.
  const keys = new SigningKeys(db, { rotationSeconds: options.keyRotationSeconds, maxTokenSeconds: options.accessTokenSeconds }, deps.repo.config.cipher);
  const revocations = new RevocationList(db, options.revocationSyncMs);
  const clients = new ClientStore(db);
  const grants = new GrantStore(db, revocations, options);
  const issuer = new TokenIssuer(keys, revocations, { issuer: urls.issuer, fhirBase: urls.fhirBase, accessTokenSeconds: options.accessTokenSeconds });
  const auth = new ClientAuthenticator(db, clients, urls.token);
  const sessionAlive = async (accountId: string, sessionId: string): Promise<boolean> =>
    (await accounts.listSessions(accountId)).some((s) => s.id === sessionId);
  const tokens = new TokenEndpoint({ auth, grants, issuer, accounts, sessionAlive, audit });
  let sweeper: NodeJS.Timeout | undefined;

  /** Who calls the registration endpoint: an administrator (bearer token or session), or anyone. */
  async function registrant(req: FastifyRequest): Promise<Registrant | undefined> {
    let accountId: string | undefined;
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new OAuthError('invalid_token', 'Use a bearer token');
      accountId = (await issuer.verifyAccessToken(m[1]!)).accountId;
    } else {
      const token = req.cookies[SESSION_COOKIE];
      const s = token ? await accounts.sessionFromToken(token) : undefined;
      if (s?.complete) accountId = s.accountId;
    }
    const account = accountId ? await accounts.grants(accountId) : undefined;
    if (account?.status === 'active' && account.roles.includes('admin')) return { kind: 'admin', accountId: account.accountId };
    if (header) throw new OAuthError('insufficient_scope', 'Registering clients with a token needs an administrator');
    return options.openRegistration ? { kind: 'anonymous' } : undefined;
  }

  async function userinfo(req: FastifyRequest): Promise<Record<string, unknown>> {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) throw new OAuthError('invalid_token', 'A bearer access token is required');
    const claims = await issuer.verifyAccessToken(m[1]!);
    if (!claims.accountId || !claims.scopes.includes('openid')) throw new OAuthError('insufficient_scope', 'The token was not granted the openid scope');
    const account = await accounts.grants(claims.accountId);
    if (!account || account.status !== 'active') throw new OAuthError('invalid_token', 'The account is not active');
    return {
      sub: claims.sub,
      ...(claims.scopes.includes('fhirUser') && claims.fhirUser ? { fhirUser: claims.fhirUser } : {}),
      ...(claims.scopes.includes('profile') ? { name: account.displayName } : {}),
    };
  }

  return {
    async register(app) {
      await app.register(async (scope) => {
        if (!scope.hasRequestDecorator('cookies')) await scope.register(cookie);
        ensureFormParser(scope);
        scope.setErrorHandler((err, _req, reply) => {
          if (err instanceof OAuthError) return sendOAuthError(reply, err);
          throw err;
        });

        const publicJson = (reply: FastifyReply, body: unknown): FastifyReply =>
          reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300').send(body);
        const smart = smartConfiguration(urls);
        const openid = openidConfiguration(urls);
        for (const base of ['', fhirPrefix]) {
          scope.get(`${base}/.well-known/smart-configuration`, async (_req, reply) => publicJson(reply, smart));
          scope.get(`${base}/.well-known/openid-configuration`, async (_req, reply) => publicJson(reply, openid));
        }
        scope.get(OAUTH_PATHS.jwks, async (_req, reply) => publicJson(reply, await keys.jwks()));

        scope.post(OAUTH_PATHS.token, async (req, reply) => {
          const body = await tokens.token(formParams(req), req.headers.authorization, requestMeta(req));
          return noStore(reply).send(body);
        });
        scope.post(OAUTH_PATHS.introspect, async (req, reply) => noStore(reply).send(await tokens.introspect(formParams(req), req.headers.authorization)));
        scope.post(OAUTH_PATHS.revoke, async (req, reply) => {
          await tokens.revoke(formParams(req), req.headers.authorization, requestMeta(req));
          return noStore(reply).code(200).send();
        });
        scope.route({ method: ['GET', 'POST'], url: OAUTH_PATHS.userinfo, handler: async (req, reply) => noStore(reply).send(await userinfo(req)) });
        scope.post(OAUTH_PATHS.register, async (req, reply) => {
          const who = await registrant(req);
          if (!who) throw new OAuthError('access_denied', 'Client registration is open to administrators only', 401);
          return noStore(reply).code(201).send(await registerClient(clients, req.body, who));
        });

        registerAuthorizeRoutes(scope, {
          db,
          repo: deps.repo,
          accounts,
          clients,
          grants,
          endpoints: urls,
          secureCookies: deps.publicUrl.startsWith('https:'),
          requestSeconds: options.requestSeconds,
          audit,
        });
      });
      sweeper ??= setInterval(() => {
        grants.sweep().catch((e: unknown) => app.log.warn({ err: e }, 'OAuth sweep failed'));
      }, options.sweepMs);
      sweeper.unref();
    },
    verifyAccessToken: (token) => issuer.verifyAccessToken(token),
    clients: {
      create: (input) => clients.create(input),
      list: () => clients.list(),
      get: (id) => clients.get(id),
    },
    originAllowed: (origin) => clients.originAllowed(origin),
    revokeSession: (sessionId) => grants.revokeSession(sessionId),
    smartConfiguration: () => smartConfiguration(urls),
    async close() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
