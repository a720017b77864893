import { randomUUID } from 'node:crypto';
import type { Organization, Patient, Practitioner, PractitionerQualification } from '@medplum/fhirtypes';
import { badRequest, conflict, FhirError, forbidden, notFound, parseFhirJson } from '@salus/core';
import { isRole, ROLES, STAFF_ROLES, type Role } from '../access/principal.js';
import type { Db, Queryable } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import type { Notifier } from '../notify/notifier.js';
import {
  addedToOrganizationMessage,
  alreadyRegisteredMessage,
  invitationMessage,
  passwordChangedMessage,
  resetPasswordMessage,
  verifyEmailMessage,
} from './emails.js';
import { hashPassword, PASSWORD_MAX_LENGTH, passwordProblem, verifyPassword } from './passwords.js';
import { clearFailures, DEFAULT_THROTTLE, lockedFor, recordFailure, type ThrottlePolicy } from './throttle.js';
import { hashToken, randomToken } from './tokens.js';
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, totpStep, totpUri } from './totp.js';
import type { AccountGrants, AccountService, AuthEvent, PasswordResult, RequestMeta, SessionInfo } from './types.js';
import { ACCOUNT_STATUSES, type AccountPage, type AdminAccount } from '@salus/core';

/** Roles that carry a professional licence an administrator must check before it counts. */
export const LICENSED_ROLES: readonly Role[] = ['practitioner', 'pharmacist'];

export interface AccountPolicy extends ThrottlePolicy {
  /** A signed-in session unused for this long ends. */
  sessionIdleSeconds: number;
  /** A session ends this long after sign-in however busy it is. */
  sessionMaxSeconds: number;
  /** Time allowed between the password and the second factor. */
  pendingSessionSeconds: number;
  verifyEmailSeconds: number;
  resetPasswordSeconds: number;
  inviteSeconds: number;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  ...DEFAULT_THROTTLE,
  sessionIdleSeconds: 30 * 60,
  sessionMaxSeconds: 12 * 3600,
  pendingSessionSeconds: 10 * 60,
  verifyEmailSeconds: 48 * 3600,
  resetPasswordSeconds: 3600,
  inviteSeconds: 7 * 24 * 3600,
};

export interface AccountServiceDeps {
  db: Db;
  repo: FhirRepository;
  notifier: Notifier;
  /** Origin of the web app, for the links in emails. */
  publicUrl: string;
  /** Receives every sign-in and account event (the audit ledger). */
  onEvent?: (e: AuthEvent) => Promise<void>;
  /** Told which sessions were ended (sign-out, password change, disabling), so tokens issued through them can end too. */
  onSessionsEnded?: (sessionIds: string[]) => Promise<void>;
  /** The clock; tests move it instead of sleeping. */
  now?: () => Date;
  policy?: Partial<AccountPolicy>;
}

export interface RegisterInput {
  email: string;
  password: string;
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD */
  birthDate: string;
}

export interface InviteInput {
  email: string;
  displayName: string;
  roles: string[];
  organizationId: string;
  /** An existing `Practitioner/…` this person is; otherwise one is created for them. */
  fhirUser?: string;
  /** Licence details, required for licensed roles when no existing Practitioner is named. */
  qualification?: { licence: string; system?: string; degree?: string; issuer?: string };
}

export type SecondFactorResult =
  | { ok: true; method: 'totp' | 'recovery-code' }
  | { ok: false; reason: 'invalid' | 'locked'; retryAfterSeconds?: number };

/**
 * Filters of the administrators' account list, as typed into a query string: each is checked (and
 * refused naming it) only once the caller is known to be an administrator.
 */
export interface AccountListInput {
  role?: string;
  status?: string;
  /** Part of the name or email address, any case. */
  q?: string;
  /** `false`: accounts holding a licensed role still waiting for verification; `true`: all verified. */
  verified?: string;
  limit?: string;
  offset?: string;
}

export type { AccountPage, AdminAccount };

export const ACCOUNT_LIST_DEFAULT_LIMIT = 50;
export const ACCOUNT_LIST_MAX_LIMIT = 200;

/** The paths of the pages the emailed links open. */
export const LINKS = {
  // The web app's page, which confirms through the API (GET /auth/verify-email).
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  acceptInvitation: '/accept-invitation',
  signIn: '/sign-in',
} as const;

export interface Accounts extends AccountService {
  readonly policy: AccountPolicy;
  /** Also the result of `checkSecondFactor`, with the reason a code was refused. */
  secondFactor(accountId: string, code: string, meta: RequestMeta): Promise<SecondFactorResult>;
  /** Creates a pending patient account and its Patient, and emails the verification link. Says nothing about existing addresses. */
  register(input: RegisterInput, meta: RequestMeta): Promise<void>;
  verifyEmail(token: string, meta: RequestMeta): Promise<{ accountId: string }>;
  requestPasswordReset(email: string, meta: RequestMeta): Promise<void>;
  resetPassword(token: string, password: string, meta: RequestMeta): Promise<{ accountId: string }>;
  invite(adminId: string, input: InviteInput, meta: RequestMeta): Promise<{ accountId: string; created: boolean }>;
  acceptInvite(token: string, password: string, meta: RequestMeta): Promise<{ accountId: string }>;
  /** Changes the password of a signed-in person and signs out their other sessions. */
  setPassword(accountId: string, currentPassword: string, newPassword: string, meta: RequestMeta & { keepSessionId?: string }): Promise<void>;
  beginTotpEnrollment(accountId: string): Promise<{ secret: string; uri: string }>;
  /** Turns on TOTP once a code from the new secret is shown; returns fresh recovery codes. */
  confirmTotpEnrollment(accountId: string, code: string, meta: RequestMeta): Promise<{ recoveryCodes: string[] }>;
  regenerateRecoveryCodes(accountId: string, meta: RequestMeta): Promise<{ recoveryCodes: string[] }>;
  /** Live sessions, most recently used first. */
  listSessions(accountId: string): Promise<SessionInfo[]>;
  verifyPractitioner(adminId: string, accountId: string, meta: RequestMeta): Promise<void>;
  disableAccount(adminId: string, accountId: string, meta: RequestMeta): Promise<void>;
  /** Accounts working for the administrator's organizations, by name. */
  listAccounts(adminId: string, input: AccountListInput, meta: RequestMeta): Promise<AccountPage>;
  /** Live sessions of an account working for the administrator's organizations. */
  accountSessions(adminId: string, accountId: string, meta: RequestMeta): Promise<SessionInfo[]>;
  /** Ends one live session of such an account (404 when it has no such session). */
  endAccountSession(adminId: string, accountId: string, sessionId: string, meta: RequestMeta): Promise<void>;
  /** Ends every live session of such an account but `keepSessionId` (the administrator's own, when they sign themselves out elsewhere). */
  endAccountSessions(adminId: string, accountId: string, meta: RequestMeta & { keepSessionId?: string }): Promise<{ ended: number }>;
  /** Whether the account has a TOTP authenticator enrolled. */
  mfaEnrolled(accountId: string): Promise<boolean>;
}

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  status: 'pending' | 'active' | 'disabled';
  fhir_user: string | null;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  mfa_enrolled_at: string | null;
}

