import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';

/**
 * Credentials of home devices. A device sends `Authorization: Bearer sdt_<id>_<secret>` (HTTPS) or
 * its id and that token as MQTT username and password. The secret has 256 bits, so a plain
 * SHA-256 of it is as good as a slow password hash and costs nothing on the ingestion path.
 */

export const DEVICE_TOKEN_PREFIX = 'sdt_';
/** NOTIFY channel telling every node to forget a revoked device's cached credentials. */
const REVOKED_CHANNEL = 'salus_device_revoked';
/** How long a verified token is trusted without asking the database; revocation clears it at once. */
const CACHE_MS = 60_000;

export interface DeviceIdentity {
  tokenId: string;
  deviceId: string;
  patientId: string;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function issueDeviceToken(q: Queryable, device: { deviceId: string; patientId: string; createdBy?: string }): Promise<string> {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await q.query('INSERT INTO device_tokens (token_id, device_id, patient_id, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5)', [
    tokenId,
    device.deviceId,
    device.patientId,
    sha256(secret),
    device.createdBy ?? null,
  ]);
  return `${DEVICE_TOKEN_PREFIX}${tokenId}_${secret}`;
}

function parseToken(token: string): { tokenId: string; secret: string } | undefined {
  const m = /^sdt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { tokenId: m[1]!, secret: m[2]! } : undefined;
}

export interface DeviceTokens {
  /** The device a token belongs to, or undefined when it is unknown, wrong or revoked. */
  verify(token: string): Promise<DeviceIdentity | undefined>;
  /** Revokes every token of the device, here and (by NOTIFY) on every other node. */
  revoke(q: Queryable, deviceId: string): Promise<number>;
  close(): Promise<void>;
}

export async function createDeviceTokens(db: Db, now: () => Date = () => new Date()): Promise<DeviceTokens> {
  const cache = new Map<string, { identity: DeviceIdentity; hash: Buffer; until: number }>();
  // When the device was last heard from: written at most once a minute per token.
  const seen = new Map<string, number>();
  const forget = (deviceId: string): void => {
    for (const [k, v] of cache) if (v.identity.deviceId === deviceId) cache.delete(k);
  };
  const unlisten = await db.listen(REVOKED_CHANNEL, (payload) => forget(payload));
  return {
    async verify(token) {
      const parsed = parseToken(token);
      if (!parsed) return undefined;
      const hash = sha256(parsed.secret);
      const t = now().getTime();
      let hit = cache.get(parsed.tokenId);
      if (!hit || hit.until < t) {
        const r = await db.query<{ device_id: string; patient_id: string; secret_hash: Buffer }>(
          'SELECT device_id, patient_id, secret_hash FROM device_tokens WHERE token_id = $1 AND revoked_at IS NULL',
          [parsed.tokenId],
          { prepare: true },
        );
        const row = r.rows[0];
        if (!row) {
          cache.delete(parsed.tokenId);
          return undefined;
        }
        hit = { identity: { tokenId: parsed.tokenId, deviceId: row.device_id, patientId: row.patient_id }, hash: Buffer.from(row.secret_hash), until: t + CACHE_MS };
        cache.set(parsed.tokenId, hit);
      }
      if (hit.hash.length !== hash.length || !timingSafeEqual(hit.hash, hash)) return undefined;
      if ((seen.get(parsed.tokenId) ?? 0) < t - 60_000) {
        seen.set(parsed.tokenId, t);
        await db.query('UPDATE device_tokens SET last_seen = $2 WHERE token_id = $1', [parsed.tokenId, now().toISOString()]);
      }
      return hit.identity;
    },
    async revoke(q, deviceId) {
      const r = await q.query('UPDATE device_tokens SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL', [deviceId, now().toISOString()]);
      await q.query('SELECT pg_notify($1, $2)', [REVOKED_CHANNEL, deviceId]);
      forget(deviceId);
      return r.rowCount ?? 0;
    },
    async close() {
      await unlisten();
    },
  };
}

// Crockford's base32 without I, L, O and U: nothing to misread when typed from a screen.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const PAIRING_MINUTES = 15;

/** Upper-cases a typed code and drops separators and spaces, so `k7q4 m9tx` works too. */
function canonicalCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export async function createPairingCode(q: Queryable, patientId: string, createdBy: string | undefined, now: Date): Promise<{ code: string; expires: string }> {
  let raw = '';
  for (let i = 0; i < 8; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  const expires = new Date(now.getTime() + PAIRING_MINUTES * 60_000).toISOString();
  await q.query('INSERT INTO device_pairing_codes (code_hash, patient_id, created_by, expires_at) VALUES ($1, $2, $3, $4)', [sha256(raw), patientId, createdBy ?? null, expires]);
  // Spent and expired codes go as new ones are made; they are worthless once used or old.
  await q.query(`DELETE FROM device_pairing_codes WHERE expires_at < $1::timestamptz - interval '1 day'`, [now.toISOString()]);
  return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expires };
}

/** The patient a valid, unspent code was made for; the row is locked until the transaction ends. */
export async function pairingPatient(q: Queryable, code: string, now: Date): Promise<string | undefined> {
  const canonical = canonicalCode(code);
  if (!/^[0-9A-Z]{8}$/.test(canonical)) return undefined;
  const r = await q.query<{ patient_id: string }>(
    'SELECT patient_id FROM device_pairing_codes WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE',
    [sha256(canonical), now.toISOString()],
  );
  return r.rows[0]?.patient_id;
}

/** Uses up a pairing code: the patient it was made for, or undefined for a wrong, spent or expired code. */
export async function redeemPairingCode(q: Queryable, code: string, deviceId: string, now: Date): Promise<string | undefined> {
  const canonical = canonicalCode(code);
  if (!/^[0-9A-Z]{8}$/.test(canonical)) return undefined;
  const r = await q.query<{ patient_id: string }>(
    `UPDATE device_pairing_codes SET used_at = $2, device_id = $3
     WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING patient_id`,
    [sha256(canonical), now.toISOString(), deviceId],
  );
  return r.rows[0]?.patient_id;
}
