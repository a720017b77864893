import type { Appointment, Bundle, Encounter, Patient, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import { VISIT_MODES, visitModeConcept, visitModeOf, type VisitMode, type WaitingRoomSignal } from '@salus/core';
import { FHIR_BASE } from '../api/fhir.js';
import { request } from '../api/http.js';
import { dayKey, formatName } from '../lib/format.js';

/**
 * A video or phone visit as the screens need it: the Appointment, who takes part, and the
 * Encounter once the visit has begun. Read in one search (`_include`, `_revinclude`).
 */
export interface VisitDetails {
  appointment: Appointment & { id: string };
  mode: VisitMode;
  patientId?: string;
  /** `Practitioner/id` of the clinician. */
  practitionerRef?: string;
  patient?: Patient;
  practitioner?: Practitioner;
  encounter?: Encounter & { id: string };
}

const FHIR_JSON = 'application/fhir+json';
/** The serviceType codes of virtual visits, for searches. */
export const VIRTUAL_SERVICE_TYPES = (['video', 'phone'] as const)
  .map((m) => {
    const c = visitModeConcept(m).coding![0]!;
    return `${c.system}|${c.code}`;
  })
  .join(',');

/** `Type/id` of the first participant of that type. */
export function participantRef(appointment: Appointment, type: string): string | undefined {
  return appointment.participant?.map((p) => p.actor?.reference).find((r): r is string => !!r && r.startsWith(`${type}/`));
}

/** The visit among the resources of a search for it. */
export function visitDetails(bundle: Bundle, appointmentId: string): VisitDetails | undefined {
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
  const appointment = resources.find((r): r is Appointment & { id: string } => r.resourceType === 'Appointment' && r.id === appointmentId);
  if (!appointment) return undefined;
  const patientRef = participantRef(appointment, 'Patient');
  const practitionerRef = participantRef(appointment, 'Practitioner');
  const byRef = <T>(ref: string | undefined): T | undefined => (ref ? (resources.find((r) => `${r.resourceType}/${r.id}` === ref) as T | undefined) : undefined);
  const encounter = resources.find((r): r is Encounter & { id: string } => r.resourceType === 'Encounter' && !!r.appointment?.some((a) => a.reference === `Appointment/${appointmentId}`));
  const details: VisitDetails = { appointment, mode: visitModeOf(appointment) };
  if (patientRef) details.patientId = patientRef.slice('Patient/'.length);
  if (practitionerRef) details.practitionerRef = practitionerRef;
  const patient = byRef<Patient>(patientRef);
  const practitioner = byRef<Practitioner>(practitionerRef);
  if (patient) details.patient = patient;
  if (practitioner) details.practitioner = practitioner;
  if (encounter) details.encounter = encounter;
  return details;
}

export async function loadVisit(appointmentId: string, signal?: AbortSignal): Promise<VisitDetails> {
  const q = new URLSearchParams([
    ['_id', appointmentId],
    ['_include', 'Appointment:patient'],
    ['_include', 'Appointment:practitioner'],
    ['_revinclude', 'Encounter:appointment'],
  ]);
  const bundle = await request<Bundle>(`${FHIR_BASE}/Appointment?${q}`, { signal });
  const visit = visitDetails(bundle, appointmentId);
  if (!visit) throw new Error('This visit was not found. It may have been cancelled, or it is not one of yours.');
  return visit;
}

/** The visit operations of the server (Appointment/$check-in, $admit, $finish). */
export function visitOperation(appointmentId: string, name: 'check-in' | 'admit' | 'finish', outcome?: string): Promise<Encounter> {
  const body = outcome ? { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: outcome }] } : undefined;
  return request<Encounter>(`${FHIR_BASE}/Appointment/${encodeURIComponent(appointmentId)}/$${name}`, {
    method: 'POST',
    ...(body ? { body, contentType: FHIR_JSON } : {}),
  });
}

