import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, totpCode, totpStep, totpUri } from './totp.js';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII "12345678901234567890".
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('codes match the RFC 6238 test vectors', () => {
  assert.equal(totpCode(RFC_SECRET, new Date(59_000)), '287082');
  assert.equal(totpCode(RFC_SECRET, new Date(1_111_111_109_000)), '081804');
  assert.equal(totpStep(RFC_SECRET, '081804', new Date(1_111_111_109_000)), 37_037_036);
});

test('a code is accepted one step either side and no further', () => {
  const secret = generateTotpSecret();
  const t0 = new Date(1_700_000_000_000);
  const code = totpCode(secret, t0);
  const step = Math.floor(t0.getTime() / 30_000);
  assert.equal(totpStep(secret, code, new Date(t0.getTime() + 30_000)), step);
  assert.equal(totpStep(secret, code, new Date(t0.getTime() - 30_000)), step);
  assert.equal(totpStep(secret, code, new Date(t0.getTime() + 90_000)), undefined);
  assert.equal(totpStep(secret, '12345', t0), undefined);
  assert.equal(totpStep(secret, 'abcdef', t0), undefined);
});

test('secrets are 160 bits and the URI is what authenticator apps read', () => {
  const secret = generateTotpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const uri = new URL(totpUri(secret, 'ana@example.com'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), secret);
  assert.equal(uri.searchParams.get('issuer'), 'Salus');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
});

test('recovery codes are ten distinct codes, hashed the same however they are typed', () => {
  const codes = generateRecoveryCodes();
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  const c = codes[0]!;
  assert.equal(hashRecoveryCode(c.toUpperCase().replace(/-/g, ' ')), hashRecoveryCode(c));
  assert.notEqual(hashRecoveryCode(codes[1]!), hashRecoveryCode(c));
});
