import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { hashToken } from './tokens.js';

/**
 * Time-based one-time passwords (RFC 6238) with the parameters every authenticator app supports:
 * SHA-1, six digits, 30-second steps. Recovery codes stand in for a lost device.
 */

const ISSUER = 'Salus';
const PERIOD_SECONDS = 30;
/** One step either side absorbs clock drift between the phone and the server. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base-32 alphabet: no I, L, O or U, so codes read back from paper unambiguously. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function totp(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new 160-bit secret (RFC 4226's recommended size), base-32 as authenticator apps expect. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app reads from a QR code. */
export function totpUri(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/** The code an authenticator shows at `now` (demo sign-in and tests). */
export function totpCode(secretBase32: string, now: Date): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}

/**
 * The time step a code belongs to when it is valid at `now`, so the caller can refuse a step
 * already used; undefined for a wrong code.
 */
export function totpStep(secretBase32: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/**
 * Ten single-use codes written `xxxx-xxxx-xxxx-xxxx`: 80 random bits each, enough that a fast
 * hash keeps them safe from whoever reads the database.
 */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What is stored of a recovery code: typed with or without the dash, in either case, it matches. */
export function hashRecoveryCode(code: string): string {
  return hashToken(code.toLowerCase().replace(/[\s-]/g, ''));
}
