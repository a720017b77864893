import type { Communication } from '@medplum/fhirtypes';
import type { VisitRole } from '@salus/core';
import { AccessGuard } from '../access/guard.js';
import { interactionEntry, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { FhirRepository } from '../fhir/repository.js';

/** The visit a chat line belongs to. */
export interface ChatVisit {
  appointment: string;
  encounter: string;
  patientId: string;
  practitioner: string;
}

/**
 * Keeps an in-call chat line in the record, as a FHIR Communication of the visit's Encounter from
 * one side to the other. Written as the sender, through the same access check and audit as any
 * other write, so a chat line is a record entry like a message sent through the inbox.
 */
export async function saveChatLine(
  deps: { repo: FhirRepository; audit: AuditSink },
  principal: Principal,
  meta: { ip?: string; userAgent?: string },
  visit: ChatVisit,
  role: VisitRole,
  text: string,
  sent: Date,
): Promise<{ id: string; sent: string }> {
  const patient = `Patient/${visit.patientId}`;
  const communication: Communication = {
    resourceType: 'Communication',
    status: 'completed',
    subject: { reference: patient },
    encounter: { reference: visit.encounter },
    about: [{ reference: `Appointment/${visit.appointment}` }],
    sent: sent.toISOString(),
    sender: { reference: role === 'practitioner' ? visit.practitioner : (principal.fhirUser ?? patient) },
    recipient: [{ reference: role === 'practitioner' ? patient : visit.practitioner }],
    payload: [{ contentString: text }],
  };
  const guard = new AccessGuard(principal);
  let status = 201;
  let error: string | undefined;
  try {
    const { stored } = await deps.repo.as(guard).create(communication);
    return { id: stored.id, sent: communication.sent! };
  } catch (e) {
    status = typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number' ? e.status : 500;
    error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    await deps.audit.append(await interactionEntry(deps.repo.db, principal, guard, meta, { action: 'C', subtype: 'create', query: 'Communication', status, ...(error ? { error } : {}) }));
  }
}

