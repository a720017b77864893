import { configure } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Me, Role } from '../api/account.js';
import { SessionProvider, useSession } from '../session/session.js';

/**
 * A stand-in for the Salus server in component tests: `fetch` answers from a handler, and every
 * call is kept so tests can assert what the screen sent. The real API modules run unchanged.
 */

// A screen behind sign-in waits for several answers in turn; on a busy test machine (files run
// side by side) that can take longer than testing-library's default of one second.
configure({ asyncUtilTimeout: 5000 });

export interface FakeCall {
  method: string;
  /** Path and query, as the app asked for it. */
  url: string;
  body?: unknown;
}

export type FakeAnswer = { status?: number; body?: unknown } | undefined;

export interface FakeServer {
  calls: FakeCall[];
  restore(): void;
}

export function fakeServer(handler: (call: FakeCall) => FakeAnswer | Promise<FakeAnswer>): FakeServer {
  const original = globalThis.fetch;
  const calls: FakeCall[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const u = new URL(raw, 'http://localhost');
    const call: FakeCall = { method: init?.method ?? 'GET', url: `${u.pathname}${u.search}`, ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}) };
    calls.push(call);
    const answer = (await handler(call)) ?? { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `No fake for ${call.method} ${call.url}` }] } };
    const status = answer.status ?? (answer.body === undefined ? 204 : 200);
    return new Response(status === 204 ? null : JSON.stringify(answer.body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, restore: () => (globalThis.fetch = original) };
}

/** What `/auth/me` answers for a person with these roles. */
export function fakeMe(
  roles: Role[],
  overrides: { mfaEnrolled?: boolean; organizationIds?: string[]; patientIds?: string[]; fhirUser?: string; displayName?: string; email?: string } = {},
): Me {
  return {
    account: {
      accountId: 'acc-1',
      email: overrides.email ?? 'grace@clinic.example',
      displayName: overrides.displayName ?? 'Grace Whitfield',
      status: 'active',
      roles,
      ...(overrides.fhirUser ? { fhirUser: overrides.fhirUser } : {}),
      patientIds: overrides.patientIds ?? [],
      organizationIds: overrides.organizationIds ?? [],
      verified: false,
    },
    mfaEnrolled: overrides.mfaEnrolled ?? false,
    session: { id: 'sess-here', complete: true, expiresAt: new Date(Date.now() + 3600_000).toISOString() },
  };
}

function WhenSignedIn({ children }: { children: ReactNode }) {
  const { state } = useSession();
  return state.status === 'signed-in' ? <>{children}</> : null;
}

/** Screens behind sign-in, rendered once the (fake) server has said who is signed in. */
export function SignedIn({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <WhenSignedIn>{children}</WhenSignedIn>
    </SessionProvider>
  );
}
