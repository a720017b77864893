import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Bundle, CapabilityStatement, Observation, Patient } from '@medplum/fhirtypes';
import smart from 'fhirclient';
import { addPerson, Browser, freePort, PASSWORD, startOAuthTestApp } from './oauth-test-support.js';

type Client = Awaited<ReturnType<ReturnType<typeof smart>['ready']>>;

/**
 * A SMART app written with the fhirclient library (its Node API), launched standalone against
 * Salus: discovery, authorize with PKCE, sign-in and approval in a browser, the token exchange,
 * FHIR calls with the access token, and a refresh.
 */
test('the fhirclient library completes a standalone launch, reads the record and refreshes its token', async () => {
  const t = await startOAuthTestApp();
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  // The app's server-side session: one person uses it in this test.
  const session = new Map<string, unknown>();
  const storage = {
    get: async (key: string) => session.get(key),
    set: async (key: string, value: unknown) => {
      session.set(key, value);
      return value;
    },
    unset: async (key: string) => session.delete(key),
  };
  let ready: ((c: Client) => void) | undefined;
  const connected = new Promise<Client>((resolve) => (ready = resolve));
  const appServer: Server = createServer((req, res) => {
    const url = new URL(req.url!, appUrl);
    const fail = (e: unknown): void => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(e instanceof Error ? e.message : String(e));
    };
    if (url.pathname === '/launch') {
      smart(req, res, storage)
        .authorize({ clientId: app.id, scope: 'openid fhirUser launch/patient offline_access patient/*.rs', redirectUri: '/callback', iss: t.fhirBase, pkceMode: 'required' })
        .catch(fail);
    } else if (url.pathname === '/callback') {
      smart(req, res, storage)
        .ready()
        .then((client) => {
          ready!(client);
          res.writeHead(200, { 'content-type': 'text/plain' }).end('connected');
        }, fail);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => appServer.listen(appPort, '127.0.0.1', resolve));
  const { client: app } = await t.oauth.clients.create({
    name: 'Vitals Viewer',
    scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    redirectUris: [`${appUrl}/callback`],
  });
  try {
    const ana = await addPerson(t, { name: 'Ana Pereira', role: 'patient' });
    await t.salus.repo.create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject: { reference: `Patient/${ana.patientId}` },
      valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    } as Observation);

    const browser = new Browser();
    const signInPage = await browser.navigate(`${appUrl}/launch`);
    assert.match(signInPage.html, /Vitals Viewer wants to connect/);
    const approval = await browser.submit(signInPage, '/sign-in', [
      ['email', ana.email],
      ['password', PASSWORD],
    ]);
    assert.match(approval.html, /Read your health record/);
    const done = await browser.submit(approval, '/decide', [['decision', 'approve']]);
    assert.equal(done.status, 200, done.html);
    assert.equal(done.html, 'connected');
    assert.equal(new URL(done.url).origin, appUrl);

    const client = await connected;
    assert.equal(client.patient.id, ana.patientId);
    assert.equal(client.getFhirUser(), `Patient/${ana.patientId}`);
    assert.equal(client.getUserId(), ana.patientId);
    assert.equal(client.state.serverUrl, t.fhirBase);
    const firstToken = client.getState('tokenResponse.access_token') as string;
    assert.equal((await t.oauth.verifyAccessToken(firstToken)).patient, ana.patientId);

    const metadata = (await client.request('metadata')) as CapabilityStatement;
    assert.equal(metadata.resourceType, 'CapabilityStatement');
    const patient = (await client.patient.read()) as Patient;
    assert.equal(patient.id, ana.patientId);
    const observations = (await client.patient.request('Observation')) as Bundle<Observation>;
    assert.equal(observations.entry?.length, 1);
    assert.equal(observations.entry![0]!.resource!.valueQuantity?.value, 72);

    const userinfo = await fetch(`${t.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${firstToken}` } });
    assert.equal(((await userinfo.json()) as { fhirUser: string }).fhirUser, `${t.fhirBase}/Patient/${ana.patientId}`);

    await client.refresh();
    const secondToken = client.getState('tokenResponse.access_token') as string;
    assert.notEqual(secondToken, firstToken);
    assert.equal(((await client.patient.read()) as Patient).id, ana.patientId);
    assert.ok(t.events.some((e) => e.subtype === 'token-refresh' && e.outcome === 'success' && e.agent.clientId === app.id));
  } finally {
    await new Promise((resolve) => appServer.close(resolve));
    await t.close();
  }
});
