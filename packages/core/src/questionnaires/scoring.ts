import type { Coding, Questionnaire, QuestionnaireItem, QuestionnaireItemAnswerOption, QuestionnaireResponse, QuestionnaireResponseItemAnswer } from '@medplum/fhirtypes';
import { ordinalOf } from './codes.js';
import { GAD7 } from './gad-7.js';
import { CONCERN_PRIORITY, type CheckInInstrument, type ConcernKind, type ConcernPriority, type ConcernRule, type SeverityBand } from './instrument.js';
import { PHQ9 } from './phq-9.js';
import { SYMPTOM_CHECK } from './symptom-check.js';

/** The check-ins Salus ships, in the order people are offered them. */
export const CHECK_INS: readonly CheckInInstrument[] = [PHQ9, GAD7, SYMPTOM_CHECK];

/** The check-in a canonical names (`url` or `url|version`), if Salus ships it. */
export function checkInFor(canonical: string | undefined): CheckInInstrument | undefined {
  if (!canonical) return undefined;
  const [url, version] = canonical.split('|');
  const found = CHECK_INS.find((c) => c.questionnaire.url === url);
  return found && (version === undefined || version === found.questionnaire.version) ? found : undefined;
}

/** `url|version`: how responses and plans name the exact Questionnaire they follow. */
export function canonicalOf(instrument: CheckInInstrument): string {
  return `${instrument.questionnaire.url}|${instrument.questionnaire.version}`;
}

export interface Concern {
  kind: ConcernKind;
  priority: ConcernPriority;
  /** What it is about: "Thoughts of being better off dead or of self-harm". */
  text: string;
  /** The item whose answer raised it (none for a severe total). */
  linkId?: string;
  /** The answer as the person chose it: "Several days", "Yes". */
  answer?: string;
}

export interface CheckInScore {
  /** The total, for instruments that have one. */
  total?: number;
  max?: number;
  severity?: SeverityBand;
  /** Most pressing first. */
  concerns: Concern[];
  /** The most pressing concern's priority; absent when nothing needs a clinician soon. */
  priority?: ConcernPriority;
}

/** One thing wrong with a response, naming the item (by linkId) and the element as FHIRPath. */
export interface ResponseIssue {
  linkId?: string;
  expression: string;
  message: string;
}

/** The questions that take answers (display items only show text). */
function questions(q: Questionnaire): QuestionnaireItem[] {
  return (q.item ?? []).filter((i) => i.type !== 'display' && i.type !== 'group');
}

function sameCoding(a: Coding | undefined, b: Coding | undefined): boolean {
  return !!a && !!b && a.code === b.code && (a.system ?? '') === (b.system ?? '');
}

function chosenOption(item: QuestionnaireItem, answer: QuestionnaireResponseItemAnswer | undefined): QuestionnaireItemAnswerOption | undefined {
  return answer?.valueCoding ? item.answerOption?.find((o) => sameCoding(o.valueCoding, answer.valueCoding)) : undefined;
}

function firstAnswers(response: QuestionnaireResponse): Map<string, QuestionnaireResponseItemAnswer> {
  const out = new Map<string, QuestionnaireResponseItemAnswer>();
  for (const i of response.item ?? []) {
    const a = i.answer?.[0];
    if (a && !out.has(i.linkId)) out.set(i.linkId, a);
  }
  return out;
}

function answerText(item: QuestionnaireItem, answer: QuestionnaireResponseItemAnswer): string | undefined {
  if (answer.valueBoolean !== undefined) return answer.valueBoolean ? 'Yes' : 'No';
  const option = chosenOption(item, answer);
  return option?.valueCoding?.display ?? answer.valueCoding?.display ?? answer.valueString;
}

function raises(rule: ConcernRule, item: QuestionnaireItem, answer: QuestionnaireResponseItemAnswer): boolean {
  const t = rule.raisedBy;
  if ('yes' in t) return answer.valueBoolean === true;
  if ('codes' in t) return !!answer.valueCoding?.code && t.codes.includes(answer.valueCoding.code);
  const ordinal = ordinalOf(chosenOption(item, answer) ?? {});
  return ordinal !== undefined && ordinal > t.ordinalAbove;
}

/** The band a total falls in; bands include both ends. */
export function severityOf(bands: readonly SeverityBand[], total: number): SeverityBand | undefined {
  return bands.find((b) => total >= b.min && total <= b.max);
}

/** "Moderately severe depression": a band of an instrument's total, as the score Observation states it. */
export function severityText(instrument: CheckInInstrument, band: SeverityBand): string {
  return `${band.label} ${instrument.score?.measures ?? ''}`.trim();
}

/**
 * The total (the sum of the chosen answers' ordinal values, as the Questionnaire gives them), its
 * published severity band, and the concerns the answers raise. Meant for a response
 * `responseIssues` found nothing wrong with; an unanswered item adds nothing.
 */
