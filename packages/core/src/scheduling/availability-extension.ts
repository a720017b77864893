import type { Extension, Schedule } from '@medplum/fhirtypes';
import { availabilityIssues, type Availability, type AvailabilityIssue } from './availability.js';

/**
 * An Availability on its FHIR Schedule: the zone in the standard timezone extension (so other FHIR
 * software can place the schedule's times), the rest as one complex extension of Salus, and
 * `planningHorizon` spanning the bookable days for clients that know neither.
 */

export const TIMEZONE_URL = 'http://hl7.org/fhir/StructureDefinition/timezone';
export const AVAILABILITY_URL = 'https://salus.health/fhir/StructureDefinition/availability';

const DAY_MS = 86_400_000;

/** FHIR `time` needs seconds; availability works in whole minutes. */
const toFhirTime = (hhmm: string): string => `${hhmm}:00`;
const fromFhirTime = (time: string): string => (/^\d{2}:\d{2}:00$/.test(time) ? time.slice(0, 5) : time);

const part = (ext: Extension, url: string): Extension[] => (ext.extension ?? []).filter((e) => e.url === url);
const first = (ext: Extension, url: string): Extension | undefined => part(ext, url)[0];

/**
 * The availability as stored, field by field, without judging it: what a Schedule written by
 * hand or by another program says, for availabilityIssues to check. Undefined when it has none.
 */
export function decodeAvailability(schedule: Pick<Schedule, 'extension'>): Record<string, unknown> | undefined {
  const ext = schedule.extension?.find((e) => e.url === AVAILABILITY_URL);
  if (!ext) return undefined;
  const numberOf = (e: Extension | undefined): number | undefined => {
    const v = e?.valueDecimal ?? e?.valueInteger ?? e?.valuePositiveInt ?? e?.valueUnsignedInt;
    // Decimals whose text a double would alter arrive as FhirDecimal objects; Number reads both.
    return v === undefined ? undefined : Number(v);
  };
  const timeOf = (e: Extension | undefined): string | undefined => (e?.valueTime === undefined ? undefined : fromFhirTime(e.valueTime));
  const instantOf = (e: Extension | undefined): string | undefined => e?.valueDate ?? e?.valueDateTime ?? e?.valueInstant;
  return {
    timeZone: schedule.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode,
    weekly: part(ext, 'weekly').map((w) => ({
      days: part(w, 'day').map((d) => d.valueCode),
      start: timeOf(first(w, 'start')),
      end: timeOf(first(w, 'end')),
    })),
    exceptions: part(ext, 'exception').map((x) => {
      const reason = first(x, 'reason')?.valueString;
      return { start: instantOf(first(x, 'start')), end: instantOf(first(x, 'end')), ...(reason === undefined ? {} : { reason }) };
    }),
    visitTypes: part(ext, 'visitType').map((t) => ({
      mode: first(t, 'mode')?.valueCode,
      minutes: numberOf(first(t, 'minutes')),
      bufferMinutes: numberOf(first(t, 'bufferMinutes')),
    })),
    minNoticeHours: numberOf(first(ext, 'minNoticeHours')),
    horizonDays: numberOf(first(ext, 'horizonDays')),
  };
}

/** The problems with a Schedule's stored availability; empty when it has none or it is sound. */
export function scheduleAvailabilityIssues(schedule: Pick<Schedule, 'extension'>): AvailabilityIssue[] {
  const decoded = decodeAvailability(schedule);
  return decoded ? availabilityIssues(decoded) : [];
}

/** The Schedule's availability, or undefined when it has none (or a malformed one, which cannot be booked). */
export function readAvailability(schedule: Schedule): Availability | undefined {
  const decoded = decodeAvailability(schedule);
  return decoded && availabilityIssues(decoded).length === 0 ? (decoded as unknown as Availability) : undefined;
}

/**
 * The Schedule with `a` as its availability, replacing any before. `planningHorizon` covers the
 * bookable days as of `now`; the rolling horizon itself is `horizonDays`, re-evaluated at every
 * search.
 */
export function withAvailability(schedule: Schedule, a: Availability, now: Date = new Date()): Schedule {
  const bound = (url: 'start' | 'end', value: string): Extension =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) ? { url, valueDate: value } : { url, valueDateTime: value };
  const availability: Extension = {
    url: AVAILABILITY_URL,
    extension: [
      ...a.weekly.map((w) => ({
        url: 'weekly',
        extension: [...w.days.map((d) => ({ url: 'day', valueCode: d })), { url: 'start', valueTime: toFhirTime(w.start) }, { url: 'end', valueTime: toFhirTime(w.end) }],
      })),
      ...a.exceptions.map((x) => ({
        url: 'exception',
        extension: [
          bound('start', x.start),
          bound('end', x.end),
          // FHIR strings may not be empty: a blank reason is no reason.
          ...(x.reason?.trim() ? [{ url: 'reason', valueString: x.reason.trim() }] : []),
        ],
      })),
      ...a.visitTypes.map((t) => ({
        url: 'visitType',
        extension: [
          { url: 'mode', valueCode: t.mode },
          { url: 'minutes', valuePositiveInt: t.minutes },
          { url: 'bufferMinutes', valueUnsignedInt: t.bufferMinutes },
        ],
      })),
      { url: 'minNoticeHours', valueDecimal: a.minNoticeHours },
      { url: 'horizonDays', valuePositiveInt: a.horizonDays },
    ],
  };
  const others = (schedule.extension ?? []).filter((e) => e.url !== AVAILABILITY_URL && e.url !== TIMEZONE_URL);
  return {
    ...schedule,
    extension: [...others, { url: TIMEZONE_URL, valueCode: a.timeZone }, availability],
    planningHorizon: { start: now.toISOString(), end: new Date(now.getTime() + a.horizonDays * DAY_MS).toISOString() },
  };
}
