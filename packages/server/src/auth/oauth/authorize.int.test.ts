import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Patient } from '@medplum/fhirtypes';
import type { OAuthClient } from './clients.js';
import { addPerson, Browser, currentTotp, formsIn, PASSWORD, pkcePair, startOAuthTestApp, type OAuthTestApp, type Person } from './oauth-test-support.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const APP_SCOPES = 'openid fhirUser profile launch/patient offline_access online_access patient/*.cruds user/*.cruds';

let t: OAuthTestApp;
let app: OAuthClient;
let ana: Person;
let host: string;

before(async () => {
  t = await startOAuthTestApp();
  host = new URL(t.url).host;
  ({ client: app } = await t.oauth.clients.create({ name: 'Health Diary', scope: APP_SCOPES, redirectUris: [REDIRECT] }));
  ana = await addPerson(t, { name: 'Ana Pereira', role: 'patient' });
});
after(async () => {
  await t.close();
});

interface AuthorizeParams {
  scope?: string;
  challenge?: string;
  state?: string;
  extra?: Record<string, string | null>;
}

function authorizeUrl(p: AuthorizeParams = {}): string {
  const params: Record<string, string | null> = {
    response_type: 'code',
    client_id: app.id,
    redirect_uri: REDIRECT,
    scope: p.scope ?? 'openid fhirUser launch/patient offline_access patient/*.rs',
    state: p.state ?? 'st-1',
    aud: t.fhirBase,
    code_challenge: p.challenge ?? pkcePair().challenge,
    code_challenge_method: 'S256',
    nonce: 'n-1',
    ...p.extra,
  };
  const u = new URL(`${t.url}/oauth/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
  return u.toString();
}

type Page = Awaited<ReturnType<Browser['navigate']>>;

async function signIn(browser: Browser, page: Page, person: Person): Promise<Page> {
  assert.match(page.html, /Sign in to Salus/);
  const next = await browser.submit(page, '/sign-in', [
    ['email', person.email],
    ['password', PASSWORD],
  ], [host]);
  if (!person.totpSecret) return next;
  assert.match(next.html, /Two-step sign-in/);
  return browser.submit(next, '/mfa', [['code', currentTotp(person)]], [host]);
}

/** Approves on the approval page and returns the callback URL the app receives. */
async function approve(browser: Browser, page: Page, fields: [string, string][] = []): Promise<URL> {
  assert.match(page.html, /Allow Health Diary\?/);
  const done = await browser.submit(page, '/decide', [['decision', 'approve'], ...fields], [host]);
  assert.ok(done.left, `expected a redirect to the app, got ${done.status}: ${done.html}`);
  return new URL(done.left);
}

/** A whole launch as `person`: authorize, sign in, approve; returns the code and its verifier. */
async function launch(person: Person, p: AuthorizeParams = {}, browser = new Browser()): Promise<{ code: string; verifier: string; browser: Browser }> {
  const { verifier, challenge } = pkcePair();
  let page = await browser.navigate(authorizeUrl({ ...p, challenge }), {}, [host]);
  if (/Sign in to Salus/.test(page.html)) page = await signIn(browser, page, person);
  const back = await approve(browser, page);
  assert.equal(back.searchParams.get('state'), p.state ?? 'st-1');
  assert.equal(back.searchParams.get('iss'), t.url);
  return { code: back.searchParams.get('code')!, verifier, browser };
}

async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: app.id, redirect_uri: REDIRECT, ...extra });

const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });

