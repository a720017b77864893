import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { defaultPlan, describeRule, planIssues, type MonitoringPlan } from '@salus/core';
import { fakeServer, type FakeAnswer, type FakeServer } from '../test/fake-server.js';
import { PlanEditor } from './plan-editor.js';

const empty: MonitoringPlan = { conditions: [], spo2Scale2: false, goals: [], rules: [] };

let server: FakeServer | undefined;
afterEach(() => server?.restore());

function serve(put: (body: unknown) => FakeAnswer) {
  server = fakeServer((call) => (call.method === 'PUT' && call.url === '/monitoring/patients/ana/plan' ? put(call.body) : undefined));
  return server;
}

describe('PlanEditor', () => {
  test('ticking a condition and using its defaults fills the rules and goals; saving sends the plan', async () => {
    const s = serve((body) => ({ body }));
    const saved: MonitoringPlan[] = [];
    renderUi(<PlanEditor patientId="ana" plan={empty} onSaved={(p) => saved.push(p)} />);
    assert.ok(screen.getByText(/No rules: no alerts are raised/));
    const defaults = screen.getByRole('button', { name: 'Use defaults for these conditions' }) as HTMLButtonElement;
    assert.equal(defaults.disabled, true, 'nothing to take defaults from yet');

    fireEvent.click(screen.getByRole('checkbox', { name: 'Heart failure' }));
    fireEvent.click(defaults);
    const expected = defaultPlan(['heart-failure']);
    const rules = screen.getByRole('table', { name: 'Alert rules' });
    assert.equal(within(rules).getAllByRole('row').length - 1, expected.rules.length);
    for (const rule of expected.rules) assert.ok(within(rules).getByText(describeRule(rule)));
    assert.equal((screen.getByLabelText('Rule 1: rise by') as HTMLInputElement).value, '2');

    // Every value stays editable: the weight gain becomes 1.5 kg.
    fireEvent.change(screen.getByLabelText('Rule 1: rise by'), { target: { value: '1.5' } });
    assert.ok(within(rules).getByText('Body weight up 1.5 kg within 72 h'));

    fireEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    await waitFor(() => assert.equal(saved.length, 1));
    const sent = s.calls.find((c) => c.method === 'PUT')!.body as MonitoringPlan;
    assert.deepEqual(sent.conditions, ['heart-failure']);
    assert.equal(sent.rules.length, expected.rules.length);
    assert.deepEqual(sent.rules[0], { ...expected.rules[0], rise: 1.5 });
  });

  test('a rule planIssues rejects is shown on its row and nothing is sent', async () => {
    const s = serve((body) => ({ body }));
    renderUi(<PlanEditor patientId="ana" plan={empty} onSaved={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add a rule' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    const expected = planIssues({ ...empty, rules: [{ type: 'threshold', kind: 'blood-pressure', component: 'systolic', severity: 'medium' }] });
    assert.equal(expected[0]!.field, 'rules[0]');
    const rules = screen.getByRole('table', { name: 'Alert rules' });
    assert.equal(within(rules).getByRole('alert').textContent, expected[0]!.message);
    assert.equal(s.calls.length, 0);
    // Changing the rule clears the message.
    fireEvent.change(screen.getByLabelText('Rule 1: above'), { target: { value: '170' } });
    assert.equal(within(rules).queryByRole('alert'), null);
  });

  test('the server’s objection appears under the field it names', async () => {
    serve(() => ({
      status: 422,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'above must be a number', expression: ['rules[0].above'] }] },
    }));
    const plan: MonitoringPlan = { ...empty, conditions: ['hypertension'], rules: [{ type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' }] };
    renderUi(<PlanEditor patientId="ana" plan={plan} onSaved={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save plan' }));
    const input = screen.getByLabelText('Rule 1: above');
    await waitFor(() => assert.equal(input.getAttribute('aria-invalid'), 'true'));
    const describedBy = input.getAttribute('aria-describedby') ?? '';
    assert.ok(
      describedBy.split(' ').some((id) => document.getElementById(id)?.textContent === 'above must be a number'),
      'the message is tied to the input',
    );
  });

  test('SpO₂ scale 2 comes with its warning', () => {
    serve(() => undefined);
    renderUi(<PlanEditor patientId="ana" plan={empty} onSaved={() => undefined} />);
    assert.equal(screen.queryByText('Only for a prescribed 88–92 % target'), null);
    fireEvent.click(screen.getByRole('switch', { name: /Use SpO₂ scale 2/ }));
    assert.ok(screen.getByText('Only for a prescribed 88–92 % target'));
  });
});
