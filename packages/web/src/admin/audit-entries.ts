import type { AuditEvent, Bundle } from '@medplum/fhirtypes';

/**
 * The audit ledger as the administrator's table reads it: the query a set of filters makes, and
 * one row per entry (who, what, outcome, which patients, whether it was flagged for review).
 */

export interface AuditFilters {
  /** Account id of the person who acted. */
  account: string;
  /** Patient id (or `Patient/id`) whose record was touched. */
  patient: string;
  /** Event kind: a FHIR interaction (`read`, `search-type`…) or a Salus event (`login`, `break-glass`…). */
  subtype: string;
  count: number;
}

export const DEFAULT_AUDIT_FILTERS: AuditFilters = { account: '', patient: '', subtype: '', count: 50 };

/** Event kinds an administrator filters by, with their names on screen. */
export const AUDIT_SUBTYPES: Record<string, string> = {
  'break-glass': 'Emergency access',
  login: 'Sign-in',
  'login-failed': 'Failed sign-in',
  'mfa-failed': 'Wrong second-factor code',
  lockout: 'Sign-in locked',
  logout: 'Sign-out',
  'password-reset': 'Password reset',
  account: 'Account change',
  token: 'App token issued',
  'token-refresh': 'App token refreshed',
  'token-revoke': 'App token revoked',
  read: 'Read',
  vread: 'Read a version',
  'search-type': 'Search',
  'search-system': 'Search everything',
  create: 'Create',
  update: 'Update',
  patch: 'Patch',
  delete: 'Delete',
  batch: 'Batch',
  transaction: 'Transaction',
  operation: 'Operation',
  'history-instance': 'History',
  'history-type': 'History',
  'history-system': 'History',
  export: 'Export',
  'audit-read': 'Audit ledger read',
  'audit-verify': 'Audit chain verified',
  'access-log': 'Access log read',
  'video-join': 'Joined a video visit',
  'video-leave': 'Left a video visit',
  'waiting-room': 'Opened the waiting room',
  'ice-servers': 'Video call servers',
};

const FLAG = { system: 'https://salus.example/fhir/CodeSystem/audit-flag', code: 'flagged' };
const ACCOUNT_SYSTEM = 'https://salus.example/fhir/sid/account';
const CLIENT_SYSTEM = 'https://salus.example/fhir/sid/client';
const ROLE_SYSTEM = 'https://salus.example/fhir/CodeSystem/role';
const OUTCOME: Record<string, AuditRow['outcome']> = { '0': 'success', '4': 'denied', '8': 'failure', '12': 'failure' };

/** The ledger query for these filters, `before` a seq when paging to older entries. */
export function auditQuery(filters: AuditFilters, before?: string): string {
  const q = new URLSearchParams();
  const account = filters.account.trim();
  const patient = filters.patient.trim().replace(/^Patient\//, '');
  if (account) q.set('account', account);
  if (patient) q.set('patient', patient);
  if (filters.subtype) q.set('subtype', filters.subtype);
  q.set('_count', String(filters.count));
  if (before) q.set('before', before);
  return `?${q.toString()}`;
}

/** The `before` of the next (older) page, when the ledger has one. */
export function nextBefore(bundle: Bundle): string | undefined {
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return next ? (new URL(next, 'http://localhost').searchParams.get('before') ?? undefined) : undefined;
}

export interface AuditRow {
  id: string;
  recorded: string;
  /** The subtype code, and its name on screen. */
  subtype: string;
  action: string;
  outcome: 'success' | 'denied' | 'failure';
  /** Why it was denied or failed, or what an account event did. */
  detail?: string;
  /** Who acted: an account id, the FHIR resource they are, an app; nothing for a failed anonymous sign-in. */
  accountId?: string;
  reference?: string;
  clientId?: string;
  roles: string[];
  ip?: string;
  patientIds: string[];
  /** The request, as the server recorded it (`Observation?patient=…`). */
  query?: string;
  flagged: boolean;
  /** The stated reason of emergency access. */
  purpose?: string;
}

function decodeBase64(value: string): string {
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function auditRow(e: AuditEvent): AuditRow {
  const subtype = e.subtype?.[0]?.code ?? 'unknown';
  const requestor = e.agent.find((a) => a.requestor) ?? e.agent[0];
  const person = e.agent.find((a) => a.who?.identifier?.system === ACCOUNT_SYSTEM) ?? e.agent.find((a) => a.who?.reference);
  const client = e.agent.find((a) => a.who?.identifier?.system === CLIENT_SYSTEM);
  const patientIds = (e.entity ?? [])
    .map((x) => x.what?.reference)
    .filter((r): r is string => r?.startsWith('Patient/') === true)
    .map((r) => r.slice('Patient/'.length));
  const query = (e.entity ?? []).find((x) => x.query)?.query;
  const row: AuditRow = {
    id: e.id ?? '',
    recorded: e.recorded,
    subtype,
    action: AUDIT_SUBTYPES[subtype] ?? subtype,
    outcome: OUTCOME[e.outcome ?? '0'] ?? 'failure',
    roles: (person?.role ?? []).flatMap((r) => r.coding ?? []).filter((c) => c.system === ROLE_SYSTEM && c.code).map((c) => c.code!),
    patientIds: [...new Set(patientIds)],
    flagged: e.meta?.tag?.some((t) => t.system === FLAG.system && t.code === FLAG.code) ?? false,
  };
  if (e.outcomeDesc) row.detail = e.outcomeDesc;
  const accountId = person?.who?.identifier?.system === ACCOUNT_SYSTEM ? person.who.identifier.value : undefined;
  if (accountId) row.accountId = accountId;
  if (person?.who?.reference) row.reference = person.who.reference;
  if (client?.who?.identifier?.value) row.clientId = client.who.identifier.value;
  if (requestor?.network?.address) row.ip = requestor.network.address;
  if (query) row.query = decodeBase64(query);
  const purpose = e.purposeOfEvent?.[0]?.text;
  if (purpose) row.purpose = purpose;
  return row;
}
