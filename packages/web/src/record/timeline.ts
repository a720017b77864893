import type { Observation } from '@medplum/fhirtypes';
import { dayKey, formatConcept, timeOf, type FormatOptions } from '../lib/format.js';
import { categoryLabel, flagLabel, groupResults, worstFlag, type Flag } from '../lib/observations.js';
import { encounterKind } from './encounters.js';
import { recordNotes } from './notes.js';
import { medicationName, referenceKey, resourceDate, type PatientRecord } from './use-patient-record.js';

/**
 * Everything in a record that happened on a date, newest first, as one line each: what a
 * clinician scrolls through to see a patient's story. Results are bundled (a report with its
 * values, or a day's vital signs) rather than listed one measurement per line.
 */

export type TimelineKind = 'visit' | 'appointment' | 'result' | 'medicine' | 'problem' | 'allergy' | 'vaccination' | 'note' | 'procedure' | 'care-plan';

/** Each kind's name for the filter (plural) and for the tag on an entry (singular). */
export const TIMELINE_KINDS: Record<TimelineKind, { label: string; tag: string }> = {
  visit: { label: 'Visits', tag: 'Visit' },
  appointment: { label: 'Appointments', tag: 'Appointment' },
  result: { label: 'Results', tag: 'Result' },
  medicine: { label: 'Medicines', tag: 'Medicine' },
  problem: { label: 'Problems', tag: 'Problem' },
  allergy: { label: 'Allergies', tag: 'Allergy' },
  vaccination: { label: 'Vaccinations', tag: 'Vaccine' },
  note: { label: 'Notes and documents', tag: 'Note' },
  procedure: { label: 'Procedures', tag: 'Procedure' },
  'care-plan': { label: 'Care plans', tag: 'Care plan' },
};

export interface TimelineEntry {
  /** Unique within the timeline. */
  key: string;
  kind: TimelineKind;
  date: string;
  at: number;
  title: string;
  detail: string;
  flag?: Flag;
}

export interface TimelineDay {
  /** YYYY-MM-DD, the reader's calendar day. */
  day: string;
  entries: TimelineEntry[];
}

const joined = (parts: (string | false | undefined)[]): string => parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' · ');

/** "HbA1c 8.9% (high), Glucose 186 mg/dL (high)": the values of some observations on one line. */
function resultsLine(observations: Observation[], options: FormatOptions): { detail: string; flag?: Flag } {
  const tests = groupResults(observations, options);
  const detail = tests
    .map((t) => `${t.label} ${t.latest.display}${t.latest.flag && t.latest.flag !== 'normal' ? ` (${flagLabel(t.latest.flag).toLowerCase()})` : ''}`)
    .join(', ');
  const flag = worstFlag(tests.map((t) => t.latest.flag));
  return flag ? { detail, flag } : { detail };
}

