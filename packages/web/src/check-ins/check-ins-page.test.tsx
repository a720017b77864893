import '../patient/test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Patient, Parameters, QuestionnaireResponse } from '@medplum/fhirtypes';
import { checkInPlan, PHQ9, SYMPTOM_CHECK } from '@salus/core';
import { bundleOf, me, renderSignedIn, serve, type Call } from '../patient/test-support.js';
import { CheckInsPage } from './check-ins-page.js';

const ana: Patient = { resourceType: 'Patient', id: 'ana', name: [{ given: ['Ana'], family: 'Souza' }] };
const start = new Date(Date.now() - 86_400_000).toISOString();
const plan = (instrument = PHQ9) => ({ ...checkInPlan({ instrument, schedule: { period: 2, periodUnit: 'wk' }, patient: { reference: 'Patient/ana' }, start, now: new Date(start) }), id: `plan-${instrument.key}` });

const concern: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'response', valueReference: { reference: 'QuestionnaireResponse/r1' } },
    { name: 'score', valueInteger: 10 },
    { name: 'severity', valueCoding: { code: 'moderate', display: 'Moderate depression' } },
    { name: 'concern', part: [{ name: 'kind', valueCode: 'self-harm' }, { name: 'priority', valueCode: 'stat' }, { name: 'text', valueString: 'Thoughts of being better off dead or of self-harm' }, { name: 'answer', valueString: 'Several days' }] },
    { name: 'priority', valueCode: 'stat' },
    { name: 'task', valueReference: { reference: 'Task/t1' } },
  ],
};

function server(submit: (call: Call) => { status?: number; body?: unknown }, plans = [plan()]) {
  return serve(me(['ana']), (url, call) => {
    if (url.pathname === '/fhir/R4/CarePlan') return { body: bundleOf(plans) };
    if (url.pathname === '/fhir/R4/QuestionnaireResponse') return { body: bundleOf([]) };
    if (url.pathname === '/fhir/R4/Observation') return { body: bundleOf([]) };
    if (url.pathname === '/fhir/R4/QuestionnaireResponse/$submit' && call.method === 'POST') return submit(call);
    return undefined;
  });
}

/** Answers the open questionnaire: `choose(n)` names the answer to question n (0-based). */
async function answerAll(count: number, choose: (n: number) => string) {
  for (let n = 0; n < count; n++) {
    await screen.findByText(`Question ${n + 1} of ${count}`);
    fireEvent.click(screen.getByRole('radio', { name: choose(n) }));
    fireEvent.click(screen.getByRole('button', { name: n === count - 1 ? 'Send my answers' : 'Next' }));
  }
}

describe('CheckInsPage', () => {
  test('a due PHQ-9 is answered one question at a time; thoughts of self-harm bring crisis support at once', async () => {
    const calls = server(() => ({ body: concern }));
    renderSignedIn(<CheckInsPage patient={ana} whose="your" />, '/patient/ana/check-ins');
    assert.ok(await screen.findByRole('heading', { name: 'Due now' }));
    fireEvent.click(screen.getByRole('button', { name: 'Start: PHQ-9' }));
    assert.ok(await screen.findByRole('heading', { name: 'PHQ-9 check-in', level: 1 }));

    // Nothing is chosen yet: going on asks for an answer first.
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    assert.equal((await screen.findByRole('alert')).textContent, 'Choose an answer to go on');
    await answerAll(9, (n) => (n === 8 ? 'Several days' : n < 4 ? 'More than half the days' : 'Not at all'));

    const crisis = await screen.findByRole('alert');
    assert.ok(within(crisis).getByRole('heading', { name: 'Help is here, right now' }));
    assert.equal(within(crisis).getByRole('link', { name: 'Call 988' }).getAttribute('href'), 'tel:988');
    assert.equal(within(crisis).getByRole('link', { name: 'Text 988' }).getAttribute('href'), 'sms:988');
    assert.equal(within(crisis).getByRole('link', { name: 'Call 911' }).getAttribute('href'), 'tel:911');
    assert.ok(within(crisis).getByText(/Your care team has been told/));
    assert.equal(document.activeElement, crisis, 'focus moves to the help');
    assert.ok(screen.getByText('moderate depression'));

    const sent = calls.find((c) => c.url.endsWith('/$submit'))!.body as QuestionnaireResponse;
    assert.equal(sent.subject?.reference, 'Patient/ana');
    assert.equal(sent.item?.length, 9);
    assert.equal(sent.item?.[8]?.answer?.[0]?.valueCoding?.code, 'LA6569-3');
    assert.equal(sent.item?.[0]?.answer?.[0]?.valueCoding?.code, 'LA6570-1');
  });

  test('Back keeps the answers given; a calm result has no crisis panel', async () => {
    server(() => ({ body: { resourceType: 'Parameters', parameter: [{ name: 'score', valueInteger: 0 }, { name: 'severity', valueCoding: { code: 'minimal' } }] } }));
    renderSignedIn(<CheckInsPage patient={ana} whose="your" />, '/patient/ana/check-ins');
    fireEvent.click(await screen.findByRole('button', { name: 'Start: PHQ-9' }));
    fireEvent.click(await screen.findByRole('radio', { name: 'Not at all' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText('Question 2 of 9');
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByText('Question 1 of 9');
    assert.equal(screen.getByRole('radio', { name: 'Not at all' }).getAttribute('aria-checked'), 'true');
    await answerAll(9, () => 'Not at all');
    assert.ok(await screen.findByText('few or no signs of depression'));
    assert.equal(screen.queryByRole('link', { name: 'Call 988' }), null);
  });

  test('a red-flag symptom puts 911 first', async () => {
    server(
      () => ({
        body: {
          resourceType: 'Parameters',
          parameter: [{ name: 'concern', part: [{ name: 'kind', valueCode: 'red-flag' }, { name: 'priority', valueCode: 'stat' }, { name: 'text', valueString: 'Chest pain, pressure or tightness now' }] }],
        },
      }),
      [plan(SYMPTOM_CHECK)],
    );
    renderSignedIn(<CheckInsPage patient={ana} whose="your" />, '/patient/ana/check-ins');
    fireEvent.click(await screen.findByRole('button', { name: 'Start: Symptom check' }));
    await answerAll(5, (n) => (n === 0 ? 'Yes' : n === 4 ? 'Mild' : 'No'));
    const crisis = await screen.findByRole('alert');
    assert.ok(within(crisis).getByRole('heading', { name: 'Get help now' }));
    assert.deepEqual(within(crisis).getAllByRole('link').map((l) => l.textContent), ['Call 911', 'Call 988', 'Text 988']);
  });

  test('an answer the server refuses takes the person back to that question with its words', async () => {
    server(() => ({
      status: 400,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'required', diagnostics: "Item '44259-0' needs an answer", expression: ["QuestionnaireResponse.item.where(linkId='44259-0')"] }] },
    }));
    renderSignedIn(<CheckInsPage patient={ana} whose="your" />, '/patient/ana/check-ins');
    fireEvent.click(await screen.findByRole('button', { name: 'Start: PHQ-9' }));
    await answerAll(9, () => 'Not at all');
    await waitFor(() => assert.ok(screen.getByText('Question 3 of 9')));
    assert.equal(screen.getByRole('alert').textContent, "Item '44259-0' needs an answer");
  });

  test('without enrolments the page says so', async () => {
    server(() => ({}), []);
    renderSignedIn(<CheckInsPage patient={ana} whose="your" />, '/patient/ana/check-ins');
    assert.ok(await screen.findByText(/has not asked for any check-ins/));
    assert.ok(screen.getByText(/No scores yet/));
  });
});
