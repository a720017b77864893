import type { Encounter, OperationDefinition } from '@medplum/fhirtypes';
import { badRequest, conflict } from '@salus/core';
import type { FhirOperation } from '../fhir/service.js';
import { FHIR_JSON, type OperationContext, type FhirResponse } from '../fhir/interaction.js';
import type { FhirRepository } from '../fhir/repository.js';
import { findEncounter, newEncounter, readVisit, requireJoinable, requireRole, serverRepo, visitOperationDefinition, type Visit, type VisitDeps } from './visits.js';

/** Appointment/[id]/$admit: the clinician lets the patient in and the visit begins. */
export const admitDefinition: OperationDefinition = visitOperationDefinition('admit', {
  name: 'Admit',
  title: 'Admit the patient to a video or phone visit',
  description:
    "The appointment's clinician starts the visit: the Encounter becomes in-progress. A video visit needs the patient checked in; a phone visit is started by the clinician calling, and opens its Encounter here.",
});

/** The visit's Encounter in progress: the checked-in one moved on, or for a phone call a new one. */
async function startEncounter(repo: FhirRepository, visit: Visit, now: Date): Promise<{ id: string; content: string }> {
  const found = await findEncounter(repo, visit.appointment.id);
  if (found) {
    const e = found.encounter;
    if (e.status === 'in-progress') return { id: e.id, content: found.content };
    if (e.status !== 'arrived') throw conflict(`The visit's Encounter/${e.id} is ${e.status}`);
    const { stored } = await repo.update('Encounter', e.id, { ...e, status: 'in-progress' } satisfies Encounter, { ifMatch: Number(e.meta?.versionId) });
    return stored;
  }
  // Nobody checks in to a phone call: the clinician's call is the start of the visit.
  if (visit.mode !== 'phone') throw conflict('The patient has not checked in yet; they can be admitted once they are in the waiting room');
  const { stored } = await serverRepo(repo).create(newEncounter(visit, 'in-progress', now.toISOString()), { ifNoneExist: `appointment=Appointment/${visit.appointment.id}` });
  return stored;
}

export function admitOperation(deps: VisitDeps): FhirOperation {
  const handler = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw badRequest('$admit is invoked with POST');
    const visit = await readVisit(ctx.repo, ctx.id!);
    requireRole(visit, ctx.repo.guard?.principal, 'practitioner', 'admit the patient');
    const now = deps.now();
    requireJoinable(visit, now);
    const a = visit.appointment;
    const encounter = await ctx.repo.db.transaction(async (tx) => {
      const repo = ctx.repo.within(tx);
      const started = await startEncounter(repo, visit, now);
      if (a.status !== 'arrived') await repo.update('Appointment', a.id, { ...a, status: 'arrived' }, { ifMatch: Number(a.meta?.versionId) });
      ctx.repo.guard?.touched.add(`Encounter/${started.id}`);
      await deps.bus.publish({ kind: 'room', appointment: a.id, signal: { type: 'admitted', encounter: `Encounter/${started.id}` } }, tx);
      await deps.bus.publish({ kind: 'desk', practitioner: visit.practitioner, signal: { type: 'visit', appointment: a.id, event: 'admitted' } }, tx);
      return started;
    });
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: encounter.content };
  };
  return { key: 'Appointment/:id/$admit', handler, definition: admitDefinition };
}
