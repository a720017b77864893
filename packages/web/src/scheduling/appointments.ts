import type { Appointment } from '@medplum/fhirtypes';
import { visitModeOf } from '@salus/core';

/** Where a patient's appointments stand in time: the record's summary and the appointments page agree. */

/** Statuses of a visit still to come. */
const ACTIVE: ReadonlySet<Appointment['status']> = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist']);
/** A video visit can be joined this long before it starts. */
export const JOIN_EARLY_MS = 15 * 60_000;

/** Visits still ahead (or under way), soonest first; and the rest, latest first. */
export function splitAppointments(list: readonly Appointment[], now: Date): { upcoming: Appointment[]; past: Appointment[] } {
  const upcoming: Appointment[] = [];
  const past: Appointment[] = [];
  for (const a of list) {
    const end = Date.parse(a.end ?? a.start ?? '');
    if (ACTIVE.has(a.status) && end >= now.getTime()) upcoming.push(a);
    else past.push(a);
  }
  const start = (a: Appointment): number => Date.parse(a.start ?? '') || 0;
  upcoming.sort((a, b) => start(a) - start(b));
  past.sort((a, b) => start(b) - start(a));
  return { upcoming, past };
}

/** Whether a video visit can be joined now: from a little before its start until its end. */
export function canJoin(a: Appointment, now: Date): boolean {
  if (visitModeOf(a) !== 'video' || !ACTIVE.has(a.status) || !a.start) return false;
  const start = Date.parse(a.start);
  const end = Date.parse(a.end ?? a.start) || start;
  return now.getTime() >= start - JOIN_EARLY_MS && now.getTime() <= end;
}