interface SessionRow {
  id: string;
  account_id: string;
  complete: boolean;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

type TokenPurpose = 'verify-email' | 'reset-password' | 'invite';

const ACCOUNT_COLUMNS = 'id, email, display_name, password_hash, status, fhir_user, totp_secret, totp_pending_secret, mfa_enrolled_at';
const SESSION_COLUMNS = 'id, account_id, complete, created_at, last_seen_at, expires_at, ip, user_agent';
/** A session's last use is written at most this often, so busy pages do not write on every request. */
const TOUCH_SECONDS = 60;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const MAX_NAME = 200;

/** Trimmed and lower-cased: the form every address is stored and compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function requireEmail(value: string, field = 'email'): string {
  const email = normalizeEmail(value);
  if (email.length > 254 || !EMAIL.test(email)) throw badRequest('A valid email address is required', field);
  return email;
}

function requireName(value: string, field: string): string {
  const name = value.trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw badRequest(`${field} is required`, field);
  if (name.length > MAX_NAME) throw badRequest(`${field} must have at most ${MAX_NAME} characters`, field);
  return name;
}

function requireBirthDate(value: string, now: Date): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw badRequest('birthDate must be a date written YYYY-MM-DD', 'birthDate');
  }
  if (date > now || Number(m[1]) < 1900) throw badRequest('birthDate is not a plausible date of birth', 'birthDate');
  return value;
}

function requirePolicy(password: string, email: string, field = 'password'): void {
  const problem = passwordProblem(password, { email });
  if (problem) throw badRequest(problem, field);
}

function toSession(r: SessionRow): SessionInfo {
  return {
    id: r.id,
    accountId: r.account_id,
    complete: r.complete,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ...(r.ip === null ? {} : { ip: r.ip }),
    ...(r.user_agent === null ? {} : { userAgent: r.user_agent }),
  };
}

const addSeconds = (d: Date, s: number): string => new Date(d.getTime() + s * 1000).toISOString();

export function createAccountService(deps: AccountServiceDeps): Accounts {
  const { db, repo, notifier } = deps;
  const policy: AccountPolicy = { ...DEFAULT_ACCOUNT_POLICY, ...deps.policy };
  const clock = deps.now ?? (() => new Date());
  const base = deps.publicUrl.replace(/\/$/, '');
  const link = (path: string, token?: string): string => `${base}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const emit = async (e: AuthEvent): Promise<void> => {
    await deps.onEvent?.(e);
  };
  const who = (meta: RequestMeta): Pick<AuthEvent, 'ip' | 'userAgent'> => ({
    ...(meta.ip ? { ip: meta.ip } : {}),
    ...(meta.userAgent ? { userAgent: meta.userAgent } : {}),
  });

  // Unknown addresses are checked against this hash so that they take as long as known ones.
  let dummyHash: Promise<string> | undefined;
  const spendHashTime = async (password: string): Promise<void> => {
    dummyHash ??= hashPassword(randomToken());
    await verifyPassword(await dummyHash, password);
  };

  async function findBy(q: Queryable, column: 'id' | 'email', value: string): Promise<AccountRow | undefined> {
    const r = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${column} = $1`, [value], { prepare: true });
    return r.rows[0];
  }

  async function requireAccount(q: Queryable, id: string): Promise<AccountRow> {
    const account = await findBy(q, 'id', id);
    if (!account) throw notFound(`No account ${id}`);
    return account;
  }

  async function rolesOf(q: Queryable, accountId: string): Promise<Role[]> {
    const r = await q.query<{ role: string }>('SELECT DISTINCT role FROM account_roles WHERE account_id = $1', [accountId]);
    return r.rows.map((x) => x.role).filter(isRole);
  }

  async function issueToken(q: Queryable, accountId: string, purpose: TokenPurpose, seconds: number, now: Date): Promise<string> {
    const token = randomToken();
    await q.query('INSERT INTO one_time_tokens (token_hash, purpose, account_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)', [
      hashToken(token),
      purpose,
      accountId,
      addSeconds(now, seconds),
      now.toISOString(),
    ]);
    return token;
  }

  /** The account a live token belongs to, without using the token up. */
  async function tokenAccount(token: string, purpose: TokenPurpose, now: Date): Promise<AccountRow | undefined> {
    if (token.length > 200) return undefined;
    const r = await db.query<{ account_id: string }>(
      'SELECT account_id FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3',
      [hashToken(token), purpose, now.toISOString()],
    );
    return r.rows[0] && findBy(db, 'id', r.rows[0].account_id);
  }

