import type { Queryable } from '../db/db.js';

/**
 * Back-off after failed sign-in attempts, kept in the database so that every instance sees the
 * same counts. Failures are counted per email address (known or not: an unknown address locks
 * exactly like a real one, so lockout reveals nothing) and per client address. After `threshold`
 * failures within the window, each further failure locks the key for twice as long as the last.
 */

export interface ThrottlePolicy {
  /** Failures on one email address before it is locked. */
  emailThreshold: number;
  /** Failures from one client address (many email addresses guessed from one place). */
  ipThreshold: number;
  /** First lock, doubled with every further failure. */
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** A failure older than this starts the count again. */
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  emailThreshold: 5,
  ipThreshold: 50,
  baseLockSeconds: 30,
  maxLockSeconds: 3600,
  windowSeconds: 3600,
};

export interface ThrottleKeys {
  email: string;
  ip?: string;
}

function keysOf(k: ThrottleKeys): string[] {
  return k.ip ? [`email:${k.email}`, `ip:${k.ip}`] : [`email:${k.email}`];
}

/** Seconds until the email address or client address may try again; undefined when neither is locked. */
export async function lockedFor(db: Queryable, k: ThrottleKeys, now: Date): Promise<number | undefined> {
  const r = await db.query<{ until: string | null }>(
    'SELECT max(locked_until) AS until FROM login_throttle WHERE key = ANY($1::text[]) AND locked_until > $2',
    [keysOf(k), now.toISOString()],
  );
  const until = r.rows[0]?.until;
  return until ? Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000)) : undefined;
}

/** Counts one failure on each key; returns the lock, in seconds, that it started, if any. */
export async function recordFailure(db: Queryable, k: ThrottleKeys, now: Date, policy: ThrottlePolicy): Promise<number | undefined> {
  const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000).toISOString();
  const counted = await db.query<{ key: string; failures: number }>(
    `INSERT INTO login_throttle AS t (key, failures, last_failure_at)
     SELECT key, 1, $2 FROM unnest($1::text[]) AS key
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN t.last_failure_at < $3 THEN 1 ELSE t.failures + 1 END,
       last_failure_at = $2,
       locked_until = CASE WHEN t.last_failure_at < $3 THEN NULL ELSE t.locked_until END
     RETURNING key, failures`,
    [keysOf(k), now.toISOString(), windowStart],
  );
  let longest: number | undefined;
  for (const row of counted.rows) {
    const threshold = row.key.startsWith('ip:') ? policy.ipThreshold : policy.emailThreshold;
    if (row.failures < threshold) continue;
    const seconds = Math.min(policy.baseLockSeconds * 2 ** (row.failures - threshold), policy.maxLockSeconds);
    await db.query('UPDATE login_throttle SET locked_until = $2 WHERE key = $1', [row.key, new Date(now.getTime() + seconds * 1000).toISOString()]);
    longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

/**
 * Forgets the failures on an email address after a successful sign-in. The client address keeps
 * its count: one good account must not reset the budget for guessing at others.
 */
export async function clearFailures(db: Queryable, email: string): Promise<void> {
  await db.query('DELETE FROM login_throttle WHERE key = $1', [`email:${email}`]);
}
