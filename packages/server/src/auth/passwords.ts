import { hash, verify } from '@node-rs/argon2';

/**
 * Password rules and hashing. Hashes are argon2id (the library's default algorithm) with the
 * OWASP minimum cost (19 MiB, 2 passes), which keeps a sign-in near 50 ms on one core.
 */

export const PASSWORD_MIN_LENGTH = 12;
/** Bounds the hashing work an attacker can ask for with one request. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Passwords long enough for the length rule that still top breach lists; the lower-cased
 * password is compared, so case variants are refused too.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '111111111111',
  '000000000000',
  '123123123123',
  '1q2w3e4r5t6y',
  'qwertyuiop12',
  'qwertyuiopas',
  'qwerty123456',
  '1qaz2wsx3edc',
  'asdfghjkl123',
  'zaq12wsxcde3',
  'password1234',
  'password123!',
  'password12345',
  'passwordpassword',
  'passw0rd1234',
  'p@ssw0rd1234',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome2024!',
  'welcome2025!',
  'welcome2026!',
  'changeme1234',
  'administrator',
  'admin1234567',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'princess1234',
  'superman1234',
  'trustno11234',
  'monkey123456',
  'dragon123456',
  'starwars1234',
  'whatever1234',
  'abcdefghijkl',
  'abcdef123456',
  'abc123abc123',
  'correcthorsebatterystaple',
  'salus1234567',
  'salussalus12',
]);

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { email: string }): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `The password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  const email = context.email.toLowerCase();
  if (lower === email || lower === email.split('@')[0]) return 'The password must not be the email address';
  if (COMMON_PASSWORDS.has(lower)) return 'The password is too common; choose another';
  // Twelve of one or two characters passes the length rule but not a guessing attack.
  if (new Set(lower).size < 4) return 'The password repeats too few different characters';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a malformed stored hash alike. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