test('a patient signs in and approves; the app gets an access token with her record in context, an id_token and a refresh token', async () => {
  const { code, verifier } = await launch(ana, { scope: 'openid fhirUser profile launch/patient offline_access patient/*.rs' });
  const res = await exchange(code, verifier);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.patient, ana.patientId);
  assert.equal(res.body.scope, 'openid fhirUser profile launch/patient offline_access patient/*.rs');
  assert.ok(res.body.refresh_token);

  const claims = await t.oauth.verifyAccessToken(res.body.access_token!);
  assert.equal(claims.accountId, ana.accountId);
  assert.equal(claims.sub, ana.accountId);
  assert.equal(claims.patient, ana.patientId);
  assert.equal(claims.fhirUser, `${t.fhirBase}/Patient/${ana.patientId}`);
  assert.ok(claims.sid && claims.gid);

  const { payload } = await jwtVerify(res.body.id_token!, createRemoteJWKSet(new URL(`${t.url}/oauth/jwks`)), { issuer: t.url, audience: app.id });
  assert.equal(payload.sub, ana.accountId);
  assert.equal(payload.fhirUser, `${t.fhirBase}/Patient/${ana.patientId}`);
  assert.equal(payload.nonce, 'n-1');
  assert.equal(payload.name, 'Ana Pereira');

  const info = await fetch(`${t.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
  assert.deepEqual(await info.json(), { sub: ana.accountId, fhirUser: `${t.fhirBase}/Patient/${ana.patientId}`, name: 'Ana Pereira' });
  assert.ok(t.events.some((e) => e.subtype === 'token' && e.outcome === 'success' && e.agent.accountId === ana.accountId && e.patientIds.includes(ana.patientId!)));
});

test('an existing signed-in session skips the sign-in page', async () => {
  const first = await launch(ana);
  assert.ok(first.browser.cookie(t.url, 'salus_session'));
  const page = await first.browser.navigate(authorizeUrl(), {}, [host]);
  assert.doesNotMatch(page.html, /Sign in to Salus/);
  assert.match(page.html, /Allow Health Diary\?/);
});

test('the approval screen lists scopes in plain language and a cleared scope is not granted', async () => {
  const browser = new Browser();
  const { verifier, challenge } = pkcePair();
  let page = await browser.navigate(authorizeUrl({ challenge, scope: 'openid launch/patient patient/Observation.rs patient/MedicationRequest.rs system/*.rs bogus patient/Condition.rs?category=problem-list-item' }), {}, [host]);
  page = await signIn(browser, page, ana);
  assert.match(page.html, /Read your lab results, vital signs and other measurements/);
  assert.match(page.html, /Read your prescriptions/);
  const choices = /<ul class="choices">([\s\S]*?)<\/ul>/.exec(page.html)![1]!;
  assert.doesNotMatch(choices, /system|bogus|category|Condition/);
  const form = formsIn(page.html).find((f) => f.action.endsWith('/decide'))!;
  const withoutMedicines = form.fields.filter(([k, v]) => !(k === 'scope' && v === 'patient/MedicationRequest.rs'));
  const done = await browser.navigate(new URL(form.action, page.url).toString(), { form: [...withoutMedicines, ['decision', 'approve']] }, [host]);
  const res = await exchange(new URL(done.left!).searchParams.get('code')!, verifier);
  assert.equal(res.body.scope, 'openid launch/patient patient/Observation.rs');
});

test('PKCE is required (S256) and the code_verifier must match', async () => {
  const browser = new Browser();
  for (const extra of [{ code_challenge: null }, { code_challenge_method: 'plain' }] as Record<string, string | null>[]) {
    const res = await browser.navigate(authorizeUrl({ extra }), {}, [host]);
    const back = new URL(res.left!);
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), 'st-1');
  }
  const { code, verifier } = await launch(ana);
  const wrong = await exchange(code, pkcePair().verifier);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  // The failed attempt used the code up.
  assert.equal((await exchange(code, verifier)).body.error, 'invalid_grant');
  const missing = await launch(ana);
  const none = await token({ grant_type: 'authorization_code', code: missing.code, client_id: app.id, redirect_uri: REDIRECT });
  assert.equal(none.body.error, 'invalid_request');
});

test('a code works once; presenting it again revokes the tokens issued from it', async () => {
  const { code, verifier } = await launch(ana);
  const first = await exchange(code, verifier);
  assert.equal(first.status, 200);
  await t.oauth.verifyAccessToken(first.body.access_token!);
  const replay = await exchange(code, verifier);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant');
  await assert.rejects(t.oauth.verifyAccessToken(first.body.access_token!), /revoked/);
  assert.equal((await refresh(first.body.refresh_token!)).body.error, 'invalid_grant');
});

test('redirect_uri and aud are checked: unregistered return addresses get an error page, never a redirect', async () => {
  const browser = new Browser();
  const unregistered = await browser.request(authorizeUrl({ extra: { redirect_uri: 'http://127.0.0.1:9/elsewhere' } }));
  assert.equal(unregistered.status, 400);
  assert.equal(unregistered.headers.get('location'), null);
  assert.match(await unregistered.text(), /return address it has not registered/);

  const unknownClient = await browser.request(authorizeUrl({ extra: { client_id: 'nobody' } }));
  assert.equal(unknownClient.status, 400);
  assert.equal(unknownClient.headers.get('location'), null);

  const wrongAud = await browser.navigate(authorizeUrl({ extra: { aud: 'https://evil.example/fhir' } }), {}, [host]);
  const back = new URL(wrongAud.left!);
  assert.equal(back.searchParams.get('error'), 'invalid_request');
  assert.match(back.searchParams.get('error_description')!, /aud/);

  const noState = new URL((await browser.navigate(authorizeUrl({ extra: { state: null } }), {}, [host])).left!);
  assert.equal(noState.searchParams.get('error'), 'invalid_request');

  const { code, verifier } = await launch(ana);
  const mismatch = await exchange(code, verifier, { redirect_uri: 'http://127.0.0.1:9/other' });
  assert.equal(mismatch.body.error, 'invalid_grant');
});

test('refresh tokens rotate; reusing a spent one revokes the whole family', async () => {
  const { code, verifier } = await launch(ana);
  const first = await exchange(code, verifier);
  const second = await refresh(first.body.refresh_token!);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.notEqual(second.body.refresh_token, first.body.refresh_token);
  assert.equal(second.body.patient, ana.patientId);
  const claims = await t.oauth.verifyAccessToken(second.body.access_token!);
  assert.equal(claims.sid, undefined, 'an offline grant does not depend on the session');
  assert.ok(t.events.some((e) => e.subtype === 'token-refresh' && e.outcome === 'success'));

  const narrowed = await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token!, scope: 'patient/*.rs' });
  assert.equal(narrowed.body.scope, 'patient/*.rs');
  const widened = await token({ grant_type: 'refresh_token', refresh_token: narrowed.body.refresh_token!, scope: 'patient/*.cruds' });
  assert.equal(widened.body.error, 'invalid_scope');

  const reuse = await refresh(first.body.refresh_token!);
  assert.equal(reuse.body.error, 'invalid_grant');
  assert.equal((await refresh(narrowed.body.refresh_token!)).body.error, 'invalid_grant');
  await assert.rejects(t.oauth.verifyAccessToken(narrowed.body.access_token!), /revoked/);
});

test('revoking a refresh token (RFC 7009) ends its grant, access tokens included', async () => {
  const { code, verifier } = await launch(ana);
  const issued = await exchange(code, verifier);
  const res = await fetch(`${t.url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: issued.body.refresh_token!, token_type_hint: 'refresh_token', client_id: app.id }).toString(),
  });
  assert.equal(res.status, 200);
  assert.equal((await refresh(issued.body.refresh_token!)).body.error, 'invalid_grant');
  await assert.rejects(t.oauth.verifyAccessToken(issued.body.access_token!), /revoked/);
  assert.ok(t.events.some((e) => e.subtype === 'token-revoke' && e.agent.accountId === ana.accountId));
});