export function timelineEntries(record: PatientRecord, options: FormatOptions = {}): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const add = (key: string, kind: TimelineKind, date: string | undefined, title: string, detail: string, flag?: Flag): void => {
    const at = timeOf(date);
    if (!date || at === undefined) return;
    out.push({ key, kind, date, at, title, detail, ...(flag ? { flag } : {}) });
  };

  for (const e of record.encounters) {
    if (e.status === 'cancelled' || e.status === 'entered-in-error') continue;
    const clinicians = (e.participant ?? []).map((p) => record.nameOf(p.individual)).filter(Boolean).join(', ');
    const place = (e.location ?? []).map((l) => record.nameOf(l.location)).find(Boolean) ?? record.nameOf(e.serviceProvider);
    add(`Encounter/${e.id}`, 'visit', resourceDate(e), e.type?.map(formatConcept).find(Boolean) || 'Visit', joined([encounterKind(e), clinicians && `with ${clinicians}`, place]));
  }
  for (const a of record.appointments) {
    if (a.status === 'entered-in-error') continue;
    const with_ = a.participant.filter((p) => /^(Practitioner|PractitionerRole)\//.test(p.actor?.reference ?? '')).map((p) => record.nameOf(p.actor)).filter(Boolean).join(', ');
    add(`Appointment/${a.id}`, 'appointment', a.start, a.description || a.serviceType?.map(formatConcept).find(Boolean) || 'Appointment', joined([a.status === 'cancelled' ? 'Cancelled' : a.status === 'noshow' ? 'Missed' : 'Booked', with_ && `with ${with_}`]));
  }

  // Observations a report lists are shown with the report; the rest are bundled per day and category.
  const reported = new Set<string>();
  for (const r of record.diagnosticReports) {
    if (r.status === 'entered-in-error') continue;
    const results = (r.result ?? []).map((ref) => record.byReference<Observation>(ref)).filter((o): o is Observation => o !== undefined);
    for (const ref of r.result ?? []) {
      const key = referenceKey(ref);
      if (key) reported.add(key);
    }
    const line = resultsLine(results, options);
    add(`DiagnosticReport/${r.id}`, 'result', resourceDate(r), formatConcept(r.code) || 'Report', line.detail || r.conclusion || '', line.flag);
  }
  const bundles = new Map<string, Observation[]>();
  for (const o of record.observations) {
    const date = resourceDate(o);
    if (!date || reported.has(`Observation/${o.id}`) || o.status === 'entered-in-error') continue;
    const category = o.category?.flatMap((c) => c.coding ?? []).find((c) => c.code)?.code ?? 'other';
    const key = `${dayKey(date, options)}|${category}`;
    bundles.set(key, [...(bundles.get(key) ?? []), o]);
  }
  for (const [key, observations] of bundles) {
    const category = key.slice(key.indexOf('|') + 1);
    const line = resultsLine(observations, options);
    // The bundle sits at its latest measurement (observations are newest first).
    add(`results:${key}`, 'result', resourceDate(observations[0]!), categoryLabel(category), line.detail, line.flag);
  }

  for (const m of record.medicationRequests) {
    if (m.status === 'entered-in-error') continue;
    add(`MedicationRequest/${m.id}`, 'medicine', m.authoredOn, medicationName(record, m) || 'Medicine', joined(['Prescribed', record.nameOf(m.requester) && `by ${record.nameOf(m.requester)}`, m.dosageInstruction?.[0]?.text]));
  }
  for (const m of record.medicationStatements) {
    if (m.status === 'entered-in-error') continue;
    add(`MedicationStatement/${m.id}`, 'medicine', resourceDate(m), medicationName(record, m) || 'Medicine', joined(['Reported taking', m.dosage?.[0]?.text]));
  }
  for (const c of record.conditions) {
    if (c.verificationStatus?.coding?.some((x) => x.code === 'entered-in-error')) continue;
    add(`Condition/${c.id}`, 'problem', resourceDate(c), formatConcept(c.code) || 'Problem', joined(['Diagnosed', record.nameOf(c.asserter ?? c.recorder) && `by ${record.nameOf(c.asserter ?? c.recorder)}`]));
  }
  for (const a of record.allergies) {
    const reactions = (a.reaction ?? []).flatMap((r) => r.manifestation.map(formatConcept)).filter(Boolean).join(', ');
    add(`AllergyIntolerance/${a.id}`, 'allergy', resourceDate(a), formatConcept(a.code) || 'Allergy', joined([a.type === 'intolerance' ? 'Intolerance recorded' : 'Allergy recorded', a.criticality === 'high' && 'high risk', reactions]));
  }
  for (const i of record.immunizations) {
    if (i.status === 'entered-in-error') continue;
    add(`Immunization/${i.id}`, 'vaccination', resourceDate(i), formatConcept(i.vaccineCode) || 'Vaccination', joined([i.status === 'not-done' ? 'Not given' : 'Given', (i.performer ?? []).map((p) => record.nameOf(p.actor)).find(Boolean)]));
  }
  for (const n of recordNotes(record)) add(n.key, 'note', n.date, n.title, joined([n.author && `by ${n.author}`]));
  for (const p of record.procedures) {
    if (p.status === 'entered-in-error') continue;
    add(`Procedure/${p.id}`, 'procedure', resourceDate(p), formatConcept(p.code) || 'Procedure', joined([(p.performer ?? []).map((x) => record.nameOf(x.actor)).find(Boolean)]));
  }
  for (const c of record.carePlans) {
    if (c.status === 'entered-in-error') continue;
    add(`CarePlan/${c.id}`, 'care-plan', resourceDate(c), c.title || c.category?.map(formatConcept).find(Boolean) || 'Care plan', c.description ?? '');
  }
  return out.sort((a, b) => b.at - a.at || a.key.localeCompare(b.key));
}

/** Entries under their day, newest day first (entries keep their order). */
export function groupByDay(entries: readonly TimelineEntry[], options: FormatOptions = {}): TimelineDay[] {
  const days: TimelineDay[] = [];
  for (const e of entries) {
    const day = dayKey(e.date, options);
    const last = days[days.length - 1];
    if (last?.day === day) last.entries.push(e);
    else days.push({ day, entries: [e] });
  }
  return days;
}
