import type { OperationDefinition, Schedule, Slot } from '@medplum/fhirtypes';
import { badRequest, freeSpans, isVisitMode, methodNotAllowed, momentOf, readAvailability, utcInstant, VISIT_MODE_LIST, visitModeConcept, type Availability, type Span } from '@salus/core';
import { bundleText, FHIR_JSON, type OperationHandler } from '../fhir/interaction.js';
import { parseJson } from '../fhir/repository.js';
import { readMany } from '../fhir/store.js';
import type { SchedulingDeps } from './booking.js';
import { OperationInput } from './parameters.js';
import { busyActors, busyPeriods, localReference } from './schedule-store.js';
import { slotId } from './slot-id.js';

/** Schedule/$find: free times to book, across clinicians. */
export const scheduleFindDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Schedule-find',
  url: 'https://salus.health/fhir/OperationDefinition/Schedule-find',
  name: 'find',
  title: 'Find free times',
  status: 'active',
  kind: 'operation',
  code: 'find',
  affectsState: false,
  description:
    'Free Slots of one kind of visit across the active schedules that match, computed from each schedule’s availability, time off and bookings, ' +
    'sorted by start; then the Schedules and their Practitioners and Locations (search mode include). Free Slots are not stored: book one with Appointment/$book.',
  resource: ['Schedule'],
  system: false,
  type: true,
  instance: false,
  parameter: [
    { name: 'start', use: 'in', min: 1, max: '1', type: 'string', searchType: 'date', documentation: 'First day (YYYY-MM-DD, in each clinician’s zone) or instant with offset' },
    { name: 'end', use: 'in', min: 1, max: '1', type: 'string', searchType: 'date', documentation: 'Day after the last, or instant (excluded); at most 31 days after start' },
    { name: 'visit-type', use: 'in', min: 1, max: '1', type: 'code', documentation: VISIT_MODE_LIST.join(' | ') },
    { name: 'practitioner', use: 'in', min: 0, max: '1', type: 'string', searchType: 'reference', documentation: 'Practitioner/<id>' },
    { name: 'specialty', use: 'in', min: 0, max: '1', type: 'string', searchType: 'token', documentation: 'system|code or code, matched on Schedule.specialty' },
    { name: 'location', use: 'in', min: 0, max: '1', type: 'string', searchType: 'reference', documentation: 'Location/<id>' },
    { name: '_count', use: 'in', min: 0, max: '1', type: 'integer', documentation: `Most slots returned (default ${100}, at most ${1000})` },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
  ],
};

const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;
/** Schedules considered per query: a whole region's clinicians, not an unbounded scan. */
const MAX_SCHEDULES = 1000;
const MAX_SPAN_DAYS = 31;
const DAY_MS = 86_400_000;

/** A bound of the search: a calendar day, placed in each clinician's zone, or an instant. */
function bound(name: string, value: string): string {
  if (momentOf(value, 'UTC') === undefined) {
    throw badRequest(`${name} must be a date (YYYY-MM-DD) or an instant with its offset (2026-03-09T09:00:00-05:00), not '${value}'`, name);
  }
  return value;
}

/** For checking order and span only: a day as its UTC midnight, at most a day off anywhere. */
const approx = (b: string): number => momentOf(b, 'UTC')!;

interface Candidate {
  id: string;
  schedule: Schedule;
  content: string;
  availability: Availability;
  from: number;
  to: number;
}

