import { createHash, randomBytes } from 'node:crypto';

/** A bearer secret (session cookie, emailed link): 32 random bytes, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database keeps of a high-entropy secret. A fast hash suffices here (unlike passwords):
 * 256 random bits cannot be guessed, and the hash only stops a database reader from using them.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
