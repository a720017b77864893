import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { iceConfigFromEnv, iceServersFor, turnCredentials } from './ice-servers.js';

test('TURN credentials are coturn use-auth-secret ones: expiry:account, base64 HMAC-SHA1 of it', () => {
  const c = turnCredentials('north-wind', 'acc-42', 1_900_000_000);
  assert.equal(c.username, '1900000000:acc-42');
  assert.equal(c.credential, createHmac('sha1', 'north-wind').update('1900000000:acc-42').digest('base64'));
  // A known answer, computed with openssl: printf '1900000000:acc-42' | openssl dgst -sha1 -hmac north-wind -binary | base64
  assert.equal(c.credential, 'AnCk6WIX0WKYvvrBMRD+gvYEjzQ=');
});

test('the servers come from the environment, TURN credentials living SALUS_TURN_TTL seconds (an hour by default)', () => {
  const now = new Date('2026-03-01T10:00:00Z');
  const config = iceConfigFromEnv({ SALUS_STUN_URLS: 'stun:a.example:3478, stun:b.example', SALUS_TURN_URLS: 'turn:t.example:3478', SALUS_TURN_SECRET: 's' });
  assert.equal(config.turnTtl, 3600);
  const { iceServers, expiresAt } = iceServersFor(config, 'acc-1', now);
  assert.deepEqual(iceServers[0], { urls: ['stun:a.example:3478', 'stun:b.example'] });
  assert.equal(iceServers[1]!.username, `${Date.parse('2026-03-01T11:00:00Z') / 1000}:acc-1`);
  assert.equal(expiresAt, '2026-03-01T11:00:00.000Z');
  assert.equal(iceConfigFromEnv({ SALUS_TURN_URLS: 'turn:t.example', SALUS_TURN_SECRET: 's', SALUS_TURN_TTL: '600' }).turnTtl, 600);
});

test('nothing configured: no servers (peers on one network connect directly)', () => {
  assert.deepEqual(iceServersFor(iceConfigFromEnv({}), 'acc-1', new Date()), { iceServers: [] });
});

test('a wrong setting stops the start with the setting named', () => {
  assert.throws(() => iceConfigFromEnv({ SALUS_TURN_URLS: 'turn:t.example' }), /SALUS_TURN_URLS needs SALUS_TURN_SECRET/);
  assert.throws(() => iceConfigFromEnv({ SALUS_TURN_URLS: 'https://t.example', SALUS_TURN_SECRET: 's' }), /SALUS_TURN_URLS: 'https:\/\/t.example' is not a turn: or turns: URL/);
  assert.throws(() => iceConfigFromEnv({ SALUS_STUN_URLS: 'turn:t.example' }), /SALUS_STUN_URLS/);
  assert.throws(() => iceConfigFromEnv({ SALUS_TURN_URLS: 'turn:t.example', SALUS_TURN_SECRET: 's', SALUS_TURN_TTL: '1h' }), /SALUS_TURN_TTL/);
});
