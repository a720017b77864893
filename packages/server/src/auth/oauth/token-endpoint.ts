import { createHash } from 'node:crypto';
import type { AuditInput } from '../../audit/types.js';
import type { AccountGrants, AccountService, RequestMeta } from '../types.js';
import type { ClientAuthenticator } from './client-auth.js';
import type { OAuthClient } from './clients.js';
import { OAuthError } from './errors.js';
import type { GrantStore, PersonGrant, RefreshGrant } from './grants.js';
import type { AccessTokenClaims, TokenIssuer } from './issuer.js';
import { narrowScopes, splitScope } from './scopes.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /** SMART launch context. */
  patient?: string;
}

export interface TokenEndpointDeps {
  auth: ClientAuthenticator;
  grants: GrantStore;
  issuer: TokenIssuer;
  accounts: Pick<AccountService, 'grants'>;
  /** Whether an online_access grant's browser session is still live. */
  sessionAlive(accountId: string, sessionId: string): Promise<boolean>;
  audit(e: AuditInput): Promise<void>;
}

const BACKEND_TOKEN_SECONDS = 300;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function pkceMatches(verifier: string, challenge: string): boolean {
  return VERIFIER.test(verifier) && createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (!v) throw new OAuthError('invalid_request', `${name} is required`);
  return v;
}

function patientEntities(patient: string | undefined): Pick<AuditInput, 'entities' | 'patientIds'> {
  return patient ? { entities: [`Patient/${patient}`], patientIds: [patient] } : { entities: [], patientIds: [] };
}

