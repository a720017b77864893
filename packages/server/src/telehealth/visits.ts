import type { Appointment, Encounter, OperationDefinition, OperationDefinitionParameter } from '@medplum/fhirtypes';
import { conflict, forbidden, parseReference, unprocessable, VISIT_MODES, visitModeOf, type VisitMode, type VisitRole } from '@salus/core';
import type { Principal } from '../access/principal.js';
import { FhirRepository, parseJson } from '../fhir/repository.js';
import type { VisitBus } from './visit-bus.js';

/** What the visit operations need besides the caller's repository. */
export interface VisitDeps {
  bus: VisitBus;
  now: () => Date;
}

/** An appointment seen as a virtual visit: who takes part and how. */
export interface Visit {
  appointment: Appointment & { id: string };
  mode: VisitMode;
  patientId: string;
  /** `Practitioner/id` of the clinician who sees the patient. */
  practitioner: string;
}

/** Appointment statuses of a visit that has not happened yet. */
const OPEN_STATUSES: ReadonlySet<string> = new Set(['booked', 'arrived', 'checked-in']);

function actorOf(appointment: Appointment, type: string): string | undefined {
  for (const p of appointment.participant ?? []) {
    const ref = p.actor?.reference && parseReference(p.actor.reference);
    if (ref && ref.resourceType === type) return `${type}/${ref.id}`;
  }
  return undefined;
}

export function visitOf(appointment: Appointment): Visit {
  const patient = actorOf(appointment, 'Patient');
  const practitioner = actorOf(appointment, 'Practitioner');
  if (!patient || !practitioner) {
    throw unprocessable(`Appointment/${appointment.id} needs a patient and a practitioner among its participants to be a visit`, 'Appointment.participant');
  }
  return { appointment: appointment as Visit['appointment'], mode: visitModeOf(appointment), patientId: patient.slice('Patient/'.length), practitioner };
}

export async function readVisit(repo: FhirRepository, appointmentId: string): Promise<Visit> {
  const stored = await repo.read('Appointment', appointmentId);
  return visitOf(parseJson<Appointment>(stored.content));
}

/**
 * Which side of the visit the caller is on: the patient's (the patient, or a caregiver for them)
 * or the clinician's. Tokens of third-party apps are not let in: a visit is joined from Salus
 * itself, with the person's own session.
 */
export function roleIn(visit: Visit, p: Principal | undefined): VisitRole | undefined {
  if (!p || p.scopes || !p.accountId) return undefined;
  if (p.fhirUser === visit.practitioner && p.roles.includes('practitioner')) return 'practitioner';
  if (p.patientIds.includes(visit.patientId) && (p.roles.includes('patient') || p.roles.includes('caregiver'))) return 'patient';
  return undefined;
}

export function requireRole(visit: Visit, p: Principal | undefined, role: VisitRole, doing: string): void {
  if (roleIn(visit, p) === role) return;
  throw forbidden(role === 'patient' ? `Only the patient, or a caregiver for them, can ${doing}` : `Only the clinician of this visit can ${doing}`);
}

/** Whether `instant` falls on the same calendar day as `now`, in the time zone offset it was written with. */
export function sameDay(instant: string, now: Date): boolean {
  const m = /(Z|([+-])(\d{2}):(\d{2}))$/.exec(instant);
  if (!m || Number.isNaN(Date.parse(instant))) return false;
  const offsetMinutes = m[1] === 'Z' ? 0 : (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4]));
  const nowThere = new Date(now.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
  return instant.slice(0, 10) === nowThere;
}

/**
 * A virtual visit that can be joined now: video or phone, still booked (or arrived), and on
 * today's date. Each refusal says which of these it is.
 */
export function requireJoinable(visit: Visit, now: Date, modes: readonly VisitMode[] = ['video', 'phone']): void {
  const a = visit.appointment;
  if (!modes.includes(visit.mode)) {
    const wanted = modes.map((m) => VISIT_MODES[m].label.toLowerCase()).join(' or ');
    throw unprocessable(`Appointment/${a.id} is ${visit.mode === 'in-person' ? 'an in-person' : `a ${visit.mode}`} visit, not a ${wanted} visit`, 'Appointment.serviceType');
  }
  if (!OPEN_STATUSES.has(a.status)) throw conflict(`Appointment/${a.id} is ${a.status}; only a booked visit can be joined`);
  if (!a.start) throw unprocessable(`Appointment/${a.id} has no start time`, 'Appointment.start');
  if (!sameDay(a.start, now)) {
    throw conflict(`Appointment/${a.id} is on ${a.start.slice(0, 10)}; a visit can be joined on its day only`);
  }
}

/** The Encounter that follows the appointment, if the visit has begun, with its stored JSON. */
export async function findEncounter(repo: FhirRepository, appointmentId: string): Promise<{ encounter: Encounter & { id: string }; content: string } | undefined> {
  const { page } = await repo.search('Encounter', [['appointment', `Appointment/${appointmentId}`], ['_count', '1']]);
  const hit = page.entries[0];
  return hit && { encounter: parseJson<Encounter & { id: string }>(hit.content), content: hit.content };
}

/** The Encounter a virtual visit opens: class VR, for the appointment, with its patient and clinician. */
export function newEncounter(visit: Visit, status: 'arrived' | 'in-progress', start: string): Encounter {
  const a = visit.appointment;
  const ref = (reference: string, display?: string) => (display ? { reference, display } : { reference });
  const actor = (type: string) => a.participant?.find((p) => p.actor?.reference && parseReference(p.actor.reference)?.resourceType === type)?.actor;
  return {
    resourceType: 'Encounter',
    status,
    class: VISIT_MODES[visit.mode].encounterClass,
    ...(a.serviceType?.[0] ? { serviceType: a.serviceType[0] } : {}),
    ...(a.appointmentType ? { type: [a.appointmentType] } : {}),
    subject: ref(`Patient/${visit.patientId}`, actor('Patient')?.display),
    participant: [
      {
        type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }] }],
        individual: ref(visit.practitioner, actor('Practitioner')?.display),
      },
    ],
    appointment: [{ reference: `Appointment/${a.id}` }],
    period: { start },
    ...(a.reasonCode ? { reasonCode: a.reasonCode } : {}),
    ...(a.reasonReference ? { reasonReference: a.reasonReference } : {}),
  };
}

/** The repository without the caller's guard, inside the same transaction: the workflow's own writes. */
export function serverRepo(repo: FhirRepository): FhirRepository {
  return repo.guard ? new FhirRepository(repo.db, repo.config) : repo;
}

/** The definition of a visit operation on an Appointment instance, which returns the visit's Encounter. */
export function visitOperationDefinition(
  code: string,
  o: { name: string; title: string; description: string; inputs?: OperationDefinitionParameter[] },
): OperationDefinition {
  return {
    resourceType: 'OperationDefinition',
    id: `Appointment-${code}`,
    url: `https://salus.example/fhir/OperationDefinition/Appointment-${code}`,
    name: o.name,
    title: o.title,
    status: 'active',
    kind: 'operation',
    code,
    description: o.description,
    resource: ['Appointment'],
    system: false,
    type: false,
    instance: true,
    parameter: [...(o.inputs ?? []), { name: 'return', use: 'out', min: 1, max: '1', type: 'Encounter', documentation: "The visit's Encounter" }],
  };
}
