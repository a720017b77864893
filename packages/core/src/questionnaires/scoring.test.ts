import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import { FREQUENCY_ANSWERS } from './codes.js';
import { GAD7 } from './gad-7.js';
import type { CheckInInstrument } from './instrument.js';
import { PHQ9, PHQ9_SELF_HARM } from './phq-9.js';
import { canonicalOf, checkInFor, responseIssues, scoreResponse } from './scoring.js';
import { SYMPTOM_CHECK } from './symptom-check.js';

const frequency = (n: number) => FREQUENCY_ANSWERS[n]!.valueCoding!;

/** A response whose items score `scores` in order (0–3 each). */
function answered(instrument: CheckInInstrument, scores: number[]): QuestionnaireResponse {
  const items = instrument.questionnaire.item!;
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: canonicalOf(instrument),
    item: items.map((item, i) => ({ linkId: item.linkId, answer: [{ valueCoding: frequency(scores[i]!) }] })),
  };
}

/** Item scores adding up to `total`, filled from the first item, with the last item (PHQ-9's item 9) kept at 0 while it can be. */
function spread(instrument: CheckInInstrument, total: number): number[] {
  const n = instrument.questionnaire.item!.length;
  const scores = new Array<number>(n).fill(0);
  let left = total;
  for (let i = 0; i < n && left > 0; i++) {
    scores[i] = Math.min(3, left);
    left -= scores[i]!;
  }
  return scores;
}

