import type { CarePlan, Observation, Parameters, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItemAnswer } from '@medplum/fhirtypes';
import {
  canonicalOf,
  CHECK_INS,
  checkInFor,
  nextDue,
  plannedCheckIn,
  severityOf,
  type CheckInInstrument,
  type ConcernKind,
  type ConcernPriority,
  type PlannedCheckIn,
  type SeverityBand,
} from '@salus/core';
import { timeOf } from '../lib/format.js';

/**
 * Check-ins as the screens use them: which are due, the answers sent as a QuestionnaireResponse,
 * the server's verdict on them, and the history of scores.
 */

export interface CheckInDue extends PlannedCheckIn {
  plan: CarePlan;
  /** When the last answers to this check-in were sent. */
  lastAnswered?: string;
  /** When the next one is due. */
  due: Date;
  /** Due now (or overdue). */
  isDue: boolean;
}

/** The patient's active enrolments with what is due when, soonest first. */
export function checkInsDue(plans: readonly CarePlan[], responses: readonly QuestionnaireResponse[], now: Date): CheckInDue[] {
  const out: CheckInDue[] = [];
  for (const plan of plans) {
    if (plan.status !== 'active') continue;
    const planned = plannedCheckIn(plan);
    if (!planned) continue;
    let lastAnswered: string | undefined;
    for (const r of responses) {
      if (r.status !== 'completed' || !r.authored || checkInFor(r.questionnaire) !== planned.instrument) continue;
      if (!lastAnswered || Date.parse(r.authored) > Date.parse(lastAnswered)) lastAnswered = r.authored;
    }
    const due = nextDue(planned, lastAnswered);
    out.push({ ...planned, plan, ...(lastAnswered ? { lastAnswered } : {}), due, isDue: due.getTime() <= now.getTime() });
  }
  return out.sort((a, b) => a.due.getTime() - b.due.getTime());
}

/** A yes/no question's answers, as the form offers them. */
const YES_NO = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
] as const;

/** The choices of a question, each with a value unique within it. */
export function choicesOf(item: QuestionnaireItem): { value: string; label: string }[] {
  if (item.type === 'boolean') return [...YES_NO];
  return (item.answerOption ?? []).map((o) => ({ value: o.valueCoding?.code ?? '', label: o.valueCoding?.display ?? o.valueCoding?.code ?? '' }));
}

/** The FHIR answer a chosen value stands for. */
function answerFor(item: QuestionnaireItem, value: string): QuestionnaireResponseItemAnswer {
  if (item.type === 'boolean') return { valueBoolean: value === 'yes' };
  const coding = item.answerOption?.find((o) => o.valueCoding?.code === value)?.valueCoding;
  // The score lives in the Questionnaire; the answer carries only the code.
  return { valueCoding: { system: coding?.system, code: value, display: coding?.display } as NonNullable<QuestionnaireResponseItemAnswer['valueCoding']> };
}

/** The answers (question linkId → chosen value) as the response the server expects. */
export function responseFor(instrument: CheckInInstrument, patientId: string, chosen: Readonly<Record<string, string>>): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: canonicalOf(instrument),
    status: 'completed',
    subject: { reference: `Patient/${patientId}` },
    item: (instrument.questionnaire.item ?? []).flatMap((item) => (chosen[item.linkId] === undefined ? [] : [{ linkId: item.linkId, text: item.text, answer: [answerFor(item, chosen[item.linkId]!)] }])),
  };
}

/** An answer as a person reads it: "Several days", "Yes". */
export function answerText(item: QuestionnaireItem | undefined, answer: QuestionnaireResponseItemAnswer | undefined): string {
  if (!answer) return 'Not answered';
  if (answer.valueBoolean !== undefined) return answer.valueBoolean ? 'Yes' : 'No';
  if (answer.valueCoding) {
    const option = item?.answerOption?.find((o) => o.valueCoding?.code === answer.valueCoding?.code && (o.valueCoding?.system ?? '') === (answer.valueCoding?.system ?? ''));
    return option?.valueCoding?.display ?? answer.valueCoding.display ?? answer.valueCoding.code ?? '';
  }
  return answer.valueString ?? String(answer.valueInteger ?? answer.valueDecimal ?? '');
}

export interface Concern {
  kind: ConcernKind;
  priority: ConcernPriority;
  text: string;
  answer?: string;
}

/** What the server made of the answers ($submit's Parameters). */
export interface SubmitResult {
  response?: string;
  score?: number;
  severity?: { code: string; text: string };
  concerns: Concern[];
  priority?: ConcernPriority;
  task?: string;
}

export function readSubmitResult(p: Parameters): SubmitResult {
  const result: SubmitResult = { concerns: [] };
  for (const x of p.parameter ?? []) {
    if (x.name === 'response' && x.valueReference?.reference) result.response = x.valueReference.reference;
    else if (x.name === 'score' && x.valueInteger !== undefined) result.score = x.valueInteger;
    else if (x.name === 'severity' && x.valueCoding?.code) result.severity = { code: x.valueCoding.code, text: x.valueCoding.display ?? x.valueCoding.code };
    else if (x.name === 'priority' && x.valueCode) result.priority = x.valueCode as ConcernPriority;
    else if (x.name === 'task' && x.valueReference?.reference) result.task = x.valueReference.reference;
    else if (x.name === 'concern') {
      const part = (n: string) => x.part?.find((y) => y.name === n);
      const answer = part('answer')?.valueString;
      result.concerns.push({
        kind: part('kind')?.valueCode as ConcernKind,
        priority: part('priority')?.valueCode as ConcernPriority,
        text: part('text')?.valueString ?? '',
        ...(answer ? { answer } : {}),
      });
    }
  }
  return result;
}

/** The band in words a patient reads: "mild depression", "few or no signs of anxiety". */
export function plainSeverity(instrument: CheckInInstrument, band: SeverityBand): string {
  const measures = instrument.score?.measures ?? '';
  return band.code === 'minimal' ? `few or no signs of ${measures}` : `${band.label.toLowerCase()} ${measures}`;
}

export interface ScorePoint {
  /** Epoch milliseconds, for the chart's time axis. */
  at: number;
  time: string;
  score: number;
  severity?: SeverityBand;
  observationId: string;
}

export interface ScoreSeries {
  instrument: CheckInInstrument;
  /** Oldest first. */
  points: ScorePoint[];
}

/**
 * The scores in the record, per questionnaire, whoever recorded them: the check-ins' own
 * Observations (valueInteger) and totals a clinician entered at a visit (often a quantity). The
 * band comes from the published cut-offs, so every point is banded the same way.
 */
export function scoreHistory(observations: readonly Observation[]): ScoreSeries[] {
  const out: ScoreSeries[] = [];
  for (const instrument of CHECK_INS) {
    const score = instrument.score;
    if (!score) continue;
    const points: ScorePoint[] = [];
    for (const o of observations) {
      if (o.status === 'entered-in-error' || !o.code?.coding?.some((c) => c.system === score.code.system && c.code === score.code.code)) continue;
      const value = o.valueInteger ?? o.valueQuantity?.value;
      const time = o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued;
      const at = timeOf(time);
      if (value === undefined || at === undefined || !time) continue;
      const band = severityOf(score.bands, value);
      points.push({ at, time, score: value, ...(band ? { severity: band } : {}), observationId: o.id ?? '' });
    }
    if (points.length) out.push({ instrument, points: points.sort((a, b) => a.at - b.at) });
  }
  return out;
}