/** Whether a visit can be joined now: booked or checked in, on today's date. */
export function joinableToday(appointment: Appointment, now: Date = new Date()): boolean {
  if (appointment.status !== 'booked' && appointment.status !== 'arrived' && appointment.status !== 'checked-in') return false;
  return !!appointment.start && dayKey(appointment.start) === dayKey(now.toISOString());
}

/** "Video visit", "Phone visit". */
export function modeLabel(mode: VisitMode): string {
  return `${VISIT_MODES[mode].label} visit`;
}

export function personName(r: Patient | Practitioner | RelatedPerson | undefined, fallback = ''): string {
  return formatName(r?.name) || fallback;
}

/** The phone numbers to call a patient on, as tel: links (the number kept to digits and a leading +). */
export function phoneLinks(patient: Patient | undefined): { label: string; number: string; href: string }[] {
  return (patient?.telecom ?? [])
    .filter((t) => t.system === 'phone' && t.value && t.period?.end === undefined)
    .sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))
    .map((t) => {
      const digits = t.value!.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
      return { label: t.use ? `${t.use[0]!.toUpperCase()}${t.use.slice(1)}` : 'Phone', number: t.value!, href: `tel:${digits}` };
    })
    .filter((l) => /\d{3,}/.test(l.href));
}

/** One line of the clinician's waiting room. */
export interface WaitingRow {
  appointment: Appointment & { id: string };
  mode: VisitMode;
  patient?: Patient;
  encounter?: Encounter;
  /** Checked in (video) or under way. */
  arrived: boolean;
  /** In the visit's room right now (the page is open). */
  online: boolean;
  done: boolean;
}

/** Today's virtual visits of a clinician from the search, earliest first. */
export function waitingRows(bundle: Bundle, online: ReadonlySet<string>): WaitingRow[] {
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r) => r !== undefined);
  const patients = new Map(resources.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [`Patient/${p.id}`, p]));
  const encounters = new Map(
    resources.filter((r): r is Encounter => r.resourceType === 'Encounter').flatMap((e) => (e.appointment ?? []).map((a) => [a.reference ?? '', e] as const)),
  );
  return resources
    .filter((r): r is Appointment & { id: string } => r.resourceType === 'Appointment')
    .map((a) => {
      const patient = patients.get(participantRef(a, 'Patient') ?? '');
      const encounter = encounters.get(`Appointment/${a.id}`);
      return {
        appointment: a,
        mode: visitModeOf(a),
        ...(patient ? { patient } : {}),
        ...(encounter ? { encounter } : {}),
        arrived: a.status === 'arrived' || a.status === 'checked-in',
        online: online.has(a.id),
        done: a.status === 'fulfilled' || a.status === 'noshow',
      };
    })
    .sort((x, y) => (x.appointment.start ?? '').localeCompare(y.appointment.start ?? ''));
}

/** Who is in their visit's room, after a waiting-room event. */
export function applyPresence(online: ReadonlySet<string>, e: WaitingRoomSignal): Set<string> {
  const next = new Set(online);
  if (e.event === 'patient-joined') next.add(e.appointment);
  if (e.event === 'patient-left' || e.event === 'finished') next.delete(e.appointment);
  return next;
}

/** Events after which the list is read again (the Appointment changed). */
export function changesList(e: WaitingRoomSignal): boolean {
  return e.event === 'checked-in' || e.event === 'admitted' || e.event === 'finished';
}

/** The search for one clinician's virtual visits on the day of `now` (the reader's day). */
export function waitingRoomQuery(practitioner: string, now: Date = new Date()): URLSearchParams {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return new URLSearchParams([
    ['practitioner', practitioner],
    ['date', `ge${start.toISOString()}`],
    ['date', `lt${end.toISOString()}`],
    ['service-type', VIRTUAL_SERVICE_TYPES],
    ['status', 'booked,arrived,checked-in,fulfilled,noshow'],
    ['_include', 'Appointment:patient'],
    ['_revinclude', 'Encounter:appointment'],
    ['_sort', 'date'],
    ['_count', '100'],
  ]);
}
