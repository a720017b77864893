import { DateTime, IANAZone } from 'luxon';
import { DAY_MS, ianaZone, localInstant } from './wall-clock.js';
import { isVisitMode, VISIT_MODES, type VisitMode } from '../visit-modes.js';

/**
 * When a clinician can be booked: weekly hours in their own time zone, time off, the kinds of visit
 * they offer and how long each takes, and how close to and how far ahead of a visit patients may
 * book. Stored on their FHIR Schedule (availability-extension.ts); free times come from
 * free-slots.ts.
 */

/** Days as FHIR codes them (days-of-week), Monday first as ISO 8601 and luxon number them. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface WeeklyHours {
  days: Weekday[];
  /** Local wall-clock time, HH:mm. */
  start: string;
  /** HH:mm, later than `start` on the same day. */
  end: string;
}

/**
 * Time off. Whole days as dates (YYYY-MM-DD, `end` being the last day off, in the clinician's
 * zone) or exact instants with an offset (`end` excluded).
 */
export interface AvailabilityException {
  start: string;
  end: string;
  reason?: string;
}

export interface VisitType {
  mode: VisitMode;
  minutes: number;
  /** Kept free after each visit of this kind before the next one may start. */
  bufferMinutes: number;
}

export interface Availability {
  /** IANA zone of the clinician or location; the weekly hours are wall-clock times there. */
  timeZone: string;
  weekly: WeeklyHours[];
  exceptions: AvailabilityException[];
  visitTypes: VisitType[];
  /** No booking closer than this to the start. */
  minNoticeHours: number;
  /** No booking further ahead than this. */
  horizonDays: number;
}

export interface AvailabilityIssue {
  /** The field at fault, e.g. `weekly[1].end`. */
  path: string;
  message: string;
}

/** The bounds the booking screens offer; anything outside them is a typing slip. */
export const AVAILABILITY_LIMITS = {
  minutes: { min: 5, max: 240 },
  bufferMinutes: { min: 0, max: 120 },
  minNoticeHours: { min: 0, max: 720 },
  horizonDays: { min: 1, max: 365 },
} as const;

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// An instant must say its offset: a bare local time would mean different moments in different zones.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Minutes after midnight of an `HH:mm` time, or undefined when it is not one. */
export function minutesOfDay(time: string): number | undefined {
  const m = HH_MM.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

// Checking a zone builds an Intl formatter, far slower than everything else a search does per
// schedule; the answers are kept (for a bounded number of names, whatever clients send).
const zoneChecks = new Map<string, boolean>();

export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  let valid = zoneChecks.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneChecks.size < 1000) zoneChecks.set(zone, valid);
  }
  return valid;
}

/**
 * The moment a date or instant stands for, in epoch milliseconds: a date's midnight in `zone` (the
 * next midnight with `endOfDay`, for a last day that is itself included), or the instant itself,
 * which must carry its offset. Undefined when the text is neither.
 */