export function scheduleFind(deps: SchedulingDeps): OperationHandler {
  return async ({ repo, request }) => {
    if (request.method !== 'GET' && request.method !== 'POST') throw methodNotAllowed('$find is invoked with GET or POST');
    const input = OperationInput.read(request, scheduleFindDefinition);
    const baseUrl = repo.config.baseUrl;
    const start = bound('start', input.get('start')!);
    const end = bound('end', input.get('end')!);
    if (approx(end) <= approx(start)) throw badRequest('end must be after start', 'end');
    if (approx(end) - approx(start) > MAX_SPAN_DAYS * DAY_MS) throw badRequest(`Search at most ${MAX_SPAN_DAYS} days at a time`, 'end');
    const mode = input.get('visit-type')!;
    if (!isVisitMode(mode)) throw badRequest(`visit-type must be one of ${VISIT_MODE_LIST.join(', ')}, not '${mode}'`, 'visit-type');
    const countText = input.get('_count');
    if (countText !== undefined && !/^\d{1,9}$/.test(countText)) throw badRequest(`_count must be a positive whole number, not '${countText}'`, '_count');
    const count = Math.min(countText === undefined ? DEFAULT_COUNT : Number(countText), MAX_COUNT);

    // The schedules through the caller's own search: its access checks and SMART scopes apply.
    const criteria: [string, string][] = [['_count', String(MAX_SCHEDULES)]];
    const practitioner = input.reference('practitioner', 'Practitioner', baseUrl);
    if (practitioner) criteria.push(['actor', `Practitioner/${practitioner}`]);
    const location = input.reference('location', 'Location', baseUrl);
    if (location) criteria.push(['actor', `Location/${location}`]);
    const specialty = input.get('specialty');
    if (specialty !== undefined) criteria.push(['specialty', specialty]);
    const { page } = await repo.search('Schedule', criteria, { strict: true });

    const candidates: Candidate[] = [];
    for (const e of page.entries) {
      const schedule = parseJson<Schedule>(e.content);
      const availability = schedule.active === false ? undefined : readAvailability(schedule);
      if (!availability) continue;
      candidates.push({ id: e.id, schedule, content: e.content, availability, from: momentOf(start, availability.timeZone)!, to: momentOf(end, availability.timeZone)! });
    }
    const busy = await busyPeriods(
      repo.db,
      repo.config.cipher,
      candidates.map((c) => ({ id: c.id, actors: busyActors(c.schedule) })),
      Math.min(...candidates.map((c) => c.from)),
      Math.max(...candidates.map((c) => c.to)),
    );
    const now = deps.now();
    // Times stay numbers until the page is cut: a week of every clinician is thousands of them.
    const found: { slot: Span; schedule: Candidate }[] = [];
    for (const c of candidates) {
      for (const slot of freeSpans({ availability: c.availability, busy: busy.get(c.id)!, mode, from: new Date(c.from), to: new Date(c.to), now })) {
        found.push({ slot, schedule: c });
      }
    }
    found.sort((a, b) => a.slot.start - b.slot.start || (a.schedule.id < b.schedule.id ? -1 : a.schedule.id > b.schedule.id ? 1 : 0));
    const shown = found.slice(0, count);

    const entries: string[] = [];
    const schedules = new Map<string, Candidate>();
    for (const { slot: span, schedule } of shown) {
      const slot = { start: utcInstant(span.start), end: utcInstant(span.end) };
      const id = slotId({ scheduleId: schedule.id, start: slot.start, mode });
      const resource: Slot = {
        resourceType: 'Slot',
        id,
        serviceType: [visitModeConcept(mode)],
        ...(schedule.schedule.specialty ? { specialty: schedule.schedule.specialty } : {}),
        schedule: { reference: `Schedule/${schedule.id}` },
        status: 'free',
        start: slot.start,
        end: slot.end,
      };
      entries.push(JSON.stringify({ fullUrl: `${baseUrl}/Slot/${id}`, resource, search: { mode: 'match' } }));
      schedules.set(schedule.id, schedule);
    }
    const actors = [...new Set([...schedules.values()].flatMap((c) => c.schedule.actor.map((a) => localReference(a.reference))))]
      .filter((r): r is string => !!r && (r.startsWith('Practitioner/') || r.startsWith('Location/')))
      .map((r) => ({ resType: r.split('/')[0]!, id: r.split('/')[1]! }));
    const included = [
      ...[...schedules.values()].map((c) => ({ resType: 'Schedule', id: c.id, content: c.content })),
      // Practitioners and Locations are directory entries every signed-in caller may read.
      ...(await readMany(repo.db, actors, { cipher: repo.config.cipher })).filter((v) => !v.deleted),
    ];
    for (const r of included) entries.push(`{"fullUrl":${JSON.stringify(`${baseUrl}/${r.resType}/${r.id}`)},"resource":${r.content},"search":{"mode":"include"}}`);
    const self = `${baseUrl}/Schedule/$find${request.query.length ? `?${new URLSearchParams(request.query)}` : ''}`;
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: bundleText('searchset', found.length, [{ relation: 'self', url: self }], entries) };
  };
}