test('online_access grants end with the browser session; "Not you?" signs out', async () => {
  const { code, verifier, browser } = await launch(ana, { scope: 'openid launch/patient online_access patient/*.rs' });
  const first = await exchange(code, verifier);
  const second = await refresh(first.body.refresh_token!);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const claims = await t.oauth.verifyAccessToken(second.body.access_token!);
  assert.ok(claims.sid);

  const page = await browser.navigate(authorizeUrl(), {}, [host]);
  const out = await browser.submit(page, '/switch', [], [host]);
  assert.match(out.html, /Sign in to Salus/);
  assert.equal(browser.cookie(t.url, 'salus_session'), undefined);
  assert.equal((await refresh(second.body.refresh_token!)).body.error, 'invalid_grant');
  await assert.rejects(t.oauth.verifyAccessToken(second.body.access_token!), /revoked/);
});

test('staff sign in with a second factor and search for a patient of their organization; caregivers choose among their wards', async () => {
  const bea = await t.salus.repo.create({ resourceType: 'Patient', name: [{ given: ['Bea'], family: 'Lima' }], managingOrganization: { reference: 'Organization/clinic-1' } } as Patient);
  const doctor = await addPerson(t, { name: 'Rui Costa', role: 'practitioner', organizationId: 'clinic-1' });
  const browser = new Browser();
  const { verifier, challenge } = pkcePair();
  let page = await browser.navigate(authorizeUrl({ challenge, scope: 'openid fhirUser launch/patient user/*.rs patient/*.rs' }), {}, [host]);
  page = await browser.submit(page, '/sign-in', [
    ['email', doctor.email],
    ['password', PASSWORD],
  ], [host]);
  const wrong = await browser.submit(page, '/mfa', [['code', '000000']], [host]);
  assert.equal(wrong.status, 401);
  assert.match(wrong.html, /not right/);
  page = await browser.submit(wrong, '/mfa', [['code', currentTotp(doctor)]], [host]);
  assert.match(page.html, /Whose record\?/);
  const tx = formsIn(page.html)[0]!.fields.find(([k]) => k === 'tx')![1];
  const search = async (q: string): Promise<Page> => browser.navigate(`${t.url}/oauth/authorize/continue?tx=${encodeURIComponent(tx)}&q=${q}`, {}, [host]);
  // Only patients the access rules let this clinician see are found.
  assert.match((await search('Pereira')).html, /No patient matches that name/);
  page = await search('Lima');
  assert.match(page.html, /Bea Lima/);
  assert.ok(t.events.some((e) => e.subtype === 'search-type' && e.agent.accountId === doctor.accountId && e.patientIds.includes(bea.stored.id)));
  const outside = await browser.submit(page, '/patient', [['patient', ana.patientId!]], [host]);
  assert.equal(outside.status, 400);
  page = await browser.submit(page, '/patient', [], [host]);
  assert.match(page.html, /the record of <strong>Bea Lima<\/strong>/);
  assert.match(page.html, /Read Bea Lima’s health record/);
  const res = await exchange(new URL((await browser.submit(page, '/decide', [['decision', 'approve']], [host])).left!).searchParams.get('code')!, verifier);
  assert.equal(res.body.patient, bea.stored.id);

  const child = await t.salus.repo.create({ resourceType: 'Patient', name: [{ given: ['Leo'], family: 'Pereira' }] } as Patient);
  const sibling = await t.salus.repo.create({ resourceType: 'Patient', name: [{ given: ['Mia'], family: 'Pereira' }] } as Patient);
  const mother = await addPerson(t, { name: 'Sara Pereira', role: 'caregiver', wardId: child.stored.id });
  const one = await launch(mother);
  assert.equal((await exchange(one.code, one.verifier)).body.patient, child.stored.id, 'a single ward is chosen without asking');
  await t.salus.db.query("INSERT INTO account_patients (account_id, patient_id, relation) VALUES ($1, $2, 'proxy')", [mother.accountId, sibling.stored.id]);
  const b2 = new Browser();
  const { verifier: v2, challenge: c2 } = pkcePair();
  let picker = await signIn(b2, await b2.navigate(authorizeUrl({ challenge: c2 }), {}, [host]), mother);
  assert.match(picker.html, /Leo Pereira[\s\S]*Mia Pereira|Mia Pereira[\s\S]*Leo Pereira/);
  assert.doesNotMatch(picker.html, /type="search"/);
  const refused = await b2.submit(picker, '/patient', [['patient', ana.patientId!]], [host]);
  assert.equal(refused.status, 400);
  const approval = await b2.submit(picker, '/patient', [['patient', sibling.stored.id]], [host]);
  assert.match(approval.html, /Read Mia Pereira’s health record/);
  const back = await approve(b2, approval);
  assert.equal((await exchange(back.searchParams.get('code')!, v2)).body.patient, sibling.stored.id);
});

