import type { SqlBuilder } from '../fhir/search/sql.js';
import { DIRECTORY_TYPES, type Decision, type Grant } from './policy.js';

/**
 * SQL for access decisions. Every check — a search page, an _include, a read, a write — asks the
 * database the same question ("is this row inside the caller's grants?") so that search results
 * are filtered before paging and counting, and a read can never see what a search would hide.
 */

/** Consent rules in force now. */
const IN_FORCE = '(cr.starts IS NULL OR cr.starts <= now()) AND (cr.ends IS NULL OR cr.ends > now())';

/** The patient refused this actor this type of data. */
function refusedSql(patientExpr: string, typeExpr: string, actorRefs: string[], b: SqlBuilder): string {
  return `EXISTS (SELECT 1 FROM consent_rules cr WHERE cr.patient_id = ${patientExpr} AND cr.effect = 'deny'
    AND cr.actor_ref = ANY(${b.bind(actorRefs, 'text[]')}) AND (cr.res_type IS NULL OR cr.res_type = ${typeExpr}) AND ${IN_FORCE})`;
}

/** True when the patient `patientExpr` is inside `grant` for data of type `typeExpr`. */
function grantSql(grant: Exclude<Grant, { kind: 'all' }>, patientExpr: string, typeExpr: string, b: SqlBuilder): string {
  switch (grant.kind) {
    case 'patients':
      return `${patientExpr} = ANY(${b.bind(grant.ids, 'text[]')})`;
    case 'emergency':
      return `EXISTS (SELECT 1 FROM break_glass_grants bg WHERE bg.account_id = ${b.bind(grant.accountId)}
        AND bg.patient_id = ${patientExpr} AND bg.expires_at > now())`;
    case 'care': {
      const refs = b.bind(grant.actorRefs, 'text[]');
      // Registered at the clinician's organization or with them as GP; on a care team with them;
      // or the patient permitted them (for all data or this type).
      const related = `(EXISTS (SELECT 1 FROM sp_reference pr WHERE pr.res_type = 'Patient' AND pr.res_id = ${patientExpr}
          AND pr.code IN ('organization', 'general-practitioner') AND pr.ref = ANY(${refs}))
        OR EXISTS (SELECT 1 FROM sp_reference ct JOIN sp_reference cm ON cm.res_type = 'CareTeam' AND cm.res_id = ct.res_id
          AND cm.code = 'participant' AND cm.ref = ANY(${refs})
          WHERE ct.res_type = 'CareTeam' AND ct.code = 'patient' AND ct.target_type = 'Patient' AND ct.target_id = ${patientExpr})
        OR EXISTS (SELECT 1 FROM consent_rules cr WHERE cr.patient_id = ${patientExpr} AND cr.effect = 'permit'
          AND cr.actor_ref = ANY(${refs}) AND (cr.res_type IS NULL OR cr.res_type = ${typeExpr}) AND ${IN_FORCE}))`;
      return `(${related} AND NOT ${refusedSql(patientExpr, typeExpr, grant.actorRefs, b)})`;
    }
    case 'pharmacy':
      return `(EXISTS (SELECT 1 FROM sp_reference mp JOIN sp_reference md ON md.res_type = 'MedicationRequest' AND md.res_id = mp.res_id
          AND md.code = 'intended-dispenser' AND md.ref = ANY(${b.bind(grant.orgRefs, 'text[]')})
          WHERE mp.res_type = 'MedicationRequest' AND mp.code = 'patient' AND mp.target_type = 'Patient' AND mp.target_id = ${patientExpr})
        AND NOT ${refusedSql(patientExpr, typeExpr, grant.actorRefs, b)})`;
  }
}

/** True when patient `patientExpr`'s data of type `typeExpr` is reachable under the decision. */
export function patientAllowedSql(d: Decision, patientExpr: string, typeExpr: string, b: SqlBuilder): string {
  const parts: string[] = [];
  if (d.narrowTo) parts.push(`${patientExpr} = ${b.bind(d.narrowTo)}`);
  if (!d.grants.some((g) => g.kind === 'all')) {
    const any = d.grants.map((g) => grantSql(g as Exclude<Grant, { kind: 'all' }>, patientExpr, typeExpr, b));
    parts.push(any.length ? `(${any.join(' OR ')})` : 'false');
  }
  return parts.length ? parts.join(' AND ') : 'true';
}

/**
 * Row filter for resources at `alias` (a `resources` row): a Patient by its id, anything else by
 * the patients its compartment references point to. `type` is the searched type, or `*` when rows
 * of several types come back (an untyped _include), in which case directory rows pass as well.
 */
export function rowFilterSql(d: Decision, type: string, alias: string, b: SqlBuilder): string | undefined {
  if (d.grants.some((g) => g.kind === 'all') && !d.narrowTo) return undefined;
  const typeExpr = `${alias}.res_type`;
  // Built on demand: each builds its own bind parameters, and unused ones would be untyped.
  const asPatient = (): string => `${alias}.res_type = 'Patient' AND ${patientAllowedSql(d, `${alias}.id`, typeExpr, b)}`;
  const viaCompartment = (): string => `EXISTS (SELECT 1 FROM sp_reference c JOIN patient_compartment pc ON pc.res_type = c.res_type AND pc.code = c.code
      WHERE c.res_type = ${alias}.res_type AND c.res_id = ${alias}.id AND c.target_type = 'Patient'
      AND ${patientAllowedSql(d, 'c.target_id', typeExpr, b)})`;
  if (type === 'Patient') return asPatient();
  if (type !== '*') return viaCompartment();
  return `(${alias}.res_type = ANY(${b.bind([...DIRECTORY_TYPES], 'text[]')}) OR (${asPatient()}) OR ${viaCompartment()})`;
}
