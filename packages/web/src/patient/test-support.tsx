import { renderUi } from '../test/render.js';
import type { Resource } from '@medplum/fhirtypes';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router';
import { afterEach } from 'node:test';
import type { Me, Role } from '../api/account.js';
import { fakeMe, fakeServer, SignedIn, type FakeCall, type FakeServer } from '../test/fake-server.js';

/** The patient space's tests: a signed-in patient (or caregiver) and a server answering by path. */

export type Call = FakeCall;
type Handler = (url: URL, call: Call) => { status?: number; body?: unknown } | undefined;

let server: FakeServer | undefined;
afterEach(() => {
  server?.restore();
  server = undefined;
});

export function me(patientIds: string[], roles: Role[] = ['patient'], fhirUser = `Patient/${patientIds[0]}`): Me {
  return fakeMe(roles, { patientIds, fhirUser, displayName: 'Ana Souza', email: 'ana@example.com' });
}

export const bundleOf = (resources: Resource[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) });
export const notFound = { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/x not found' }] } };

/** Answers /auth/me with `account`, and everything else with `handler`; returns the calls made. */
export function serve(account: Me, handler: Handler): Call[] {
  server?.restore();
  server = fakeServer((call) => {
    const url = new URL(call.url, 'http://localhost');
    return url.pathname === '/auth/me' ? { body: account } : handler(url, call);
  });
  return server.calls;
}

/** Renders `ui` at `path` under /patient/*, once the session has been read. */
export function renderSignedIn(ui: ReactElement, path: string) {
  return renderUi(
    <Routes>
      <Route path="/patient/*" element={<SignedIn>{ui}</SignedIn>} />
    </Routes>,
    { path },
  );
}