/** Every band edge of each scale: its first and last score. */
const EDGES: [CheckInInstrument, [number, string][]][] = [
  [PHQ9, [[0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'], [15, 'moderately-severe'], [19, 'moderately-severe'], [20, 'severe'], [27, 'severe']]],
  [GAD7, [[0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'], [15, 'severe'], [21, 'severe']]],
];

describe('band edges', () => {
  for (const [instrument, edges] of EDGES) {
    for (const [total, band] of edges) {
      test(`${instrument.name}: a total of ${total} is ${band}`, () => {
        const score = scoreResponse(instrument.questionnaire, answered(instrument, spread(instrument, total)));
        assert.equal(score.total, total);
        assert.equal(score.max, instrument.score!.max);
        assert.equal(score.severity?.code, band);
        assert.equal(score.concerns.some((c) => c.kind === 'severe-score'), band === 'severe', 'a severe total is a concern, any other is not');
      });
    }
  }
});

describe('PHQ-9 scoring', () => {
  test('the highest total, 27, is severe and raises both the self-harm and the severe-score concern', () => {
    const score = scoreResponse(PHQ9.questionnaire, answered(PHQ9, new Array(9).fill(3)));
    assert.equal(score.total, 27);
    assert.equal(score.severity?.code, 'severe');
    assert.deepEqual(score.concerns.map((c) => c.kind), ['self-harm', 'severe-score']);
    assert.equal(score.priority, 'stat');
  });

  test('a severe total without thoughts of self-harm is urgent, not stat', () => {
    const score = scoreResponse(PHQ9.questionnaire, answered(PHQ9, spread(PHQ9, 20)));
    assert.deepEqual(score.concerns.map((c) => [c.kind, c.priority]), [['severe-score', 'urgent']]);
    assert.equal(score.concerns[0]!.text, 'Severe depression score (20 of 27)');
    assert.equal(score.priority, 'urgent');
  });

  test('a moderately severe total alone raises no concern', () => {
    const score = scoreResponse(PHQ9.questionnaire, answered(PHQ9, spread(PHQ9, 19)));
    assert.deepEqual(score.concerns, []);
    assert.equal(score.priority, undefined);
  });

  test('any answer but "Not at all" to item 9 is a self-harm concern at any total', () => {
    for (const item9 of [1, 2, 3]) {
      const scores = [0, 0, 0, 0, 0, 0, 0, 0, item9];
      const score = scoreResponse(PHQ9.questionnaire, answered(PHQ9, scores));
      assert.equal(score.severity?.code, 'minimal', 'the total alone would not worry anyone');
      assert.equal(score.concerns.length, 1);
      const [c] = score.concerns;
      assert.equal(c!.kind, 'self-harm');
      assert.equal(c!.priority, 'stat');
      assert.equal(c!.linkId, PHQ9_SELF_HARM);
      assert.equal(c!.answer, frequency(item9).display);
    }
    assert.deepEqual(scoreResponse(PHQ9.questionnaire, answered(PHQ9, new Array(9).fill(0))).concerns, []);
  });

  test('the item codes are LOINC’s, item 9 last, and every answer list is LL358-3 scored 0–3', () => {
    const codes = PHQ9.questionnaire.item!.map((i) => i.linkId);
    assert.deepEqual(codes, ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8']);
    assert.deepEqual(FREQUENCY_ANSWERS.map((o) => o.valueCoding!.code), ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9']);
    assert.equal(PHQ9.score!.code.code, '44261-6');
    assert.equal(PHQ9.questionnaire.code![0]!.code, '44249-1');
  });
});

describe('GAD-7', () => {
  test('the panel and total are coded 69737-5 and 70274-6', () => {
    assert.equal(GAD7.questionnaire.code![0]!.code, '69737-5');
    assert.equal(GAD7.score!.code.code, '70274-6');
    assert.equal(GAD7.questionnaire.item!.length, 7);
  });
});

describe('symptom check', () => {
  const respond = (yes: string[], severity = '260413007'): QuestionnaireResponse => ({
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: canonicalOf(SYMPTOM_CHECK),
    item: SYMPTOM_CHECK.questionnaire.item!.map((i): QuestionnaireResponseItem =>
      i.type === 'boolean'
        ? { linkId: i.linkId, answer: [{ valueBoolean: yes.includes(i.linkId) }] }
        : { linkId: i.linkId, answer: [{ valueCoding: i.answerOption!.find((o) => o.valueCoding!.code === severity)!.valueCoding! }] },
    ),
  });

  test('has no total: it looks for warning signs, not a score', () => {
    const score = scoreResponse(SYMPTOM_CHECK.questionnaire, respond([]));
    assert.equal(score.total, undefined);
    assert.equal(score.severity, undefined);
    assert.deepEqual(score.concerns, []);
  });

  test('chest pain, breathlessness and stroke signs are each a red flag (stat)', () => {
    for (const linkId of ['chest-pain', 'breathing', 'stroke-signs']) {
      const score = scoreResponse(SYMPTOM_CHECK.questionnaire, respond([linkId]));
      assert.deepEqual(score.concerns.map((c) => [c.kind, c.linkId, c.answer]), [['red-flag', linkId, 'Yes']]);
      assert.equal(score.priority, 'stat');
    }
  });

  test('a fever alone is no concern; severe symptoms are urgent; red flags come first', () => {
    assert.deepEqual(scoreResponse(SYMPTOM_CHECK.questionnaire, respond(['fever'])).concerns, []);
    const severe = scoreResponse(SYMPTOM_CHECK.questionnaire, respond([], '24484000'));
    assert.deepEqual(severe.concerns.map((c) => [c.kind, c.priority]), [['severe-symptom', 'urgent']]);
    const both = scoreResponse(SYMPTOM_CHECK.questionnaire, respond(['breathing'], '24484000'));
    assert.deepEqual(both.concerns.map((c) => c.kind), ['red-flag', 'severe-symptom']);
    assert.equal(both.priority, 'stat');
  });
});

describe('responseIssues', () => {
  test('a complete response has none', () => {
    assert.deepEqual(responseIssues(PHQ9.questionnaire, answered(PHQ9, spread(PHQ9, 12))), []);
  });

  test('a required question left out is named by its linkId', () => {
    const r = answered(PHQ9, spread(PHQ9, 3));
    r.item = r.item!.filter((i) => i.linkId !== PHQ9_SELF_HARM);
    const issues = responseIssues(PHQ9.questionnaire, r);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.linkId, PHQ9_SELF_HARM);
    assert.equal(issues[0]!.expression, `QuestionnaireResponse.item.where(linkId='${PHQ9_SELF_HARM}')`);
    assert.match(issues[0]!.message, /Item '44260-8' \(“Thoughts that you would be better off dead/);
  });

  test('an answer not on the question’s list, of the wrong kind, or one too many is refused', () => {
    const r = answered(PHQ9, spread(PHQ9, 3));
    r.item![0]!.answer = [{ valueCoding: { system: 'http://loinc.org', code: 'LA6572-7' } }];
    r.item![1]!.answer = [{ valueBoolean: true }];
    r.item![2]!.answer = [{ valueCoding: frequency(0) }, { valueCoding: frequency(1) }];
    const issues = responseIssues(PHQ9.questionnaire, r);
    assert.deepEqual(issues.map((i) => [i.linkId, i.expression]), [
      ['44250-9', "QuestionnaireResponse.item.where(linkId='44250-9').answer[0].valueCoding"],
      ['44255-8', "QuestionnaireResponse.item.where(linkId='44255-8').answer[0]"],
      ['44259-0', "QuestionnaireResponse.item.where(linkId='44259-0').answer"],
    ]);
    assert.match(issues[0]!.message, /'LA6572-7' is not one of its answers/);
    assert.match(issues[1]!.message, /needs a Coding answer/);
    assert.match(issues[2]!.message, /takes one answer, not 2/);
  });

  test('a code from the wrong system does not pass for the right one', () => {
    const r = answered(GAD7, spread(GAD7, 0));
    r.item![3]!.answer = [{ valueCoding: { system: 'http://example.org', code: 'LA6568-5' } }];
    assert.deepEqual(responseIssues(GAD7.questionnaire, r).map((i) => i.linkId), ['69734-2']);
  });

  test('unknown and repeated items, and the wrong questionnaire, are named', () => {
    const r = answered(GAD7, spread(GAD7, 0));
    r.questionnaire = canonicalOf(PHQ9);
    r.item!.push({ linkId: 'mood', answer: [{ valueString: 'fine' }] }, { ...r.item![0]! });
    const issues = responseIssues(GAD7.questionnaire, r);
    assert.deepEqual(issues.map((i) => [i.linkId, i.expression]), [
      [undefined, 'QuestionnaireResponse.questionnaire'],
      ['mood', 'QuestionnaireResponse.item[7].linkId'],
      ['69725-0', 'QuestionnaireResponse.item[8]'],
    ]);
  });

  test('a yes/no question needs a boolean', () => {
    const r: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: SYMPTOM_CHECK.questionnaire.url,
      item: [{ linkId: 'chest-pain', answer: [{ valueString: 'a little' }] }],
    };
    const issues = responseIssues(SYMPTOM_CHECK.questionnaire, r);
    assert.deepEqual(issues.map((i) => i.linkId), ['chest-pain', 'breathing', 'stroke-signs', 'fever', 'symptom-severity']);
    assert.match(issues[0]!.message, /needs a Boolean answer/);
  });
});

describe('checkInFor', () => {
  test('finds a shipped check-in by url, with or without its version, and nothing else', () => {
    assert.equal(checkInFor(PHQ9.questionnaire.url), PHQ9);
    assert.equal(checkInFor(canonicalOf(GAD7)), GAD7);
    assert.equal(checkInFor(`${PHQ9.questionnaire.url}|0.9`), undefined);
    assert.equal(checkInFor('http://example.org/Questionnaire/phq-9'), undefined);
    assert.equal(checkInFor(undefined), undefined);
  });
});
