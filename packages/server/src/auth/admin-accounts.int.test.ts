import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationOutcome, Organization } from '@medplum/fhirtypes';
import type { Role } from '../access/principal.js';
import { startAccountsTestApp, type AccountsTestApp } from './account-test-support.js';
import { provisionAccount, type AccountPage } from './accounts.js';
import { hashPassword } from './passwords.js';
import { generateTotpSecret, totpCode } from './totp.js';
import { SESSION_COOKIE, type SessionInfo } from './types.js';

/**
 * The administrators' account endpoints: the account list and other people's sessions, open to
 * administrators for the people of their own organizations only, and every call in the ledger.
 */

const PASSWORD = 'orchard-lantern-river-42';

let t: AccountsTestApp;
let clinic: string;
let elsewhere: string;

interface Person {
  id: string;
  email: string;
  /** Session cookie of the latest sign-in. */
  cookie: string;
  totpSecret?: string;
}

let admin: Person;
let otherAdmin: Person;
let doctor: Person;
let pharmacist: Person;
let patient: Person;
let invited: string;

async function send<T = Record<string, unknown>>(method: 'GET' | 'DELETE', url: string, cookie?: string, userAgent = 'test-browser'): Promise<{ status: number; body: T }> {
  const res = await t.salus.app.inject({ method, url, headers: { 'user-agent': userAgent, ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}) } });
  return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : undefined) as T };
}

