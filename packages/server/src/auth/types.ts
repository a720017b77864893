import type { AccountGrants } from '@salus/core';

export type { AccountGrants };

/** Outcome of the first sign-in step (email + password). */
export type PasswordResult =
  | { ok: true; accountId: string; mfa: 'required' | 'none' | 'setup-required' }
  | { ok: false; reason: 'invalid' | 'locked' | 'unverified' | 'disabled'; retryAfterSeconds?: number };

/** A signed-in browser session (cookie `salus_session`). */
export interface SessionInfo {
  id: string;
  accountId: string;
  /** Both sign-in steps done (password, and TOTP or a recovery code when the account uses MFA). */
  complete: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip?: string;
  userAgent?: string;
}

/** Everything one sign-in needs to say about the request it came in on. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

/**
 * The account service as other parts (the OAuth authorization server, the access layer, the
 * web app) use it. Implemented in `accounts.ts`.
 */
export interface AccountService {
  grants(accountId: string): Promise<AccountGrants | undefined>;
  checkPassword(email: string, password: string, meta: RequestMeta): Promise<PasswordResult>;
  /** A TOTP code or an unused recovery code; counts failures toward lockout like passwords do. */
  checkSecondFactor(accountId: string, code: string, meta: RequestMeta): Promise<boolean>;
  createSession(accountId: string, complete: boolean, meta: RequestMeta): Promise<{ session: SessionInfo; token: string }>;
  completeSession(sessionId: string): Promise<void>;
  /** The live session a cookie value names, or undefined (expired, revoked, unknown). */
  sessionFromToken(token: string): Promise<SessionInfo | undefined>;
  /** True when a live session of that account was revoked (false: unknown, someone else's, or already over). */
  revokeSession(accountId: string, sessionId: string): Promise<boolean>;
}

export const SESSION_COOKIE = 'salus_session';

/** What the ledger records of sign-in and account activity. */
export type AuthEventSubtype = 'login' | 'login-failed' | 'logout' | 'mfa-failed' | 'lockout' | 'password-reset' | 'account';

/** One sign-in or account event, handed to the audit ledger as it happens. */
export interface AuthEvent {
  subtype: AuthEventSubtype;
  outcome: 'success' | 'failure' | 'denied';
  accountId?: string;
  /** The address typed at sign-in, also when no account has it. */
  email?: string;
  ip?: string;
  userAgent?: string;
  /** What happened, in words: the ledger's outcome description. */
  detail: string;
}