  /** Uses the token up; only one caller can ever get the account back. */
  async function consumeToken(q: Queryable, token: string, purpose: TokenPurpose, now: Date): Promise<string | undefined> {
    if (token.length > 200) return undefined;
    const r = await q.query<{ account_id: string }>(
      `UPDATE one_time_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING account_id`,
      [hashToken(token), purpose, now.toISOString()],
    );
    return r.rows[0]?.account_id;
  }

  const badLink = (what: string): FhirError => badRequest(`The ${what} link is invalid, already used or expired`, 'token');

  /**
   * The password step of an emailed link: checks the link and the new password first (so a
   * refused password does not use the link up), then uses the link up inside `write`'s transaction.
   */
  async function passwordByLink<T>(
    token: string,
    purpose: TokenPurpose,
    what: string,
    password: string,
    now: Date,
    write: (tx: Queryable, account: AccountRow, passwordHash: string) => Promise<T>,
  ): Promise<{ account: AccountRow; written: T }> {
    const account = await tokenAccount(token, purpose, now);
    if (!account) throw badLink(what);
    requirePolicy(password, account.email);
    const passwordHash = await hashPassword(password);
    const written = await db.transaction(async (tx) => {
      if (!(await consumeToken(tx, token, purpose, now))) throw badLink(what);
      return write(tx, account, passwordHash);
    });
    return { account, written };
  }

