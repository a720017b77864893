import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Role } from '../access/principal.js';
import { startAccountsTestApp, type AccountsTestApp } from './account-test-support.js';
import { provisionAccount } from './accounts.js';
import { hashPassword } from './passwords.js';
import { generateTotpSecret, totpCode } from './totp.js';

const PASSWORD = 'correct-lamp-vessel-42';

let t: AccountsTestApp;
let passwordHash: string;
let n = 0;

before(async () => {
  t = await startAccountsTestApp();
  passwordHash = await hashPassword(PASSWORD);
});
after(() => t.close());

/** A fresh account straight in the database; each gets its own address so tests do not share lockouts. */
async function account(options: { roles?: { role: Role; organizationId?: string; verified?: boolean }[]; totp?: boolean; status?: 'pending' | 'active'; patients?: string[] } = {}) {
  const email = `person${++n}@example.test`;
  const totpSecret = options.totp ? generateTotpSecret() : undefined;
  const id = await provisionAccount(
    t.salus.db,
    {
      email,
      displayName: `Person ${n}`,
      passwordHash,
      status: options.status ?? 'active',
      roles: options.roles ?? [{ role: 'patient' }],
      ...(options.patients ? { patients: options.patients.map((patientId) => ({ patientId, relation: 'self' as const })) } : {}),
      ...(totpSecret ? { totpSecret } : {}),
    },
    t.clock.now(),
  );
  return { id: id!, email, totpSecret: totpSecret ?? '' };
}

const meta = (ip = '192.0.2.1') => ({ ip, userAgent: 'test' });

describe('checkPassword', () => {
  test('a patient without an authenticator needs no second factor', async () => {
    const a = await account();
    assert.deepEqual(await t.accounts.checkPassword(a.email.toUpperCase(), PASSWORD, meta()), { ok: true, accountId: a.id, mfa: 'none' });
    assert.ok(t.events.some((e) => e.subtype === 'login' && e.outcome === 'success' && e.accountId === a.id));
  });

  test('staff must set up an authenticator, and must use it once they have', async () => {
    const fresh = await account({ roles: [{ role: 'pharmacist', organizationId: 'org-a' }] });
    const enrolled = await account({ roles: [{ role: 'researcher', organizationId: 'org-a' }], totp: true });
    const patientWithTotp = await account({ totp: true });
    assert.deepEqual(await t.accounts.checkPassword(fresh.email, PASSWORD, meta()), { ok: true, accountId: fresh.id, mfa: 'setup-required' });
    assert.deepEqual(await t.accounts.checkPassword(enrolled.email, PASSWORD, meta()), { ok: true, accountId: enrolled.id, mfa: 'required' });
    assert.deepEqual(await t.accounts.checkPassword(patientWithTotp.email, PASSWORD, meta()), { ok: true, accountId: patientWithTotp.id, mfa: 'required' });
  });

  test('wrong password and unknown address give the same answer', async () => {
    const a = await account();
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'not-the-password-1', meta()), { ok: false, reason: 'invalid' });
    assert.deepEqual(await t.accounts.checkPassword('nobody-here@example.test', PASSWORD, meta()), { ok: false, reason: 'invalid' });
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'x'.repeat(100_000), meta()), { ok: false, reason: 'invalid' });
    const failed = t.events.filter((e) => e.subtype === 'login-failed' && e.outcome === 'failure');
    assert.ok(failed.some((e) => e.accountId === a.id && e.detail === 'wrong password'));
    assert.ok(failed.some((e) => e.email === 'nobody-here@example.test' && e.accountId === undefined));
  });

  test('an unverified or disabled account is told apart only after the right password', async () => {
    const pending = await account({ status: 'pending' });
    assert.deepEqual(await t.accounts.checkPassword(pending.email, PASSWORD, meta()), { ok: false, reason: 'unverified' });
    assert.deepEqual(await t.accounts.checkPassword(pending.email, 'not-the-password-1', meta()), { ok: false, reason: 'invalid' });
    const disabled = await account();
    await t.salus.db.query("UPDATE accounts SET status = 'disabled' WHERE id = $1", [disabled.id]);
    assert.deepEqual(await t.accounts.checkPassword(disabled.email, PASSWORD, meta()), { ok: false, reason: 'disabled' });
  });
});

