import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';

const email = { email: 'Ana.Souza@example.com' };

test('acceptable passwords pass the rules', () => {
  for (const p of ['salus-demo-2026', 'correct horse battery', 'Ünïcödé-pässwörd', 'x'.repeat(64) + 'yz12']) assert.equal(passwordProblem(p, email), undefined, p);
});

test('the rules refuse short, overlong, common, repetitive passwords and the email address', () => {
  assert.match(passwordProblem('elevenchars', email)!, /at least 12/);
  // Length counts characters, not UTF-16 units: eleven emoji are eleven characters, not 22.
  assert.match(passwordProblem('🔑🔒🚪🌿🔑🔒🚪🌿🔑🔒🚪', email)!, /at least 12/);
  assert.equal(passwordProblem('🔑🔒🚪🌿🔑🔒🚪🌿🔑🔒🚪🌿', email), undefined);
  assert.match(passwordProblem('a1b2'.repeat(33), email)!, /at most 128/);
  assert.match(passwordProblem('QWERTY123456', email)!, /too common/);
  assert.match(passwordProblem('ana.souza@EXAMPLE.com', email)!, /email/);
  assert.match(passwordProblem('aaaaaaaaaaaaaaaa', email)!, /too few/);
});

test('hashes are argon2id, salted, and verify only the right password', async () => {
  const a = await hashPassword('salus-demo-2026');
  const b = await hashPassword('salus-demo-2026');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(a, 'salus-demo-2026'), true);
  assert.equal(await verifyPassword(a, 'salus-demo-2027'), false);
  assert.equal(await verifyPassword('not a hash', 'salus-demo-2026'), false);
});