  /** Ends the account's sessions but `keep`; returns the ids ended, for `sessionsEnded` once committed. */
  async function revokeAllSessions(q: Queryable, accountId: string, now: Date, keep?: string): Promise<string[]> {
    const r = await q.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL AND id <> $3 RETURNING id',
      [accountId, now.toISOString(), keep ?? ''],
    );
    return r.rows.map((x) => x.id);
  }

  const sessionsEnded = async (ids: string[]): Promise<void> => {
    if (ids.length > 0) await deps.onSessionsEnded?.(ids);
  };

  async function replaceRecoveryCodes(q: Queryable, accountId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await q.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
    await q.query('INSERT INTO recovery_codes (account_id, code_hash) SELECT $1, unnest($2::text[])', [accountId, codes.map(hashRecoveryCode)]);
    return codes;
  }

  /** Counts a failed attempt and reports it; returns the lock it started, if any. */
  async function failed(
    subtype: 'login-failed' | 'mfa-failed',
    email: string,
    accountId: string | undefined,
    meta: RequestMeta,
    detail: string,
  ): Promise<number | undefined> {
    const lock = await recordFailure(db, { email, ...(meta.ip ? { ip: meta.ip } : {}) }, clock(), policy);
    const ids = { email, ...(accountId ? { accountId } : {}), ...who(meta) };
    await emit({ subtype, outcome: 'failure', ...ids, detail });
    if (lock) await emit({ subtype: 'lockout', outcome: 'failure', ...ids, detail: `sign-in locked for ${lock} s after repeated failures` });
    return lock;
  }

  async function adminOrganizations(q: Queryable, adminId: string): Promise<string[]> {
    const r = await q.query<{ organization_id: string }>(
      `SELECT r.organization_id FROM account_roles r JOIN accounts a ON a.id = r.account_id
       WHERE r.account_id = $1 AND r.role = 'admin' AND r.organization_id IS NOT NULL AND a.status = 'active'`,
      [adminId],
    );
    return r.rows.map((x) => x.organization_id);
  }

  /**
   * The organizations `adminId` administers, for an administrators' action on other people's
   * accounts; anyone else is refused, and the refusal recorded.
   */
  async function requireAdministrator(adminId: string, action: string, meta: RequestMeta): Promise<string[]> {
    const organizations = await adminOrganizations(db, adminId);
    if (organizations.length > 0) return organizations;
    await emit({ subtype: 'account', outcome: 'denied', accountId: adminId, ...who(meta), detail: `${action} refused: not an administrator` });
    throw forbidden('Only administrators may manage accounts');
  }

  /** The account `accountId` when it works for one of the administrator's organizations; otherwise refused and recorded. */
  async function requireManaged(adminId: string, accountId: string, action: string, meta: RequestMeta): Promise<AccountRow> {
    const organizations = await requireAdministrator(adminId, action, meta);
    const target = await findBy(db, 'id', accountId);
    if (!target) throw notFound(`No account ${accountId}`);
    const member = await db.query('SELECT 1 FROM account_roles WHERE account_id = $1 AND organization_id = ANY($2::text[])', [accountId, organizations]);
    if (member.rows.length === 0) {
      await emit({ subtype: 'account', outcome: 'denied', accountId, email: target.email, ...who(meta), detail: `${action} by account ${adminId} refused: not of their organizations` });
      throw forbidden('Only an administrator of an organization the person works for may manage their account');
    }
    return target;
  }

  /** Ends one live session of the account; false when it has no such session. */
  async function endSession(accountId: string, sessionId: string, detail: string, meta: RequestMeta): Promise<boolean> {
    const r = await db.query('UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL', [
      sessionId,
      accountId,
      clock().toISOString(),
    ]);
    if (r.rowCount !== 1) return false;
    await sessionsEnded([sessionId]);
    await emit({ subtype: 'logout', outcome: 'success', accountId, ...who(meta), detail });
    return true;
  }

  async function readResource<T>(type: string, id: string, field: string): Promise<T> {
    try {
      return parseFhirJson<T>((await repo.read(type, id)).content);
    } catch (e) {
      if (e instanceof FhirError && (e.status === 404 || e.status === 410)) throw badRequest(`${type}/${id} does not exist`, field);
      throw e;
    }
  }

  const service: Accounts = {
    policy,

    async grants(accountId): Promise<AccountGrants | undefined> {
      const r = await db.query<{
        id: string;
        email: string;
        display_name: string;
        status: AccountGrants['status'];
        fhir_user: string | null;
        roles: string[];
        organization_ids: string[];
        patient_ids: string[];
        verified: boolean;
      }>(
        `SELECT a.id, a.email, a.display_name, a.status, a.fhir_user,
           ARRAY(SELECT DISTINCT role FROM account_roles WHERE account_id = a.id) AS roles,
           ARRAY(SELECT DISTINCT organization_id FROM account_roles WHERE account_id = a.id AND organization_id IS NOT NULL ORDER BY 1) AS organization_ids,
           ARRAY(SELECT patient_id FROM account_patients WHERE account_id = a.id ORDER BY relation = 'self' DESC, patient_id) AS patient_ids,
           EXISTS (SELECT 1 FROM account_roles WHERE account_id = a.id AND role = ANY($2::text[]) AND verified) AS verified
         FROM accounts a WHERE a.id = $1`,
        [accountId, LICENSED_ROLES],
        { prepare: true },
      );
      const row = r.rows[0];
      if (!row) return undefined;
      return {
        accountId: row.id,
        email: row.email,
        displayName: row.display_name,
        status: row.status,
        roles: ROLES.filter((role) => row.roles.includes(role)),
        ...(row.fhir_user ? { fhirUser: row.fhir_user } : {}),
        patientIds: row.patient_ids,
        organizationIds: row.organization_ids,
        verified: row.verified,
      };
    },

    async checkPassword(rawEmail, password, meta): Promise<PasswordResult> {
      const now = clock();
      const email = normalizeEmail(rawEmail);
      const keys = { email, ...(meta.ip ? { ip: meta.ip } : {}) };
      const locked = await lockedFor(db, keys, now);
      if (locked) {
        await emit({ subtype: 'login-failed', outcome: 'failure', email, ...who(meta), detail: 'sign-in attempted while locked' });
        return { ok: false, reason: 'locked', retryAfterSeconds: locked };
      }
      const account = await findBy(db, 'email', email);
      let good = false;
      // No acceptable password is this long; hashing megabytes on request would be an easy way to load the server.
      const plausible = password.length <= 4 * PASSWORD_MAX_LENGTH;
      if (account?.password_hash && plausible) good = await verifyPassword(account.password_hash, password);
      else await spendHashTime(plausible ? password : '');
      if (!account || !good) {
        const lock = await failed('login-failed', email, account?.id, meta, account ? 'wrong password' : 'unknown email address');
        return lock ? { ok: false, reason: 'locked', retryAfterSeconds: lock } : { ok: false, reason: 'invalid' };
      }
      // Past this point the caller knows the password, so the account's state may be told.
      if (account.status !== 'active') {
        await emit({ subtype: 'login-failed', outcome: 'denied', accountId: account.id, email, ...who(meta), detail: `account ${account.status}` });
        return { ok: false, reason: account.status === 'disabled' ? 'disabled' : 'unverified' };
      }
      await clearFailures(db, email);
      const roles = await rolesOf(db, account.id);
      const mfa = account.mfa_enrolled_at ? 'required' : roles.some((role) => STAFF_ROLES.includes(role)) ? 'setup-required' : 'none';
      await emit({ subtype: 'login', outcome: 'success', accountId: account.id, email, ...who(meta), detail: `password accepted; second factor ${mfa}` });
      return { ok: true, accountId: account.id, mfa };
    },

    async checkSecondFactor(accountId, code, meta) {
      return (await service.secondFactor(accountId, code, meta)).ok;
    },

    async secondFactor(accountId, rawCode, meta): Promise<SecondFactorResult> {
      const now = clock();
      const account = await findBy(db, 'id', accountId);
      if (!account || account.status !== 'active') return { ok: false, reason: 'invalid' };
      const keys = { email: account.email, ...(meta.ip ? { ip: meta.ip } : {}) };
      const locked = await lockedFor(db, keys, now);
      if (locked) return { ok: false, reason: 'locked', retryAfterSeconds: locked };
      const code = rawCode.replace(/\s/g, '');
      let method: 'totp' | 'recovery-code' | undefined;
      if (account.totp_secret && code.length <= 64) {
        if (/^\d{6}$/.test(code)) {
          const step = totpStep(account.totp_secret, code, now);
          // The step only moves forward, so a code seen by a shoulder-surfer cannot be used again.
          const used =
            step !== undefined &&
            (await db.query('UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [accountId, step]))
              .rowCount === 1;
          if (used) method = 'totp';
        } else {
          const r = await db.query('UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL', [
            accountId,
            hashRecoveryCode(code),
            now.toISOString(),
          ]);
          if (r.rowCount === 1) method = 'recovery-code';
        }
      }
      if (!method) {
        const lock = await failed('mfa-failed', account.email, accountId, meta, 'wrong second-factor code');
        return lock ? { ok: false, reason: 'locked', retryAfterSeconds: lock } : { ok: false, reason: 'invalid' };
      }
      await clearFailures(db, account.email);
      await emit({ subtype: 'login', outcome: 'success', accountId, email: account.email, ...who(meta), detail: `second factor accepted (${method})` });
      return { ok: true, method };
    },

    async createSession(accountId, complete, meta) {
      const now = clock();
      const token = randomToken();
      const r = await db.query<SessionRow>(
        `INSERT INTO sessions (id, token_hash, account_id, complete, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING ${SESSION_COLUMNS}`,
        [
          randomUUID(),
          hashToken(token),
          accountId,
          complete,
          now.toISOString(),
          addSeconds(now, complete ? policy.sessionMaxSeconds : policy.pendingSessionSeconds),
          meta.ip ?? null,
          meta.userAgent?.slice(0, 500) ?? null,
        ],
      );
      return { session: toSession(r.rows[0]!), token };
    },

    async completeSession(sessionId) {
      await db.query(
        `UPDATE sessions SET complete = true, expires_at = created_at + $2 * interval '1 second'
         WHERE id = $1 AND revoked_at IS NULL AND NOT complete`,
        [sessionId, policy.sessionMaxSeconds],
      );
    },

    async sessionFromToken(token) {
      if (token.length === 0 || token.length > 100) return undefined;
      const now = clock();
      const r = await db.query<SessionRow>(
        `SELECT s.id, s.account_id, s.complete, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.last_seen_at > $3 AND a.status = 'active'`,
        [hashToken(token), now.toISOString(), addSeconds(now, -policy.sessionIdleSeconds)],
        { prepare: true },
      );
      const row = r.rows[0];
      if (!row) return undefined;
      if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_SECONDS * 1000) {
        await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [row.id, now.toISOString()], { prepare: true });
        row.last_seen_at = now.toISOString();
      }
      return toSession(row);
    },

    async revokeSession(accountId, sessionId) {
      return endSession(accountId, sessionId, `session ${sessionId} ended`, {});
    },

    async listSessions(accountId) {
      const now = clock();
      const r = await db.query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions
         WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3
         ORDER BY last_seen_at DESC, created_at DESC`,
        [accountId, now.toISOString(), addSeconds(now, -policy.sessionIdleSeconds)],
      );
      return r.rows.map(toSession);
    },

    async register(input, meta) {
      const now = clock();
      const email = requireEmail(input.email);
      const givenName = requireName(input.givenName, 'givenName');
      const familyName = requireName(input.familyName, 'familyName');
      const birthDate = requireBirthDate(input.birthDate, now);
      requirePolicy(input.password, email);
      const passwordHash = await hashPassword(input.password);
      const displayName = `${givenName} ${familyName}`;
      const patient: Patient = {
        resourceType: 'Patient',
        active: true,
        name: [{ use: 'official', family: familyName, given: givenName.split(' ') }],
        telecom: [{ system: 'email', value: email, use: 'home' }],
        birthDate,
      };
      const token = await db.transaction(async (tx) => {
        const id = randomUUID();
        // The unique address decides between registrations racing for it: the later one waits
        // for the first to commit and then inserts nothing.
        const inserted = await tx.query(
          `INSERT INTO accounts (id, email, display_name, password_hash, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (email) DO NOTHING`,
          [id, email, displayName, passwordHash, now.toISOString()],
        );
        if (inserted.rowCount === 0) return undefined;
        const { stored } = await repo.within(tx).create(patient);
        await tx.query('UPDATE accounts SET fhir_user = $2 WHERE id = $1', [id, `Patient/${stored.id}`]);
        await tx.query("INSERT INTO account_roles (account_id, role) VALUES ($1, 'patient')", [id]);
        await tx.query("INSERT INTO account_patients (account_id, patient_id, relation) VALUES ($1, $2, 'self')", [id, stored.id]);
        return { id, value: await issueToken(tx, id, 'verify-email', policy.verifyEmailSeconds, now) };
      });
      if (!token) {
        const existing = await findBy(db, 'email', email);
        const reset = existing ? await issueToken(db, existing.id, 'reset-password', policy.resetPasswordSeconds, now) : undefined;
        await notifier.send(alreadyRegisteredMessage(email, link(LINKS.signIn), link(LINKS.resetPassword, reset)));
        await emit({ subtype: 'account', outcome: 'failure', email, ...who(meta), detail: 'registration with an address that already has an account' });
        return;
      }
      await notifier.send(verifyEmailMessage(email, givenName, link(LINKS.verifyEmail, token.value), policy.verifyEmailSeconds / 3600));
      await emit({ subtype: 'account', outcome: 'success', accountId: token.id, email, ...who(meta), detail: 'patient registered; email not yet verified' });
    },

    async verifyEmail(token, meta) {
      const now = clock();
      const accountId = await db.transaction(async (tx) => {
        const id = await consumeToken(tx, token, 'verify-email', now);
        if (id) {
          await tx.query("UPDATE accounts SET status = 'active', email_verified_at = $2, updated_at = $2 WHERE id = $1 AND status = 'pending'", [
            id,
            now.toISOString(),
          ]);
        }
        return id;
      });
      if (!accountId) throw badLink('verification');
      await emit({ subtype: 'account', outcome: 'success', accountId, ...who(meta), detail: 'email address verified' });
      return { accountId };
    },

    async requestPasswordReset(rawEmail, meta) {
      const now = clock();
      const email = requireEmail(rawEmail);
      const account = await findBy(db, 'email', email);
      if (!account || account.status === 'disabled') {
        await emit({ subtype: 'password-reset', outcome: 'failure', email, ...who(meta), detail: 'reset asked for an address without a usable account' });
        return;
      }
      const token = await db.transaction(async (tx) => {
        // Only the newest link works: an older one in a forgotten inbox tab is dead.
        await tx.query("UPDATE one_time_tokens SET used_at = $2 WHERE account_id = $1 AND purpose = 'reset-password' AND used_at IS NULL", [
          account.id,
          now.toISOString(),
        ]);
        return issueToken(tx, account.id, 'reset-password', policy.resetPasswordSeconds, now);
      });
      await notifier.send(resetPasswordMessage(email, link(LINKS.resetPassword, token), policy.resetPasswordSeconds / 60));
      await emit({ subtype: 'password-reset', outcome: 'success', accountId: account.id, email, ...who(meta), detail: 'reset link sent' });
    },

    async resetPassword(token, password, meta) {
      const now = clock();
      const { account, written: ended } = await passwordByLink(token, 'reset-password', 'reset', password, now, async (tx, account, passwordHash) => {
        // The link reached the inbox, which is what verifying the address proves.
        await tx.query(
          `UPDATE accounts SET password_hash = $2, updated_at = $3, email_verified_at = coalesce(email_verified_at, $3),
             status = CASE WHEN status = 'pending' THEN 'active' ELSE status END
           WHERE id = $1`,
          [account.id, passwordHash, now.toISOString()],
        );
        await clearFailures(tx, account.email);
        return revokeAllSessions(tx, account.id, now);
      });
      await sessionsEnded(ended);
      await notifier.send(passwordChangedMessage(account.email));
      await emit({ subtype: 'password-reset', outcome: 'success', accountId: account.id, email: account.email, ...who(meta), detail: 'password reset by emailed link' });
      return { accountId: account.id };
    },

    async invite(adminId, input, meta) {
      const now = clock();
      const organizationId = input.organizationId;
      if (!FHIR_ID.test(organizationId)) throw badRequest('organizationId must be an Organization id', 'organizationId');
      if (!(await adminOrganizations(db, adminId)).includes(organizationId)) {
        throw forbidden('Only an administrator of the organization may invite its staff');
      }
      const email = requireEmail(input.email);
      const displayName = requireName(input.displayName, 'displayName');
      if (input.roles.length === 0) throw badRequest('At least one role is required', 'roles');
      const roles = [...new Set(input.roles)].map((role, i) => {
        if (!isRole(role) || !STAFF_ROLES.includes(role)) throw badRequest(`'${role}' is not a staff role (${STAFF_ROLES.join(', ')})`, `roles[${i}]`);
        return role;
      });
      const organization = await readResource<Organization>('Organization', organizationId, 'organizationId');
      let fhirUser = input.fhirUser;
      if (fhirUser !== undefined) {
        const id = /^Practitioner\/(.+)$/.exec(fhirUser)?.[1];
        if (!id || !FHIR_ID.test(id)) throw badRequest('fhirUser must be a Practitioner reference (Practitioner/id)', 'fhirUser');
        await readResource<Practitioner>('Practitioner', id, 'fhirUser');
      }
      const licensed = roles.some((role) => LICENSED_ROLES.includes(role));
      const q = input.qualification;
      if (licensed && !fhirUser && !q?.licence.trim()) {
        throw badRequest('Practitioners and pharmacists need their licence number', 'qualification.licence');
      }
      const practitioner: Practitioner = {
        resourceType: 'Practitioner',
        active: true,
        name: [{ text: displayName }],
        telecom: [{ system: 'email', value: email, use: 'work' }],
        ...(q?.licence.trim() ? { qualification: [qualification(q)] } : {}),
      };
      const result = await db.transaction(async (tx) => {
        const id = randomUUID();
        const inserted = await tx.query(
          `INSERT INTO accounts (id, email, display_name, status, created_at, updated_at) VALUES ($1, $2, $3, 'pending', $4, $4)
           ON CONFLICT (email) DO NOTHING`,
          [id, email, displayName, now.toISOString()],
        );
        const accountId = inserted.rowCount === 1 ? id : (await findBy(tx, 'email', email))!.id;
        if (inserted.rowCount === 1) {
          fhirUser ??= `Practitioner/${(await repo.within(tx).create(practitioner)).stored.id}`;
          await tx.query('UPDATE accounts SET fhir_user = $2 WHERE id = $1', [id, fhirUser]);
        }
        await tx.query(
          `INSERT INTO account_roles (account_id, role, organization_id, created_at) SELECT $1, unnest($2::text[]), $3, $4
           ON CONFLICT DO NOTHING`,
          [accountId, roles, organizationId, now.toISOString()],
        );
        const token = inserted.rowCount === 1 ? await issueToken(tx, id, 'invite', policy.inviteSeconds, now) : undefined;
        return { accountId, token };
      });
      const orgName = organization.name ?? organizationId;
      await notifier.send(
        result.token
          ? invitationMessage(email, displayName, orgName, link(LINKS.acceptInvitation, result.token), policy.inviteSeconds / 86400)
          : addedToOrganizationMessage(email, orgName, roles, link(LINKS.signIn)),
      );
      await emit({
        subtype: 'account',
        outcome: 'success',
        accountId: result.accountId,
        email,
        ...who(meta),
        detail: `${result.token ? 'invited' : 'existing account added'} to Organization/${organizationId} as ${roles.join(', ')} by account ${adminId}`,
      });
      return { accountId: result.accountId, created: result.token !== undefined };
    },

    async acceptInvite(token, password, meta) {
      const now = clock();
      const { account } = await passwordByLink(token, 'invite', 'invitation', password, now, async (tx, account, passwordHash) => {
        await tx.query(
          `UPDATE accounts SET password_hash = $2, status = 'active', email_verified_at = coalesce(email_verified_at, $3), updated_at = $3
           WHERE id = $1 AND status <> 'disabled'`,
          [account.id, passwordHash, now.toISOString()],
        );
      });
      await emit({ subtype: 'account', outcome: 'success', accountId: account.id, email: account.email, ...who(meta), detail: 'invitation accepted' });
      return { accountId: account.id };
    },

    async setPassword(accountId, currentPassword, newPassword, meta) {
      const now = clock();
      const account = await requireAccount(db, accountId);
      if (!account.password_hash || !(await verifyPassword(account.password_hash, currentPassword))) {
        await failed('login-failed', account.email, accountId, meta, 'wrong current password when changing it');
        throw badRequest('The current password is wrong', 'currentPassword');
      }
      requirePolicy(newPassword, account.email);
      const passwordHash = await hashPassword(newPassword);
      const ended = await db.transaction(async (tx) => {
        await tx.query('UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1', [accountId, passwordHash, now.toISOString()]);
        return revokeAllSessions(tx, accountId, now, meta.keepSessionId);
      });
      await sessionsEnded(ended);
      await notifier.send(passwordChangedMessage(account.email));
      await emit({ subtype: 'account', outcome: 'success', accountId, email: account.email, ...who(meta), detail: 'password changed' });
    },

    async beginTotpEnrollment(accountId) {
      const account = await requireAccount(db, accountId);
      const secret = generateTotpSecret();
      await db.query('UPDATE accounts SET totp_pending_secret = $2 WHERE id = $1', [accountId, secret]);
      return { secret, uri: totpUri(secret, account.email) };
    },

    async confirmTotpEnrollment(accountId, code, meta) {
      const now = clock();
      const account = await requireAccount(db, accountId);
      if (!account.totp_pending_secret) throw conflict('Start the authenticator set-up first');
      const step = totpStep(account.totp_pending_secret, code.replace(/\s/g, ''), now);
      if (step === undefined) throw badRequest('The code does not match; check the time on the phone and try the current code', 'code');
      const recoveryCodes = await db.transaction(async (tx) => {
        const r = await tx.query(
          `UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $3, mfa_enrolled_at = $4, updated_at = $4
           WHERE id = $1 AND totp_pending_secret = $2`,
          [accountId, account.totp_pending_secret, step, now.toISOString()],
        );
        if (r.rowCount !== 1) throw conflict('The authenticator set-up was restarted elsewhere; start again');
        return replaceRecoveryCodes(tx, accountId);
      });
      await emit({ subtype: 'account', outcome: 'success', accountId, email: account.email, ...who(meta), detail: 'authenticator app enrolled' });
      return { recoveryCodes };
    },

    async regenerateRecoveryCodes(accountId, meta) {
      const account = await requireAccount(db, accountId);
      if (!account.mfa_enrolled_at) throw conflict('Set up an authenticator app first; recovery codes stand in for it');
      const recoveryCodes = await db.transaction((tx) => replaceRecoveryCodes(tx, accountId));
      await emit({ subtype: 'account', outcome: 'success', accountId, email: account.email, ...who(meta), detail: 'recovery codes replaced' });
      return { recoveryCodes };
    },

    async verifyPractitioner(adminId, accountId, meta) {
      const now = clock();
      const target = await findBy(db, 'id', accountId);
      if (!target) throw notFound(`No account ${accountId}`);
      const r = await db.query(
        `UPDATE account_roles SET verified = true, verified_by = $2, verified_at = $3
         WHERE account_id = $1 AND role = ANY($4::text[]) AND organization_id = ANY($5::text[])`,
        [accountId, adminId, now.toISOString(), LICENSED_ROLES, await adminOrganizations(db, adminId)],
      );
      if (r.rowCount === 0) throw forbidden("Only an administrator of the practitioner's organization may verify them");
      await emit({ subtype: 'account', outcome: 'success', accountId, email: target.email, ...who(meta), detail: `licence verified by account ${adminId}` });
    },

    async disableAccount(adminId, accountId, meta) {
      const now = clock();
      if (adminId === accountId) throw badRequest('Administrators cannot disable their own account', 'accountId');
      const target = await requireManaged(adminId, accountId, 'disabling the account', meta);
      const ended = await db.transaction(async (tx) => {
        await tx.query("UPDATE accounts SET status = 'disabled', updated_at = $2 WHERE id = $1", [accountId, now.toISOString()]);
        return revokeAllSessions(tx, accountId, now);
      });
      await sessionsEnded(ended);
      await emit({ subtype: 'account', outcome: 'success', accountId, email: target.email, ...who(meta), detail: `account disabled by account ${adminId}` });
    },

    async listAccounts(adminId, input, meta) {
      const organizations = await requireAdministrator(adminId, 'listing accounts', meta);
      const filter = accountFilter(input);
      // Roles and organizations are those held in the administrator's organizations: what the
      // person does elsewhere, or whether they are a patient, is none of this administrator's business.
      const params: unknown[] = [organizations, LICENSED_ROLES];
      const where: string[] = [];
      const add = (condition: (n: number) => string, value: unknown): void => {
        params.push(value);
        where.push(condition(params.length));
      };
      if (filter.role) add((n) => `$${n} = ANY(h.roles)`, filter.role);
      if (filter.status) add((n) => `a.status = $${n}`, filter.status);
      if (filter.q) add((n) => `(a.display_name ILIKE $${n} OR a.email ILIKE $${n})`, `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`);
      if (filter.verified !== undefined) add((n) => `h.licensed AND h.verified = $${n}`, filter.verified);
      const from = `FROM accounts a JOIN (
          SELECT account_id, array_agg(DISTINCT role) AS roles, array_agg(DISTINCT organization_id ORDER BY organization_id) AS organization_ids,
            bool_or(role = ANY($2::text[])) AS licensed, bool_and(verified OR role <> ALL($2::text[])) AS verified
          FROM account_roles WHERE organization_id = ANY($1::text[]) GROUP BY account_id
        ) h ON h.account_id = a.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
      const [rows, total] = await Promise.all([
        db.query<{
          id: string;
          email: string;
          display_name: string;
          status: AccountGrants['status'];
          fhir_user: string | null;
          created_at: string;
          roles: string[];
          organization_ids: string[];
          licensed: boolean;
          verified: boolean;
          last_sign_in_at: string | null;
        }>(
          `SELECT a.id, a.email, a.display_name, a.status, a.fhir_user, a.created_at, h.roles, h.organization_ids, h.licensed, h.verified,
             (SELECT max(s.created_at) FROM sessions s WHERE s.account_id = a.id AND s.complete) AS last_sign_in_at
           ${from} ORDER BY lower(a.display_name), a.id LIMIT ${filter.limit} OFFSET ${filter.offset}`,
          params,
        ),
        db.query<{ n: string }>(`SELECT count(*) AS n ${from}`, params),
      ]);
      await emit({
        subtype: 'account',
        outcome: 'success',
        accountId: adminId,
        ...who(meta),
        detail: `account list read (${describeFilter(filter)}): ${rows.rows.length} of ${total.rows[0]!.n}`,
      });
      return {
        accounts: rows.rows.map((r) => ({
          id: r.id,
          email: r.email,
          displayName: r.display_name,
          roles: ROLES.filter((role) => r.roles.includes(role)),
          status: r.status,
          verified: r.licensed && r.verified,
          organizationIds: r.organization_ids,
          ...(r.fhir_user ? { fhirUser: r.fhir_user } : {}),
          createdAt: r.created_at,
          ...(r.last_sign_in_at ? { lastSignInAt: r.last_sign_in_at } : {}),
        })),
        total: Number(total.rows[0]!.n),
        limit: filter.limit,
        offset: filter.offset,
      };
    },

    async accountSessions(adminId, accountId, meta) {
      const target = await requireManaged(adminId, accountId, 'listing sessions', meta);
      const sessions = await service.listSessions(accountId);
      await emit({ subtype: 'account', outcome: 'success', accountId, email: target.email, ...who(meta), detail: `sessions listed by account ${adminId}` });
      return sessions;
    },

    async endAccountSession(adminId, accountId, sessionId, meta) {
      await requireManaged(adminId, accountId, 'ending a session', meta);
      if (!(await endSession(accountId, sessionId, `session ${sessionId} ended by account ${adminId}`, meta))) {
        throw notFound(`Account ${accountId} has no live session ${sessionId}`);
      }
    },

    async endAccountSessions(adminId, accountId, meta) {
      const target = await requireManaged(adminId, accountId, 'ending all sessions', meta);
      const ended = await revokeAllSessions(db, accountId, clock(), meta.keepSessionId);
      await sessionsEnded(ended);
      await emit({ subtype: 'logout', outcome: 'success', accountId, email: target.email, ...who(meta), detail: `${ended.length} sessions ended by account ${adminId}` });
      return { ended: ended.length };
    },

    async mfaEnrolled(accountId) {
      return Boolean((await findBy(db, 'id', accountId))?.mfa_enrolled_at);
    },
  };
  return service;
}