export function momentOf(value: string, zone: string, endOfDay = false): number | undefined {
  if (DATE.test(value)) {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const midnight = Date.UTC(y, m - 1, d);
    // Date.UTC rolls 30 February over into March; a real date reads back the same.
    if (new Date(midnight).toISOString().slice(0, 10) !== value) return undefined;
    return localInstant(ianaZone(zone), midnight + (endOfDay ? DAY_MS : 0)).at;
  }
  if (!INSTANT.test(value)) return undefined;
  const t = DateTime.fromISO(value, { setZone: true });
  return t.isValid ? t.toMillis() : undefined;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkRange(issues: AvailabilityIssue[], path: string, value: unknown, limits: { min: number; max: number }, integer: boolean, what: string): void {
  if (!isNumber(value)) issues.push({ path, message: `${what} must be a number` });
  else if (integer && !Number.isInteger(value)) issues.push({ path, message: `${what} must be a whole number` });
  else if (value < limits.min || value > limits.max) issues.push({ path, message: `${what} must be between ${limits.min} and ${limits.max}` });
}

function checkWeekly(issues: AvailabilityIssue[], weekly: unknown): void {
  if (!Array.isArray(weekly)) {
    issues.push({ path: 'weekly', message: 'Weekly hours must be a list' });
    return;
  }
  // Hours already accepted, per day, to find two entries covering the same time.
  const taken = new Map<Weekday, { from: number; to: number; index: number }[]>();
  weekly.forEach((w: unknown, i) => {
    const at = `weekly[${i}]`;
    if (!isObject(w)) {
      issues.push({ path: at, message: 'Each entry of weekly hours must be an object' });
      return;
    }
    const days = w.days;
    let validDays: Weekday[] = [];
    if (!Array.isArray(days) || days.length === 0) issues.push({ path: `${at}.days`, message: 'Choose at least one day' });
    else if (!days.every((d) => (WEEKDAYS as readonly unknown[]).includes(d))) issues.push({ path: `${at}.days`, message: `Days must be among ${WEEKDAYS.join(', ')}` });
    else if (new Set(days).size !== days.length) issues.push({ path: `${at}.days`, message: 'A day is listed twice' });
    else validDays = days as Weekday[];
    const from = typeof w.start === 'string' ? minutesOfDay(w.start) : undefined;
    const to = typeof w.end === 'string' ? minutesOfDay(w.end) : undefined;
    if (from === undefined) issues.push({ path: `${at}.start`, message: 'Start must be a time of day as HH:mm' });
    if (to === undefined) issues.push({ path: `${at}.end`, message: 'End must be a time of day as HH:mm' });
    if (from === undefined || to === undefined) return;
    if (to <= from) {
      issues.push({ path: `${at}.end`, message: 'End must be later than start on the same day' });
      return;
    }
    for (const day of validDays) {
      const list = taken.get(day) ?? [];
      const clash = list.find((o) => from < o.to && o.from < to);
      if (clash) {
        issues.push({ path: `${at}.start`, message: `Overlaps weekly[${clash.index}] on ${day}` });
        return;
      }
      list.push({ from, to, index: i });
      taken.set(day, list);
    }
  });
}

function checkExceptions(issues: AvailabilityIssue[], exceptions: unknown, zone: string | undefined): void {
  if (!Array.isArray(exceptions)) {
    issues.push({ path: 'exceptions', message: 'Time off must be a list' });
    return;
  }
  exceptions.forEach((x: unknown, i) => {
    const at = `exceptions[${i}]`;
    if (!isObject(x)) {
      issues.push({ path: at, message: 'Each time off must be an object' });
      return;
    }
    // Without a valid zone dates cannot be placed; the zone's own issue says why.
    const bound = (side: 'start' | 'end'): number | undefined => {
      const v = x[side];
      const placed = typeof v === 'string' ? momentOf(v, zone ?? 'UTC', side === 'end') : undefined;
      if (placed === undefined) issues.push({ path: `${at}.${side}`, message: `${side === 'start' ? 'Start' : 'End'} must be a date (YYYY-MM-DD) or an instant with its offset` });
      return placed;
    };
    const start = bound('start');
    const end = bound('end');
    if (start !== undefined && end !== undefined && end <= start) issues.push({ path: `${at}.end`, message: 'End must not be before start' });
    if (x.reason !== undefined && typeof x.reason !== 'string') issues.push({ path: `${at}.reason`, message: 'Reason must be text' });
  });
}

function checkVisitTypes(issues: AvailabilityIssue[], types: unknown): void {
  if (!Array.isArray(types) || types.length === 0) {
    issues.push({ path: 'visitTypes', message: 'Offer at least one kind of visit' });
    return;
  }
  const seen = new Set<VisitMode>();
  types.forEach((t: unknown, i) => {
    const at = `visitTypes[${i}]`;
    if (!isObject(t)) {
      issues.push({ path: at, message: 'Each kind of visit must be an object' });
      return;
    }
    if (!isVisitMode(t.mode)) issues.push({ path: `${at}.mode`, message: `The kind of visit must be one of ${Object.keys(VISIT_MODES).join(', ')}` });
    else if (seen.has(t.mode)) issues.push({ path: `${at}.mode`, message: `${VISIT_MODES[t.mode].label} visits are listed twice` });
    else seen.add(t.mode);
    checkRange(issues, `${at}.minutes`, t.minutes, AVAILABILITY_LIMITS.minutes, true, 'Length in minutes');
    checkRange(issues, `${at}.bufferMinutes`, t.bufferMinutes, AVAILABILITY_LIMITS.bufferMinutes, true, 'Gap after a visit');
  });
}

/** Every problem with a would-be Availability, each naming its field; empty when it is sound. */
export function availabilityIssues(a: unknown): AvailabilityIssue[] {
  if (!isObject(a)) return [{ path: '', message: 'Availability must be an object' }];
  const issues: AvailabilityIssue[] = [];
  const zone = isTimeZone(a.timeZone) ? a.timeZone : undefined;
  if (!zone) issues.push({ path: 'timeZone', message: 'Time zone must be an IANA zone such as America/Los_Angeles' });
  checkWeekly(issues, a.weekly);
  checkExceptions(issues, a.exceptions, zone);
  checkVisitTypes(issues, a.visitTypes);
  checkRange(issues, 'minNoticeHours', a.minNoticeHours, AVAILABILITY_LIMITS.minNoticeHours, false, 'Notice in hours');
  checkRange(issues, 'horizonDays', a.horizonDays, AVAILABILITY_LIMITS.horizonDays, true, 'Days bookable ahead');
  return issues;
}
