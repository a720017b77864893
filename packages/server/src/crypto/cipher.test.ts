import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AesGcmCipher, isSealed } from './cipher.js';
import { Keyring } from './keyring.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const ringA = new Keyring([['a', keyA]], 'a');
const AAD = 'Communication/1/_history/1';
const TEXT = '{"resourceType":"Communication","payload":[{"contentString":"Ich fühle mich schlecht 😞"}]}';

/** Flips one bit of the base64url part `part` (3 = IV, 4 = ciphertext and tag) of an envelope. */
function flip(stored: string, part: 3 | 4, byte = 0): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[byte]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('AES-256-GCM content cipher', () => {
  test('a sealed value opens to the same text, and names its key in the envelope', () => {
    const cipher = new AesGcmCipher(ringA);
    const sealed = cipher.seal(TEXT, AAD);
    assert.match(sealed, /^enc:1:a:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    assert.ok(isSealed(sealed));
    assert.ok(!sealed.includes('Communication') && !sealed.includes('schlecht'));
    assert.equal(cipher.open(sealed, AAD), TEXT);
    assert.equal(cipher.open(cipher.seal('', AAD), AAD), '');
  });

  test('every seal draws a fresh IV, so equal texts do not give equal values', () => {
    const cipher = new AesGcmCipher(ringA);
    const one = cipher.seal(TEXT, AAD);
    const two = cipher.seal(TEXT, AAD);
    assert.notEqual(one, two);
    assert.notEqual(one.split(':')[3], two.split(':')[3]);
  });

  test('plaintext JSON is not mistaken for a sealed value', () => {
    assert.ok(!isSealed(TEXT));
    assert.ok(!isSealed(''));
  });

  test('a flipped bit in the ciphertext, the tag or the IV is detected', () => {
    const cipher = new AesGcmCipher(ringA);
    const sealed = cipher.seal(TEXT, AAD);
    const tagByte = Buffer.from(sealed.split(':')[4]!, 'base64url').length - 1;
    for (const altered of [flip(sealed, 4), flip(sealed, 4, tagByte), flip(sealed, 3)]) {
      assert.throws(() => cipher.open(altered, AAD), /Communication\/1\/_history\/1 failed authentication with key 'a'/);
    }
  });

  test('a value moved to another record (other associated data) does not open', () => {
    const cipher = new AesGcmCipher(ringA);
    const sealed = cipher.seal(TEXT, AAD);
    assert.throws(() => cipher.open(sealed, 'Communication/2/_history/1'), /belongs to another record/);
    assert.throws(() => cipher.open(sealed, 'Communication/1/_history/2'), /belongs to another record/);
  });

  test('the key id is authenticated: relabelling a value with another known key fails', () => {
    const both = new AesGcmCipher(new Keyring([['a', keyA], ['b', keyA]], 'a'));
    const relabelled = both.seal(TEXT, AAD).replace(/^enc:1:a:/, 'enc:1:b:');
    assert.throws(() => both.open(relabelled, AAD), /failed authentication with key 'b'/);
  });

  test('a value sealed with a key the keyring lacks names that key', () => {
    const sealed = new AesGcmCipher(ringA).seal(TEXT, AAD);
    const other = new AesGcmCipher(new Keyring([['b', keyB]], 'b'));
    assert.throws(() => other.open(sealed, AAD), /encrypted with key 'a', which is not configured \(SALUS_ENCRYPTION_KEYS\)/);
  });

  test('malformed envelopes and unknown format versions are refused', () => {
    const cipher = new AesGcmCipher(ringA);
    const sealed = cipher.seal(TEXT, AAD);
    assert.throws(() => cipher.open('enc:1:a:abc', AAD), /malformed/);
    assert.throws(() => cipher.open(sealed.replace(/^enc:1:/, 'enc:9:'), AAD), /unknown format version '9'/);
    assert.throws(() => cipher.open(sealed.replace(/:[^:]+:([^:]+)$/, ':AAAA:$1'), AAD), /malformed/);
  });

  test('after rotation the new key seals and the old key still opens', () => {
    const before = new AesGcmCipher(ringA).seal(TEXT, AAD);
    const rotated = new AesGcmCipher(new Keyring([['a', keyA], ['b', keyB]], 'b'));
    const after = rotated.seal(TEXT, AAD);
    assert.match(after, /^enc:1:b:/);
    assert.equal(rotated.open(before, AAD), TEXT);
    assert.equal(rotated.open(after, AAD), TEXT);
  });
});
