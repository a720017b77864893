import type { Schedule, Slot } from '@medplum/fhirtypes';
import { AVAILABILITY_URL, badRequest, invalidResource, issue, scheduleAvailabilityIssues, TIMEZONE_URL } from '@salus/core';
import type { AccessGuard } from '../access/guard.js';
import type { Interaction } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Queryable } from '../db/db.js';
import { parseJson, type WriteRule } from '../fhir/repository.js';
import type { PendingWrite, StoredVersion } from '../fhir/store.js';
import { localReference } from './schedule-store.js';
import { MAX_SCHEDULE_ID_LENGTH } from './slot-id.js';

/**
 * What a Schedule and its Slots must satisfy on every write. A clinician's availability decides
 * when patients can book them, so only that clinician (an actor of the Schedule) and
 * administrators may change it, and a Schedule's stored availability must be one the booking
 * operations can read.
 */

/** Administrators and Backend Services clients keep everyone's schedules. */
function managesAllSchedules(p: Principal): boolean {
  return p.roles.includes('admin') || (p.kind === 'client' && !p.accountId);
}

const interactionOf = (write: PendingWrite, current: StoredVersion | undefined): Interaction => (write.deleted ? 'd' : current ? 'u' : 'c');

/** The references of `code` in the new version's index rows (already `Type/id` for local ones). */
const indexed = (write: PendingWrite, code: string): string[] => write.rows.reference.filter((r) => r.code === code && r.ref !== null).map((r) => r.ref!);

function refuse(guard: AccessGuard, type: string, i: Interaction, target: string, reason: string): never {
  throw guard.refuse({ type, interaction: i, reason, target });
}

const scheduleRule: WriteRule = async (_q, { write, current }, guard) => {
  if (!write.deleted) {
    const schedule = parseJson<Schedule>(write.content);
    const issues = scheduleAvailabilityIssues(schedule);
    if (issues.length > 0) {
      // FHIRPath to the field, ending in the availability's own path (`weekly[1].end`) that forms show beside their inputs.
      const at = (path: string): string => (path === 'timeZone' ? `Schedule.extension('${TIMEZONE_URL}')` : `Schedule.extension('${AVAILABILITY_URL}')${path ? `.${path}` : ''}`);
      throw invalidResource(issues.map((x) => issue('error', 'invariant', `Availability ${x.path}: ${x.message}`, at(x.path))));
    }
    if (write.id.length > MAX_SCHEDULE_ID_LENGTH && schedule.extension?.some((e) => e.url === AVAILABILITY_URL)) {
      throw badRequest(`A Schedule with availability needs an id of at most ${MAX_SCHEDULE_ID_LENGTH} characters, so that its slots can be named after it`, 'Schedule.id');
    }
  }
  if (!guard || managesAllSchedules(guard.principal)) return;
  const me = guard.principal.fhirUser;
  const target = `Schedule/${write.id}`;
  const i = interactionOf(write, current);
  // Both sides count: nobody takes over a colleague's schedule, nor gives theirs away.
  const before = current && !current.deleted ? parseJson<Schedule>(current.content).actor.map((a) => localReference(a.reference)) : undefined;
  const after = write.deleted ? undefined : indexed(write, 'actor');
  for (const actors of [before, after]) {
    if (actors && (!me || !actors.includes(me))) refuse(guard, 'Schedule', i, target, 'a Schedule may be changed only by the practitioner it belongs to or an administrator');
  }
};

/** The actors of each Schedule named, read inside the write's transaction. */
async function scheduleActors(q: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  const r = await q.query<{ res_id: string; ref: string }>(
    `SELECT res_id, ref FROM sp_reference WHERE res_type = 'Schedule' AND code = 'actor' AND res_id = ANY($1::text[]) AND ref IS NOT NULL`,
    [ids],
  );
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const row of r.rows) out.get(row.res_id)!.push(row.ref);
  return out;
}

const slotRule: WriteRule = async (q, { write, current }, guard) => {
  if (!guard || managesAllSchedules(guard.principal)) return;
  const me = guard.principal.fhirUser;
  const schedules = new Set<string>();
  if (current && !current.deleted) schedules.add(localReference(parseJson<Slot>(current.content).schedule.reference) ?? '');
  if (!write.deleted) for (const ref of indexed(write, 'schedule')) schedules.add(ref);
  const ids = [...schedules].map((s) => (s.startsWith('Schedule/') ? s.slice('Schedule/'.length) : ''));
  const actors = await scheduleActors(q, ids.filter(Boolean));
  for (const id of ids) {
    if (!me || !actors.get(id)?.includes(me)) {
      refuse(guard, 'Slot', interactionOf(write, current), `Slot/${write.id}`, 'Slots may be changed only on your own Schedule');
    }
  }
};

/** The write rules of the scheduling domain, for RepositoryConfig.writeRules. */
export const SCHEDULING_WRITE_RULES: Readonly<Record<string, WriteRule>> = { Schedule: scheduleRule, Slot: slotRule };
