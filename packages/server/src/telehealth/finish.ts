import type { Encounter, OperationDefinition, Parameters } from '@medplum/fhirtypes';
import { badRequest, CALL_OUTCOME_EXTENSION, CALL_OUTCOMES, callOutcomeCoding, conflict, isCallOutcome, type CallOutcome } from '@salus/core';
import type { FhirOperation } from '../fhir/service.js';
import { FHIR_JSON, type FhirRequest, type OperationContext, type FhirResponse } from '../fhir/interaction.js';
import { findEncounter, newEncounter, readVisit, requireRole, serverRepo, visitOperationDefinition, type VisitDeps } from './visits.js';

const OUTCOME_CODES = Object.keys(CALL_OUTCOMES).join(', ');

/** Appointment/[id]/$finish: the clinician ends the visit. */
export const finishDefinition: OperationDefinition = visitOperationDefinition('finish', {
  name: 'Finish',
  title: 'Finish a video or phone visit',
  description:
    "The appointment's clinician ends the visit: the Encounter is finished (period.end) and the Appointment fulfilled. A phone visit records how the call went; when nobody answered, the Appointment is a no-show.",
  inputs: [{ name: 'outcome', use: 'in', min: 0, max: '1', type: 'code', documentation: `Phone visits only, and required for them: ${OUTCOME_CODES}` }],
});

/** The `outcome` parameter, from the query or a Parameters body. */
function outcomeParam(request: FhirRequest): string | undefined {
  const fromQuery = request.query.find(([k]) => k === 'outcome')?.[1];
  if (fromQuery !== undefined) return fromQuery;
  const body = request.body as Parameters | undefined;
  if (body === undefined) return undefined;
  if (body.resourceType !== 'Parameters') throw badRequest('The body of $finish must be a Parameters resource');
  const p = body.parameter?.find((x) => x.name === 'outcome');
  return p && (p.valueCode ?? p.valueString ?? '');
}

export function finishOperation(deps: VisitDeps): FhirOperation {
  const handler = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw badRequest('$finish is invoked with POST');
    const visit = await readVisit(ctx.repo, ctx.id!);
    requireRole(visit, ctx.repo.guard?.principal, 'practitioner', 'finish this visit');
    const a = visit.appointment;
    if (visit.mode === 'in-person') throw badRequest(`Appointment/${a.id} is an in-person visit; $finish is for video and phone visits`);
    const given = outcomeParam(ctx.request);
    let outcome: CallOutcome | undefined;
    if (visit.mode === 'phone') {
      if (given === undefined) throw badRequest(`A phone visit is finished with its outcome (${OUTCOME_CODES})`, 'outcome');
      if (!isCallOutcome(given)) throw badRequest(`outcome must be one of ${OUTCOME_CODES}, not '${given}'`, 'outcome');
      outcome = given;
    } else if (given !== undefined) {
      throw badRequest('outcome is recorded for phone visits only', 'outcome');
    }
    if (a.status !== 'arrived' && a.status !== 'booked' && a.status !== 'checked-in') throw conflict(`Appointment/${a.id} is already ${a.status}`);
    const now = deps.now().toISOString();
    const encounter = await ctx.repo.db.transaction(async (tx) => {
      const repo = ctx.repo.within(tx);
      const found = await findEncounter(repo, a.id);
      if (!found && visit.mode === 'video') throw conflict('The visit has not started: the patient never checked in');
      if (found && found.encounter.status !== 'arrived' && found.encounter.status !== 'in-progress') {
        throw conflict(`The visit's Encounter/${found.encounter.id} is already ${found.encounter.status}`);
      }
      const base: Encounter = found?.encounter ?? newEncounter(visit, 'in-progress', now);
      const finished: Encounter = {
        ...base,
        status: 'finished',
        period: { ...base.period, end: now },
        ...(outcome ? { extension: [...(base.extension ?? []).filter((x) => x.url !== CALL_OUTCOME_EXTENSION), { url: CALL_OUTCOME_EXTENSION, valueCoding: callOutcomeCoding(outcome) }] } : {}),
      };
      // A call to a number nobody answered is a missed appointment, as a patient not coming in would be.
      const status = outcome === 'no-answer' ? 'noshow' : 'fulfilled';
      await repo.update('Appointment', a.id, { ...a, status }, { ifMatch: Number(a.meta?.versionId) });
      const { stored } = found
        ? await repo.update('Encounter', found.encounter.id, finished, { ifMatch: Number(found.encounter.meta?.versionId) })
        : await serverRepo(repo).create(finished, { ifNoneExist: `appointment=Appointment/${a.id}` });
      ctx.repo.guard?.touched.add(`Encounter/${stored.id}`);
      await deps.bus.publish({ kind: 'room', appointment: a.id, signal: { type: 'ended' } }, tx);
      await deps.bus.publish({ kind: 'desk', practitioner: visit.practitioner, signal: { type: 'visit', appointment: a.id, event: 'finished' } }, tx);
      return stored;
    });
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: encounter.content };
  };
  return { key: 'Appointment/:id/$finish', handler, definition: finishDefinition };
}
