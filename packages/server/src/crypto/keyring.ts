import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { getOrCreateSecret, readSecret } from './secrets.js';

/** Key id of the key the server generates for itself when none is configured. */
export const DEMO_KEY_ID = 'demo-1';
const DEMO_SECRET = 'encryption-key-demo';

/** AES-256 takes a 32-byte key. */
const KEY_BYTES = 32;
/** Key ids end up inside every envelope, between `:` separators, and in SQL prefix matches. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const GENERATE_HINT = 'generate one with: openssl rand -base64 32';

/**
 * The encryption keys by key id: the active key seals new values, every key opens old ones, so a
 * key can be rotated by adding a new active key and keeping the old one until `reencryptAll` has
 * moved every row to the new key.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;

  /**
   * @param usesDemoKey the active key is the one the server generated and keeps in its own
   *   database: it protects nothing against someone holding a copy of the database.
   */
  constructor(
    keys: Iterable<readonly [string, Buffer]>,
    readonly activeKid: string,
    readonly usesDemoKey = false,
  ) {
    this.#keys = new Map([...keys].map(([kid, key]) => [kid, createSecretKey(key)]));
    if (!this.#keys.has(activeKid)) throw new Error(`The active key '${activeKid}' is not among the keys (${this.kids.join(', ')})`);
  }

  get kids(): string[] {
    return [...this.#keys.keys()];
  }

  get activeKey(): KeyObject {
    return this.#keys.get(this.activeKid)!;
  }

  key(kid: string): KeyObject | undefined {
    return this.#keys.get(kid);
  }
}

/**
 * The keyring configured by `SALUS_ENCRYPTION_KEYS` (comma-separated `kid:base64key`, 32-byte
 * keys) and `SALUS_ENCRYPTION_KEY_ID` (the active kid, by default the last listed); undefined when
 * no keys are configured. `demoKey`, the key the server generated while it ran without
 * configuration, is kept for opening what it sealed, until `reencryptAll` has moved those rows to
 * the active key. Errors name the offending setting and key id, never key material.
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv, demoKey?: Buffer): Keyring | undefined {
  const list = (env.SALUS_ENCRYPTION_KEYS ?? '').trim();
  const active = env.SALUS_ENCRYPTION_KEY_ID?.trim();
  if (list === '') {
    if (active) throw new Error('SALUS_ENCRYPTION_KEY_ID is set but SALUS_ENCRYPTION_KEYS is empty');
    return undefined;
  }
  const keys = new Map<string, Buffer>();
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new Error('SALUS_ENCRYPTION_KEYS lists no keys');
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`SALUS_ENCRYPTION_KEYS entry ${i + 1} is not of the form kid:base64key`);
    const kid = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(kid)) {
      throw new Error(`SALUS_ENCRYPTION_KEYS: key id '${kid}' must be 1 to 64 letters, digits, '.', '_' or '-'`);
    }
    // Buffer.from skips characters it does not know, so a mangled key would silently shrink.
    if (!BASE64.test(encoded)) throw new Error(`SALUS_ENCRYPTION_KEYS: key '${kid}' is not valid base64 (${GENERATE_HINT})`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(`SALUS_ENCRYPTION_KEYS: key '${kid}' is ${key.length} bytes; AES-256 needs ${KEY_BYTES} (${GENERATE_HINT})`);
    }
    if (keys.has(kid)) throw new Error(`SALUS_ENCRYPTION_KEYS: key id '${kid}' is given twice`);
    keys.set(kid, key);
  }
  const activeKid = active || [...keys.keys()].pop()!;
  if (!keys.has(activeKid)) {
    throw new Error(`SALUS_ENCRYPTION_KEY_ID names '${activeKid}', which is not in SALUS_ENCRYPTION_KEYS (${[...keys.keys()].join(', ')})`);
  }
  if (demoKey && !keys.has(DEMO_KEY_ID)) keys.set(DEMO_KEY_ID, demoKey);
  return new Keyring(keys, activeKid);
}

/**
 * The server's keyring: the configured keys, or else a demo key generated on first start and kept
 * in `server_secrets`, so that every instance on the database shares it.
 */
export async function loadKeyring(db: Queryable, env: NodeJS.ProcessEnv): Promise<Keyring> {
  const stored = await readSecret(db, DEMO_SECRET);
  const configured = keyringFromEnv(env, stored === undefined ? undefined : Buffer.from(stored, 'base64'));
  if (configured) return configured;
  const demo = stored ?? (await getOrCreateSecret(db, DEMO_SECRET, () => randomBytes(KEY_BYTES).toString('base64')));
  return new Keyring([[DEMO_KEY_ID, Buffer.from(demo, 'base64')]], DEMO_KEY_ID, true);
}
