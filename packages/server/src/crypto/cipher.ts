import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * Encrypts text for storage and decrypts it back. `aad` (associated data) names what the value
 * belongs to: opening with any other `aad` fails, so a sealed value moved to another record is
 * detected instead of read as that record's.
 */
export interface ContentCipher {
  seal(text: string, aad: string): string;
  open(stored: string, aad: string): string;
}

/** Every sealed value starts with this; stored JSON starts with `{`, so one check tells them apart. */
export const SEALED_PREFIX = 'enc:';
const FORMAT = '1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * IVs come from a pool of random bytes filled 256 IVs at a time: one call into the random
 * generator costs about as much as encrypting a kilobyte, and sealing is on the write path.
 */
const ivPool = Buffer.alloc(IV_BYTES * 256);
let ivOffset = ivPool.length;

function nextIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  ivOffset += IV_BYTES;
  return Buffer.from(ivPool.subarray(ivOffset - IV_BYTES, ivOffset));
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The start of every value sealed with key `kid` in the current format. */
export function envelopePrefix(kid: string): string {
  return `${SEALED_PREFIX}${FORMAT}:${kid}:`;
}

/**
 * AES-256-GCM with a random 96-bit IV per value, in the envelope
 * `enc:1:<kid>:<base64url IV>:<base64url ciphertext and 16-byte tag>`. The key id lets old keys keep
 * opening what they sealed after rotation; the header is authenticated along with `aad`, so
 * neither the key id nor the format can be altered undetected. With random IVs one key may seal
 * up to about 2^32 values (NIST SP 800-38D); rotate long before a key has sealed that many.
 */
export class AesGcmCipher implements ContentCipher {
  constructor(readonly keyring: Keyring) {}

  seal(text: string, aad: string): string {
    const header = envelopePrefix(this.keyring.activeKid);
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.keyring.activeKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(header + aad, 'utf8'));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${header}${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  open(stored: string, aad: string): string {
    const parts = stored.split(':');
    if (parts.length !== 5 || `${parts[0]}:` !== SEALED_PREFIX) throw new Error(`Encrypted content of ${aad} is malformed`);
    const [, format, kid, ivText, bodyText] = parts as [string, string, string, string, string];
    if (format !== FORMAT) throw new Error(`Encrypted content of ${aad} has unknown format version '${format}'`);
    const key = this.keyring.key(kid);
    if (!key) {
      throw new Error(`Content of ${aad} is encrypted with key '${kid}', which is not configured (SALUS_ENCRYPTION_KEYS)`);
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error(`Encrypted content of ${aad} is malformed`);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(envelopePrefix(kid) + aad, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return decipher.update(body.subarray(0, body.length - TAG_BYTES), undefined, 'utf8') + decipher.final('utf8');
    } catch {
      throw new Error(`Encrypted content of ${aad} failed authentication with key '${kid}': it was altered or belongs to another record`);
    }
  }
}