test('forms only work from the browser that started the request and with its CSRF token', async () => {
  const browser = new Browser();
  const page = await signIn(browser, await browser.navigate(authorizeUrl(), {}, [host]), ana);
  const form = formsIn(page.html).find((f) => f.action.endsWith('/decide'))!;
  const forged = form.fields.map(([k, v]): [string, string] => [k, k === 'csrf' ? 'forged' : v]);
  const csrf = await browser.navigate(new URL(form.action, page.url).toString(), { form: [...forged, ['decision', 'approve']] }, [host]);
  assert.equal(csrf.status, 400);
  assert.equal(csrf.left, undefined);

  const stranger = new Browser();
  stranger.setCookie(t.url, 'salus_session', browser.cookie(t.url, 'salus_session')!);
  const elsewhere = await stranger.navigate(new URL(form.action, page.url).toString(), { form: [...form.fields, ['decision', 'approve']] }, [host]);
  assert.equal(elsewhere.status, 400);
  assert.match(elsewhere.html, /another browser/);
});

test('denying sends access_denied back to the app', async () => {
  const browser = new Browser();
  const page = await signIn(browser, await browser.navigate(authorizeUrl({ state: 'deny-me' }), {}, [host]), ana);
  const done = await browser.submit(page, '/decide', [['decision', 'deny']], [host]);
  const back = new URL(done.left!);
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.equal(back.searchParams.get('state'), 'deny-me');
  assert.equal(back.searchParams.get('code'), null);
});