/** The token endpoint (RFC 6749 §3.2), introspection (RFC 7662) and revocation (RFC 7009). */
export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  async token(params: URLSearchParams, authorization: string | undefined, meta: RequestMeta): Promise<TokenResponse> {
    const grantType = params.get('grant_type');
    let client: OAuthClient | undefined;
    try {
      const unnamed = !authorization && !['client_id', 'client_assertion', 'client_secret'].some((k) => params.has(k));
      if (grantType === 'refresh_token' && unnamed) {
        // RFC 6749 §6: a public client refreshing need not name itself; its refresh token does.
        const owner = await this.deps.grants.findRefreshToken(params.get('refresh_token') ?? '');
        if (owner) params.set('client_id', owner.clientId);
      }
      client = await this.deps.auth.authenticate(params, authorization);
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token' && grantType !== 'client_credentials') {
        throw new OAuthError('unsupported_grant_type', `Unsupported grant_type '${grantType}'`);
      }
      if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', `This client may not use ${grantType}`);
      if (grantType === 'authorization_code') return await this.authorizationCode(client, params, meta);
      if (grantType === 'refresh_token') return await this.refresh(client, params, meta);
      return await this.clientCredentials(client, params, meta);
    } catch (e) {
      if (e instanceof OAuthError) {
        await this.deps.audit({
          action: 'E',
          subtype: grantType === 'refresh_token' ? 'token-refresh' : 'token',
          outcome: 'failure',
          outcomeDesc: `${e.code}: ${e.description}`,
          agent: { ...(client ? { clientId: client.id } : {}), ...meta },
          entities: [],
          patientIds: [],
        });
      }
      throw e;
    }
  }

  private async authorizationCode(client: OAuthClient, params: URLSearchParams, meta: RequestMeta): Promise<TokenResponse> {
    const code = required(params, 'code');
    const redeemed = await this.deps.grants.redeemCode(code);
    if (redeemed.kind === 'replayed') {
      // A code seen twice leaked somewhere: whatever the first use obtained is withdrawn.
      await this.deps.grants.revokeGrant(redeemed.grantId);
      throw new OAuthError('invalid_grant', 'The authorization code was already used; tokens issued from it are revoked');
    }
    if (redeemed.kind !== 'ok') throw new OAuthError('invalid_grant', `The authorization code is ${redeemed.kind === 'expired' ? 'expired' : 'unknown'}`);
    const g = redeemed.grant;
    if (g.clientId !== client.id) throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
    if (g.redirectUri !== undefined && params.get('redirect_uri') !== g.redirectUri) {
      throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    }
    const verifier = params.get('code_verifier');
    if (!verifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE)');
    if (!pkceMatches(verifier, g.codeChallenge)) throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
    const account = await this.activeAccount(g.accountId);
    let refreshToken: string | undefined;
    const offline = g.scopes.includes('offline_access');
    const online = !offline && g.scopes.includes('online_access');
    if ((offline || online) && client.grantTypes.includes('refresh_token')) {
      // An offline grant outlives the sign-in; an online one ends with it.
      refreshToken = await this.deps.grants.createRefreshToken({
        ...g,
        sessionId: online ? g.sessionId : undefined,
        notAfter: online ? g.sessionExpiresAt : undefined,
      });
    }
    const response = await this.personTokens(g, account, { sid: g.sessionId, refreshToken, nonce: g.nonce });
    await this.audited('token', client, account, g.patient, meta, `authorization_code: ${response.scope}`);
    return response;
  }

  private async refresh(client: OAuthClient, params: URLSearchParams, meta: RequestMeta): Promise<TokenResponse> {
    const token = required(params, 'refresh_token');
    const g = await this.deps.grants.findRefreshToken(token);
    if (!g || g.clientId !== client.id) throw new OAuthError('invalid_grant', 'Unknown refresh token');
    if (g.revokedAt) throw new OAuthError('invalid_grant', 'The refresh token was revoked');
    if (g.usedAt) return this.reused(g);
    if (!g.live) throw new OAuthError('invalid_grant', 'The refresh token expired');
    if (g.sessionId && !(await this.deps.sessionAlive(g.accountId, g.sessionId))) {
      throw new OAuthError('invalid_grant', 'The sign-in session this online_access grant depends on has ended');
    }
    // RFC 6749 §6: a refresh may narrow the scope, never widen it; the family keeps the original.
    const requested = params.get('scope');
    let scopes = g.scopes;
    if (requested !== null) {
      scopes = splitScope(requested);
      const extra = scopes.filter((s) => !g.scopes.includes(s));
      if (extra.length) throw new OAuthError('invalid_scope', `Not granted originally: ${extra.join(' ')}`);
    }
    const account = await this.activeAccount(g.accountId);
    const next = await this.deps.grants.rotateRefreshToken(g);
    if (next === undefined) return this.reused(g);
    const response = await this.personTokens({ ...g, scopes }, account, { sid: g.sessionId, refreshToken: next });
    await this.audited('token-refresh', client, account, g.patient, meta, `refresh_token: ${response.scope}`);
    return response;
  }

  /** A refresh token presented after it was used: someone else has a copy, so the family ends. */
  private async reused(g: RefreshGrant): Promise<never> {
    await this.deps.grants.revokeGrant(g.grantId);
    throw new OAuthError('invalid_grant', 'The refresh token was already used; the grant is revoked');
  }

  private async clientCredentials(client: OAuthClient, params: URLSearchParams, meta: RequestMeta): Promise<TokenResponse> {
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt') throw new OAuthError('invalid_client', 'client_credentials needs private_key_jwt');
    const requested = params.get('scope');
    const scopes = narrowScopes(requested === null ? client.scopes : splitScope(requested), client.scopes, ['system']);
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'None of the requested scopes is registered for this client (system/ scopes)');
    // SMART Backend Services recommends five-minute tokens for clients acting without a person.
    const lifetime = Math.min(BACKEND_TOKEN_SECONDS, this.deps.issuer.config.accessTokenSeconds);
    const { token, claims } = await this.deps.issuer.accessToken({ sub: client.id, clientId: client.id, scopes, lifetimeSeconds: lifetime });
    await this.deps.audit({
      action: 'E',
      subtype: 'token',
      outcome: 'success',
      outcomeDesc: `client_credentials: ${claims.scope}`,
      agent: { clientId: client.id, ...meta },
      entities: [],
      patientIds: [],
    });
    return { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: claims.scope };
  }

  private async activeAccount(accountId: string): Promise<AccountGrants> {
    const account = await this.deps.accounts.grants(accountId);
    if (!account || account.status !== 'active') throw new OAuthError('invalid_grant', 'The account is not active');
    return account;
  }

  private async personTokens(
    g: PersonGrant,
    account: AccountGrants,
    extra: { sid: string | undefined; refreshToken: string | undefined; nonce?: string | undefined },
  ): Promise<TokenResponse> {
    const { token, claims } = await this.deps.issuer.accessToken({
      sub: g.accountId,
      clientId: g.clientId,
      scopes: g.scopes,
      gid: g.grantId,
      ...(g.patient ? { patient: g.patient } : {}),
      ...(g.fhirUser ? { fhirUser: g.fhirUser } : {}),
      ...(extra.sid ? { sid: extra.sid } : {}),
    });
    const response: TokenResponse = {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.deps.issuer.config.accessTokenSeconds,
      scope: claims.scope,
    };
    if (extra.refreshToken) response.refresh_token = extra.refreshToken;
    if (g.patient) response.patient = g.patient;
    if (g.scopes.includes('openid')) {
      response.id_token = await this.deps.issuer.idToken({
        sub: g.accountId,
        clientId: g.clientId,
        authTime: Math.floor(Date.parse(g.authTime) / 1000),
        ...(extra.nonce ? { nonce: extra.nonce } : {}),
        ...(g.fhirUser && g.scopes.includes('fhirUser') ? { fhirUser: g.fhirUser } : {}),
        ...(g.scopes.includes('profile') ? { name: account.displayName } : {}),
      });
    }
    return response;
  }

  private async audited(
    subtype: 'token' | 'token-refresh',
    client: OAuthClient,
    account: AccountGrants,
    patient: string | undefined,
    meta: RequestMeta,
    desc: string,
  ): Promise<void> {
    await this.deps.audit({
      action: 'E',
      subtype,
      outcome: 'success',
      outcomeDesc: desc,
      agent: { accountId: account.accountId, clientId: client.id, roles: account.roles, ...(account.fhirUser ? { fhirUser: account.fhirUser } : {}), ...meta },
      ...patientEntities(patient),
    });
  }

  /** RFC 7662. Only confidential clients (resource servers) may ask; refresh tokens only their own. */
  async introspect(params: URLSearchParams, authorization: string | undefined): Promise<Record<string, unknown>> {
    const client = await this.deps.auth.authenticate(params, authorization);
    if (client.type !== 'confidential') throw new OAuthError('invalid_client', 'Introspection needs a confidential client');
    const token = required(params, 'token');
    const access = await this.accessClaims(token);
    if (access) {
      const { scopes: _s, accountId: _a, ...claims } = access;
      return { active: true, token_type: 'Bearer', ...claims };
    }
    const refresh = await this.deps.grants.findRefreshToken(token);
    if (refresh && refresh.clientId === client.id && refresh.live && !refresh.usedAt && !refresh.revokedAt) {
      return {
        active: true,
        token_type: 'refresh_token',
        client_id: refresh.clientId,
        sub: refresh.accountId,
        scope: refresh.scopes.join(' '),
        exp: Math.floor(Date.parse(refresh.expiresAt) / 1000),
        ...(refresh.patient ? { patient: refresh.patient } : {}),
      };
    }
    return { active: false };
  }

  /** RFC 7009: always answers success, so a caller learns nothing about tokens that are not its own. */
  async revoke(params: URLSearchParams, authorization: string | undefined, meta: RequestMeta): Promise<void> {
    const client = await this.deps.auth.authenticate(params, authorization);
    const token = required(params, 'token');
    const access = await this.accessClaims(token);
    if (access) {
      if (access.client_id !== client.id) return;
      await this.deps.grants.revokeAccessToken(access.jti, access.exp);
      await this.revoked(client, access.accountId, access.patient, meta, `access token ${access.jti}`);
      return;
    }
    const refresh = await this.deps.grants.findRefreshToken(token);
    if (refresh && refresh.clientId === client.id && !refresh.revokedAt) {
      // RFC 7009 §2.1: the access tokens of the same grant go with it.
      await this.deps.grants.revokeGrant(refresh.grantId);
      await this.revoked(client, refresh.accountId, refresh.patient, meta, `grant ${refresh.grantId}`);
    }
  }

  private async revoked(client: OAuthClient, accountId: string | undefined, patient: string | undefined, meta: RequestMeta, what: string): Promise<void> {
    await this.deps.audit({
      action: 'E',
      subtype: 'token-revoke',
      outcome: 'success',
      outcomeDesc: `revoked ${what}`,
      agent: { clientId: client.id, ...(accountId ? { accountId } : {}), ...meta },
      ...patientEntities(patient),
    });
  }

  /** The claims of a live access token, or undefined for anything else (refresh tokens included). */
  private async accessClaims(token: string): Promise<Readonly<AccessTokenClaims> | undefined> {
    if (token.split('.').length !== 3) return undefined;
    try {
      return await this.deps.issuer.verifyAccessToken(token);
    } catch (e) {
      if (e instanceof OAuthError) return undefined;
      throw e;
    }
  }
}
