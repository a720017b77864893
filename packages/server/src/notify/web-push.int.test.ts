import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import webpush from 'web-push';
import type { AuditInput } from '../audit/types.js';
import { provisionAccount } from '../auth/accounts.js';
import { SESSION_COOKIE } from '../auth/types.js';
import { startTestApp, type TestApp } from '../test-support.js';
import { TestPushService } from './push-test-support.js';
import { vapidKeys } from './web-push.js';

const PUBLIC_URL = 'https://salus.example';
let salus: TestApp;
let pushService: TestPushService;
const audits: AuditInput[] = [];
let ana: Person;
let ben: Person;

interface Person {
  accountId: string;
  /** The browser session's cookie. */
  cookie: string;
}

async function person(email: string): Promise<Person> {
  const accountId = (await provisionAccount(salus.db, { email, displayName: email.split('@')[0]!, status: 'active', roles: [{ role: 'patient' }] }))!;
  const session = await salus.accounts.createSession(accountId, true, { ip: '127.0.0.1' });
  return { accountId, cookie: `${SESSION_COOKIE}=${session.token}` };
}

/** Calls the app as the browser's fetch does: JSON in and out, the session cookie when someone is signed in. */
async function call<T = { issue?: { expression?: string[] }[] }>(method: 'GET' | 'POST' | 'DELETE', url: string, who?: Person, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await salus.app.inject({
    method,
    url,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(who ? { cookie: who.cookie } : {}) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : {}) as T };
}

before(async () => {
  pushService = await TestPushService.start();
  salus = await startTestApp({ publicUrl: PUBLIC_URL, env: {}, pushAgent: pushService.agent, onAudit: (e) => audits.push(e) });
  ana = await person('ana@example.test');
  ben = await person('ben@example.test');
});
after(async () => {
  await salus.close();
  await pushService.close();
});

const entries = (subtype: string): AuditInput[] => audits.filter((e) => e.subtype === subtype);

