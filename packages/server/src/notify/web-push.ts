import type { Agent } from 'node:https';
import webpush, { WebPushError } from 'web-push';
import { badRequest } from '@salus/core';
import type { Db } from '../db/db.js';
import { getOrCreateSecret } from '../crypto/secrets.js';
import { DEFAULT_MAIL_FROM } from './notifier.js';

/** What a notification says; the service worker shows it and opens `url` when it is clicked. */
export interface PushMessage {
  title: string;
  body: string;
  url: string;
  /** Notifications with one tag replace each other on the device (a retried send shows once). */
  tag?: string;
}

/** A browser's PushSubscription as `PushSubscription.toJSON()` gives it. */
export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** Who push services contact about this sender: a mailto: or https: URL. */
  subject: string;
  source: 'env' | 'database';
}

export interface WebPush {
  /** The application server key browsers subscribe with (base64url, uncompressed P-256 point). */
  readonly publicKey: string;
  /** Keeps a browser's subscription for the account (taking it over from any other account). */
  subscribe(accountId: string, subscription: PushSubscriptionInput, userAgent?: string): Promise<void>;
  /** Forgets one of the account's subscriptions; false when it had none with that endpoint. */
  unsubscribe(accountId: string, endpoint: string): Promise<boolean>;
  /**
   * Sends to every subscription of the accounts. Subscriptions the push service reports gone
   * (404, 410) are removed; any other failure is thrown after the rest were tried, so a job retries.
   */
  send(accountIds: string[], message: PushMessage, options?: { ttlSeconds?: number }): Promise<{ sent: number; removed: number }>;
}

export interface WebPushOptions {
  db: Db;
  env: NodeJS.ProcessEnv;
  publicUrl: string;
  /** The HTTPS agent requests to push services go through (tests: one trusting a local push service). */
  agent?: Agent;
}

const VAPID_SECRET = 'vapid-keys';
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
/** Push services keep an undelivered message this long unless told otherwise. */
const DEFAULT_TTL_SECONDS = 12 * 3600;

const decoded = (value: string): Buffer | undefined => (BASE64URL.test(value) ? Buffer.from(value, 'base64url') : undefined);
const isP256Point = (value: string): boolean => {
  const b = decoded(value);
  return b?.length === 65 && b[0] === 4;
};

/**
 * The VAPID keys: SALUS_VAPID_PUBLIC_KEY and SALUS_VAPID_PRIVATE_KEY (as `npx web-push
 * generate-vapid-keys` prints them), or else a pair generated once and kept in `server_secrets`,
 * so that every node signs with the key the browsers subscribed with.
 */
export async function vapidKeys(db: Db, env: NodeJS.ProcessEnv, publicUrl: string): Promise<VapidKeys> {
  const subject = vapidSubject(env, publicUrl);
  const pub = env.SALUS_VAPID_PUBLIC_KEY?.trim();
  const priv = env.SALUS_VAPID_PRIVATE_KEY?.trim();
  if (pub || priv) {
    if (!pub) throw new Error('SALUS_VAPID_PRIVATE_KEY is set but SALUS_VAPID_PUBLIC_KEY is not; set both (npx web-push generate-vapid-keys)');
    if (!priv) throw new Error('SALUS_VAPID_PUBLIC_KEY is set but SALUS_VAPID_PRIVATE_KEY is not; set both (npx web-push generate-vapid-keys)');
    if (!isP256Point(pub)) throw new Error('SALUS_VAPID_PUBLIC_KEY must be a P-256 public key, 65 bytes in base64url');
    if (decoded(priv)?.length !== 32) throw new Error('SALUS_VAPID_PRIVATE_KEY must be a P-256 private key, 32 bytes in base64url');
    return { publicKey: pub, privateKey: priv, subject, source: 'env' };
  }
  const stored = JSON.parse(await getOrCreateSecret(db, VAPID_SECRET, () => JSON.stringify(webpush.generateVAPIDKeys()))) as { publicKey: string; privateKey: string };
  return { ...stored, subject, source: 'database' };
}