describe('lockout', () => {
  test('repeated failures lock the address with doubling back-off, the right password included', async () => {
    const a = await account();
    for (let i = 0; i < 4; i++) assert.equal((await t.accounts.checkPassword(a.email, `wrong-password-${i}`, meta())).ok, false);
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'wrong-password-5', meta()), { ok: false, reason: 'locked', retryAfterSeconds: 30 });
    assert.ok(t.events.some((e) => e.subtype === 'lockout' && e.accountId === a.id));
    assert.deepEqual(await t.accounts.checkPassword(a.email, PASSWORD, meta()), { ok: false, reason: 'locked', retryAfterSeconds: 30 });

    t.clock.advance(31);
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'wrong-password-6', meta()), { ok: false, reason: 'locked', retryAfterSeconds: 60 });
    t.clock.advance(61);
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'wrong-password-7', meta()), { ok: false, reason: 'locked', retryAfterSeconds: 120 });
    t.clock.advance(121);
    // Success forgets the count: the next mistake starts from the beginning.
    assert.equal((await t.accounts.checkPassword(a.email, PASSWORD, meta())).ok, true);
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'wrong-password-8', meta()), { ok: false, reason: 'invalid' });
  });

  test('an unknown address locks exactly like a real one', async () => {
    const email = `ghost${++n}@example.test`;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await t.accounts.checkPassword(email, `wrong-password-${i}`, meta('192.0.2.7')));
    assert.deepEqual(answers.at(-1), { ok: false, reason: 'locked', retryAfterSeconds: 30 });
  });

  test('failures are forgotten after the window', async () => {
    const a = await account();
    for (let i = 0; i < 4; i++) await t.accounts.checkPassword(a.email, `wrong-password-${i}`, meta());
    t.clock.advance(t.accounts.policy.windowSeconds + 1);
    assert.deepEqual(await t.accounts.checkPassword(a.email, 'wrong-password-x', meta()), { ok: false, reason: 'invalid' });
  });

  test('one client address guessing many accounts is locked', async () => {
    const ip = '198.51.100.9';
    const { ipThreshold } = t.accounts.policy;
    let last;
    for (let i = 0; i < ipThreshold; i++) last = await t.accounts.checkPassword(`spray${i}-${++n}@example.test`, 'wrong-password-1', meta(ip));
    assert.equal(last?.ok === false && last.reason, 'locked');
    const a = await account();
    assert.equal((await t.accounts.checkPassword(a.email, PASSWORD, meta(ip))).ok, false);
    assert.equal((await t.accounts.checkPassword(a.email, PASSWORD, meta('198.51.100.10'))).ok, true);
  });
});

