import type { Queryable } from '../db/db.js';
import type { AuditInput } from '../audit/types.js';
import type { AccessGuard } from './guard.js';
import type { Principal } from './principal.js';

/** Where audit entries go: the ledger, or anything with the same append. */
export interface AuditSink {
  append(input: AuditInput): Promise<void>;
}

/** Agent fields of an audit entry for a principal. */
export function auditAgent(p: Principal | undefined, meta: { ip?: string; userAgent?: string }): AuditInput['agent'] {
  const agent: AuditInput['agent'] = {};
  if (p?.accountId) agent.accountId = p.accountId;
  if (p?.clientId) agent.clientId = p.clientId;
  if (p?.fhirUser) agent.fhirUser = p.fhirUser;
  if (p?.roles.length) agent.roles = p.roles;
  if (meta.ip) agent.ip = meta.ip;
  if (meta.userAgent) agent.userAgent = meta.userAgent;
  return agent;
}

/**
 * The patients whose records the given resources belong to, in one query: Patients are their
 * own, anything else by its compartment references. Drives each patient's access log.
 */
export async function patientsOf(db: Queryable, refs: Iterable<string>): Promise<string[]> {
  const patients = new Set<string>();
  const types: string[] = [];
  const ids: string[] = [];
  for (const ref of refs) {
    const slash = ref.indexOf('/');
    const type = ref.slice(0, slash);
    const id = ref.slice(slash + 1);
    if (type === 'Patient') patients.add(id);
    else {
      types.push(type);
      ids.push(id);
    }
  }
  if (ids.length > 0) {
    const r = await db.query<{ target_id: string }>(
      `SELECT DISTINCT c.target_id FROM unnest($1::text[], $2::text[]) AS t(res_type, res_id)
       JOIN sp_reference c ON c.res_id = t.res_id AND c.res_type = t.res_type AND c.target_type = 'Patient'
       JOIN patient_compartment pc ON pc.res_type = c.res_type AND pc.code = c.code`,
      [types, ids],
    );
    for (const row of r.rows) patients.add(row.target_id);
  }
  return [...patients];
}

export interface InteractionAudit {
  action: AuditInput['action'];
  subtype: string;
  query: string;
  status: number;
  error?: string;
}

/** One FHIR interaction's ledger entry, from what the guard saw while it ran. */
export async function interactionEntry(
  db: Queryable,
  principal: Principal,
  guard: AccessGuard,
  meta: { ip?: string; userAgent?: string },
  x: InteractionAudit,
): Promise<AuditInput> {
  const denied = x.status === 403 || guard.denials.length > 0;
  const entities = [...guard.touched];
  for (const d of guard.denials) if (d.target && !guard.touched.has(d.target)) entities.push(d.target);
  const entry: AuditInput = {
    action: x.action,
    subtype: x.subtype,
    outcome: denied ? 'denied' : x.status >= 400 ? 'failure' : 'success',
    agent: auditAgent(principal, meta),
    entities,
    patientIds: await patientsOf(db, entities),
    query: x.query,
  };
  const desc = denied ? guard.denials.map((d) => d.reason).join('; ') || x.error : x.error;
  if (desc) entry.outcomeDesc = desc;
  if (principal.accountId && principal.roles.includes('practitioner') && entry.patientIds.length > 0) {
    // Access under an emergency grant is flagged with the reason the clinician gave.
    const r = await db.query<{ reason: string }>(
      `SELECT reason FROM break_glass_grants WHERE account_id = $1 AND patient_id = ANY($2::text[]) AND expires_at > now()
       ORDER BY created_at DESC LIMIT 1`,
      [principal.accountId, entry.patientIds],
    );
    if (r.rows[0]) {
      entry.flagged = true;
      entry.purpose = `Emergency access: ${r.rows[0].reason}`;
    }
  }
  return entry;
}

/** AuditEvent action and restful-interaction subtype of a FHIR request. */
export function classify(method: string, path: string): { action: AuditInput['action']; subtype: string } {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const m = method.toUpperCase();
  if (parts.some((p) => p.startsWith('$'))) return { action: 'E', subtype: 'operation' };
  if (parts.length === 0) return m === 'POST' ? { action: 'E', subtype: 'batch' } : { action: 'R', subtype: 'search-system' };
  if (parts[0] === '_history') return { action: 'R', subtype: 'history-system' };
  if (parts[0] === 'metadata') return { action: 'R', subtype: 'capabilities' };
  if (parts.length === 1) {
    if (m === 'POST') return { action: 'C', subtype: 'create' };
    if (m === 'PUT') return { action: 'U', subtype: 'update' };
    if (m === 'DELETE') return { action: 'D', subtype: 'delete' };
    return { action: 'R', subtype: 'search-type' };
  }
  if (parts[1] === '_search') return { action: 'R', subtype: 'search-type' };
  if (parts[1] === '_history') return { action: 'R', subtype: 'history-type' };
  if (parts[2] === '_history') return { action: 'R', subtype: parts.length === 4 ? 'vread' : 'history-instance' };
  if (m === 'PUT') return { action: 'U', subtype: 'update' };
  if (m === 'PATCH') return { action: 'U', subtype: 'patch' };
  if (m === 'DELETE') return { action: 'D', subtype: 'delete' };
  return { action: 'R', subtype: 'read' };
}