describe('Web Push subscriptions', () => {
  test('only signed-in people reach /me/push, and every call is in the ledger', async () => {
    const anon = await call('GET', '/me/push/key');
    assert.equal(anon.status, 401);
    assert.equal(entries('push-key').at(-1)?.outcome, 'denied');
    assert.equal((await call('POST', '/me/push-subscriptions', undefined, pushService.subscriber('x').subscription)).status, 401);
    assert.equal(entries('push-subscribe').at(-1)?.outcome, 'denied');

    const system = await salus.system.get('/me/push/key');
    assert.equal(system.status, 403, 'a Backend Services client has no devices');

    const key = await call<{ publicKey: string }>('GET', '/me/push/key', ana);
    assert.equal(key.status, 200);
    assert.equal(key.body.publicKey, salus.push.publicKey);
    assert.equal(Buffer.from(key.body.publicKey, 'base64url').length, 65);
    const read = entries('push-key').at(-1)!;
    assert.deepEqual([read.action, read.outcome, read.agent.accountId], ['R', 'success', ana.accountId]);
  });

  test('a subscription is checked field by field, kept for the account, and removed by endpoint', async () => {
    const phone = pushService.subscriber('ana-phone');
    const bad = async (body: unknown, field: string): Promise<void> => {
      const res = await call('POST', '/me/push-subscriptions', ana, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.body.issue?.[0]?.expression, [field]);
    };
    await bad({ keys: phone.subscription.keys }, 'endpoint');
    await bad({ ...phone.subscription, endpoint: 'http://push.example/1' }, 'endpoint');
    await bad({ endpoint: phone.subscription.endpoint }, 'keys');
    await bad({ ...phone.subscription, keys: { auth: phone.subscription.keys.auth } }, 'keys.p256dh');
    await bad({ ...phone.subscription, keys: { ...phone.subscription.keys, p256dh: 'AAAA' } }, 'keys.p256dh');
    await bad({ ...phone.subscription, keys: { ...phone.subscription.keys, auth: 'c2hvcnQ' } }, 'keys.auth');
    assert.equal(entries('push-subscribe').at(-1)?.outcome, 'failure');

    const created = await call('POST', '/me/push-subscriptions', ana, { ...phone.subscription, expirationTime: null });
    assert.equal(created.status, 201);
    const subscribed = entries('push-subscribe').at(-1)!;
    assert.deepEqual([subscribed.action, subscribed.outcome, subscribed.agent.accountId], ['C', 'success', ana.accountId]);
    const rows = await salus.db.query<{ account_id: string }>('SELECT account_id FROM push_subscriptions WHERE endpoint = $1', [phone.subscription.endpoint]);
    assert.deepEqual(rows.rows, [{ account_id: ana.accountId }]);

    // Someone else cannot remove it; its owner can.
    assert.equal((await call('DELETE', '/me/push-subscriptions', ben, { endpoint: phone.subscription.endpoint })).status, 204);
    assert.equal((await salus.db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [phone.subscription.endpoint])).rows.length, 1);
    assert.equal((await call('DELETE', '/me/push-subscriptions', ana, {})).status, 400);
    assert.equal((await call('DELETE', '/me/push-subscriptions', ana, { endpoint: phone.subscription.endpoint })).status, 204);
    assert.equal((await salus.db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [phone.subscription.endpoint])).rows.length, 0);
    const removed = entries('push-unsubscribe').filter((e) => e.outcome === 'success').map((e) => [e.action, e.agent.accountId, e.outcomeDesc]);
    assert.deepEqual(removed, [
      ['D', ben.accountId, 'No such subscription; nothing to remove'],
      ['D', ana.accountId, 'Unsubscribed a device'],
    ]);
  });

  test('a notification reaches the push service signed with the server key and readable only by the subscriber', async () => {
    const laptop = pushService.subscriber('ana-laptop');
    assert.equal((await call('POST', '/me/push-subscriptions', ana, laptop.subscription)).status, 201);
    const message = { title: 'Visit booked', body: 'Video visit with Dr Okafor, Tuesday 8 December 2026 at 06:00.', url: `${PUBLIC_URL}/patient/appointments` };
    assert.deepEqual(await salus.push.send([ana.accountId], message, { ttlSeconds: 600 }), { sent: 1, removed: 0 });
    const got = await pushService.next('ana-laptop');
    assert.equal(got.headers['content-encoding'], 'aes128gcm');
    assert.equal(got.headers.ttl, '600');
    const { key, claims } = await pushService.verifyVapid(got);
    assert.equal(key, salus.push.publicKey);
    assert.equal(claims.aud, pushService.origin);
    assert.equal(claims.sub, PUBLIC_URL, 'an https public origin is the contact');
    assert.ok(claims.exp! * 1000 > Date.now());
    assert.deepEqual(JSON.parse(laptop.decrypt(got.body)), message);
  });

  test('a subscription the push service reports gone is removed; other failures are thrown for a retry', async () => {
    const old = pushService.subscriber('ben-old');
    const broken = pushService.subscriber('ben-broken');
    for (const s of [old, broken]) assert.equal((await call('POST', '/me/push-subscriptions', ben, s.subscription)).status, 201);
    pushService.answer('ben-old', 410);
    pushService.answer('ben-broken', 503);
    const message = { title: 't', body: 'b', url: `${PUBLIC_URL}/patient/appointments` };
    await assert.rejects(salus.push.send([ben.accountId], message), /Web Push failed for 1 of 2 subscriptions \(127\.0\.0\.1:\d+: HTTP 503/);
    const left = await salus.db.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE account_id = $1', [ben.accountId]);
    assert.deepEqual(left.rows.map((r) => r.endpoint), [broken.subscription.endpoint]);
    pushService.answer('ben-broken', 404);
    assert.deepEqual(await salus.push.send([ben.accountId], message), { sent: 0, removed: 1 });
    assert.equal((await salus.db.query('SELECT 1 FROM push_subscriptions WHERE account_id = $1', [ben.accountId])).rows.length, 0);
  });
});

describe('VAPID keys', () => {
  test('generated once and shared through the database; configured keys are used as given', async () => {
    const first = await vapidKeys(salus.db, {}, 'http://localhost:8080');
    const again = await vapidKeys(salus.db, {}, 'http://localhost:8080');
    assert.equal(first.source, 'database');
    assert.deepEqual(again, first);
    assert.equal(first.publicKey, salus.push.publicKey, 'the running app signs with the stored key');
    assert.equal(first.subject, 'mailto:no-reply@salus.localhost', 'without https, the sender address is the contact');

    const own = webpush.generateVAPIDKeys();
    const env = { SALUS_VAPID_PUBLIC_KEY: own.publicKey, SALUS_VAPID_PRIVATE_KEY: own.privateKey, SALUS_VAPID_SUBJECT: 'mailto:ops@clinic.example' };
    assert.deepEqual(await vapidKeys(salus.db, env, PUBLIC_URL), { ...own, subject: 'mailto:ops@clinic.example', source: 'env' });
    await assert.rejects(vapidKeys(salus.db, { SALUS_VAPID_PUBLIC_KEY: own.publicKey }, PUBLIC_URL), /SALUS_VAPID_PRIVATE_KEY is not/);
    await assert.rejects(vapidKeys(salus.db, { ...env, SALUS_VAPID_PRIVATE_KEY: 'short' }, PUBLIC_URL), /SALUS_VAPID_PRIVATE_KEY must be/);
    await assert.rejects(vapidKeys(salus.db, { ...env, SALUS_VAPID_SUBJECT: 'ops@clinic.example' }, PUBLIC_URL), /SALUS_VAPID_SUBJECT must be/);
  });
});
