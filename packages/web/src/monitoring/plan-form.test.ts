import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { planIssues, type MonitoringPlan } from '@salus/core';
import { changeGoal, changeRule, issueKey, newRule, numberOrUndefined, placeIssues, planFieldKeys } from './plan-form.js';

const plan: MonitoringPlan = {
  conditions: ['hypertension'],
  spo2Scale2: false,
  goals: [{ kind: 'blood-pressure', component: 'systolic', high: 134 }],
  rules: [
    { type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' },
    { type: 'missing', hours: 24, severity: 'low' },
  ],
};

describe('editing', () => {
  test('a new type starts a fresh rule about the same reading', () => {
    assert.deepEqual(changeRule(plan.rules[0]!, 'type', 'trend'), { type: 'trend', kind: 'blood-pressure', withinHours: 72, severity: 'high' });
    assert.deepEqual(newRule('missing', 'body-weight'), { type: 'missing', kind: 'body-weight', hours: 24, severity: 'medium' });
  });

  test('only blood pressure says which pressure; an emptied field is dropped', () => {
    const hr = changeRule(plan.rules[0]!, 'kind', 'heart-rate');
    assert.deepEqual(hr, { type: 'threshold', kind: 'heart-rate', above: 179, severity: 'high' });
    assert.equal((changeRule(hr, 'kind', 'blood-pressure') as { component?: string }).component, 'systolic');
    assert.equal('above' in changeRule(hr, 'above', undefined), false);
    assert.deepEqual(changeGoal(plan.goals[0]!, 'kind', 'blood-glucose'), { kind: 'blood-glucose', high: 134 });
    assert.equal(numberOrUndefined('7.5'), 7.5);
    assert.equal(numberOrUndefined(''), undefined);
    assert.equal(numberOrUndefined('x'), undefined);
  });
});

describe('problems under their fields', () => {
  test('the field path, however the server spells it', () => {
    assert.equal(issueKey('rules[2].above'), 'rules[2].above');
    assert.equal(issueKey('MonitoringPlan.rules[2].above'), 'rules[2].above');
    assert.equal(issueKey('rules.2.above'), 'rules[2].above');
    assert.equal(issueKey('conditions[1]'), 'conditions[1]');
  });

  test('each problem goes to its field, else its row, else its section, else the list', () => {
    const keys = planFieldKeys(plan);
    assert.ok(keys.has('rules[0].component') && keys.has('rules[1].hours') && !keys.has('rules[1].component'));
    const { at, other } = placeIssues(
      [
        { field: 'rules[0].above', message: 'above must be a number' },
        { field: 'rules[1].mystery', message: "Unknown field 'mystery'" },
        { field: 'conditions[0]', message: 'Unknown condition "x"' },
        { field: 'plan', message: 'The plan must be a JSON object' },
      ],
      keys,
    );
    assert.equal(at.get('rules[0].above'), 'above must be a number');
    assert.equal(at.get('rules[1]'), "Unknown field 'mystery'");
    assert.equal(at.get('conditions'), 'Unknown condition "x"');
    assert.deepEqual(other, ['The plan must be a JSON object']);
  });

  test('core’s planIssues for a rule without limits lands on that rule', () => {
    const broken: MonitoringPlan = { ...plan, rules: [{ type: 'threshold', kind: 'heart-rate', severity: 'medium' }] };
    const issues = planIssues(broken);
    assert.ok(issues.length > 0);
    const { at, other } = placeIssues(issues, planFieldKeys(broken));
    assert.deepEqual(other, []);
    assert.ok([...at.keys()].every((k) => k.startsWith('rules[0]')));
  });
});
