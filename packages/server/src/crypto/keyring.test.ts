import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_KEY_ID, keyringFromEnv } from './keyring.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const keys = (value: string, active?: string): NodeJS.ProcessEnv => ({
  SALUS_ENCRYPTION_KEYS: value,
  ...(active === undefined ? {} : { SALUS_ENCRYPTION_KEY_ID: active }),
});

describe('keys from configuration', () => {
  test('no keys configured gives no keyring (the demo key takes over)', () => {
    assert.equal(keyringFromEnv({}), undefined);
    assert.equal(keyringFromEnv(keys('  ')), undefined);
  });

  test('the last listed key is active unless SALUS_ENCRYPTION_KEY_ID names another', () => {
    const byOrder = keyringFromEnv(keys(`2024:${k1}, 2025:${k2},`))!;
    assert.deepEqual(byOrder.kids, ['2024', '2025']);
    assert.equal(byOrder.activeKid, '2025');
    assert.equal(byOrder.usesDemoKey, false);
    assert.equal(keyringFromEnv(keys(`2024:${k1},2025:${k2}`, '2024'))!.activeKid, '2024');
  });

  test('bad settings are refused with the setting and key id named, never the key', () => {
    const refuse = (env: NodeJS.ProcessEnv, message: RegExp): void => {
      assert.throws(
        () => keyringFromEnv(env),
        (e: unknown) => e instanceof Error && message.test(e.message) && !e.message.includes(k1.slice(0, 8)),
      );
    };
    refuse(keys(`a:${k1.slice(0, -4)}!!!!`), /SALUS_ENCRYPTION_KEYS: key 'a' is not valid base64 \(generate one with: openssl rand -base64 32\)/);
    refuse(keys(`a:${randomBytes(16).toString('base64')}`), /key 'a' is 16 bytes; AES-256 needs 32/);
    refuse(keys(`a:${k1}`, 'b'), /SALUS_ENCRYPTION_KEY_ID names 'b', which is not in SALUS_ENCRYPTION_KEYS \(a\)/);
    refuse(keys(`a:${k1},a:${k2}`), /key id 'a' is given twice/);
    refuse(keys(`${k1}`), /entry 1 is not of the form kid:base64key/);
    refuse(keys(`bad kid:${k1}`), /key id 'bad kid' must be 1 to 64 letters/);
    refuse({ SALUS_ENCRYPTION_KEY_ID: 'a' }, /SALUS_ENCRYPTION_KEY_ID is set but SALUS_ENCRYPTION_KEYS is empty/);
    refuse(keys(' , ,'), /SALUS_ENCRYPTION_KEYS lists no keys/);
  });

  test('a demo key generated earlier stays available to open what it sealed, but never seals', () => {
    const demo = randomBytes(32);
    const ring = keyringFromEnv(keys(`prod:${k1}`), demo)!;
    assert.deepEqual(ring.kids, ['prod', DEMO_KEY_ID]);
    assert.equal(ring.activeKid, 'prod');
    // An operator who configured the demo key id explicitly keeps that key.
    const explicit = keyringFromEnv(keys(`${DEMO_KEY_ID}:${k2},prod:${k1}`), demo)!;
    assert.deepEqual(explicit.kids, [DEMO_KEY_ID, 'prod']);
    assert.ok(explicit.key(DEMO_KEY_ID)!.export().equals(Buffer.from(k2, 'base64')));
  });
});
