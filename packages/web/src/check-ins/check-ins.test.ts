import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import { canonicalOf, checkInPlan, endedCheckInPlan, GAD7, PHQ9, responseIssues, scoreResponse, SYMPTOM_CHECK } from '@salus/core';
import { answerText, checkInsDue, plainSeverity, readSubmitResult, responseFor, scoreHistory } from './check-ins.js';

const now = new Date('2026-04-20T12:00:00Z');
const plan = (instrument = PHQ9, start = '2026-04-01T09:00:00Z') => ({
  ...checkInPlan({ instrument, schedule: { period: 2, periodUnit: 'wk' }, patient: { reference: 'Patient/ana' }, start, now: new Date(start) }),
  id: `plan-${instrument.key}`,
});
const answered = (instrument = PHQ9, authored: string): QuestionnaireResponse => ({ resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: canonicalOf(instrument), authored });

describe('checkInsDue', () => {
  test('a new enrolment is due at once; after an answer, one period later', () => {
    const [fresh] = checkInsDue([plan()], [], now);
    assert.equal(fresh!.isDue, true);
    assert.equal(fresh!.lastAnswered, undefined);
    const [after] = checkInsDue([plan()], [answered(PHQ9, '2026-04-15T08:00:00Z'), answered(PHQ9, '2026-04-02T08:00:00Z')], now);
    assert.equal(after!.lastAnswered, '2026-04-15T08:00:00Z');
    assert.equal(after!.due.toISOString(), '2026-04-29T08:00:00.000Z');
    assert.equal(after!.isDue, false);
  });

  test('answers to another questionnaire, and ended enrolments, do not count; soonest first', () => {
    const due = checkInsDue([plan(GAD7, '2026-04-18T00:00:00Z'), plan(PHQ9), endedCheckInPlan(plan(SYMPTOM_CHECK), now)], [answered(GAD7, '2026-04-19T00:00:00Z')], now);
    assert.deepEqual(due.map((d) => [d.instrument.key, d.isDue]), [['phq-9', true], ['gad-7', false]]);
  });
});

describe('answers', () => {
  test('the chosen values make a response the server accepts, scored as expected', () => {
    const chosen = Object.fromEntries(PHQ9.questionnaire.item!.map((i, n) => [i.linkId, n === 8 ? 'LA6569-3' : 'LA6570-1']));
    const r = responseFor(PHQ9, 'ana', chosen);
    assert.equal(r.subject?.reference, 'Patient/ana');
    assert.equal(r.questionnaire, canonicalOf(PHQ9));
    assert.deepEqual(responseIssues(PHQ9.questionnaire, r), []);
    const score = scoreResponse(PHQ9.questionnaire, r);
    assert.equal(score.total, 17);
    assert.equal(score.concerns[0]!.kind, 'self-harm');
  });

  test('yes/no answers are booleans and read back in words', () => {
    const chosen = { 'chest-pain': 'no', breathing: 'yes', 'stroke-signs': 'no', fever: 'no', 'symptom-severity': '6736007' };
    const r = responseFor(SYMPTOM_CHECK, 'ana', chosen);
    assert.deepEqual(r.item!.find((i) => i.linkId === 'breathing')!.answer, [{ valueBoolean: true }]);
    assert.deepEqual(responseIssues(SYMPTOM_CHECK.questionnaire, r), []);
    const severity = SYMPTOM_CHECK.questionnaire.item!.find((i) => i.linkId === 'symptom-severity');
    assert.equal(answerText(severity, r.item!.find((i) => i.linkId === 'symptom-severity')!.answer![0]), 'Moderate');
    assert.equal(answerText(undefined, { valueBoolean: false }), 'No');
    assert.equal(answerText(undefined, undefined), 'Not answered');
  });
});

test('readSubmitResult reads the score, the concerns in order and the task', () => {
  const r = readSubmitResult({
    resourceType: 'Parameters',
    parameter: [
      { name: 'response', valueReference: { reference: 'QuestionnaireResponse/r1' } },
      { name: 'score', valueInteger: 21 },
      { name: 'severity', valueCoding: { code: 'severe', display: 'Severe depression' } },
      { name: 'concern', part: [{ name: 'kind', valueCode: 'self-harm' }, { name: 'priority', valueCode: 'stat' }, { name: 'text', valueString: 'Thoughts of self-harm' }, { name: 'answer', valueString: 'Several days' }] },
      { name: 'concern', part: [{ name: 'kind', valueCode: 'severe-score' }, { name: 'priority', valueCode: 'urgent' }, { name: 'text', valueString: 'Severe depression score' }] },
      { name: 'priority', valueCode: 'stat' },
      { name: 'task', valueReference: { reference: 'Task/t1' } },
    ],
  });
  assert.deepEqual(r, {
    response: 'QuestionnaireResponse/r1',
    score: 21,
    severity: { code: 'severe', text: 'Severe depression' },
    concerns: [
      { kind: 'self-harm', priority: 'stat', text: 'Thoughts of self-harm', answer: 'Several days' },
      { kind: 'severe-score', priority: 'urgent', text: 'Severe depression score' },
    ],
    priority: 'stat',
    task: 'Task/t1',
  });
});

test('plain words for each band', () => {
  const words = PHQ9.score!.bands.map((b) => plainSeverity(PHQ9, b));
  assert.deepEqual(words, ['few or no signs of depression', 'mild depression', 'moderate depression', 'moderately severe depression', 'severe depression']);
  assert.equal(plainSeverity(GAD7, GAD7.score!.bands[3]!), 'severe anxiety');
});

test('scoreHistory takes check-in scores and totals entered at visits, banded alike, oldest first', () => {
  const obs = (id: string, code: string, at: string, value: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    effectiveDateTime: at,
    ...value,
  });
  const series = scoreHistory([
    obs('a', '44261-6', '2026-03-01T10:00:00Z', { valueInteger: 12 }),
    obs('b', '44261-6', '2025-11-01T10:00:00Z', { valueQuantity: { value: 17, unit: '{score}' } }),
    obs('c', '70274-6', '2026-03-01T10:00:00Z', { valueInteger: 4 }),
    obs('d', '44261-6', '2026-03-05T10:00:00Z', { valueInteger: 3, status: 'entered-in-error' }),
    obs('e', '8867-4', '2026-03-01T10:00:00Z', { valueQuantity: { value: 70 } }),
  ]);
  assert.deepEqual(series.map((s) => s.instrument.key), ['phq-9', 'gad-7']);
  assert.deepEqual(series[0]!.points.map((p) => [p.observationId, p.score, p.severity?.code]), [['b', 17, 'moderately-severe'], ['a', 12, 'moderate']]);
  assert.deepEqual(series[1]!.points.map((p) => [p.score, p.severity?.code]), [[4, 'minimal']]);
});
