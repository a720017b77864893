import { IANAZone } from 'luxon';

/**
 * Wall-clock times of an IANA zone and the instants they are. Times are handled as "local
 * milliseconds": the wall clock read as if it were UTC (Date.UTC of its fields), so calendar
 * arithmetic is plain arithmetic. Only the zone's UTC offsets come from the time-zone database.
 */

const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

const zones = new Map<string, IANAZone>();

// Many clinicians share a zone, their hours and the bounds of a search: the same questions come
// back again and again, and reading an offset is the slow part (Intl formatting). The answers
// never change, so they are kept, up to a bound.
const MEMO_LIMIT = 100_000;
const locals = new Map<string, number>();
const instants = new Map<string, LocalInstant>();

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

export function ianaZone(name: string): IANAZone {
  let z = zones.get(name);
  if (!z) zones.set(name, (z = IANAZone.create(name)));
  return z;
}

/** The wall clock in `zone` at an instant, as local milliseconds. */
export function localMillis(zone: IANAZone, instant: number): number {
  const key = `${zone.name}@${instant}`;
  let local = locals.get(key);
  if (local === undefined) {
    local = instant + zone.offset(instant) * MINUTE_MS;
    remember(locals, key, local);
  }
  return local;
}

export interface LocalInstant {
  /** The instant the wall time is; for a time the clock skips, the instant as far past the gap as the time is into it. */
  at: number;
  /** False inside a spring-forward gap. */
  exists: boolean;
}


/**
 * The instant a local wall time is in `zone`. A time repeated when the clocks go back is its
 * first occurrence, so the answer never depends on when it is asked.
 */
export function localInstant(zone: IANAZone, local: number): LocalInstant {
  const key = `${zone.name}|${local}`;
  let hit = instants.get(key);
  if (hit) return hit;
  // Offsets in force a day either side bracket any change on this day.
  const before = zone.offset(local - DAY_MS);
  const after = zone.offset(local + DAY_MS);
  let at: number | undefined;
  for (const o of before === after ? [before] : [before, after]) {
    const t = local - o * MINUTE_MS;
    if (zone.offset(t) === o && (at === undefined || t < at)) at = t;
  }
  hit = at === undefined ? { at: local - before * MINUTE_MS, exists: false } : { at, exists: true };
  remember(instants, key, hit);
  return hit;
}
