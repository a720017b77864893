import type { Appointment, Schedule, Slot } from '@medplum/fhirtypes';
import { type Period } from '@salus/core';
import type { ContentCipher } from '../crypto/cipher.js';
import { openStored } from '../crypto/stored-content.js';
import type { Queryable } from '../db/db.js';
import { parseJson } from '../fhir/repository.js';

/**
 * The scheduling domain's reads that the search API cannot express: busy periods of many schedules
 * at once (their Slots and their clinicians' Appointments, whatever the caller may read, since
 * only the times leave), and the lock that makes booking one schedule a queue.
 */

/** Slots that take the time: booked, blocked, or held. */
const BUSY_SLOT_STATUSES: ReadonlySet<string> = new Set(['busy', 'busy-unavailable', 'busy-tentative']);
/** Appointments that still hold their clinician's time. */
const ACTIVE_APPOINTMENT_STATUSES: ReadonlySet<string> = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in']);

/**
 * Busy periods are fetched by start; one that starts this long before a query still reaches into
 * it. Longer blocks of time off belong in the availability's exceptions.
 */
const LOOKBACK_MS = 24 * 3_600_000;
/** A visit (at most 4 h) and its buffer (at most 2 h) may run past the end of a query. */
const LOOKAHEAD_MS = 6 * 3_600_000;

// Namespaces the advisory lock: the two-key form never meets the single-key locks used elsewhere.
const SCHEDULE_LOCK_CLASS = 0x5c4ed;

/** Serializes bookings of one schedule until the transaction ends. */
export async function lockSchedule(tx: Queryable, scheduleId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEDULE_LOCK_CLASS, scheduleId]);
}

export interface ScheduleBusyQuery {
  id: string;
  /** The references whose Appointments keep this schedule busy (its clinician's, or its room's). */
  actors: string[];
}

/** `Type/id` of a reference to this server, relative or absolute, as the search index keeps it. */
export function localReference(reference: string | undefined): string | undefined {
  return /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '')?.[1];
}

/** Who a schedule is for when it comes to being busy: its practitioners, or else whatever it names. */
export function busyActors(schedule: Schedule): string[] {
  const refs = schedule.actor.map((a) => localReference(a.reference)).filter((r): r is string => r !== undefined);
  const practitioners = refs.filter((r) => r.startsWith('Practitioner/'));
  return practitioners.length > 0 ? practitioners : refs;
}

/**
 * Busy periods of each schedule starting within [from - lookback, to + lookahead), by schedule id.
 * `ignore` leaves out resources being replaced (an appointment that is moving, and its slot).
 */
export async function busyPeriods(
  q: Queryable,
  cipher: ContentCipher | undefined,
  schedules: ScheduleBusyQuery[],
  from: number,
  to: number,
  ignore: string[] = [],
): Promise<Map<string, Period[]>> {
  const out = new Map<string, Period[]>(schedules.map((s) => [s.id, []]));
  if (schedules.length === 0) return out;
  const low = new Date(from - LOOKBACK_MS).toISOString();
  const high = new Date(to + LOOKAHEAD_MS).toISOString();
  const open = (r: Row): string => openStored(cipher, r.res_type, r.id, r.version_id, r.content);
  // Rows in the window are found by date, then kept by reference with `res_id = ANY(ARRAY(...))`:
  // that form reaches the res_id indexes whatever the planner believes about table sizes (a
  // fresh database has no statistics, and a plan from the reference side would read every
  // schedule's whole history). Statuses are read from the content, which is parsed anyway.
  const [slots, appointments] = await Promise.all([
    q.query<Row & { schedule_id: string }>(
      `SELECT s.target_id AS schedule_id, r.res_type, r.id, r.version_id, r.content
       FROM sp_reference s JOIN resources r ON r.res_type = 'Slot' AND r.id = s.res_id
       WHERE s.res_id = ANY(ARRAY(SELECT d.res_id FROM sp_date d WHERE d.res_type = 'Slot' AND d.code = 'start' AND d.low >= $2 AND d.low < $3))
         AND s.res_type = 'Slot' AND s.code = 'schedule' AND s.target_type = 'Schedule' AND s.target_id = ANY($1::text[])
         AND NOT r.deleted AND r.id <> ALL($4::text[])`,
      [schedules.map((s) => s.id), low, high, ignore],
    ),
    q.query<Row & { ref: string }>(
      `SELECT a.ref, r.res_type, r.id, r.version_id, r.content
       FROM sp_reference a JOIN resources r ON r.res_type = 'Appointment' AND r.id = a.res_id
       WHERE a.res_id = ANY(ARRAY(SELECT d.res_id FROM sp_date d WHERE d.res_type = 'Appointment' AND d.code = 'date' AND d.low >= $2 AND d.low < $3))
         AND a.res_type = 'Appointment' AND a.code = 'actor' AND a.ref = ANY($1::text[])
         AND NOT r.deleted AND r.id <> ALL($4::text[])`,
      [[...new Set(schedules.flatMap((s) => s.actors))], low, high, ignore],
    ),
  ]);
  for (const row of slots.rows) {
    const slot = parseJson<Slot>(open(row));
    if (BUSY_SLOT_STATUSES.has(slot.status)) out.get(row.schedule_id)?.push({ start: slot.start, end: slot.end });
  }
  const byActor = new Map<string, string[]>();
  for (const s of schedules) for (const a of s.actors) byActor.set(a, [...(byActor.get(a) ?? []), s.id]);
  for (const row of appointments.rows) {
    const a = parseJson<Appointment>(open(row));
    if (!a.start || !ACTIVE_APPOINTMENT_STATUSES.has(a.status)) continue;
    const end = a.end ?? new Date(Date.parse(a.start) + (a.minutesDuration ?? 0) * 60_000).toISOString();
    for (const id of byActor.get(row.ref) ?? []) out.get(id)!.push({ start: a.start, end });
  }
  return out;
}

interface Row {
  res_type: string;
  id: string;
  version_id: number;
  content: string;
}
