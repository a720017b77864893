import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationOutcome, Organization, Patient, Practitioner } from '@medplum/fhirtypes';
import { parseFhirJson } from '@salus/core';
import { linkIn, startAccountsTestApp, type AccountsTestApp } from './account-test-support.js';
import { LINKS, provisionAccount } from './accounts.js';
import { hashPassword } from './passwords.js';
import { generateTotpSecret, totpCode } from './totp.js';
import { SESSION_COOKIE } from './types.js';

const PASSWORD = 'maple-harbour-lantern-7';

let t: AccountsTestApp;
let n = 0;

before(async () => {
  t = await startAccountsTestApp();
});
after(() => t.close());

interface Res<T> {
  status: number;
  body: T;
  cookie?: string;
  setCookie?: string;
  headers: Record<string, unknown>;
}

async function call<T = Record<string, unknown>>(method: string, url: string, body?: unknown, cookie?: string): Promise<Res<T>> {
  const res = await t.salus.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const value = setCookie?.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
  return {
    status: res.statusCode,
    body: (res.body ? JSON.parse(res.body) : undefined) as T,
    headers: res.headers,
    ...(value ? { cookie: value } : {}),
    ...(setCookie ? { setCookie } : {}),
  };
}

const expressionOf = (body: unknown): string[] | undefined => (body as OperationOutcome).issue?.[0]?.expression;
const uniqueEmail = (name: string) => `${name}.${++n}@example.test`;

async function organization(name: string): Promise<string> {
  const { stored } = await t.salus.repo.create({ resourceType: 'Organization', name } as Organization);
  return stored.id;
}

/** An administrator signed in with both factors; returns the session cookie. */
async function signedInAdmin(organizationId: string): Promise<{ id: string; cookie: string }> {
  const email = uniqueEmail('admin');
  const totpSecret = generateTotpSecret();
  const id = (await provisionAccount(
    t.salus.db,
    { email, displayName: 'Admin', passwordHash: await hashPassword(PASSWORD), status: 'active', roles: [{ role: 'admin', organizationId }], totpSecret },
    t.clock.now(),
  ))!;
  const login = await call<{ mfa: string }>('POST', '/auth/login', { email, password: PASSWORD });
  assert.equal(login.body.mfa, 'required');
  const mfa = await call('POST', '/auth/login/mfa', { code: totpCode(totpSecret, t.clock.now()) }, login.cookie);
  assert.equal(mfa.status, 200);
  return { id, cookie: login.cookie! };
}

async function register(email: string, password = PASSWORD) {
  return call('POST', '/auth/register', { email, password, givenName: 'Rosa', familyName: 'Quintero', birthDate: '1990-05-17' });
}