export function scoreResponse(questionnaire: Questionnaire, response: QuestionnaireResponse): CheckInScore {
  const instrument = checkInFor(questionnaire.url);
  const answers = firstAnswers(response);
  const items = new Map(questions(questionnaire).map((i) => [i.linkId, i]));
  const result: CheckInScore = { concerns: [] };
  if (instrument?.score) {
    let total = 0;
    for (const [linkId, item] of items) total += ordinalOf(chosenOption(item, answers.get(linkId)) ?? {}) ?? 0;
    result.total = total;
    result.max = instrument.score.max;
    const band = severityOf(instrument.score.bands, total);
    if (band) result.severity = band;
  }
  for (const rule of instrument?.concerns ?? []) {
    const item = items.get(rule.linkId);
    const answer = answers.get(rule.linkId);
    if (!item || !answer || !raises(rule, item, answer)) continue;
    const text = answerText(item, answer);
    result.concerns.push({ kind: rule.kind, priority: CONCERN_PRIORITY[rule.kind], text: rule.text, linkId: rule.linkId, ...(text ? { answer: text } : {}) });
  }
  if (instrument?.score && result.severity?.code === 'severe') {
    result.concerns.push({ kind: 'severe-score', priority: CONCERN_PRIORITY['severe-score'], text: `Severe ${instrument.score.measures} score (${result.total} of ${instrument.score.max})` });
  }
  const rank = (p: ConcernPriority): number => (p === 'stat' ? 0 : 1);
  result.concerns.sort((a, b) => rank(a.priority) - rank(b.priority));
  if (result.concerns[0]) result.priority = result.concerns[0].priority;
  return result;
}

/** The element an answer of each item type carries its value in. */
const VALUE_OF: Partial<Record<QuestionnaireItem['type'], keyof QuestionnaireResponseItemAnswer>> = {
  boolean: 'valueBoolean',
  decimal: 'valueDecimal',
  integer: 'valueInteger',
  date: 'valueDate',
  dateTime: 'valueDateTime',
  time: 'valueTime',
  string: 'valueString',
  text: 'valueString',
  url: 'valueUri',
  choice: 'valueCoding',
  'open-choice': 'valueCoding',
  attachment: 'valueAttachment',
  reference: 'valueReference',
  quantity: 'valueQuantity',
};

const quoted = (s: string | undefined): string => (s ? ` (“${s.length > 60 ? `${s.slice(0, 57)}…` : s}”)` : '');

/**
 * What is wrong with a response to `questionnaire`: answers to questions it does not ask, answers
 * of the wrong kind or not on the question's list, several answers where one is expected, and
 * required questions left unanswered. Each issue names the item's linkId.
 */
export function responseIssues(questionnaire: Questionnaire, response: QuestionnaireResponse): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  const url = response.questionnaire?.split('|')[0];
  if (url !== questionnaire.url) {
    issues.push({ expression: 'QuestionnaireResponse.questionnaire', message: `The response must name the questionnaire it answers (${questionnaire.url})` });
  }
  const asked = new Map((questionnaire.item ?? []).map((i) => [i.linkId, i]));
  const seen = new Set<string>();
  (response.item ?? []).forEach((ri, index) => {
    const at = `QuestionnaireResponse.item[${index}]`;
    const item = ri.linkId ? asked.get(ri.linkId) : undefined;
    if (!ri.linkId || !item) {
      issues.push({ ...(ri.linkId ? { linkId: ri.linkId } : {}), expression: `${at}.linkId`, message: `Item '${ri.linkId ?? ''}' is not a question of ${questionnaire.title ?? questionnaire.url}` });
      return;
    }
    const where = `QuestionnaireResponse.item.where(linkId='${ri.linkId}')`;
    const named = `Item '${ri.linkId}'${quoted(item.text)}`;
    if (seen.has(ri.linkId)) {
      issues.push({ linkId: ri.linkId, expression: at, message: `${named} is answered more than once` });
      return;
    }
    seen.add(ri.linkId);
    if (ri.item?.length) issues.push({ linkId: ri.linkId, expression: `${where}.item`, message: `${named} has no sub-questions` });
    const answers = ri.answer ?? [];
    if (item.type === 'display' || item.type === 'group') {
      if (answers.length) issues.push({ linkId: ri.linkId, expression: `${where}.answer`, message: `${named} only shows text and takes no answer` });
      return;
    }
    if (answers.length > 1 && !item.repeats) issues.push({ linkId: ri.linkId, expression: `${where}.answer`, message: `${named} takes one answer, not ${answers.length}` });
    answers.forEach((answer, n) => {
      const key = VALUE_OF[item.type];
      const path = `${where}.answer[${n}]`;
      if (answer.item?.length) issues.push({ linkId: ri.linkId, expression: `${path}.item`, message: `${named} has no follow-up questions` });
      if (!key || answer[key] === undefined) {
        issues.push({ linkId: ri.linkId, expression: path, message: `${named} needs a ${key ? key.slice('value'.length) : item.type} answer` });
      } else if (item.type === 'choice' && item.answerOption && !chosenOption(item, answer)) {
        issues.push({ linkId: ri.linkId, expression: `${path}.valueCoding`, message: `${named}: '${answer.valueCoding?.code ?? ''}' is not one of its answers` });
      }
    });
  });
  for (const q of questions(questionnaire)) {
    const answered = (response.item ?? []).some((ri) => ri.linkId === q.linkId && (ri.answer?.length ?? 0) > 0);
    if (q.required && !answered) {
      issues.push({ linkId: q.linkId, expression: `QuestionnaireResponse.item.where(linkId='${q.linkId}')`, message: `Item '${q.linkId}'${quoted(q.text)} needs an answer` });
    }
  }
  return issues;
}
