import type { CarePlan } from '@medplum/fhirtypes';
import { CHECK_IN_PLAN_CATEGORY, plannedCheckIn, type CheckInInstrument } from '@salus/core';
import { parseJson, type FhirRepository } from '../fhir/repository.js';

/** The patient's active enrolments in check-ins, newest first (within the repository's reach). */
export async function activeCheckInPlans(repo: FhirRepository, patientId: string): Promise<CarePlan[]> {
  const { page } = await repo.search('CarePlan', [
    ['patient', `Patient/${patientId}`],
    ['status', 'active'],
    ['category', `${CHECK_IN_PLAN_CATEGORY.system}|${CHECK_IN_PLAN_CATEGORY.code}`],
    ['_sort', '-_lastUpdated'],
    ['_count', '100'],
  ]);
  return page.entries.map((e) => parseJson<CarePlan>(e.content));
}

/** The active enrolment in this check-in, if any: the newest, should there be several. */
export async function activeCheckInPlan(repo: FhirRepository, patientId: string, instrument: CheckInInstrument): Promise<CarePlan | undefined> {
  return (await activeCheckInPlans(repo, patientId)).find((p) => plannedCheckIn(p)?.instrument === instrument);
}