test('a wrong password shows the sign-in page again with a message', async () => {
  const browser = new Browser();
  const page = await browser.navigate(authorizeUrl(), {}, [host]);
  const wrong = await browser.submit(page, '/sign-in', [
    ['email', ana.email],
    ['password', 'not the password at all'],
  ], [host]);
  assert.equal(wrong.status, 401);
  assert.match(wrong.html, /email address or password is not right/);
  assert.match(wrong.html, new RegExp(`value="${ana.email.replace(/\./g, '\\.')}"`));
});

test('dynamic registration: anyone may register an app people approve; Backend Services need an administrator', async () => {
  const register = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const open = await register({ client_name: 'Step Counter', redirect_uris: ['https://steps.example/cb'], scope: 'openid patient/Observation.cruds launch/patient' });
  assert.equal(open.status, 201, JSON.stringify(open.body));
  assert.equal(open.body.token_endpoint_auth_method, 'none');
  assert.deepEqual(open.body.grant_types, ['authorization_code', 'refresh_token']);
  assert.equal(await t.oauth.originAllowed('https://steps.example'), true);
  assert.equal(await t.oauth.originAllowed('https://other.example'), false);

  const confidential = await register({ client_name: 'Clinic portal', redirect_uris: ['https://portal.example/cb'], token_endpoint_auth_method: 'client_secret_basic' });
  assert.equal(confidential.status, 201);
  assert.ok(confidential.body.client_secret);

  const backend = { client_name: 'Nightly export', scope: 'system/*.rs', grant_types: ['client_credentials'], jwks_uri: 'https://export.example/jwks.json' };
  const anonymous = await register(backend);
  assert.equal(anonymous.status, 400);
  assert.equal(anonymous.body.error, 'invalid_client_metadata');
  assert.equal((await register({ client_name: 'Bad', redirect_uris: ['http://insecure.example/cb'] })).body.error, 'invalid_redirect_uri');

  const admin = await addPerson(t, { name: 'Ines Admin', role: 'admin', organizationId: 'org-1' });
  const { token: cookie } = await t.accounts.createSession(admin.accountId, true, {});
  const byAdmin = await register(backend, { cookie: `salus_session=${cookie}` });
  assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
  assert.equal((await t.oauth.clients.get(byAdmin.body.client_id as string))?.createdBy, admin.accountId);
});
