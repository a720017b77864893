import type { IANAZone } from 'luxon';
import { VISIT_MODES, type VisitMode } from '../visit-modes.js';
import { minutesOfDay, momentOf, WEEKDAYS, type Availability, type VisitType, type Weekday } from './availability.js';
import { DAY_MS, ianaZone, localInstant, localMillis, type LocalInstant } from './wall-clock.js';

/**
 * Bookable times. Each day's visits are laid out on the clinician's wall clock from the start of
 * each block of weekly hours, one visit plus its buffer after another, so that a 09:00 start stays
 * 09:00 local through daylight-saving changes and everyone sees the same grid. Busy periods only
 * remove times from the grid; they never shift it, so a time offered once stays valid until taken.
 */

/** An instant: an ISO 8601 string with offset, or a Date. */
export type InstantInput = string | Date;

export interface Period {
  start: string;
  end: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const ms = (t: InstantInput): number => (typeof t === 'string' ? Date.parse(t) : t.getTime());
/** An instant as FHIR text in UTC; whole-minute instants print without the milliseconds. */
export const utcInstant = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

/** A period in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

/** A calendar day where the clinician is, as local milliseconds of its midnight (see wall-clock.ts). */
interface LocalDay {
  midnight: number;
  weekday: Weekday;
}

/**
 * The visits of one kind that fit one local day's weekly hours, in order, none overlapping the
 * previous one or its buffer.
 */
function dayGrid(a: Availability, zone: IANAZone, visit: VisitType, day: LocalDay): Span[] {
  const windows = a.weekly
    .filter((w) => w.days.includes(day.weekday))
    .map((w) => ({ from: minutesOfDay(w.start)!, to: minutesOfDay(w.end)! }))
    .sort((x, y) => x.from - y.from);
  const length = visit.minutes * MINUTE_MS;
  const buffer = visit.bufferMinutes * MINUTE_MS;
  const step = visit.minutes + visit.bufferMinutes;
  const at = (minutes: number): LocalInstant => localInstant(zone, day.midnight + minutes * MINUTE_MS);
  const out: Span[] = [];
  let free = -Infinity;
  for (const w of windows) {
    const opens = at(w.from);
    // A closing time the clock skips stands for the first real time after it.
    const closes = at(w.to).at;
    // Nearly always the offset is the same all through the block and times follow by arithmetic;
    // on a changeover day each wall time is placed on its own.
    const steady = opens.exists && closes - opens.at === (w.to - w.from) * MINUTE_MS;
    for (let m = w.from; m + visit.minutes <= w.to; m += step) {
      let start = opens.at + (m - w.from) * MINUTE_MS;
      if (!steady) {
        const t = at(m);
        if (!t.exists) continue;
        start = t.at;
      }
      if (start < free || start + length > closes) continue;
      out.push({ start, end: start + length });
      free = start + length + buffer;
    }
  }
  return out;
}

/** Local calendar days from the one holding instant `from` to the one holding instant `to`. */
function localDays(zone: IANAZone, from: number, to: number): LocalDay[] {
  const first = Math.floor(localMillis(zone, from) / DAY_MS) * DAY_MS;
  const last = localMillis(zone, to);
  const days: LocalDay[] = [];
  // getUTCDay counts from Sunday, WEEKDAYS from Monday.
  for (let midnight = first; midnight <= last; midnight += DAY_MS) days.push({ midnight, weekday: WEEKDAYS[(new Date(midnight).getUTCDay() + 6) % 7]! });
  return days;
}

const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

function clearOf(s: Span, blocked: Span[]): boolean {
  for (const b of blocked) if (overlaps(s, b)) return false;
  return true;
}

function exceptionSpans(a: Availability): Span[] {
  return a.exceptions.map((x) => ({ start: momentOf(x.start, a.timeZone)!, end: momentOf(x.end, a.timeZone, true)! }));
}

/** Where bookings stop: the same wall time `horizonDays` calendar days ahead where the clinician is. */
function horizonEnd(a: Availability, zone: IANAZone, now: number): number {
  return localInstant(zone, localMillis(zone, now) + a.horizonDays * DAY_MS).at;
}

export interface FreeSlotsQuery {
  availability: Availability;
  /** Booked or blocked periods; a visit may not overlap one, nor come within its own buffer of one. */
  busy: Period[];
  mode: VisitMode;
  /** Visits starting from here (inclusive)… */
  from: InstantInput;
  /** …to here (exclusive). */
  to: InstantInput;
  now: InstantInput;
}

/** The free visits of one kind starting in [from, to), as UTC instants, in order. */
export function freeSlots(q: FreeSlotsQuery): Period[] {
  return freeSpans(q).map((s) => ({ start: utcInstant(s.start), end: utcInstant(s.end) }));
}

/**
 * freeSlots in epoch milliseconds, for callers that sort and count many schedules' times and print
 * only a page of them.
 */
export function freeSpans(q: FreeSlotsQuery): Span[] {
  const a = q.availability;
  const visit = a.visitTypes.find((t) => t.mode === q.mode);
  if (!visit) return [];
  const zone = ianaZone(a.timeZone);
  const now = ms(q.now);
  const from = Math.max(ms(q.from), now + a.minNoticeHours * HOUR_MS);
  const to = Math.min(ms(q.to), horizonEnd(a, zone, now));
  if (!(from < to)) return [];
  const buffer = visit.bufferMinutes * MINUTE_MS;
  const blocked = [
    ...exceptionSpans(a),
    // The buffer keeps the visit clear of busy periods on both sides.
    ...q.busy.map((b) => ({ start: ms(b.start) - buffer, end: ms(b.end) + buffer })),
  ];
  const out: Span[] = [];
  for (const day of localDays(zone, from, to)) {
    for (const s of dayGrid(a, zone, visit, day)) {
      if (s.start >= from && s.start < to && clearOf(s, blocked)) out.push(s);
    }
  }
  return out;
}

/** Why a visit cannot be booked at `start` whatever else is booked, by reason. */
export interface SlotProblem {
  reason: 'visit-type' | 'past' | 'notice' | 'horizon' | 'closed' | 'exception';
  message: string;
}

/**
 * Whether the availability itself offers a visit of `mode` at `start`: the kind is offered, the time
 * is not past, inside the notice period or beyond the horizon, lies on the day's grid and not in
 * time off. Undefined when it does; other bookings are for the caller to check.
 */
export function slotProblem(q: { availability: Availability; start: InstantInput; mode: VisitMode; now: InstantInput }): SlotProblem | undefined {
  const a = q.availability;
  const visit = a.visitTypes.find((t) => t.mode === q.mode);
  if (!visit) return { reason: 'visit-type', message: `${VISIT_MODES[q.mode].label} visits are not offered on this schedule` };
  const zone = ianaZone(a.timeZone);
  const start = ms(q.start);
  const now = ms(q.now);
  if (start < now) return { reason: 'past', message: 'The time is in the past' };
  if (start < now + a.minNoticeHours * HOUR_MS) return { reason: 'notice', message: `Visits must be booked at least ${a.minNoticeHours} hours ahead` };
  if (start >= horizonEnd(a, zone, now)) return { reason: 'horizon', message: `Visits can be booked at most ${a.horizonDays} days ahead` };
  const [day] = localDays(zone, start, start);
  const slot = dayGrid(a, zone, visit, day!).find((s) => s.start === start);
  if (!slot) return { reason: 'closed', message: 'The time is not one of the clinician’s bookable times' };
  if (exceptionSpans(a).some((x) => overlaps(slot, x))) return { reason: 'exception', message: 'The clinician is away at that time' };
  return undefined;
}
