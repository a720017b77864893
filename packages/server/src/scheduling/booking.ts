import type { Appointment, AppointmentParticipant, Schedule, Slot } from '@medplum/fhirtypes';
import {
  conflict,
  FhirError,
  freeSlots,
  issue,
  outcome,
  readAvailability,
  slotProblem,
  unprocessable,
  visitModeConcept,
  type Availability,
  type IssueCode,
  type VisitMode,
} from '@salus/core';
import { isDenied, type Interaction } from '../access/policy.js';
import { scopeAllows } from '../auth/oauth/scopes.js';
import type { Queryable } from '../db/db.js';
import { parseJson, type FhirRepository } from '../fhir/repository.js';
import { readMany, type StoredVersion } from '../fhir/store.js';
import type { AppointmentChange, AppointmentChangeHook } from './events.js';
import { busyActors, busyPeriods, lockSchedule, localReference } from './schedule-store.js';
import { slotId, type SlotKey } from './slot-id.js';

/**
 * What the booking operations share: who may book for whom, checking a slot inside the schedule's
 * lock, and writing the Slot and the Appointment together.
 */

export interface SchedulingDeps {
  /** The server's own repository, for what the caller may not write directly (a busy Slot). */
  repo: FhirRepository;
  now: () => Date;
  /** Told of every booking change inside its transaction (reminders, notifications). */
  onAppointmentChange?: AppointmentChangeHook;
}

/** A 4xx about one parameter. */
export function paramError(status: number, code: IssueCode, message: string, parameter: string): FhirError {
  return new FhirError(status, outcome(issue('error', code, message, parameter)));
}

/** Appointments in these states still hold their time and may be moved or cancelled. */
const OPEN_STATUSES: ReadonlySet<Appointment['status']> = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist']);

export function isOpen(a: Appointment): boolean {
  return OPEN_STATUSES.has(a.status);
}

/** The patient an appointment is for. */
export function patientOf(a: Appointment): string | undefined {
  const ref = a.participant.map((p) => localReference(p.actor?.reference)).find((r) => r?.startsWith('Patient/'));
  return ref?.slice('Patient/'.length);
}

/** The patient of an appointment the caller may see (404 otherwise). */
export async function appointmentPatient(caller: FhirRepository, id: string): Promise<string> {
  const patientId = patientOf(parseJson<Appointment>((await caller.read('Appointment', id)).content));
  if (!patientId) throw unprocessable(`Appointment/${id} names no patient, so it was not booked here`);
  return patientId;
}

/**
 * The repository the booking of `patientId` is written with, once the caller is known to be
 * allowed: a clinician's or a system client's own, whose access checks decide (a clinician must
 * have the patient in their care); for a patient booking for themselves or a caregiver for their
 * ward, the server's, since patients may not write Appointments directly: these operations are
 * where their bookings are checked. Anyone else gets a 403.
 */
export function bookingRepository(caller: FhirRepository, deps: SchedulingDeps, patientId: string, i: Interaction): FhirRepository {
  const guard = caller.guard;
  if (!guard || !isDenied(guard.decision('Appointment', i))) return caller;
  const p = guard.principal;
  const forOwn = p.roles.some((r) => r === 'patient' || r === 'caregiver') && p.patientIds.includes(patientId);
  // A SMART app acting for the patient needs a scope that allows the write.
  const scoped = !p.scopes || ((scopeAllows(p.scopes, 'Appointment', i, 'patient') || scopeAllows(p.scopes, 'Appointment', i, 'user')) && (!p.launchPatient || p.launchPatient === patientId));
  if (forOwn && scoped) return deps.repo;
  throw guard.refuse({
    type: 'Appointment',
    interaction: i,
    reason: 'appointments are booked and changed by the patient, their caregiver or a clinician caring for them',
    target: `Patient/${patientId}`,
  });
}

/** A time the schedule offers, ready to be written. */
export interface OpenSlot {
  key: SlotKey;
  id: string;
  schedule: Schedule;
  availability: Availability;
  start: string;
  end: string;
  minutes: number;
}

/**
 * Takes the schedule's lock and checks the slot against its availability and everything booked,
 * inside `tx`. `ignore` lists resources being replaced (a moving appointment and its slot), whose
 * time does not count as taken. 404/422 name `slot`; a time just taken is a 409.
 */
