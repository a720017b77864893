import { randomUUID } from 'node:crypto';
import { errors } from 'jose';
import { OAuthError } from './errors.js';
import type { SigningKeys } from './keys.js';
import type { RevocationList } from './revocations.js';
import { splitScope } from './scopes.js';

/** The claims of a Salus access token (a JWT, RFC 9068 `at+jwt`), as verifyAccessToken returns them. */
export interface AccessTokenClaims {
  iss: string;
  /** The account id for a person's token; the client id for a Backend Services token. */
  sub: string;
  /** The FHIR base URL. */
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  scope: string;
  client_id: string;
  /** Patient id in context (launch/patient). */
  patient?: string;
  /** Absolute URL of the FHIR resource that is the user (Patient, Practitioner, RelatedPerson). */
  fhirUser?: string;
  /** The browser session the grant was approved in (only while the grant depends on it). */
  sid?: string;
  /** The grant (what the person approved) this token comes from; revoked as a whole. */
  gid?: string;
  /** `scope` split into tokens. */
  scopes: readonly string[];
  /** The person the token acts for; absent for Backend Services (client_credentials) tokens. */
  accountId?: string;
}

export interface AccessTokenInput {
  sub: string;
  clientId: string;
  scopes: readonly string[];
  patient?: string;
  fhirUser?: string;
  sid?: string;
  gid?: string;
  /** Shorter than the configured lifetime, for tokens that warrant it. */
  lifetimeSeconds?: number;
}

export interface IssuerConfig {
  issuer: string;
  fhirBase: string;
  accessTokenSeconds: number;
}

const ACCESS_TOKEN_TYPE = 'at+jwt';
// An app sends the same token with every request for its lifetime, and checking an ECDSA
// signature costs far more than the rest of the check: tokens already verified are remembered
// (by their full text, signature included) until they expire.
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies access and id tokens. */
export class TokenIssuer {
  private readonly verified = new Map<string, Readonly<AccessTokenClaims>>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    readonly config: IssuerConfig,
  ) {}

  async accessToken(input: AccessTokenInput): Promise<{ token: string; claims: AccessTokenClaims }> {
    const iat = Math.floor(Date.now() / 1000);
    const claims: Omit<AccessTokenClaims, 'scopes' | 'accountId'> = {
      iss: this.config.issuer,
      sub: input.sub,
      aud: this.config.fhirBase,
      exp: iat + (input.lifetimeSeconds ?? this.config.accessTokenSeconds),
      iat,
      jti: randomUUID(),
      scope: input.scopes.join(' '),
      client_id: input.clientId,
    };
    if (input.patient) claims.patient = input.patient;
    if (input.fhirUser) claims.fhirUser = input.fhirUser;
    if (input.sid) claims.sid = input.sid;
    if (input.gid) claims.gid = input.gid;
    const token = await this.keys.sign({ ...claims }, ACCESS_TOKEN_TYPE);
    return { token, claims: withDerived(claims) };
  }

  /** An OpenID Connect id_token for the client (its audience). */
  async idToken(claims: { sub: string; clientId: string; authTime: number; nonce?: string; fhirUser?: string; name?: string }): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: this.config.issuer,
      sub: claims.sub,
      aud: claims.clientId,
      iat,
      exp: iat + this.config.accessTokenSeconds,
      auth_time: claims.authTime,
    };
    if (claims.nonce) payload.nonce = claims.nonce;
    if (claims.fhirUser) payload.fhirUser = claims.fhirUser;
    if (claims.name) payload.name = claims.name;
    return this.keys.sign(payload, 'JWT');
  }

  /**
   * Checks an access token: signature by a published key, issuer, audience (the FHIR base),
   * expiry, and that neither it, its grant nor its session was revoked. No query in the common
   * case: keys and revocations are mirrored in memory.
   */
  async verifyAccessToken(token: string): Promise<Readonly<AccessTokenClaims>> {
    let claims = this.verified.get(token);
    if (!claims || claims.exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      claims = await this.verifySignature(token);
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
    }
    if (await this.revocations.any([claims.jti, claims.gid, claims.sid])) throw new OAuthError('invalid_token', 'The access token was revoked');
    return claims;
  }

  private async verifySignature(token: string): Promise<Readonly<AccessTokenClaims>> {
    let payload: Record<string, unknown>;
    try {
      payload = await this.keys.verify(token, {
        issuer: this.config.issuer,
        audience: this.config.fhirBase,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'scope', 'client_id'],
      });
    } catch (e) {
      if (e instanceof errors.JOSEError) throw new OAuthError('invalid_token', tokenProblem(e));
      throw e;
    }
    const claims = withDerived(payload as unknown as Omit<AccessTokenClaims, 'scopes' | 'accountId'>);
    // Shared by every request that presents the token: nobody may change it.
    Object.freeze(claims.scopes);
    return Object.freeze(claims);
  }
}

function tokenProblem(e: InstanceType<typeof errors.JOSEError>): string {
  if (e instanceof errors.JWTExpired) return 'The access token expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `The access token is not valid here (${e.claim})`;
  return 'The access token is malformed or not signed by this server';
}

function withDerived(claims: Omit<AccessTokenClaims, 'scopes' | 'accountId'>): AccessTokenClaims {
  const out: AccessTokenClaims = { ...claims, scopes: splitScope(claims.scope) };
  // Every token a person approved comes from a grant; Backend Services tokens never do.
  if (claims.gid) out.accountId = claims.sub;
  return out;
}