/** SALUS_VAPID_SUBJECT; else the public origin when it is https; else the sender's mail address. */
function vapidSubject(env: NodeJS.ProcessEnv, publicUrl: string): string {
  const configured = env.SALUS_VAPID_SUBJECT?.trim();
  if (configured) {
    if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(configured)) throw new Error('SALUS_VAPID_SUBJECT must be a mailto: address or an https: URL');
    return configured;
  }
  if (publicUrl.startsWith('https://')) return publicUrl;
  const from = env.SALUS_MAIL_FROM ?? DEFAULT_MAIL_FROM;
  return `mailto:${/<([^>]+)>/.exec(from)?.[1] ?? from.trim()}`;
}

/** A PushSubscription from a request body; a 400 names the first element that is wrong. */
export function parseSubscription(body: unknown): PushSubscriptionInput {
  const b = (body ?? {}) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof b.endpoint !== 'string' || b.endpoint.length > 2048) throw badRequest('endpoint is required: the push service URL of the subscription', 'endpoint');
  let url: URL;
  try {
    url = new URL(b.endpoint);
  } catch {
    throw badRequest('endpoint must be an https URL', 'endpoint');
  }
  if (url.protocol !== 'https:') throw badRequest('endpoint must be an https URL', 'endpoint');
  if (typeof b.keys !== 'object' || b.keys === null) throw badRequest('keys is required, with p256dh and auth', 'keys');
  const { p256dh, auth } = b.keys;
  if (typeof p256dh !== 'string' || !isP256Point(p256dh)) throw badRequest('keys.p256dh must be a P-256 public key, 65 bytes in base64url', 'keys.p256dh');
  if (typeof auth !== 'string' || (decoded(auth)?.length ?? 0) < 16) throw badRequest('keys.auth must be an authentication secret of at least 16 bytes in base64url', 'keys.auth');
  return { endpoint: b.endpoint, keys: { p256dh, auth } };
}

export async function createWebPush(options: WebPushOptions): Promise<WebPush> {
  const { db } = options;
  const keys = await vapidKeys(db, options.env, options.publicUrl);
  const vapidDetails = { subject: keys.subject, publicKey: keys.publicKey, privateKey: keys.privateKey };
  return {
    publicKey: keys.publicKey,
    async subscribe(accountId, s, userAgent) {
      await db.query(
        `INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, user_agent) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth,
           user_agent = excluded.user_agent, created_at = now()`,
        [s.endpoint, accountId, s.keys.p256dh, s.keys.auth, userAgent?.slice(0, 500) ?? null],
      );
    },
    async unsubscribe(accountId, endpoint) {
      const r = await db.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND account_id = $2', [endpoint, accountId]);
      return r.rowCount > 0;
    },
    async send(accountIds, message, sendOptions = {}) {
      const r = await db.query<{ endpoint: string; p256dh: string; auth: string }>(
        'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = ANY($1::text[])',
        [accountIds],
      );
      const payload = JSON.stringify(message);
      const failures: string[] = [];
      let sent = 0;
      let removed = 0;
      await Promise.all(
        r.rows.map(async (s) => {
          try {
            await webpush.sendNotification({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, payload, {
              vapidDetails,
              TTL: sendOptions.ttlSeconds ?? DEFAULT_TTL_SECONDS,
              contentEncoding: 'aes128gcm',
              timeout: 15_000,
              ...(options.agent ? { agent: options.agent } : {}),
            });
            sent++;
          } catch (e) {
            // The browser unsubscribed or the subscription expired: it will never work again.
            if (e instanceof WebPushError && (e.statusCode === 404 || e.statusCode === 410)) {
              await db.query('DELETE FROM push_subscriptions WHERE endpoint = $1', [s.endpoint]);
              removed++;
            } else {
              failures.push(`${new URL(s.endpoint).host}: ${e instanceof WebPushError ? `HTTP ${e.statusCode} ${e.body}`.trim() : (e as Error).message}`);
            }
          }
        }),
      );
      if (failures.length > 0) throw new Error(`Web Push failed for ${failures.length} of ${r.rows.length} subscriptions (${failures.join('; ')})`);
      return { sent, removed };
    },
  };
}
