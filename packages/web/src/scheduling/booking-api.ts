import type { Appointment, Bundle, Location, Parameters, Patient, Practitioner, Schedule, Slot } from '@medplum/fhirtypes';
import type { VisitMode } from '@salus/core';
import { FHIR_BASE, searchBundle } from '../api/fhir.js';
import { request } from '../api/http.js';

/**
 * The scheduling operations of the FHIR API: free times from `Schedule/$find`, and bookings made,
 * moved and cancelled through `Appointment/$book`, `$reschedule` and `$cancel`, which hold the
 * slot and the appointment together so that two people never get the same time.
 */

const FHIR_JSON = 'application/fhir+json';

export interface FreeTimes {
  slots: Slot[];
  /** The schedules the slots belong to, by `Schedule/id`. */
  schedules: Map<string, Schedule>;
  /** Who and where the schedules are for, by `Practitioner/id` / `Location/id`. */
  actors: Map<string, Practitioner | Location>;
}

export interface FindQuery {
  mode: VisitMode;
  /** First day (YYYY-MM-DD) or instant. */
  start: string;
  /** Day after the last (YYYY-MM-DD) or instant. */
  end: string;
  practitioner?: string | undefined;
}

export async function findFreeTimes(q: FindQuery, signal?: AbortSignal): Promise<FreeTimes> {
  const params: Record<string, string> = { 'visit-type': q.mode, start: q.start, end: q.end, _count: '500' };
  if (q.practitioner) params.practitioner = q.practitioner;
  const bundle = await searchBundle('Schedule/$find', params, signal);
  return splitFreeTimes(bundle);
}

export function splitFreeTimes(bundle: Bundle): FreeTimes {
  const out: FreeTimes = { slots: [], schedules: new Map(), actors: new Map() };
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (r?.resourceType === 'Slot') out.slots.push(r);
    else if (r?.resourceType === 'Schedule') out.schedules.set(`Schedule/${r.id}`, r);
    else if (r?.resourceType === 'Practitioner' || r?.resourceType === 'Location') out.actors.set(`${r.resourceType}/${r.id}`, r);
  }
  out.slots.sort((a, b) => a.start.localeCompare(b.start));
  return out;
}

function parameters(parts: Record<string, { reference: string } | string | undefined>): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(parts)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([name, v]) => (typeof v === 'string' ? { name, valueString: v } : { name, valueReference: v! })),
  };
}

function operation<T>(path: string, body: Parameters): Promise<T> {
  return request<T>(`${FHIR_BASE}/${path}`, { method: 'POST', body, contentType: FHIR_JSON });
}

export function bookSlot(slotId: string, patientId: string, reason?: string): Promise<Appointment> {
  return operation('Appointment/$book', parameters({ slot: { reference: `Slot/${slotId}` }, patient: { reference: `Patient/${patientId}` }, reason: reason?.trim() }));
}

export function rescheduleAppointment(appointmentId: string, slotId: string): Promise<Appointment> {
  return operation(`Appointment/${encodeURIComponent(appointmentId)}/$reschedule`, parameters({ slot: { reference: `Slot/${slotId}` } }));
}

export function cancelAppointment(appointmentId: string, reason?: string): Promise<Appointment> {
  return operation(`Appointment/${encodeURIComponent(appointmentId)}/$cancel`, parameters({ reason: reason?.trim() }));
}

export function markNoShow(appointmentId: string): Promise<Appointment> {
  return operation(`Appointment/${encodeURIComponent(appointmentId)}/$no-show`, parameters({}));
}

/** Appointments with the people and places they name, in one round trip. */
export interface AppointmentList {
  appointments: Appointment[];
  /** Practitioners, patients and locations by `Type/id`. */
  named: Map<string, Practitioner | Patient | Location>;
}

export async function listAppointments(criteria: [string, string][], signal?: AbortSignal): Promise<AppointmentList> {
  const params = new URLSearchParams([...criteria, ['_include', 'Appointment:actor'], ['_count', '200']]);
  const bundle = await searchBundle('Appointment', params, signal);
  const out: AppointmentList = { appointments: [], named: new Map() };
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (!r) continue;
    if (r.resourceType === 'Appointment' && e.search?.mode !== 'include') out.appointments.push(r);
    else if (r.resourceType === 'Practitioner' || r.resourceType === 'Patient' || r.resourceType === 'Location') out.named.set(`${r.resourceType}/${r.id}`, r);
  }
  out.appointments.sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
  return out;
}

/** The participant of an appointment of one type (`Patient`, `Practitioner`, `Location`). */
export function participant(appointment: Appointment, type: 'Patient' | 'Practitioner' | 'Location'): string | undefined {
  return appointment.participant?.map((p) => p.actor?.reference).find((r): r is string => !!r && r.startsWith(`${type}/`));
}
