import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { Role, SessionRow } from './account.js';
import { request } from './http.js';

/** The administrators' endpoints under /admin, as the app uses them. */

import type { AccountPage, AccountStatus, AdminAccount } from '@salus/core';

export type { AccountPage, AccountStatus, AdminAccount };

export interface AccountFilter {
  role?: Role;
  status?: AccountStatus;
  q?: string;
  /** false: licensed people waiting for their licence to be verified. */
  verified?: boolean;
  limit?: number;
  offset?: number;
}

export interface Invitation {
  email: string;
  displayName: string;
  roles: Role[];
  organizationId: string;
  qualification?: { licence: string; system?: string; degree?: string; issuer?: string };
}

/** One thing the chain verification found wrong. */
export interface LedgerProblem {
  kind: 'modified' | 'deleted' | 'inserted' | 'reordered';
  in: 'ledger' | 'head' | 'checkpoints';
  seq: string;
  lastSeq?: string;
  belongsAt?: string;
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  entries: number;
  head: { seq: string; hash: string };
  checkpoints: number;
  latestCheckpoint?: { seq: string; hash: string; created: string };
  problems: LedgerProblem[];
  /** False when so much was wrong that reading stopped early. */
  complete: boolean;
}

function accountQuery(filter: AccountFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const account = (id: string): string => `/admin/accounts/${encodeURIComponent(id)}`;

export const adminApi = {
  accounts: (filter: AccountFilter, signal?: AbortSignal) => request<AccountPage>(`/admin/accounts${accountQuery(filter)}`, { signal }),
  sessions: (accountId: string, signal?: AbortSignal) => request<{ sessions: SessionRow[] }>(`${account(accountId)}/sessions`, { signal }),
  endSession: (accountId: string, sessionId: string) => request<void>(`${account(accountId)}/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' }),
  endAllSessions: (accountId: string) => request<{ ended: number }>(`${account(accountId)}/sessions`, { method: 'DELETE' }),
  invite: (invitation: Invitation) => request<{ accountId: string; created: boolean }>('/admin/invitations', { body: invitation }),
  verifyPractitioner: (accountId: string) => request<void>(`/admin/practitioners/${encodeURIComponent(accountId)}/verify`, { method: 'POST' }),
  disable: (accountId: string) => request<void>(`${account(accountId)}/disable`, { method: 'POST' }),
  /** `query` is built by auditQuery; the `next` link of a page is its own query. */
  audit: (query: string, signal?: AbortSignal) => request<Bundle<AuditEvent>>(`/admin/audit${query}`, { signal }),
  verifyAudit: () => request<LedgerReport>('/admin/audit/verify'),
};
