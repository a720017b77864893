import { forbidden, notFound, type FhirError } from '@salus/core';
import type { Queryable } from '../db/db.js';
import { patientCompartmentParams } from '../fhir/definitions.js';
import { SqlBuilder } from '../fhir/search/sql.js';
import type { RowFilter } from '../fhir/search/execute.js';
import type { SearchRequest } from '../fhir/search/parse.js';
import type { PendingWrite } from '../fhir/store.js';
import { patientAllowedSql, rowFilterSql } from './filter-sql.js';
import { decide, DIRECTORY_TYPES, isDenied, typeClass, type Decision, type Interaction } from './policy.js';
import type { Principal } from './principal.js';

/** A refusal, kept for the audit ledger. */
export interface Denial {
  type: string;
  interaction: Interaction;
  reason: string;
  target?: string;
}

/**
 * The access check bound to one caller for one request. The repository consults it on every
 * interaction; it remembers what was touched and what was refused, for the audit ledger.
 */
export class AccessGuard {
  private readonly decisions = new Map<string, Decision>();
  readonly touched = new Set<string>();
  readonly denials: Denial[] = [];

  constructor(readonly principal: Principal) {}

  decision(type: string, i: Interaction): Decision {
    const key = `${type}|${i}`;
    let d = this.decisions.get(key);
    if (!d) this.decisions.set(key, (d = decide(this.principal, type, i)));
    return d;
  }

  /** Whether the caller reaches every row of `type` (no filtering needed). */
  unrestricted(type: string, i: Interaction): boolean {
    const d = this.decision(type, i);
    return !d.narrowTo && d.grants.some((g) => g.kind === 'all');
  }

  /** The decision for the type and interaction, or 403 when nothing is granted. */
  require(type: string, i: Interaction, target?: string): Decision {
    const d = this.decision(type, i);
    if (isDenied(d)) throw this.refuse({ type, interaction: i, reason: d.reason ?? 'not allowed', ...(target ? { target } : {}) });
    return d;
  }

  /** Records a refusal and makes the 403 for it. */
  refuse(denial: Denial): FhirError {
    this.denials.push(denial);
    return forbidden(`Access denied: ${denial.reason}`);
  }

  /**
   * Row filter for a search of `i` (search or read): typed rows by that type's decision; untyped
   * rows (an _include without a target type) by the decision of whichever type each row has.
   */
  rowFilter(i: Interaction): RowFilter {
    return (b, type, alias) => {
      if (type !== '*') {
        const d = this.decision(type, i);
        if (isDenied(d)) return 'false';
        // Aggregate counts are over every record; requireSearchShape has made sure that only a
        // count leaves, and that its criteria cannot single out one person.
        if (d.countOnly) return 'TRUE';
        return rowFilterSql(d, type, alias, b);
      }
      return this.anyTypeFilter(i, alias, b);
    };
  }

  private anyTypeFilter(i: Interaction, alias: string, b: SqlBuilder): string {
    // Types sharing a decision share one condition; roles give only a few distinct decisions.
    const groups = new Map<string, { d: Decision; types: string[] }>();
    for (const type of ['Patient', ...patientCompartmentParams().keys()]) {
      const d = this.decision(type, i);
      if (isDenied(d) || d.countOnly) continue;
      const key = JSON.stringify(d);
      const g = groups.get(key) ?? { d, types: [] };
      g.types.push(type);
      groups.set(key, g);
    }
    const ors = [`${alias}.res_type = ANY(${b.bind(this.directoryReadable(i), 'text[]')})`];
    for (const { d, types } of groups.values()) {
      const f = rowFilterSql(d, '*', alias, b);
      ors.push(`(${alias}.res_type = ANY(${b.bind(types, 'text[]')})${f ? ` AND ${f}` : ''})`);
    }
    return `(${ors.join(' OR ')})`;
  }

  private directoryReadable(i: Interaction): string[] {
    return [...DIRECTORY_TYPES].filter((t) => !isDenied(this.decision(t, i)));
  }

  /**
   * A stored resource the caller wants to read, change or delete. Out of reach for reading means
   * 404, as if it did not exist: that a record exists is itself private. Writes get a 403.
   */
  async checkStored(q: Queryable, type: string, id: string, i: Interaction): Promise<void> {
    const d = this.require(type, i, `${type}/${id}`);
    this.touched.add(`${type}/${id}`);
    if (!d.narrowTo && d.grants.some((g) => g.kind === 'all')) return;
    const b = new SqlBuilder();
    const filter = rowFilterSql(d, type, 'r', b);
    const sql = `SELECT 1 FROM resources r WHERE r.res_type = ${b.bind(type)} AND r.id = ${b.bind(id)}${filter ? ` AND ${filter}` : ''}`;
    const r = await q.query(sql, b.params);
    if (r.rows.length > 0) return;
    const denial: Denial = { type, interaction: i, reason: `${type}/${id} is outside the caller's access`, target: `${type}/${id}` };
    if (i === 'r' || i === 's') {
      this.denials.push(denial);
      throw notFound(`${type}/${id} not found`);
    }
    throw this.refuse(denial);
  }