/** Signs in over HTTP as a browser would, with the second step for staff; returns the session cookie. */
async function signIn(person: Omit<Person, 'cookie'>, userAgent = 'test-browser'): Promise<string> {
  const login = await t.salus.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    payload: JSON.stringify({ email: person.email, password: PASSWORD }),
  });
  assert.equal(login.statusCode, 200, login.body);
  const cookie = [login.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
  if (person.totpSecret) {
    // Each code is good once: move to the next time step so that signing in twice works.
    t.clock.advance(30);
    const mfa = await t.salus.app.inject({
      method: 'POST',
      url: '/auth/login/mfa',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${cookie}` },
      payload: JSON.stringify({ code: totpCode(person.totpSecret, t.clock.now()) }),
    });
    assert.equal(mfa.statusCode, 200, mfa.body);
  }
  return cookie;
}

async function person(email: string, displayName: string, roles: { role: Role; organizationId?: string; verified?: boolean }[]): Promise<Person> {
  const staff = roles.some((r) => r.organizationId);
  const totpSecret = staff ? generateTotpSecret() : undefined;
  const id = (await provisionAccount(
    t.salus.db,
    { email, displayName, passwordHash: await hashPassword(PASSWORD), status: 'active', roles, ...(totpSecret ? { totpSecret } : {}) },
    t.clock.now(),
  ))!;
  const who = { id, email, ...(totpSecret ? { totpSecret } : {}) };
  return { ...who, cookie: await signIn(who) };
}

const fieldOf = (body: unknown): string[] | undefined => (body as OperationOutcome).issue?.[0]?.expression;
const emails = (page: AccountPage): string[] => page.accounts.map((a) => a.email).sort();
const byDevice = <T extends SessionInfo>(sessions: T[]): T[] => [...sessions].sort((a, b) => (a.userAgent ?? '').localeCompare(b.userAgent ?? ''));

before(async () => {
  t = await startAccountsTestApp();
  const org = async (name: string): Promise<string> => (await t.salus.repo.create({ resourceType: 'Organization', name } as Organization)).stored.id;
  clinic = await org('Birch Lane Clinic');
  elsewhere = await org('Harbour Hospital');
  admin = await person('admin@birch.test', 'Ada Admin', [{ role: 'admin', organizationId: clinic }]);
  otherAdmin = await person('admin@harbour.test', 'Hal Admin', [{ role: 'admin', organizationId: elsewhere }]);
  doctor = await person('noor.haddad@birch.test', 'Dr. Noor Haddad', [{ role: 'practitioner', organizationId: clinic, verified: false }]);
  pharmacist = await person('ines.park@birch.test', 'Ines Park', [
    { role: 'pharmacist', organizationId: clinic, verified: true },
    { role: 'pharmacist', organizationId: elsewhere, verified: true },
  ]);
  patient = await person('rosa@example.test', 'Rosa Quintero', [{ role: 'patient' }]);
  await person('lars@harbour.test', 'Lars Berg', [{ role: 'practitioner', organizationId: elsewhere, verified: true }]);
  invited = (await provisionAccount(t.salus.db, { email: 'new_hire@birch.test', displayName: 'Zed Newman', status: 'pending', roles: [{ role: 'practitioner', organizationId: clinic }] }))!;
});
after(() => t.close());

describe('the account list', () => {
  test("an administrator lists their organizations' people by name, with what they hold there", async () => {
    const res = await send<AccountPage>('GET', '/admin/accounts', admin.cookie);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.accounts.map((a) => a.displayName),
      ['Ada Admin', 'Dr. Noor Haddad', 'Ines Park', 'Zed Newman'],
      'the patient and the other hospital\'s practitioner are not theirs to see',
    );
    assert.equal(res.body.total, 4);
    const noor = res.body.accounts.find((a) => a.id === doctor.id)!;
    assert.deepEqual(
      { ...noor, createdAt: typeof noor.createdAt, lastSignInAt: typeof noor.lastSignInAt },
      {
        id: doctor.id,
        email: 'noor.haddad@birch.test',
        displayName: 'Dr. Noor Haddad',
        roles: ['practitioner'],
        status: 'active',
        verified: false,
        organizationIds: [clinic],
        createdAt: 'string',
        lastSignInAt: 'string',
      },
    );
    const ines = res.body.accounts.find((a) => a.id === pharmacist.id)!;
    assert.deepEqual(ines.organizationIds, [clinic], 'her work at the other hospital is not shown');
    assert.equal(ines.verified, true);
    const zed = res.body.accounts.find((a) => a.id === invited)!;
    assert.equal(zed.status, 'pending');
    assert.equal(zed.lastSignInAt, undefined, 'never signed in');
  });

  test('filters by role, status, verification and part of the name or address; pages by limit and offset', async () => {
    const list = async (query: string): Promise<AccountPage> => {
      const res = await send<AccountPage>('GET', `/admin/accounts?${query}`, admin.cookie);
      assert.equal(res.status, 200, query);
      return res.body;
    };
    assert.deepEqual(emails(await list('role=pharmacist')), ['ines.park@birch.test']);
    assert.deepEqual(emails(await list('status=pending')), ['new_hire@birch.test']);
    assert.deepEqual(emails(await list('verified=false')), ['new_hire@birch.test', 'noor.haddad@birch.test'], 'licensed people awaiting verification');
    assert.deepEqual(emails(await list('verified=true')), ['ines.park@birch.test']);
    assert.deepEqual(emails(await list('q=HADDAD')), ['noor.haddad@birch.test'], 'names match in any case');
    assert.deepEqual(emails(await list('q=birch.test&role=practitioner&status=active')), ['noor.haddad@birch.test']);
    assert.deepEqual(emails(await list(`q=${encodeURIComponent('_')}`)), ['new_hire@birch.test'], 'LIKE wildcards are taken literally');
    assert.deepEqual(emails(await list('q=%25')), []);
    assert.deepEqual(emails(await list('q=')), emails(await list('')), 'an empty filter is no filter');

    const first = await list('limit=3');
    const second = await list('limit=3&offset=3');
    assert.deepEqual([first.accounts.length, first.total, second.accounts.length, second.total, second.offset], [3, 4, 1, 4, 3]);
    assert.deepEqual([...first.accounts, ...second.accounts].map((a) => a.id), (await list('')).accounts.map((a) => a.id));
    assert.deepEqual(await list('offset=10'), { accounts: [], total: 4, limit: 50, offset: 10 });
  });

  test('bad filters are 400s naming the parameter', async () => {
    const cases: [string, string][] = [
      ['role=surgeon', 'role'],
      ['status=gone', 'status'],
      ['verified=maybe', 'verified'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['rol=admin', 'rol'],
      ['role=admin&role=patient', 'role'],
    ];
    for (const [query, field] of cases) {
      const res = await send('GET', `/admin/accounts?${query}`, admin.cookie);
      assert.equal(res.status, 400, query);
      assert.deepEqual(fieldOf(res.body), [field], query);
    }
  });
});

describe('who may use the administrators\' account endpoints', () => {
  const endpoints = (): ['GET' | 'DELETE', string][] => [
    ['GET', '/admin/accounts'],
    ['GET', `/admin/accounts/${doctor.id}/sessions`],
    ['DELETE', `/admin/accounts/${doctor.id}/sessions/${'0'.repeat(8)}`],
    ['DELETE', `/admin/accounts/${doctor.id}/sessions`],
  ];

  test('nobody signed in, or signed in with the password alone, gets 401', async () => {
    const halfway = (
      await t.salus.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { 'content-type': 'application/json', 'user-agent': 'halfway-browser' },
        payload: JSON.stringify({ email: admin.email, password: PASSWORD }),
      })
    ).headers['set-cookie'];
    const pending = [halfway ?? []].flat()[0]!.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
    for (const [method, url] of endpoints()) {
      assert.equal((await send(method, url)).status, 401, `${method} ${url} anonymous`);
      assert.equal((await send(method, url, pending)).status, 401, `${method} ${url} without the second factor`);
    }
  });

  test('a patient and a practitioner are refused, and the refusals are recorded', async () => {
    const before = t.events.length;
    for (const [who, caller] of [['patient', patient], ['practitioner', doctor]] as const) {
      for (const [method, url] of endpoints()) {
        const res = await send<OperationOutcome>(method, url, caller.cookie);
        assert.equal(res.status, 403, `${method} ${url} as ${who}`);
        assert.equal(res.body.issue[0]!.code, 'forbidden');
      }
    }
    const refusals = t.events.slice(before);
    assert.equal(refusals.length, 8);
    assert.ok(refusals.every((e) => e.outcome === 'denied' && e.subtype === 'account' && /refused: not an administrator/.test(e.detail)));
    assert.deepEqual([...new Set(refusals.map((e) => e.accountId))].sort(), [patient.id, doctor.id].sort(), 'each names who tried');
    assert.equal((await send('GET', '/auth/me', doctor.cookie)).status, 200, 'nothing was ended');
  });

  test("an administrator of another organization cannot touch this organization's people", async () => {
    for (const [method, url] of endpoints().slice(1)) {
      assert.equal((await send(method, url, otherAdmin.cookie)).status, 403, `${method} ${url}`);
    }
    const refusal = t.events.at(-1)!;
    assert.equal(refusal.outcome, 'denied');
    assert.equal(refusal.accountId, doctor.id);
    assert.match(refusal.detail, new RegExp(`by account ${otherAdmin.id} refused`));
    assert.equal((await send('GET', `/admin/accounts/no-such-account/sessions`, admin.cookie)).status, 404);
  });
});

describe("other people's sessions", () => {
  test('an administrator sees a person\'s live sessions and ends one, which then no longer authenticates', async () => {
    const phone = await signIn(doctor, 'phone-browser');
    const listed = await send<{ sessions: (SessionInfo & { current: boolean })[] }>('GET', `/admin/accounts/${doctor.id}/sessions`, admin.cookie);
    assert.equal(listed.status, 200);
    assert.deepEqual(byDevice(listed.body.sessions).map((s) => [s.userAgent, s.ip, s.current]), [
      ['phone-browser', '127.0.0.1', false],
      ['test-browser', '127.0.0.1', false],
    ]);
    const phoneSession = byDevice(listed.body.sessions)[0]!;
    assert.equal(phoneSession.accountId, doctor.id);

    assert.equal((await send('DELETE', `/admin/accounts/${doctor.id}/sessions/${phoneSession.id}`, admin.cookie)).status, 204);
    assert.equal((await send('GET', '/auth/me', phone)).status, 401);
    const fhir = await t.salus.app.inject({ method: 'GET', url: '/fhir/R4/Organization', headers: { cookie: `${SESSION_COOKIE}=${phone}` } });
    assert.equal(fhir.statusCode, 401, 'the FHIR API refuses it too');
    assert.ok(t.endedSessions.includes(phoneSession.id), 'tokens issued through it end with it');
    assert.equal((await send('GET', '/auth/me', doctor.cookie)).status, 200, 'the other session goes on');

    assert.equal((await send('DELETE', `/admin/accounts/${doctor.id}/sessions/${phoneSession.id}`, admin.cookie)).status, 404, 'already ended');
    const stranger = (await send<{ sessions: SessionInfo[] }>('GET', `/admin/accounts/${pharmacist.id}/sessions`, admin.cookie)).body.sessions[0]!;
    assert.equal((await send('DELETE', `/admin/accounts/${doctor.id}/sessions/${stranger.id}`, admin.cookie)).status, 404, "another person's session");
    assert.equal((await send('GET', '/auth/me', pharmacist.cookie)).status, 200);

    const ended = t.events.find((e) => e.subtype === 'logout' && e.detail === `session ${phoneSession.id} ended by account ${admin.id}`);
    assert.equal(ended?.accountId, doctor.id);
  });

  test('ending all of a person\'s sessions signs them out everywhere', async () => {
    const tablet = await signIn(doctor, 'tablet-browser');
    const res = await send<{ ended: number }>('DELETE', `/admin/accounts/${doctor.id}/sessions`, admin.cookie);
    assert.deepEqual(res, { status: 200, body: { ended: 2 } });
    assert.equal((await send('GET', '/auth/me', tablet)).status, 401);
    assert.equal((await send('GET', '/auth/me', doctor.cookie)).status, 401);
    assert.deepEqual((await send<{ sessions: SessionInfo[] }>('GET', `/admin/accounts/${doctor.id}/sessions`, admin.cookie)).body.sessions, []);
    doctor.cookie = await signIn(doctor);
    assert.equal((await send('GET', '/auth/me', doctor.cookie)).status, 200, 'they may sign in again');
  });

  test('an administrator ending all their own sessions keeps the one they are using', async () => {
    const laptop = await signIn(admin, 'laptop-browser');
    const mine = await send<{ sessions: (SessionInfo & { current: boolean })[] }>('GET', `/admin/accounts/${admin.id}/sessions`, admin.cookie);
    assert.deepEqual(byDevice(mine.body.sessions).map((s) => [s.userAgent, s.complete, s.current]), [
      ['halfway-browser', false, false],
      ['laptop-browser', true, false],
      ['test-browser', true, true],
    ]);
    assert.deepEqual((await send('DELETE', `/admin/accounts/${admin.id}/sessions`, admin.cookie)).body, { ended: 2 });
    assert.equal((await send('GET', '/auth/me', laptop)).status, 401);
    assert.equal((await send('GET', '/auth/me', admin.cookie)).status, 200);
  });
});

test('reading the list and the sessions is in the audit ledger under the administrator and the person', async () => {
  const byAdmin = await t.salus.ledger.list({ count: 500, accountId: admin.id });
  const listRead = byAdmin.entries.find((e) => e.outcomeDesc === 'account list read (role pharmacist): 1 of 1');
  assert.ok(listRead, 'the filtered list read');
  assert.equal(listRead.outcome, '0');
  const aboutDoctor = (await t.salus.ledger.list({ count: 500, accountId: doctor.id })).entries.map((e) => e.outcomeDesc);
  assert.ok(aboutDoctor.includes(`sessions listed by account ${admin.id}`));
  assert.ok(aboutDoctor.includes(`2 sessions ended by account ${admin.id}`));
  const refusedPatient = (await t.salus.ledger.list({ count: 500, accountId: patient.id })).entries.filter((e) => e.outcome === '4');
  assert.equal(refusedPatient.length, 4);
});
