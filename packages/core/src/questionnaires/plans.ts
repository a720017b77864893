import type { CarePlan, Coding, Patient, Practitioner, PractitionerRole, Reference } from '@medplum/fhirtypes';
import { CHECK_IN_SYSTEM } from './codes.js';
import type { CheckInInstrument } from './instrument.js';
import { canonicalOf, checkInFor } from './scoring.js';

/**
 * Enrolment in scheduled check-ins is a CarePlan: active while the patient is enrolled, with one
 * activity that instantiates the Questionnaire on a repeating schedule. Ending the enrolment
 * completes the plan, so the history of who was enrolled when stays in the record.
 */

export const CHECK_IN_PLAN_CATEGORY: Coding = { system: CHECK_IN_SYSTEM, code: 'check-in-plan', display: 'Scheduled virtual check-ins' };

/** Units of the R4 Timing.repeat.periodUnit that make sense for check-ins. */
export type CheckInPeriodUnit = 'd' | 'wk' | 'mo';
export const CHECK_IN_PERIOD_UNITS: readonly CheckInPeriodUnit[] = ['d', 'wk', 'mo'];

export interface CheckInSchedule {
  /** Once every `period` `periodUnit`s. */
  period: number;
  periodUnit: CheckInPeriodUnit;
}

/** Longest gap a schedule may have: beyond a quarter, check-ins stop catching change in time. */
export const MAX_CHECK_IN_DAYS = 92;

const UNIT_WORDS: Record<CheckInPeriodUnit, [string, string]> = { d: ['day', 'days'], wk: ['week', 'weeks'], mo: ['month', 'months'] };

/** "every 2 weeks", "every day". */
export function scheduleText(s: CheckInSchedule): string {
  const [one, many] = UNIT_WORDS[s.periodUnit];
  return s.period === 1 ? `every ${one}` : `every ${s.period} ${many}`;
}

/** `from` moved on by one period of the schedule; a month on from 31 January is the last day of February. */
export function addPeriod(from: Date, s: CheckInSchedule): Date {
  const d = new Date(from.getTime());
  if (s.periodUnit !== 'mo') {
    d.setUTCDate(d.getUTCDate() + s.period * (s.periodUnit === 'wk' ? 7 : 1));
    return d;
  }
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + s.period);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** Days one period of the schedule lasts, near enough to compare schedules. */
export function scheduleDays(s: CheckInSchedule): number {
  return s.period * { d: 1, wk: 7, mo: 30 }[s.periodUnit];
}

export function isCheckInPlan(plan: CarePlan): boolean {
  return (plan.category ?? []).some((c) => (c.coding ?? []).some((x) => x.system === CHECK_IN_PLAN_CATEGORY.system && x.code === CHECK_IN_PLAN_CATEGORY.code));
}

export interface PlannedCheckIn {
  instrument: CheckInInstrument;
  schedule: CheckInSchedule;
  /** When the schedule starts. */
  start: string;
}

/** What a check-in plan asks of the patient, when it names a check-in Salus ships and a schedule. */
export function plannedCheckIn(plan: CarePlan): PlannedCheckIn | undefined {
  if (!isCheckInPlan(plan)) return undefined;
  for (const activity of plan.activity ?? []) {
    const d = activity.detail;
    const instrument = d?.instantiatesCanonical?.map(checkInFor).find((i) => i !== undefined);
    const repeat = d?.scheduledTiming?.repeat;
    const unit = repeat?.periodUnit as CheckInPeriodUnit | undefined;
    if (!instrument || !repeat?.period || !unit || !CHECK_IN_PERIOD_UNITS.includes(unit)) continue;
    const start = repeat.boundsPeriod?.start ?? plan.period?.start ?? plan.created;
    if (!start) continue;
    return { instrument, schedule: { period: repeat.period, periodUnit: unit }, start };
  }
  return undefined;
}

/**
 * When the next check-in is due: at the start of the schedule until the first answer, then one
 * period after the last answer (answering early moves the next one on, as people expect).
 */
export function nextDue(planned: PlannedCheckIn, lastAnswered: string | undefined): Date {
  const start = new Date(planned.start);
  if (!lastAnswered) return start;
  const next = addPeriod(new Date(lastAnswered), planned.schedule);
  return next > start ? next : start;
}

export interface CheckInPlanInput {
  instrument: CheckInInstrument;
  schedule: CheckInSchedule;
  patient: Reference<Patient>;
  /** The clinician enrolling the patient. */
  author?: Reference<Practitioner | PractitionerRole>;
  /** The first check-in (a date or dateTime). */
  start: string;
  now: Date;
}

/** A new enrolment: an active CarePlan whose one activity is answering the questionnaire on schedule. */
export function checkInPlan(input: CheckInPlanInput): CarePlan {
  const { instrument, schedule, patient, author, start, now } = input;
  const title = `${instrument.name} check-ins ${scheduleText(schedule)}`;
  return {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    category: [{ coding: [CHECK_IN_PLAN_CATEGORY], text: 'Virtual check-ins' }],
    title,
    subject: patient,
    period: { start },
    created: now.toISOString(),
    ...(author ? { author } : {}),
    activity: [
      {
        detail: {
          kind: 'Task',
          instantiatesCanonical: [canonicalOf(instrument)],
          ...(instrument.questionnaire.code ? { code: { coding: instrument.questionnaire.code, text: instrument.name } } : { code: { text: instrument.name } }),
          status: 'scheduled',
          scheduledTiming: { repeat: { boundsPeriod: { start }, frequency: 1, period: schedule.period, periodUnit: schedule.periodUnit } },
          // The patient answers; the plan sits in their compartment through the performer too.
          performer: [patient],
          description: `Answer the ${instrument.name} (${instrument.about.toLowerCase()}) ${scheduleText(schedule)}.`,
        },
      },
    ],
  };
}

/** The plan as it reads once the enrolment ends: completed, with its period closed and its activity stopped. */
export function endedCheckInPlan(plan: CarePlan, now: Date): CarePlan {
  return {
    ...plan,
    status: 'completed',
    period: { ...plan.period, end: now.toISOString() },
    activity: plan.activity?.map((a) => (a.detail ? { ...a, detail: { ...a.detail, status: 'stopped' } } : a)),
  };
}