  /**
   * A new version about to be written: every patient it places in a compartment must be within
   * the caller's reach, so nobody can write into, or move data into, a record they may not see.
   */
  async checkWrite(q: Queryable, write: PendingWrite, i: Interaction): Promise<void> {
    const target = `${write.resType}/${write.id}`;
    const d = this.require(write.resType, i, target);
    this.touched.add(target);
    if (!d.narrowTo && d.grants.some((g) => g.kind === 'all')) return;
    if (typeClass(write.resType) !== 'compartment') return;
    const patients = compartmentPatients(write);
    if (write.resType === 'Patient' && i === 'c') {
      // A new record: clinicians may register patients at their own organization or as their GP.
      const refs = d.grants.flatMap((g) => (g.kind === 'care' ? g.actorRefs : []));
      const placed = write.rows.reference.some(
        (r) => (r.code === 'organization' || r.code === 'general-practitioner') && r.ref !== null && refs.includes(r.ref),
      );
      if (placed && !d.narrowTo) return;
      throw this.refuse({ type: write.resType, interaction: i, reason: 'a new patient must be registered at your organization', target });
    }
    if (patients.length === 0) {
      throw this.refuse({ type: write.resType, interaction: i, reason: `the ${write.resType} must refer to a patient in your care`, target });
    }
    const b = new SqlBuilder();
    const type = b.bind(write.resType, 'text');
    const cond = patientAllowedSql(d, 'p', 'w.res_type', b);
    const r = await q.query<{ ok: boolean }>(
      `SELECT coalesce(bool_and(${cond}), false) AS ok FROM unnest(${b.bind(patients, 'text[]')}) p, (SELECT ${type} AS res_type) w`,
      b.params,
    );
    if (!r.rows[0]?.ok) {
      throw this.refuse({ type: write.resType, interaction: i, reason: `the ${write.resType} refers to a patient outside your access`, target });
    }
  }

  /** Instance-less histories (a whole type, the whole server) are for callers who see every row. */
  requireUnrestricted(type: string | undefined, i: Interaction): void {
    const types = type ? [type] : ['Patient', ...patientCompartmentParams().keys()];
    for (const t of types) {
      this.require(t, i);
      if (!this.unrestricted(t, i) && typeClass(t) !== 'directory') {
        throw this.refuse({ type: t, interaction: i, reason: `the history of all ${t} resources needs system access; ask for one resource's history` });
      }
    }
  }

  /**
   * `_summary=count` searches only, for callers limited to aggregated data, and only on criteria
   * that describe groups (codes, statuses, dates, quantities): names, identifiers, references,
   * chains and `_has` could narrow a count to one known person and reveal their record.
   */
  requireSearchShape(request: SearchRequest): void {
    const type = request.resourceType;
    const d = this.require(type, 's');
    if (!d.countOnly) return;
    const countOnly = request.summary === 'count' || request.count === 0;
    if (!countOnly || request.include.length > 0 || request.revinclude.length > 0) {
      throw this.refuse({ type, interaction: 's', reason: `only aggregate counts of ${type} are available (use _summary=count)` });
    }
    for (const f of request.filters) {
      const name = f.kind === 'has' ? `_has:${f.sourceType}` : f.def.code;
      if (f.kind === 'has' || f.chain || !AGGREGATE_PARAM_TYPES.has(f.def.type) || PERSON_TOKENS.test(f.def.code)) {
        throw this.refuse({ type, interaction: 's', reason: `counts may not be narrowed by '${name}', which can single out a person; use codes, statuses and dates` });
      }
    }
  }
}

/** Search parameter types that describe groups of records rather than a person. */
const AGGREGATE_PARAM_TYPES = new Set(['token', 'date', 'number', 'quantity', 'uri']);
/** Token parameters that hold who someone is rather than what happened to them. */
const PERSON_TOKENS = /^(_id|identifier|.*-identifier|telecom|email|phone)$/;

/** Patients whose compartment the new version belongs to (a Patient: itself). */
function compartmentPatients(write: PendingWrite): string[] {
  if (write.resType === 'Patient') return [write.id];
  const params = patientCompartmentParams().get(write.resType) ?? [];
  const ids = write.rows.reference
    .filter((r) => r.targetType === 'Patient' && r.targetId && params.includes(r.code))
    .map((r) => r.targetId!);
  return [...new Set(ids)];
}