describe('patient registration', () => {
  test('registration sends a verification link over SMTP; following it activates the account, linked to a new Patient', async () => {
    const email = uniqueEmail('Rosa.Quintero');
    const registered = await register(email);
    assert.equal(registered.status, 202);

    const before = await call('POST', '/auth/login', { email, password: PASSWORD });
    assert.equal(before.status, 403);

    const mail = await t.mail.next(email);
    assert.equal(mail.subject, 'Confirm your email address');
    const { url } = linkIn(mail, LINKS.verifyEmail);
    assert.equal(url.origin, 'http://salus.test');
    // The link opens the web app's page, which confirms through the API with the link's token.
    const verified = await call('GET', `/auth/verify-email${url.search}`);
    assert.equal(verified.status, 200);
    assert.deepEqual(verified.body, { status: 'active' });
    assert.equal((await call('GET', `/auth/verify-email${url.search}`)).status, 400, 'the link works once');

    const login = await call<{ mfa: string; complete: boolean }>('POST', '/auth/login', { email: email.toUpperCase(), password: PASSWORD });
    assert.equal(login.status, 200);
    assert.deepEqual(login.body, { mfa: 'none', complete: true });
    assert.match(login.setCookie!, /HttpOnly/);
    assert.match(login.setCookie!, /SameSite=Lax/);
    assert.doesNotMatch(login.setCookie!, /Secure/);

    const me = await call<{ account: { roles: string[]; fhirUser: string; patientIds: string[]; email: string } }>('GET', '/auth/me', undefined, login.cookie);
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.account.roles, ['patient']);
    assert.equal(me.body.account.email, email.toLowerCase());
    const patientId = me.body.account.patientIds[0]!;
    assert.equal(me.body.account.fhirUser, `Patient/${patientId}`);
    const patient = parseFhirJson<Patient>((await t.salus.repo.read('Patient', patientId)).content);
    assert.equal(patient.birthDate, '1990-05-17');
    assert.deepEqual(patient.name?.[0]?.given, ['Rosa']);
    assert.equal(patient.name?.[0]?.family, 'Quintero');
    assert.deepEqual(patient.telecom, [{ system: 'email', value: email.toLowerCase(), use: 'home' }]);
  });

  test('a browser opening the confirmation address of the API gets a page', async () => {
    const email = uniqueEmail('browser');
    await register(email);
    const { url } = linkIn(await t.mail.next(email), LINKS.verifyEmail);
    const res = await t.salus.app.inject({ method: 'GET', url: `/auth/verify-email${url.search}`, headers: { accept: 'text/html,application/xhtml+xml,*/*' } });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
  });

  test('registering a taken address answers the same and mails the owner instead', async () => {
    const email = uniqueEmail('taken');
    await register(email);
    await t.mail.next(email);
    const again = await register(email, 'another-long-passphrase-9');
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, (await register(uniqueEmail('fresh'))).body);
    const notice = await t.mail.next(email);
    assert.equal(notice.subject, 'You already have a Salus account');
    linkIn(notice, LINKS.resetPassword);
  });

  test('two registrations with one address at once make one account and one Patient', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all([register(email), register(email), register(email)]);
    assert.deepEqual(answers.map((a) => a.status), [202, 202, 202]);
    const accounts = await t.salus.db.query<{ fhir_user: string }>('SELECT fhir_user FROM accounts WHERE email = $1', [email]);
    assert.equal(accounts.rows.length, 1);
    const { page } = await t.salus.repo.search('Patient', [['email', email]]);
    assert.equal(page.entries.length, 1);
    assert.equal(`Patient/${page.entries[0]!.id}`, accounts.rows[0]!.fhir_user);
    const subjects = [(await t.mail.next(email)).subject, (await t.mail.next(email)).subject, (await t.mail.next(email)).subject].sort();
    assert.deepEqual(subjects, ['Confirm your email address', 'You already have a Salus account', 'You already have a Salus account']);
  });

  test('password rules and malformed input are 400s naming the field', async () => {
    const email = uniqueEmail('rules');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ password: 'short-pw' }, 'password', /at least 12/],
      [{ password: 'x'.repeat(129) + 'abcd' }, 'password', /at most 128/],
      [{ password: 'Password1234' }, 'password', /too common/],
      [{ password: email }, 'password', /email/],
      [{ password: 'abababababababab' }, 'password', /too few different/],
      [{ password: 12345678901234 }, 'password', /must be a string/],
      [{ email: 'not-an-address' }, 'email', /valid email/],
      [{ birthDate: '1990-02-30' }, 'birthDate', /YYYY-MM-DD/],
      [{ birthDate: '2999-01-01' }, 'birthDate', /plausible/],
      [{ givenName: '   ' }, 'givenName', /required/],
      [{ familyName: undefined }, 'familyName', /required/],
    ];
    for (const [override, field, message] of cases) {
      const body = { email, password: PASSWORD, givenName: 'Ada', familyName: 'Byron', birthDate: '1990-01-01', ...override };
      const res = await call<OperationOutcome>('POST', '/auth/register', body);
      assert.equal(res.status, 400, JSON.stringify(override));
      assert.deepEqual(expressionOf(res.body), [field], JSON.stringify(override));
      assert.match(res.body.issue[0]!.diagnostics!, message);
    }
    const notJson = await t.salus.app.inject({ method: 'POST', url: '/auth/register', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a@b.c' });
    assert.equal(notJson.statusCode, 400);
    assert.equal((await t.salus.db.query('SELECT 1 FROM accounts WHERE email = $1', [email])).rows.length, 0);
  });
});