interface AccountFilter {
  role?: Role;
  status?: AccountGrants['status'];
  q?: string;
  verified?: boolean;
  limit: number;
  offset: number;
}

function wholeNumber(value: string, field: string, min: number, max: number): number {
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(`${field} must be a whole number from ${min} to ${max}`, field);
  return n;
}

function accountFilter(input: AccountListInput): AccountFilter {
  const filter: AccountFilter = {
    limit: input.limit === undefined ? ACCOUNT_LIST_DEFAULT_LIMIT : wholeNumber(input.limit, 'limit', 1, ACCOUNT_LIST_MAX_LIMIT),
    offset: input.offset === undefined ? 0 : wholeNumber(input.offset, 'offset', 0, 1_000_000),
  };
  if (input.role !== undefined) {
    if (!isRole(input.role)) throw badRequest(`role must be one of ${ROLES.join(', ')}`, 'role');
    filter.role = input.role;
  }
  if (input.status !== undefined) {
    const status = ACCOUNT_STATUSES.find((x) => x === input.status);
    if (!status) throw badRequest(`status must be one of ${ACCOUNT_STATUSES.join(', ')}`, 'status');
    filter.status = status;
  }
  if (input.q !== undefined) {
    const q = input.q.trim();
    if (q.length > MAX_NAME) throw badRequest(`q must have at most ${MAX_NAME} characters`, 'q');
    if (q) filter.q = q;
  }
  if (input.verified !== undefined) {
    if (input.verified !== 'true' && input.verified !== 'false') throw badRequest('verified must be true or false', 'verified');
    filter.verified = input.verified === 'true';
  }
  return filter;
}

