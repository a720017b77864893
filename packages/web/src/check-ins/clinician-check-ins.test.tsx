import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { CarePlan, Parameters, QuestionnaireResponse } from '@medplum/fhirtypes';
import { canonicalOf, checkInPlan, FREQUENCY_ANSWERS, GAD7, PHQ9 } from '@salus/core';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { ClinicianCheckIns } from './clinician-check-ins.js';

const bundleOf = (resources: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) });
const start = '2026-03-01T09:00:00Z';
const phqPlan: CarePlan & { id: string } = {
  ...checkInPlan({ instrument: PHQ9, schedule: { period: 2, periodUnit: 'wk' }, patient: { reference: 'Patient/ana' }, author: { reference: 'Practitioner/okafor' }, start, now: new Date(start) }),
  id: 'plan-1',
};
const answered: QuestionnaireResponse = {
  resourceType: 'QuestionnaireResponse',
  id: 'qr-1',
  status: 'completed',
  questionnaire: canonicalOf(PHQ9),
  authored: '2026-03-02T18:00:00Z',
  item: PHQ9.questionnaire.item!.map((i, n) => ({ linkId: i.linkId, answer: [{ valueCoding: FREQUENCY_ANSWERS[n === 8 ? 2 : 1]!.valueCoding! }] })),
};

let server: FakeServer | undefined;
afterEach(() => server?.restore());

function serve(plans: CarePlan[]) {
  server = fakeServer((call) => {
    const url = new URL(call.url, 'http://localhost');
    if (url.pathname === '/fhir/R4/CarePlan') return { body: bundleOf(plans) };
    if (url.pathname === '/fhir/R4/QuestionnaireResponse') return { body: bundleOf([answered]) };
    if (url.pathname === '/fhir/R4/Observation') return { body: bundleOf([]) };
    if (url.pathname === '/fhir/R4/Patient/ana/$enrol-check-in') return { status: 201, body: { ...phqPlan, id: 'plan-2' } };
    if (url.pathname === '/fhir/R4/CarePlan/plan-1' && call.method === 'PUT') return { body: call.body };
    return undefined;
  });
  return server.calls;
}

describe('ClinicianCheckIns', () => {
  test('enrolling sends the questionnaire and schedule chosen; those already enrolled are not offered again', async () => {
    const calls = serve([phqPlan]);
    renderUi(<ClinicianCheckIns patientId="ana" me="Practitioner/okafor" nameOf={() => ''} />);
    assert.ok(await screen.findByText('PHQ-9 every 2 weeks'));
    assert.ok(screen.getByText(/enrolled by you/));
    const form = screen.getByRole('form', { name: 'Enrol in check-ins' });
    const questionnaire = within(form).getByLabelText('Questionnaire') as HTMLSelectElement;
    assert.deepEqual([...questionnaire.options].map((o) => o.value), ['gad-7', 'symptom-check']);
    fireEvent.change(within(form).getByLabelText('How often'), { target: { value: '1-mo' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Enrol' }));
    await waitFor(() => assert.ok(calls.some((c) => c.method === 'POST')));
    const posted = calls.find((c) => c.method === 'POST')!;
    assert.equal(posted.url, '/fhir/R4/Patient/ana/$enrol-check-in');
    assert.deepEqual((posted.body as Parameters).parameter, [
      { name: 'questionnaire', valueCanonical: GAD7.questionnaire.url },
      { name: 'period', valuePositiveInt: 1 },
      { name: 'periodUnit', valueCode: 'mo' },
    ]);
  });

  test('ending an enrolment completes its CarePlan after confirming', async () => {
    const calls = serve([phqPlan]);
    renderUi(<ClinicianCheckIns patientId="ana" me="Practitioner/okafor" nameOf={() => ''} />);
    fireEvent.click(await screen.findByRole('button', { name: 'End enrolment in PHQ-9' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'End enrolment' }));
    await waitFor(() => assert.ok(calls.some((c) => c.method === 'PUT')));
    const put = calls.find((c) => c.method === 'PUT')!.body as CarePlan;
    assert.equal(put.status, 'completed');
    assert.ok(put.period?.end);
    assert.equal(put.activity?.[0]?.detail?.status, 'stopped');
  });

  test('each response reads question by question, the answer of concern marked', async () => {
    serve([phqPlan]);
    renderUi(<ClinicianCheckIns patientId="ana" me="Practitioner/castillo" nameOf={(r) => (r?.reference === 'Practitioner/okafor' ? 'Dr. Amara Okafor' : '')} />);
    assert.ok(await screen.findByText(/enrolled by Dr. Amara Okafor/));
    assert.ok(screen.getByText('Thoughts of being better off dead or of self-harm'), 'the concern shows on the response');
    fireEvent.click(screen.getByRole('button', { name: /PHQ-9.*Score 10/ }));
    const table = await screen.findByRole('table', { name: /PHQ-9 answers of/ });
    const row = within(table).getByText(/Thoughts that you would be better off dead/).closest('tr')!;
    assert.equal(within(row).getByText('More than half the days').tagName, 'TD');
  });
});
