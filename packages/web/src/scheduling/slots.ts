import type { Schedule, Slot } from '@medplum/fhirtypes';
import { TIMEZONE_URL } from '@salus/core';
import { dayKey, formatDate, type FormatOptions } from '../lib/format.js';

/**
 * Free times as people choose them: grouped by the day they fall on where the reader is, with the
 * clinician's own time zone named when it differs, so that a patient in New York booking a
 * clinician in Oregon is never three hours out.
 */


export interface SlotDay {
  /** YYYY-MM-DD where the reader is. */
  key: string;
  /** "Mon, 7 Dec". */
  label: string;
  slots: Slot[];
}

export function groupByDay(slots: Slot[], options: FormatOptions = {}): SlotDay[] {
  const days = new Map<string, Slot[]>();
  for (const s of slots) {
    const key = dayKey(s.start, options);
    const list = days.get(key) ?? [];
    list.push(s);
    days.set(key, list);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => ({ key, label: dayLabel(key, options.locale), slots: list.sort((a, b) => a.start.localeCompare(b.start)) }));
}

/** A calendar day (YYYY-MM-DD) as "Mon, 7 Dec" in the reader's language. */
export function dayLabel(key: string, locale?: string): string {
  const [y, m, d] = key.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y!, m! - 1, d!));
}

/** The IANA time zone a schedule's times are kept in, if it names one. */
export function scheduleZone(schedule: Schedule | undefined): string | undefined {
  return schedule?.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode;
}

/** The reader's own IANA time zone. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A zone as people say it ("Pacific Standard Time"), at the moment given (names change with daylight saving). */
export function zoneName(timeZone: string, at: Date = new Date(), locale?: string): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'long' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** Whether two zones show the same clock time at `at` (different names, same offset count as one). */
export function sameClock(a: string, b: string, at: Date = new Date()): boolean {
  const f = (timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', day: '2-digit' }).format(at);
  return f(a) === f(b);
}

/** The day `days` after a YYYY-MM-DD day. */
export function addDays(key: string, days: number): string {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/** Today (YYYY-MM-DD) where the reader is. */
export function today(options: FormatOptions = {}, now: Date = new Date()): string {
  return dayKey(now.toISOString(), options);
}

/** "7–13 Dec 2026": a week of days for the navigation between weeks. */
export function rangeLabel(first: string, last: string, locale?: string): string {
  const a = formatDate(first, { locale });
  const b = formatDate(last, { locale });
  return a === b ? a : `${a} – ${b}`;
}
