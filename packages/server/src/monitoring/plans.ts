import type { CarePlan, Extension, Goal } from '@medplum/fhirtypes';
import { BP_COMPONENT, READING_KINDS, type MonitoringCondition, type MonitoringPlan, type MonitoringRule } from '@salus/core';
import type { Queryable } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';

/**
 * A patient's monitoring plan is a FHIR CarePlan (category remote-monitoring) with its goals as
 * contained Goals and its alert rules as extensions; `monitoring_patients.plan` keeps the same
 * plan as JSON beside it, written in the same transaction, for the rules engine to read fast.
 */

export const MONITORING_CATEGORY = { system: 'https://salus.health/fhir/CodeSystem/care-plan-category', code: 'remote-monitoring', display: 'Remote patient monitoring' };
export const RULE_EXTENSION = 'https://salus.health/fhir/StructureDefinition/monitoring-rule';
export const SCALE2_EXTENSION = 'https://salus.health/fhir/StructureDefinition/news2-spo2-scale-2';

// SNOMED CT concepts for the conditions monitored (International Edition).
const CONDITION_CODES: Record<Exclude<MonitoringCondition, 'general'>, { code: string; display: string }> = {
  hypertension: { code: '38341003', display: 'Hypertensive disorder, systemic arterial' },
  'heart-failure': { code: '84114007', display: 'Heart failure' },
  diabetes: { code: '73211009', display: 'Diabetes mellitus' },
  copd: { code: '13645005', display: 'Chronic obstructive lung disease' },
};

function ruleExtension(rule: MonitoringRule): Extension {
  const sub: Extension[] = [];
  for (const [k, v] of Object.entries(rule)) {
    if (v === undefined) continue;
    sub.push(typeof v === 'number' ? { url: k, valueDecimal: v } : { url: k, valueCode: String(v) });
  }
  return { url: RULE_EXTENSION, extension: sub };
}

function goalResource(patientId: string, g: MonitoringPlan['goals'][number], i: number): Goal {
  const info = READING_KINDS[g.kind];
  const coding = g.component ? BP_COMPONENT[g.component].code : { system: info.system, code: info.code, display: info.display };
  const range = (v: number | undefined) => (v === undefined ? undefined : { value: v, unit: info.unitText, system: 'http://unitsofmeasure.org', code: info.unit });
  const low = range(g.low);
  const high = range(g.high);
  const what = g.component ? `${g.component === 'systolic' ? 'Systolic' : 'Diastolic'} blood pressure` : info.text;
  const words = low && high ? `between ${g.low} and ${g.high}` : low ? `at least ${g.low}` : `at most ${g.high}`;
  return {
    resourceType: 'Goal',
    id: `goal-${i + 1}`,
    lifecycleStatus: 'active',
    description: { text: `${what} ${words} ${info.unitText}`.trim() },
    subject: { reference: `Patient/${patientId}` },
    target: [{ measure: { coding: [coding] }, detailRange: { ...(low ? { low } : {}), ...(high ? { high } : {}) } }],
  };
}

export function carePlanFor(patientId: string, plan: MonitoringPlan, author: string | undefined, id: string | undefined, start: string): CarePlan {
  const goals = plan.goals.map((g, i) => goalResource(patientId, g, i));
  return {
    resourceType: 'CarePlan',
    ...(id ? { id } : {}),
    status: 'active',
    intent: 'plan',
    title: 'Remote monitoring',
    category: [
      { coding: [MONITORING_CATEGORY] },
      ...plan.conditions.flatMap((c) => (c === 'general' ? [] : [{ coding: [{ system: 'http://snomed.info/sct', ...CONDITION_CODES[c] }] }])),
    ],
    subject: { reference: `Patient/${patientId}` },
    period: { start },
    ...(author ? { author: { reference: author } } : {}),
    ...(goals.length ? { contained: goals, goal: goals.map((g) => ({ reference: `#${g.id}` })) } : {}),
    extension: [{ url: SCALE2_EXTENSION, valueBoolean: plan.spo2Scale2 }, ...plan.rules.map(ruleExtension)],
  };
}

export interface StoredPlan {
  carePlanId: string;
  plan: MonitoringPlan;
}

export async function readPlan(q: Queryable, patientId: string): Promise<StoredPlan | undefined> {
  const r = await q.query<{ care_plan_id: string; plan: MonitoringPlan }>('SELECT care_plan_id, plan FROM monitoring_patients WHERE patient_id = $1 AND active', [patientId]);
  const row = r.rows[0];
  return row && { carePlanId: row.care_plan_id, plan: row.plan };
}

/**
 * Writes the plan as the caller (`repo`, whose access check decides who may: clinicians caring
 * for the patient), and its projection, in one transaction; serialized per patient.
 */
export async function savePlan(repo: FhirRepository, patientId: string, plan: MonitoringPlan, now: Date, onBehalfOf?: string): Promise<StoredPlan> {
  return repo.db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`monitoring-plan|${patientId}`]);
    const r = repo.within(tx);
    const current = await readPlan(tx, patientId);
    const author = repo.guard?.principal.fhirUser ?? onBehalfOf;
    let carePlanId: string;
    if (current) {
      const existing = JSON.parse((await r.read('CarePlan', current.carePlanId)).content) as CarePlan;
      const next = carePlanFor(patientId, plan, author ?? existing.author?.reference, current.carePlanId, existing.period?.start ?? now.toISOString());
      carePlanId = (await r.update('CarePlan', current.carePlanId, next)).stored.id;
    } else {
      carePlanId = (await r.create(carePlanFor(patientId, plan, author, undefined, now.toISOString()))).stored.id;
    }
    await tx.query(
      `INSERT INTO monitoring_patients (patient_id, care_plan_id, plan, active, enrolled_at, updated_at) VALUES ($1, $2, $3::jsonb, true, $4, $4)
       ON CONFLICT (patient_id) DO UPDATE SET care_plan_id = EXCLUDED.care_plan_id, plan = EXCLUDED.plan, active = true, updated_at = EXCLUDED.updated_at`,
      [patientId, carePlanId, JSON.stringify(plan), now.toISOString()],
    );
    return { carePlanId, plan };
  });
}
