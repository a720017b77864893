import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../../db/db.js';
import { hashToken, randomToken } from '../tokens.js';
import type { RevocationList, Revocation } from './revocations.js';

/** A person's grant to a client: what every token issued from it carries. */
export interface PersonGrant {
  grantId: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  patient?: string;
  fhirUser?: string;
  authTime: string;
}

/** What a person approved at the authorize endpoint, bound to the code that carries it. */
export interface ApprovedGrant extends Omit<PersonGrant, 'grantId'> {
  /** The redirect_uri the authorization request named (the token request must repeat it), if it named one. */
  redirectUri?: string;
  codeChallenge: string;
  sessionId: string;
  sessionExpiresAt: string;
  nonce?: string;
}

export interface CodeGrant extends ApprovedGrant {
  grantId: string;
}

/** One refresh token's grant, as the refresh request finds it. */
export interface RefreshGrant extends PersonGrant {
  tokenHash: string;
  /** Set for online_access grants: the session they end with. */
  sessionId?: string;
  expiresAt: string;
  live: boolean;
  usedAt?: string;
  revokedAt?: string;
}

/** A refresh token to create: the grant it continues, and for online_access the session it ends with. */
export interface NewRefreshToken extends PersonGrant {
  sessionId?: string;
  /** The refresh token expires no later than this. */
  notAfter?: string;
}

export type Redeemed = { kind: 'ok'; grant: CodeGrant } | { kind: 'expired' } | { kind: 'replayed'; grantId: string } | { kind: 'unknown' };

interface CodeRow {
  grant_id: string;
  client_id: string;
  redirect_uri: string | null;
  code_challenge: string;
  scope: string;
  account_id: string;
  session_id: string;
  session_expires_at: string;
  patient: string | null;
  fhir_user: string | null;
  nonce: string | null;
  auth_time: string;
  live: boolean;
}

interface RefreshRow {
  token_hash: string;
  grant_id: string;
  client_id: string;
  account_id: string;
  scope: string;
  patient: string | null;
  fhir_user: string | null;
  session_id: string | null;
  auth_time: string;
  expires_at: string;
  live: boolean;
  used_at: string | null;
  revoked_at: string | null;
}

export interface GrantConfig {
  codeSeconds: number;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

/**
 * Authorization codes, refresh-token families and grant revocation: the stored half of what a
 * person approved. Codes and refresh tokens are single-use; presenting a used one again means it
 * leaked, so the whole grant is revoked.
 */
export class GrantStore {
  constructor(
    private readonly db: Db,
    private readonly revocations: RevocationList,
    private readonly config: GrantConfig,
  ) {}

  async createCode(g: ApprovedGrant): Promise<string> {
    const code = randomToken();
    await this.db.query(
      `INSERT INTO oauth_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, scope, account_id, session_id,
         session_expires_at, patient, fhir_user, nonce, auth_time, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now() + make_interval(secs => $14))`,
      [
        hashToken(code),
        randomUUID(),
        g.clientId,
        g.redirectUri ?? null,
        g.codeChallenge,
        g.scopes.join(' '),
        g.accountId,
        g.sessionId,
        g.sessionExpiresAt,
        g.patient ?? null,
        g.fhirUser ?? null,
        g.nonce ?? null,
        g.authTime,
        this.config.codeSeconds,
      ],
    );
    return code;
  }

  /** Marks a code used and returns its grant; a code used before reports the grant to revoke. */
  async redeemCode(code: string): Promise<Redeemed> {
    const hash = hashToken(code);
    const r = await this.db.query<CodeRow>(
      'UPDATE oauth_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL RETURNING *, expires_at > now() AS live',
      [hash],
    );
    const row = r.rows[0];
    if (!row) {
      const used = await this.db.query<{ grant_id: string }>('SELECT grant_id FROM oauth_codes WHERE code_hash = $1', [hash]);
      return used.rows[0] ? { kind: 'replayed', grantId: used.rows[0].grant_id } : { kind: 'unknown' };
    }
    if (!row.live) return { kind: 'expired' };
    const grant: CodeGrant = {
      grantId: row.grant_id,
      clientId: row.client_id,
      codeChallenge: row.code_challenge,
      scopes: row.scope.split(' ').filter(Boolean),
      accountId: row.account_id,
      sessionId: row.session_id,
      sessionExpiresAt: row.session_expires_at,
      authTime: row.auth_time,
    };
    if (row.redirect_uri !== null) grant.redirectUri = row.redirect_uri;
    if (row.patient !== null) grant.patient = row.patient;
    if (row.fhir_user !== null) grant.fhirUser = row.fhir_user;
    if (row.nonce !== null) grant.nonce = row.nonce;
    return { kind: 'ok', grant };
  }