describe('sign-in', () => {
  async function activePatient(): Promise<string> {
    const email = uniqueEmail('patient');
    await provisionAccount(t.salus.db, { email, displayName: 'P', passwordHash: await hashPassword(PASSWORD), status: 'active', roles: [{ role: 'patient' }] });
    return email;
  }

  test('wrong passwords lead to 429 with Retry-After, and the right one waits too', async () => {
    const email = await activePatient();
    for (let i = 0; i < 4; i++) assert.equal((await call('POST', '/auth/login', { email, password: `nope-nope-nope-${i}` })).status, 401);
    const locked = await call<OperationOutcome>('POST', '/auth/login', { email, password: 'nope-nope-nope-5' });
    assert.equal(locked.status, 429);
    assert.equal(locked.headers['retry-after'], '30');
    assert.equal(locked.body.issue[0]!.code, 'throttled');
    assert.equal((await call('POST', '/auth/login', { email, password: PASSWORD })).status, 429);
    t.clock.advance(31);
    assert.equal((await call('POST', '/auth/login', { email, password: PASSWORD })).status, 200);
  });

  test('sessions are listed and revoked; a revoked cookie is refused', async () => {
    const email = await activePatient();
    const laptop = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    const phone = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    const list = await call<{ sessions: { id: string; current: boolean }[] }>('GET', '/auth/sessions', undefined, laptop);
    assert.equal(list.body.sessions.length, 2);
    const phoneSession = list.body.sessions.find((s) => !s.current)!;
    assert.equal((await call('DELETE', `/auth/sessions/${phoneSession.id}`, undefined, laptop)).status, 204);
    assert.ok(t.endedSessions.includes(phoneSession.id));
    assert.equal((await call('GET', '/auth/me', undefined, phone)).status, 401);
    assert.equal((await call('GET', '/auth/me', undefined, laptop)).status, 200);
    assert.equal((await call('DELETE', `/auth/sessions/${phoneSession.id}`, undefined, laptop)).status, 404);

    const other = await activePatient();
    const stranger = (await call('POST', '/auth/login', { email: other, password: PASSWORD })).cookie!;
    const mine = (await call<{ sessions: { id: string }[] }>('GET', '/auth/sessions', undefined, laptop)).body.sessions[0]!.id;
    assert.equal((await call('DELETE', `/auth/sessions/${mine}`, undefined, stranger)).status, 404, "someone else's session");

    const out = await call('POST', '/auth/logout', undefined, laptop);
    assert.equal(out.status, 204);
    assert.match(out.setCookie!, /Expires=Thu, 01 Jan 1970/);
    assert.equal((await call('GET', '/auth/me', undefined, laptop)).status, 401);
  });

  test('a patient may opt in to TOTP, then signs in with a code or a single-use recovery code', async () => {
    const email = await activePatient();
    const cookie = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    const begun = await call<{ secret: string; uri: string }>('POST', '/auth/mfa/totp/begin', {}, cookie);
    assert.match(begun.body.uri, /^otpauth:\/\/totp\//);
    const wrong = await call<OperationOutcome>('POST', '/auth/mfa/totp/confirm', { code: '000000' }, cookie);
    assert.equal(wrong.status, 400);
    assert.deepEqual(expressionOf(wrong.body), ['code']);
    const confirmed = await call<{ recoveryCodes: string[] }>('POST', '/auth/mfa/totp/confirm', { code: totpCode(begun.body.secret, t.clock.now()) }, cookie);
    assert.equal(confirmed.body.recoveryCodes.length, 10);

    const step1 = await call<{ mfa: string; complete: boolean }>('POST', '/auth/login', { email, password: PASSWORD });
    assert.deepEqual(step1.body, { mfa: 'required', complete: false });
    assert.equal((await call('GET', '/auth/sessions', undefined, step1.cookie)).status, 401, 'half signed in');
    assert.equal((await call('POST', '/auth/mfa/totp/begin', {}, step1.cookie)).status, 401, 'cannot replace the authenticator with the password alone');
    assert.equal((await call('POST', '/auth/login/mfa', { code: '123456' }, step1.cookie)).status, 401);
    t.clock.advance(30);
    const done = await call('POST', '/auth/login/mfa', { code: totpCode(begun.body.secret, t.clock.now()) }, step1.cookie);
    assert.deepEqual(done.body, { complete: true, method: 'totp' });
    assert.equal((await call('GET', '/auth/sessions', undefined, step1.cookie)).status, 200);

    const recovery = confirmed.body.recoveryCodes[3]!;
    const step2 = await call('POST', '/auth/login', { email, password: PASSWORD });
    assert.equal((await call('POST', '/auth/login/mfa', { code: recovery }, step2.cookie)).status, 200);
    const step3 = await call('POST', '/auth/login', { email, password: PASSWORD });
    assert.equal((await call('POST', '/auth/login/mfa', { code: recovery }, step3.cookie)).status, 401, 'recovery codes are single use');

    const fresh = await call<{ recoveryCodes: string[] }>('POST', '/auth/recovery-codes', {}, step2.cookie);
    assert.equal(fresh.body.recoveryCodes.length, 10);
  });

  test('a password change signs out the other sessions', async () => {
    const email = await activePatient();
    const here = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    const there = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    const thereId = (await call<{ sessions: { id: string; current: boolean }[] }>('GET', '/auth/sessions', undefined, here)).body.sessions.find((x) => !x.current)!.id;
    const wrong = await call('POST', '/auth/password/change', { currentPassword: 'not-it-at-all-1', newPassword: 'a-brand-new-passphrase' }, here);
    assert.deepEqual(expressionOf(wrong.body), ['currentPassword']);
    assert.equal((await call('POST', '/auth/password/change', { currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase' }, here)).status, 204);
    assert.equal((await call('GET', '/auth/me', undefined, here)).status, 200);
    assert.equal((await call('GET', '/auth/me', undefined, there)).status, 401);
    assert.ok(t.endedSessions.includes(thereId), 'tokens issued through the ended session are told to end');
    assert.equal((await t.mail.next(email)).subject, 'Your Salus password was changed');
    assert.equal((await call('POST', '/auth/login', { email, password: 'a-brand-new-passphrase' })).status, 200);
  });
});

describe('password reset', () => {
  test('an emailed link sets a new password once, signs out everywhere, and expires', async () => {
    const email = uniqueEmail('forgetful');
    await provisionAccount(t.salus.db, { email, displayName: 'F', passwordHash: await hashPassword(PASSWORD), status: 'active', roles: [{ role: 'patient' }] });
    const old = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;

    const asked = await call('POST', '/auth/password/forgot', { email });
    const unknown = await call('POST', '/auth/password/forgot', { email: uniqueEmail('nobody') });
    assert.equal(asked.status, 202);
    assert.deepEqual(asked.body, unknown.body);

    const { token } = linkIn(await t.mail.next(email), LINKS.resetPassword);
    const weak = await call('POST', '/auth/password/reset', { token, password: 'too-short' });
    assert.deepEqual(expressionOf(weak.body), ['password']);
    assert.equal((await call('POST', '/auth/password/reset', { token, password: 'fresh-meadow-clock-3' })).status, 200);
    assert.equal((await t.mail.next(email)).subject, 'Your Salus password was changed');
    const reused = await call('POST', '/auth/password/reset', { token, password: 'another-meadow-clock' });
    assert.equal(reused.status, 400);
    assert.deepEqual(expressionOf(reused.body), ['token']);
    assert.equal((await call('GET', '/auth/me', undefined, old)).status, 401);
    assert.equal((await call('POST', '/auth/login', { email, password: PASSWORD })).status, 401);
    assert.equal((await call('POST', '/auth/login', { email, password: 'fresh-meadow-clock-3' })).status, 200);

    await call('POST', '/auth/password/forgot', { email });
    const first = linkIn(await t.mail.next(email), LINKS.resetPassword).token;
    await call('POST', '/auth/password/forgot', { email });
    const second = linkIn(await t.mail.next(email), LINKS.resetPassword).token;
    assert.equal((await call('POST', '/auth/password/reset', { token: first, password: 'superseded-link-pass' })).status, 400, 'a newer link replaces it');
    t.clock.advance(3601);
    assert.equal((await call('POST', '/auth/password/reset', { token: second, password: 'expired-link-passw' })).status, 400, 'expired');
  });
});

describe('staff', () => {
  test('an invited practitioner sets a password, must enrol TOTP, and stays unverified until an admin of the same organization verifies them', async () => {
    const clinic = await organization('Test Clinic');
    const elsewhere = await organization('Elsewhere Hospital');
    const admin = await signedInAdmin(clinic);
    const otherAdmin = await signedInAdmin(elsewhere);
    const email = uniqueEmail('new.doctor');
    const invitation = {
      email,
      displayName: 'Dr. Noor Haddad',
      roles: ['practitioner'],
      organizationId: clinic,
      qualification: { licence: 'MD-12345', system: 'http://example.org/licences', degree: 'MD', issuer: 'State board' },
    };

    assert.equal((await call('POST', '/admin/invitations', invitation, otherAdmin.cookie)).status, 403, 'admin of another organization');
    const missingLicence = await call('POST', '/admin/invitations', { ...invitation, qualification: undefined }, admin.cookie);
    assert.deepEqual(expressionOf(missingLicence.body), ['qualification.licence']);
    const badRole = await call('POST', '/admin/invitations', { ...invitation, roles: ['practitioner', 'patient'] }, admin.cookie);
    assert.deepEqual(expressionOf(badRole.body), ['roles[1]']);
    const invited = await call<{ accountId: string; created: boolean }>('POST', '/admin/invitations', invitation, admin.cookie);
    assert.equal(invited.status, 201);
    const { accountId } = invited.body;

    const mail = await t.mail.next(email);
    assert.equal(mail.subject, 'You are invited to Test Clinic on Salus');
    const { token } = linkIn(mail, LINKS.acceptInvitation);
    assert.equal((await call('POST', '/auth/invitations/accept', { token, password: 'short' })).status, 400);
    assert.equal((await call('POST', '/auth/invitations/accept', { token, password: PASSWORD })).status, 200);
    assert.equal((await call('POST', '/auth/invitations/accept', { token, password: PASSWORD })).status, 400, 'single use');

    const login = await call<{ mfa: string; complete: boolean }>('POST', '/auth/login', { email, password: PASSWORD });
    assert.deepEqual(login.body, { mfa: 'setup-required', complete: false });
    const cookie = login.cookie!;
    assert.equal((await call('GET', '/auth/sessions', undefined, cookie)).status, 401, 'nothing else until MFA is set up');
    const me = await call<{ account: { verified: boolean; roles: string[]; organizationIds: string[]; fhirUser: string }; session: { complete: boolean } }>(
      'GET',
      '/auth/me',
      undefined,
      cookie,
    );
    assert.deepEqual(me.body.account.roles, ['practitioner']);
    assert.deepEqual(me.body.account.organizationIds, [clinic]);
    assert.equal(me.body.account.verified, false);
    assert.equal(me.body.session.complete, false);
    const practitioner = parseFhirJson<Practitioner>((await t.salus.repo.read('Practitioner', me.body.account.fhirUser.split('/')[1]!)).content);
    assert.equal(practitioner.qualification?.[0]?.identifier?.[0]?.value, 'MD-12345');
    assert.equal(practitioner.qualification?.[0]?.issuer?.display, 'State board');

    const begun = await call<{ secret: string }>('POST', '/auth/mfa/totp/begin', {}, cookie);
    const confirmed = await call<{ complete: boolean; recoveryCodes: string[] }>('POST', '/auth/mfa/totp/confirm', { code: totpCode(begun.body.secret, t.clock.now()) }, cookie);
    assert.equal(confirmed.body.complete, true);
    assert.equal((await call('GET', '/auth/sessions', undefined, cookie)).status, 200);

    assert.equal((await call('POST', `/admin/practitioners/${accountId}/verify`, undefined, otherAdmin.cookie)).status, 403);
    assert.equal((await call('POST', `/admin/practitioners/${accountId}/verify`, undefined, cookie)).status, 403, 'not an admin');
    assert.equal((await call('POST', '/admin/practitioners/no-such-account/verify', undefined, admin.cookie)).status, 404);
    assert.equal((await call('POST', `/admin/practitioners/${accountId}/verify`, undefined, admin.cookie)).status, 204);
    assert.equal((await t.accounts.grants(accountId))?.verified, true);

    // Inviting the same person to a second organization adds the role instead of a second account.
    const again = await call<{ accountId: string; created: boolean }>('POST', '/admin/invitations', { ...invitation, organizationId: elsewhere }, otherAdmin.cookie);
    assert.deepEqual(again.body, { accountId, created: false });
    assert.equal((await t.mail.next(email)).subject, 'You were added to Elsewhere Hospital on Salus');
    assert.deepEqual((await t.accounts.grants(accountId))?.organizationIds.sort(), [clinic, elsewhere].sort());
  });

  test('an admin disables an account of their organization, which ends its sessions', async () => {
    const clinic = await organization('Disabling Clinic');
    const admin = await signedInAdmin(clinic);
    const other = await signedInAdmin(await organization('Not Theirs'));
    const email = uniqueEmail('leaver');
    const id = (await provisionAccount(t.salus.db, {
      email,
      displayName: 'Leaver',
      passwordHash: await hashPassword(PASSWORD),
      status: 'active',
      roles: [{ role: 'pharmacist', organizationId: clinic }],
    }))!;
    const cookie = (await call('POST', '/auth/login', { email, password: PASSWORD })).cookie!;
    assert.equal((await call('GET', '/auth/me', undefined, cookie)).status, 200);
    assert.equal((await call('POST', `/admin/accounts/${id}/disable`, undefined, other.cookie)).status, 403);
    assert.equal((await call('POST', `/admin/accounts/${admin.id}/disable`, undefined, admin.cookie)).status, 400);
    assert.equal((await call('POST', `/admin/accounts/${id}/disable`, undefined, admin.cookie)).status, 204);
    assert.equal((await call('GET', '/auth/me', undefined, cookie)).status, 401);
    assert.equal((await call('POST', '/auth/login', { email, password: PASSWORD })).status, 403);
  });

  test('admin routes need a complete session', async () => {
    const res = await call('POST', '/admin/invitations', { email: 'x@example.test' });
    assert.equal(res.status, 401);
  });
});

test('every step reaches the event hook with who and from where', () => {
  const kinds = new Set(t.events.map((e) => e.subtype));
  for (const k of ['login', 'login-failed', 'logout', 'mfa-failed', 'lockout', 'password-reset', 'account']) assert.ok(kinds.has(k as never), k);
  assert.ok(t.events.every((e) => e.detail.length > 0));
  assert.ok(t.events.filter((e) => e.subtype === 'login').every((e) => e.ip === '127.0.0.1'));
});
