import { timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Db } from '../../db/db.js';
import { hashToken } from '../tokens.js';
import type { ClientStore, OAuthClient } from './clients.js';
import { OAuthError } from './errors.js';

const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services requires RS384 and ES384; the others cost nothing to accept. */
export const ASSERTION_ALGS = ['RS384', 'ES384', 'RS256', 'ES256', 'RS512', 'ES512', 'PS256', 'PS384', 'PS512'];
// SMART Backend Services: an assertion may be valid for at most five minutes.
const MAX_ASSERTION_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;

function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description);
}

function parseBasic(header: string): { id: string; secret: string } {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('Malformed Basic authorization header');
  try {
    // RFC 6749 §2.3.1: both parts are form-encoded before being joined.
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('Malformed Basic authorization header');
  }
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Works out which client calls the token, introspection or revocation endpoint: a public client
 * naming itself, a client secret (Basic or in the body), or a signed client assertion
 * (private_key_jwt, RFC 7523 as profiled by SMART Backend Services).
 */
export class ClientAuthenticator {
  private remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly db: Db,
    private readonly clients: ClientStore,
    private readonly tokenEndpoint: string,
  ) {}

  async authenticate(params: URLSearchParams, authorization: string | undefined): Promise<OAuthClient> {
    const assertion = params.get('client_assertion');
    const postSecret = params.get('client_secret');
    const basic = authorization ? parseBasic(authorization) : undefined;
    if ([basic, assertion, postSecret].filter((x) => x !== undefined && x !== null).length > 1) {
      throw new OAuthError('invalid_request', 'Use one client authentication method');
    }
    const namedId = params.get('client_id') ?? undefined;
    let client: OAuthClient;
    if (basic || postSecret !== null) {
      const id = basic?.id ?? namedId;
      const secret = basic?.secret ?? postSecret!;
      if (!id) throw invalidClient('client_id is missing');
      client = await this.known(id);
      if (!client.secretHash || !sameHash(client.secretHash, hashToken(secret))) throw invalidClient('Client authentication failed');
    } else if (assertion !== null) {
      if (params.get('client_assertion_type') !== JWT_BEARER_ASSERTION) {
        throw invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
      }
      client = await this.verifyAssertion(assertion);
    } else {
      if (!namedId) throw invalidClient('client_id is missing');
      client = await this.known(namedId);
      if (client.type !== 'public') throw invalidClient('This client must authenticate');
    }
    if (namedId !== undefined && namedId !== client.id) throw invalidClient('client_id does not match the client that authenticated');
    return client;
  }

  private async known(id: string): Promise<OAuthClient> {
    const client = await this.clients.get(id);
    if (!client) throw invalidClient('Unknown client');
    return client;
  }

  private async verifyAssertion(assertion: string): Promise<OAuthClient> {
    let unverified: JWTPayload;
    let jku: string | undefined;
    try {
      unverified = decodeJwt(assertion);
      jku = decodeProtectedHeader(assertion).jku;
    } catch {
      throw invalidClient('client_assertion is not a JWT');
    }
    if (typeof unverified.iss !== 'string') throw invalidClient('client_assertion has no iss');
    const client = await this.known(unverified.iss);
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt') throw invalidClient('This client is not registered for private_key_jwt');
    // The keys come only from the registration; a jku naming any other set would let the caller pick the key.
    if (jku !== undefined && jku !== client.jwksUri) throw invalidClient('The jku header is not the registered jwks_uri');
    const keySet = client.jwks ? createLocalJWKSet(client.jwks) : this.remoteKeySet(client.jwksUri!);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, keySet, {
        issuer: client.id,
        subject: client.id,
        audience: this.tokenEndpoint,
        algorithms: ASSERTION_ALGS,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (e) {
      throw invalidClient(`client_assertion rejected: ${e instanceof Error ? e.message : String(e)}`);
    }
    const exp = payload.exp!;
    if (exp - Date.now() / 1000 > MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS) {
      throw invalidClient('client_assertion expires more than five minutes from now');
    }
    const fresh = await this.db.query(
      `INSERT INTO oauth_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3) + make_interval(secs => $4))
       ON CONFLICT DO NOTHING`,
      [client.id, String(payload.jti), exp, CLOCK_SKEW_SECONDS],
    );
    if (fresh.rowCount === 0) throw invalidClient('client_assertion jti was already used');
    return client;
  }

  private remoteKeySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
    let set = this.remoteKeySets.get(uri);
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000 });
      this.remoteKeySets.set(uri, set);
    }
    return set;
  }
}