export async function claimSlot(tx: Queryable, deps: SchedulingDeps, key: SlotKey, ignore: string[] = []): Promise<OpenSlot> {
  await lockSchedule(tx, key.scheduleId);
  const [stored] = await readMany(tx, [{ resType: 'Schedule', id: key.scheduleId }], { cipher: deps.repo.config.cipher });
  if (!stored || stored.deleted) throw paramError(404, 'not-found', `The slot's schedule (Schedule/${key.scheduleId}) does not exist (any more)`, 'slot');
  const schedule = parseJson<Schedule>(stored.content);
  const availability = readAvailability(schedule);
  if (schedule.active === false || !availability) throw paramError(422, 'business-rule', `Schedule/${key.scheduleId} is not open for booking`, 'slot');
  const now = deps.now();
  const problem = slotProblem({ availability, start: key.start, mode: key.mode, now });
  if (problem) throw paramError(422, 'business-rule', problem.message, 'slot');
  const minutes = availability.visitTypes.find((t) => t.mode === key.mode)!.minutes;
  const startMs = Date.parse(key.start);
  const busy = (await busyPeriods(tx, deps.repo.config.cipher, [{ id: key.scheduleId, actors: busyActors(schedule) }], startMs, startMs, ignore)).get(key.scheduleId)!;
  const [free] = freeSlots({ availability, busy, mode: key.mode, from: key.start, to: new Date(startMs + 1), now });
  if (free?.start !== key.start) throw conflict('That time was just taken; please choose another');
  return { key, id: slotId(key), schedule, availability, start: free.start, end: free.end, minutes };
}

/** Stores the slot as busy (a time booked before and cancelled is the same Slot again). */
export async function occupySlot(tx: Queryable, deps: SchedulingDeps, slot: OpenSlot): Promise<void> {
  const busy: Slot = {
    resourceType: 'Slot',
    id: slot.id,
    schedule: { reference: `Schedule/${slot.key.scheduleId}` },
    status: 'busy',
    start: slot.start,
    end: slot.end,
    serviceType: [visitModeConcept(slot.key.mode)],
    ...(slot.schedule.specialty ? { specialty: slot.schedule.specialty } : {}),
  };
  await deps.repo.within(tx).update('Slot', slot.id, busy);
}

/** Frees the stored Slots an appointment held, so their times can be booked again. */
export async function releaseSlots(tx: Queryable, deps: SchedulingDeps, appointment: Appointment): Promise<void> {
  const ids = (appointment.slot ?? []).map((s) => localReference(s.reference)).filter((r) => r?.startsWith('Slot/')).map((r) => r!.slice('Slot/'.length));
  const stored = await readMany(tx, ids.map((id) => ({ resType: 'Slot', id })), { lock: true, cipher: deps.repo.config.cipher });
  const repo = deps.repo.within(tx);
  for (const s of stored) {
    if (s.deleted) continue;
    const slot = parseJson<Slot>(s.content);
    if (slot.status === 'busy') await repo.update('Slot', s.id, { ...slot, status: 'free' });
  }
}

const PRIMARY_PERFORMER = { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' };

/** The clinician and, for a visit in person, the place the schedule is for. */
export function scheduleParticipants(schedule: Schedule, mode: VisitMode): AppointmentParticipant[] {
  const out: AppointmentParticipant[] = [];
  for (const a of schedule.actor) {
    const ref = localReference(a.reference);
    if (ref?.startsWith('Practitioner/')) out.push({ type: [{ coding: [PRIMARY_PERFORMER] }], actor: { ...a, reference: ref }, required: 'required', status: 'accepted' });
    else if (ref?.startsWith('Location/') && mode === 'in-person') out.push({ actor: { ...a, reference: ref }, required: 'required', status: 'accepted' });
  }
  return out;
}

/** The appointment's fields that come from its slot. */
export function slotFields(slot: OpenSlot): Pick<Appointment, 'start' | 'end' | 'minutesDuration' | 'slot' | 'serviceType'> {
  return {
    serviceType: [visitModeConcept(slot.key.mode)],
    start: slot.start,
    end: slot.end,
    minutesDuration: slot.minutes,
    slot: [{ reference: `Slot/${slot.id}` }],
  };
}

/** Reads an appointment and locks it for the rest of the transaction. */
export async function lockAppointment(tx: Queryable, deps: SchedulingDeps, id: string): Promise<{ stored: StoredVersion; appointment: Appointment }> {
  const [stored] = await readMany(tx, [{ resType: 'Appointment', id }], { lock: true, cipher: deps.repo.config.cipher });
  // It was readable a moment ago; gone now means someone deleted it meanwhile.
  if (!stored || stored.deleted) throw conflict(`Appointment/${id} was deleted meanwhile`);
  return { stored, appointment: parseJson<Appointment>(stored.content) };
}

export async function reportChange(tx: Queryable, deps: SchedulingDeps, change: AppointmentChange): Promise<void> {
  await deps.onAppointmentChange?.(tx, change);
}