describe('second factor', () => {
  test('a TOTP code works once; the next step brings a new one', async () => {
    const a = await account({ totp: true });
    const code = totpCode(a.totpSecret, t.clock.now());
    assert.deepEqual(await t.accounts.secondFactor(a.id, code, meta()), { ok: true, method: 'totp' });
    assert.equal(await t.accounts.checkSecondFactor(a.id, code, meta()), false);
    t.clock.advance(30);
    assert.equal(await t.accounts.checkSecondFactor(a.id, totpCode(a.totpSecret, t.clock.now()), meta()), true);
  });

  test('a code from the previous step still works (clock drift), older ones do not', async () => {
    const a = await account({ totp: true });
    const old = totpCode(a.totpSecret, t.clock.now());
    t.clock.advance(30);
    assert.equal(await t.accounts.checkSecondFactor(a.id, old, meta()), true);
    const older = totpCode(a.totpSecret, new Date(t.clock.now().getTime() - 90_000));
    t.clock.advance(30);
    assert.equal(await t.accounts.checkSecondFactor(a.id, older, meta()), false);
  });

  test('wrong codes count toward the same lockout as passwords', async () => {
    const a = await account({ totp: true });
    for (let i = 0; i < 4; i++) assert.deepEqual(await t.accounts.secondFactor(a.id, '000000', meta()), { ok: false, reason: 'invalid' });
    assert.deepEqual(await t.accounts.secondFactor(a.id, 'abcd-efgh', meta()), { ok: false, reason: 'locked', retryAfterSeconds: 30 });
    assert.equal(t.events.filter((e) => e.subtype === 'mfa-failed' && e.accountId === a.id).length, 5);
    assert.equal(await t.accounts.checkSecondFactor(a.id, totpCode(a.totpSecret, t.clock.now()), meta()), false);
    assert.equal((await t.accounts.checkPassword(a.email, PASSWORD, meta())).ok, false);
  });

  test('recovery codes are single use and accepted in any case, with or without dashes', async () => {
    const a = await account();
    const { secret } = await t.accounts.beginTotpEnrollment(a.id);
    const { recoveryCodes } = await t.accounts.confirmTotpEnrollment(a.id, totpCode(secret, t.clock.now()), meta());
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    assert.match(recoveryCodes[0]!, /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    const typed = recoveryCodes[0]!.toUpperCase().replace(/-/g, ' ');
    assert.deepEqual(await t.accounts.secondFactor(a.id, typed, meta()), { ok: true, method: 'recovery-code' });
    assert.equal(await t.accounts.checkSecondFactor(a.id, recoveryCodes[0]!, meta()), false);
    assert.equal(await t.accounts.checkSecondFactor(a.id, recoveryCodes[1]!, meta()), true);
    // New codes replace the old ones entirely.
    const fresh = await t.accounts.regenerateRecoveryCodes(a.id, meta());
    assert.equal(await t.accounts.checkSecondFactor(a.id, recoveryCodes[2]!, meta()), false);
    assert.equal(await t.accounts.checkSecondFactor(a.id, fresh.recoveryCodes[2]!, meta()), true);
  });

  test('an account without an authenticator has no second factor to pass', async () => {
    const a = await account({ roles: [{ role: 'admin', organizationId: 'org-a' }] });
    assert.equal(await t.accounts.checkSecondFactor(a.id, '123456', meta()), false);
    assert.equal(await t.accounts.checkSecondFactor('no-such-account', '123456', meta()), false);
  });

  test('enrolment needs a code from the new secret', async () => {
    const a = await account();
    const { secret, uri } = await t.accounts.beginTotpEnrollment(a.id);
    assert.match(uri, /^otpauth:\/\/totp\/Salus:person\d+%40example\.test\?.*secret=/);
    await assert.rejects(t.accounts.confirmTotpEnrollment(a.id, '12', meta()), (e: Error & { status?: number }) => e.status === 400);
    const other = generateTotpSecret();
    await assert.rejects(t.accounts.confirmTotpEnrollment(a.id, totpCode(other, t.clock.now()), meta()), /does not match/);
    await t.accounts.confirmTotpEnrollment(a.id, totpCode(secret, t.clock.now()), meta());
    assert.equal(await t.accounts.mfaEnrolled(a.id), true);
  });
});

describe('sessions', () => {
  test('a token finds its session; a stranger token, a revoked or a disabled account do not', async () => {
    const a = await account();
    const { session, token } = await t.accounts.createSession(a.id, true, meta());
    assert.equal(token.length, 43);
    assert.deepEqual(await t.accounts.sessionFromToken(token), session);
    assert.equal(await t.accounts.sessionFromToken('x'.repeat(43)), undefined);
    assert.equal(await t.accounts.revokeSession('someone-else', session.id), false);
    assert.equal(await t.accounts.revokeSession(a.id, session.id), true);
    assert.equal(await t.accounts.sessionFromToken(token), undefined);
    assert.equal(await t.accounts.revokeSession(a.id, session.id), false);

    const second = await t.accounts.createSession(a.id, true, meta());
    await t.salus.db.query("UPDATE accounts SET status = 'disabled' WHERE id = $1", [a.id]);
    assert.equal(await t.accounts.sessionFromToken(second.token), undefined);
  });

  test('the database keeps only a hash of the token', async () => {
    const a = await account();
    const { session, token } = await t.accounts.createSession(a.id, true, meta());
    const row = (await t.salus.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions WHERE id = $1', [session.id])).rows[0]!;
    assert.notEqual(row.token_hash, token);
    assert.match(row.token_hash, /^[0-9a-f]{64}$/);
  });

  test('a half-signed-in session lasts minutes until completed, then the full term', async () => {
    const a = await account();
    const { session, token } = await t.accounts.createSession(a.id, false, meta());
    assert.equal(session.complete, false);
    assert.equal(Date.parse(session.expiresAt) - Date.parse(session.createdAt), t.accounts.policy.pendingSessionSeconds * 1000);
    await t.accounts.completeSession(session.id);
    const done = await t.accounts.sessionFromToken(token);
    assert.equal(done?.complete, true);
    assert.equal(Date.parse(done.expiresAt) - Date.parse(done.createdAt), t.accounts.policy.sessionMaxSeconds * 1000);

    const abandoned = await t.accounts.createSession(a.id, false, meta());
    t.clock.advance(t.accounts.policy.pendingSessionSeconds + 1);
    assert.equal(await t.accounts.sessionFromToken(abandoned.token), undefined);
  });

  test('sessions end when idle, and at the absolute limit however busy', async () => {
    const a = await account();
    const { policy } = t.accounts;
    const idle = await t.accounts.createSession(a.id, true, meta());
    const busy = await t.accounts.createSession(a.id, true, meta());
    t.clock.advance(policy.sessionIdleSeconds - 60);
    assert.ok(await t.accounts.sessionFromToken(busy.token));
    t.clock.advance(61);
    assert.equal(await t.accounts.sessionFromToken(idle.token), undefined);
    for (let spent = policy.sessionIdleSeconds; spent < policy.sessionMaxSeconds - 600; spent += 600) {
      t.clock.advance(600);
      assert.ok(await t.accounts.sessionFromToken(busy.token), `busy session alive after ${spent + 600} s`);
    }
    t.clock.advance(600);
    assert.equal(await t.accounts.sessionFromToken(busy.token), undefined);
  });

  test('listing shows the live sessions, most recently used first', async () => {
    const a = await account();
    const first = await t.accounts.createSession(a.id, true, meta('203.0.113.1'));
    t.clock.advance(120);
    const second = await t.accounts.createSession(a.id, true, { ip: '203.0.113.2', userAgent: 'phone' });
    const gone = await t.accounts.createSession(a.id, true, meta());
    await t.accounts.revokeSession(a.id, gone.session.id);
    const list = await t.accounts.listSessions(a.id);
    assert.deepEqual(list.map((s) => s.id), [second.session.id, first.session.id]);
    assert.equal(list[0]!.userAgent, 'phone');
    assert.equal(list[1]!.ip, '203.0.113.1');
  });
});

describe('grants', () => {
  test('roles, organizations, patients and licence verification come back fresh', async () => {
    const p = await account({ patients: ['pat-1'] });
    assert.deepEqual(await t.accounts.grants(p.id), {
      accountId: p.id,
      email: p.email,
      displayName: `Person ${n}`,
      status: 'active',
      roles: ['patient'],
      patientIds: ['pat-1'],
      organizationIds: [],
      verified: false,
    });
    const doc = await account({
      roles: [
        { role: 'admin', organizationId: 'org-b' },
        { role: 'practitioner', organizationId: 'org-a' },
      ],
    });
    const g = await t.accounts.grants(doc.id);
    assert.deepEqual(g?.roles, ['practitioner', 'admin']);
    assert.deepEqual(g?.organizationIds, ['org-a', 'org-b']);
    assert.equal(g?.verified, false);
    await t.salus.db.query("UPDATE account_roles SET verified = true WHERE account_id = $1 AND role = 'practitioner'", [doc.id]);
    assert.equal((await t.accounts.grants(doc.id))?.verified, true);
    assert.equal(await t.accounts.grants('no-such-account'), undefined);
  });
});
