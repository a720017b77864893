import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { badRequest } from '@salus/core';
import type { FhirOperation } from '../fhir/service.js';
import { FHIR_JSON, type OperationContext, type FhirResponse } from '../fhir/interaction.js';
import { newEncounter, readVisit, requireJoinable, requireRole, serverRepo, visitOperationDefinition, type VisitDeps } from './visits.js';

/** Appointment/[id]/$check-in: the patient is in the virtual waiting room. */
export const checkInDefinition: OperationDefinition = visitOperationDefinition('check-in', {
  name: 'CheckIn',
  title: 'Check in to a video or phone visit',
  description:
    'The patient (or a caregiver for them) arrives for a video or phone visit of today: the Appointment becomes arrived and an Encounter (class VR, status arrived) is opened for it, once.',
});

export function checkInOperation(deps: VisitDeps): FhirOperation {
  const handler = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw badRequest('$check-in is invoked with POST');
    const visit = await readVisit(ctx.repo, ctx.id!);
    requireRole(visit, ctx.repo.guard?.principal, 'patient', 'check in to this visit');
    const now = deps.now();
    requireJoinable(visit, now);
    const a = visit.appointment;
    const encounter = await ctx.repo.db.transaction(async (tx) => {
      // Patients write neither Appointments nor Encounters themselves: arriving for their own
      // visit (checked above) marks the one and opens the other, once however often they check
      // in (the condition is checked under a lock).
      const repo = serverRepo(ctx.repo.within(tx));
      if (a.status !== 'arrived') {
        const arrived: Appointment = { ...a, status: 'arrived' };
        await repo.update('Appointment', a.id, arrived, { ifMatch: Number(a.meta?.versionId) });
      }
      const opened = await repo.create(newEncounter(visit, 'arrived', now.toISOString()), { ifNoneExist: `appointment=Appointment/${a.id}` });
      ctx.repo.guard?.touched.add(`Appointment/${a.id}`);
      ctx.repo.guard?.touched.add(`Encounter/${opened.stored.id}`);
      await deps.bus.publish({ kind: 'desk', practitioner: visit.practitioner, signal: { type: 'visit', appointment: a.id, event: 'checked-in' } }, tx);
      return opened.stored;
    });
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: encounter.content };
  };
  return { key: 'Appointment/:id/$check-in', handler, definition: checkInDefinition };
}
