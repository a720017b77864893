import type { CarePlan, Observation, Parameters, QuestionnaireResponse } from '@medplum/fhirtypes';
import { CHECK_IN_PLAN_CATEGORY, CHECK_INS, endedCheckInPlan, type CheckInSchedule } from '@salus/core';
import { FHIR_BASE, search, updateResource } from '../api/fhir.js';
import { request } from '../api/http.js';
import { readSubmitResult, type SubmitResult } from './check-ins.js';

const FHIR_JSON = 'application/fhir+json';

/** A patient's check-ins: enrolments (ended ones too, newest first), answers and scores. */
export interface CheckInRecord {
  plans: CarePlan[];
  responses: QuestionnaireResponse[];
  scores: Observation[];
}

export async function loadCheckIns(patientId: string, signal?: AbortSignal): Promise<CheckInRecord> {
  const codes = CHECK_INS.flatMap((c) => (c.score ? [`${c.score.code.system}|${c.score.code.code}`] : []));
  const [plans, responses, scores] = await Promise.all([
    search<CarePlan>('CarePlan', { patient: patientId, category: `${CHECK_IN_PLAN_CATEGORY.system}|${CHECK_IN_PLAN_CATEGORY.code}`, _sort: '-_lastUpdated', _count: 100 }, signal),
    search<QuestionnaireResponse>('QuestionnaireResponse', { subject: `Patient/${patientId}`, status: 'completed', _sort: '-authored', _count: 200 }, signal),
    search<Observation>('Observation', { subject: `Patient/${patientId}`, code: codes.join(','), _sort: 'date', _count: 500 }, signal),
  ]);
  return { plans, responses, scores };
}

/** Sends the answers; the server stores them with the score and, if needed, the care team's task, in one go. */
export async function submitCheckIn(response: QuestionnaireResponse): Promise<SubmitResult> {
  const p = await request<Parameters>(`${FHIR_BASE}/QuestionnaireResponse/$submit`, { method: 'POST', body: response, contentType: FHIR_JSON });
  return readSubmitResult(p);
}

export function enrolInCheckIns(patientId: string, questionnaire: string, schedule: CheckInSchedule): Promise<CarePlan> {
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'questionnaire', valueCanonical: questionnaire },
      { name: 'period', valuePositiveInt: schedule.period },
      { name: 'periodUnit', valueCode: schedule.periodUnit },
    ],
  };
  return request<CarePlan>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$enrol-check-in`, { method: 'POST', body, contentType: FHIR_JSON });
}

export function endEnrolment(plan: CarePlan & { id: string }): Promise<CarePlan> {
  return updateResource({ ...endedCheckInPlan(plan, new Date()), id: plan.id });
}