/** The filters in words, for the ledger. */
function describeFilter(f: AccountFilter): string {
  const parts = [
    f.role && `role ${f.role}`,
    f.status && `status ${f.status}`,
    f.q && `matching ${JSON.stringify(f.q)}`,
    f.verified !== undefined && (f.verified ? 'verified' : 'awaiting verification'),
    f.offset > 0 && `from ${f.offset}`,
  ];
  return parts.filter(Boolean).join(', ') || 'all';
}

function qualification(q: NonNullable<InviteInput['qualification']>): PractitionerQualification {
  return {
    identifier: [{ ...(q.system ? { system: q.system } : {}), value: q.licence.trim() }],
    code: { text: q.degree?.trim() || 'Professional licence' },
    ...(q.issuer?.trim() ? { issuer: { display: q.issuer.trim() } } : {}),
  };
}

export interface ProvisionInput {
  email: string;
  displayName: string;
  passwordHash?: string;
  status: 'pending' | 'active';
  fhirUser?: string;
  roles: { role: Role; organizationId?: string; verified?: boolean }[];
  patients?: { patientId: string; relation: 'self' | 'proxy' }[];
  /** An authenticator secret already enrolled (demo staff, whose secret is published). */
  totpSecret?: string;
}

/**
 * Writes a complete account in one go, for operators and the demo world rather than the sign-up
 * flows: no email is sent and nothing is checked beyond the database's constraints. Returns the
 * new id, or undefined when the address already has an account (which is left as it is).
 */