  /**
   * A new refresh token in the grant's family. Online grants live no longer than the session
   * they were approved in.
   */
  async createRefreshToken(g: NewRefreshToken, rotatedFrom?: string, q: Queryable = this.db): Promise<string> {
    const token = randomToken();
    await q.query(
      `INSERT INTO oauth_refresh_tokens (token_hash, grant_id, rotated_from, client_id, account_id, scope, patient, fhir_user,
         session_id, auth_time, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
         least(now() + make_interval(secs => $11), coalesce($12::timestamptz, 'infinity')))`,
      [
        hashToken(token),
        g.grantId,
        rotatedFrom ?? null,
        g.clientId,
        g.accountId,
        g.scopes.join(' '),
        g.patient ?? null,
        g.fhirUser ?? null,
        g.sessionId ?? null,
        g.authTime,
        this.config.refreshTokenSeconds,
        g.notAfter ?? null,
      ],
    );
    return token;
  }

  async findRefreshToken(token: string): Promise<RefreshGrant | undefined> {
    const r = await this.db.query<RefreshRow>('SELECT *, expires_at > now() AS live FROM oauth_refresh_tokens WHERE token_hash = $1', [
      hashToken(token),
    ]);
    const row = r.rows[0];
    if (!row) return undefined;
    const g: RefreshGrant = {
      tokenHash: row.token_hash,
      grantId: row.grant_id,
      clientId: row.client_id,
      accountId: row.account_id,
      scopes: row.scope.split(' ').filter(Boolean),
      authTime: row.auth_time,
      expiresAt: row.expires_at,
      live: row.live,
    };
    if (row.patient !== null) g.patient = row.patient;
    if (row.fhir_user !== null) g.fhirUser = row.fhir_user;
    if (row.session_id !== null) g.sessionId = row.session_id;
    if (row.used_at !== null) g.usedAt = row.used_at;
    if (row.revoked_at !== null) g.revokedAt = row.revoked_at;
    return g;
  }

  /**
   * Uses a refresh token up and issues its successor in one transaction. Returns undefined when
   * another request used it first: a second use of one token, which the caller treats as theft.
   */
  async rotateRefreshToken(g: RefreshGrant): Promise<string | undefined> {
    return this.db.transaction(async (tx) => {
      const used = await tx.query(
        'UPDATE oauth_refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL',
        [g.tokenHash],
      );
      if (used.rowCount === 0) return undefined;
      // The successor keeps the family's end for online grants (bounded by the session), and
      // slides forward for offline ones.
      return this.createRefreshToken({ ...g, notAfter: g.sessionId ? g.expiresAt : undefined }, g.tokenHash, tx);
    });
  }

  /** Revokes everything a grant produced: its refresh tokens, and its access tokens until they expire. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.revoke({ id: grantId, kind: 'grant', expiresAt: this.accessTokensEnd() }, 'UPDATE oauth_refresh_tokens SET revoked_at = now() WHERE grant_id = $1 AND revoked_at IS NULL');
  }

  /** A browser session ended: its online grants end, and so do access tokens issued through it. */
  async revokeSession(sessionId: string): Promise<void> {
    await this.revoke({ id: sessionId, kind: 'session', expiresAt: this.accessTokensEnd() }, 'UPDATE oauth_refresh_tokens SET revoked_at = now() WHERE session_id = $1 AND revoked_at IS NULL');
  }

  /** Revokes one access token until it expires. */
  async revokeAccessToken(jti: string, exp: number): Promise<void> {
    const entry: Revocation = { id: jti, kind: 'token', expiresAt: new Date(exp * 1000) };
    await this.revocations.add([entry]);
    this.revocations.remember([entry]);
  }

  private async revoke(entry: Revocation, refreshSql: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(refreshSql, [entry.id]);
      await this.revocations.add([entry], tx);
    });
    this.revocations.remember([entry]);
  }

  private accessTokensEnd(): Date {
    return new Date(Date.now() + this.config.accessTokenSeconds * 1000);
  }

  /** Deletes what has expired long enough ago to be of no use, even for detecting replays. */
  async sweep(): Promise<void> {
    // Used codes and refresh tokens are kept a day past expiry so a late replay still revokes.
    await this.db.query("DELETE FROM oauth_codes WHERE expires_at < now() - interval '1 day'");
    await this.db.query("DELETE FROM oauth_refresh_tokens WHERE expires_at < now() - interval '1 day'");
    await this.db.query('DELETE FROM oauth_revocations WHERE expires_at < now()');
    await this.db.query('DELETE FROM oauth_assertion_jtis WHERE expires_at < now()');
    await this.db.query('DELETE FROM oauth_authorize_requests WHERE expires_at < now()');
  }
}
