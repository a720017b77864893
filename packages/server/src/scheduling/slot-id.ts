import { isValidId, type VisitMode } from '@salus/core';

/**
 * Free slots are computed, not stored, so their id carries what booking one needs: the schedule,
 * the start (UTC, to the minute) and the kind of visit, e.g. `demo-schedule-dr-okafor.202603091700.v`.
 * The same id names the busy Slot stored when the time is booked, so one time is one Slot.
 */

const MODE_LETTER: Readonly<Record<VisitMode, string>> = { 'in-person': 'i', video: 'v', phone: 'p' };
const LETTER_MODE: Readonly<Record<string, VisitMode>> = { i: 'in-person', v: 'video', p: 'phone' };

const SUFFIX_LENGTH = '.yyyyMMddHHmm.v'.length;
/** The longest Schedule id whose slots still have valid ids (FHIR ids are at most 64 characters). */
export const MAX_SCHEDULE_ID_LENGTH = 64 - SUFFIX_LENGTH;

const SLOT_ID = /^([A-Za-z0-9\-.]+)\.(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\.([ivp])$/;

export interface SlotKey {
  scheduleId: string;
  /** UTC instant, `YYYY-MM-DDTHH:mm:00Z`. */
  start: string;
  mode: VisitMode;
}

export function slotId(key: SlotKey): string {
  const t = new Date(key.start);
  if (t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0) throw new Error(`Slot start ${key.start} is not on a whole minute`);
  const stamp = t.toISOString().slice(0, 16).replace(/[-T:]/g, '');
  return `${key.scheduleId}.${stamp}.${MODE_LETTER[key.mode]}`;
}

/** The slot an id names, or undefined when the id is not one `slotId` makes. */
export function parseSlotId(id: string): SlotKey | undefined {
  const m = isValidId(id) ? SLOT_ID.exec(id) : null;
  if (!m) return undefined;
  const [, scheduleId, y, mo, d, h, mi, letter] = m as unknown as [string, string, string, string, string, string, string, string];
  const start = `${y}-${mo}-${d}T${h}:${mi}:00Z`;
  // Date.parse accepts 2026-02-30; the round trip does not.
  if (Number.isNaN(Date.parse(start)) || new Date(start).toISOString().slice(0, 16) !== start.slice(0, 16)) return undefined;
  return { scheduleId, start, mode: LETTER_MODE[letter]! };
}