export async function provisionAccount(q: Queryable, input: ProvisionInput, now = new Date()): Promise<string | undefined> {
  const id = randomUUID();
  const at = now.toISOString();
  const inserted = await q.query(
    `INSERT INTO accounts (id, email, display_name, password_hash, status, fhir_user, email_verified_at, totp_secret, mfa_enrolled_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (email) DO NOTHING`,
    [
      id,
      normalizeEmail(input.email),
      input.displayName,
      input.passwordHash ?? null,
      input.status,
      input.fhirUser ?? null,
      input.status === 'active' ? at : null,
      input.totpSecret ?? null,
      input.totpSecret ? at : null,
      at,
    ],
  );
  if (inserted.rowCount === 0) return undefined;
  await q.query(
    `INSERT INTO account_roles (account_id, role, organization_id, verified, verified_at, created_at)
     SELECT $1, r.role, r.org, r.verified, CASE WHEN r.verified THEN $5::timestamptz END, $5
     FROM unnest($2::text[], $3::text[], $4::boolean[]) AS r (role, org, verified)`,
    [id, input.roles.map((r) => r.role), input.roles.map((r) => r.organizationId ?? null), input.roles.map((r) => r.verified ?? false), at],
  );
  if (input.patients?.length) {
    await q.query(
      'INSERT INTO account_patients (account_id, patient_id, relation, created_at) SELECT $1, p, r, $4 FROM unnest($2::text[], $3::text[]) AS x (p, r)',
      [id, input.patients.map((p) => p.patientId), input.patients.map((p) => p.relation), at],
    );
  }
  return id;
}
