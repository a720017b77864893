import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { READING_KINDS, formatReading, type Reading, type ReadingKind } from './readings.js';
import {
  adviceFor,
  defaultPlan,
  describeRule,
  planIssues,
  ruleKey,
  thresholdBreaches,
  trendBreach,
  type MonitoringCondition,
  type MonitoringPlan,
  type MonitoringRule,
  type ThresholdRule,
  type TrendRule,
} from './rules.js';

const UNITS: Partial<Record<ReadingKind, string>> = {
  'blood-pressure': 'mm[Hg]',
  'heart-rate': '/min',
  'oxygen-saturation': '%',
  'body-temperature': 'Cel',
  'blood-glucose': 'mmol/L',
  'body-weight': 'kg',
};

function reading(kind: ReadingKind, value: number, value2?: number): Reading {
  return { kind, code: 'test', time: '2025-03-01T08:00:00.000Z', value, ...(value2 === undefined ? {} : { value2 }), unit: UNITS[kind] ?? '1' };
}

const plan = (rules: MonitoringRule[], goals: MonitoringPlan['goals'] = []): MonitoringPlan => ({ conditions: [], spo2Scale2: false, goals, rules });
const breaks = (rules: MonitoringRule[], r: Reading): boolean => thresholdBreaches(plan(rules), r).length > 0;

describe('threshold rules', () => {
  const above: ThresholdRule = { type: 'threshold', kind: 'heart-rate', above: 130, severity: 'high' };
  const below: ThresholdRule = { type: 'threshold', kind: 'blood-glucose', below: 3.9, severity: 'medium' };
  const both: ThresholdRule = { type: 'threshold', kind: 'heart-rate', below: 40, above: 130, severity: 'high' };

  test('above is strict: the limit itself is not a breach', () => {
    assert.equal(breaks([above], reading('heart-rate', 130)), false);
    assert.equal(breaks([above], reading('heart-rate', 130.1)), true);
    assert.equal(breaks([above], reading('heart-rate', 131)), true);
  });

  test('below is strict: the limit itself is not a breach', () => {
    assert.equal(breaks([below], reading('blood-glucose', 3.9)), false);
    assert.equal(breaks([below], reading('blood-glucose', 3.8)), true);
  });

  test('a rule with both limits is breached outside either', () => {
    assert.deepEqual(
      [39, 40, 130, 131].map((v) => breaks([both], reading('heart-rate', v))),
      [true, false, false, true],
    );
  });

  test('applies only to readings of its kind', () => {
    assert.equal(breaks([above], reading('respiratory-rate', 200)), false);
  });

  test('blood pressure: systolic rules look at value, diastolic ones at value2', () => {
    const systolic: ThresholdRule = { type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' };
    const diastolic: ThresholdRule = { type: 'threshold', kind: 'blood-pressure', component: 'diastolic', above: 119, severity: 'high' };
    const rules = [systolic, diastolic];
    assert.deepEqual(thresholdBreaches(plan(rules), reading('blood-pressure', 179, 119)), []);
    assert.deepEqual(thresholdBreaches(plan(rules), reading('blood-pressure', 180, 119)), [systolic]);
    assert.deepEqual(thresholdBreaches(plan(rules), reading('blood-pressure', 150, 120)), [diastolic]);
    assert.deepEqual(thresholdBreaches(plan(rules), reading('blood-pressure', 200, 125)), [systolic, diastolic]);
    assert.deepEqual(thresholdBreaches(plan(rules), reading('blood-pressure', 120)), [], 'no diastolic, no diastolic breach');
  });

  test('returns every breached rule in plan order', () => {
    const low: ThresholdRule = { type: 'threshold', kind: 'blood-glucose', below: 3, severity: 'high' };
    assert.deepEqual(thresholdBreaches(plan([below, above, low]), reading('blood-glucose', 2.9)), [below, low]);
    assert.deepEqual(thresholdBreaches(plan([below, above, low]), reading('blood-glucose', 3)), [below]);
  });
});

describe('trend rules', () => {
  const H = 3_600_000;
  const gain: TrendRule = { type: 'trend', kind: 'body-weight', rise: 2, withinHours: 72, severity: 'medium' };
  const loss: TrendRule = { type: 'trend', kind: 'body-weight', fall: 3, withinHours: 24, severity: 'low' };
  const t0 = Date.parse('2025-03-01T08:00:00Z');

  test('a rise of exactly `rise` is a breach, a little less is not', () => {
    assert.deepEqual(trendBreach(gain, [{ time: t0, value: 80 }, { time: t0 + 48 * H, value: 82 }]), {
      from: { time: t0, value: 80 },
      to: { time: t0 + 48 * H, value: 82 },
      change: 2,
    });
    assert.equal(trendBreach(gain, [{ time: t0, value: 80 }, { time: t0 + 48 * H, value: 81.99 }]), undefined);
  });

  test('binary fractions do not hide a rise: 62.1 to 64.1 kg is 2 kg', () => {
    assert.equal(trendBreach(gain, [{ time: t0, value: 62.1 }, { time: t0 + H, value: 64.1 }])?.change, 2);
  });

  test('a point exactly withinHours before the newest counts, one a moment earlier does not', () => {
    assert.ok(trendBreach(gain, [{ time: t0, value: 80 }, { time: t0 + 72 * H, value: 82 }]));
    assert.equal(trendBreach(gain, [{ time: t0 - 1, value: 80 }, { time: t0 + 72 * H, value: 82 }]), undefined);
  });

  test('compares the newest point with each earlier one and reports the largest change', () => {
    const series = [
      { time: t0, value: 78 }, // outside the window
      { time: t0 + 24 * H, value: 80 },
      { time: t0 + 48 * H, value: 79.5 },
      { time: t0 + 72 * H, value: 81 },
      { time: t0 + 96 * H, value: 82 },
    ];
    const breach = trendBreach(gain, series);
    assert.deepEqual(breach?.from, series[2]);
    assert.equal(breach?.to, series[4]);
    assert.equal(breach?.change, 2.5);
  });

  test('only the newest point is judged: an old rise that has settled is no breach', () => {
    assert.equal(trendBreach(gain, [{ time: t0, value: 80 }, { time: t0 + H, value: 83 }, { time: t0 + 2 * H, value: 80.5 }]), undefined);
  });

  test('falls: a drop of exactly `fall` is a breach, and the change is negative', () => {
    assert.equal(trendBreach(loss, [{ time: t0, value: 80 }, { time: t0 + H, value: 77 }])?.change, -3);
    assert.equal(trendBreach(loss, [{ time: t0, value: 80 }, { time: t0 + H, value: 77.1 }]), undefined);
    assert.equal(trendBreach(loss, [{ time: t0, value: 80 }, { time: t0 + H, value: 90 }]), undefined, 'a rise is no fall');
  });

  test('a rule with both rise and fall catches either', () => {
    const either: TrendRule = { type: 'trend', kind: 'body-weight', rise: 2, fall: 2, withinHours: 72, severity: 'medium' };
    assert.equal(trendBreach(either, [{ time: t0, value: 80 }, { time: t0 + H, value: 82 }])?.change, 2);
    assert.equal(trendBreach(either, [{ time: t0, value: 80 }, { time: t0 + H, value: 78 }])?.change, -2);
  });

  test('fewer than two points is never a breach', () => {
    assert.equal(trendBreach(gain, []), undefined);
    assert.equal(trendBreach(gain, [{ time: t0, value: 80 }]), undefined);
  });
});

describe('ruleKey', () => {
  test('names the rule by what it checks, not by its severity', () => {
    assert.equal(ruleKey({ type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' }), 'threshold:blood-pressure:systolic:>179');
    assert.equal(ruleKey({ type: 'threshold', kind: 'heart-rate', below: 40, above: 130, severity: 'low' }), 'threshold:heart-rate:<40,>130');
    assert.equal(ruleKey({ type: 'threshold', kind: 'heart-rate', below: 40, severity: 'high' }), 'threshold:heart-rate:<40');
    assert.equal(ruleKey({ type: 'trend', kind: 'body-weight', rise: 2, withinHours: 72, severity: 'medium' }), 'trend:body-weight:+2:72h');
    assert.equal(ruleKey({ type: 'trend', kind: 'body-weight', rise: 2, fall: 1.5, withinHours: 72, severity: 'medium' }), 'trend:body-weight:+2,-1.5:72h');
    assert.equal(ruleKey({ type: 'missing', hours: 24, severity: 'low' }), 'missing:any:24h');
    assert.equal(ruleKey({ type: 'missing', kind: 'blood-glucose', hours: 12, severity: 'low' }), 'missing:blood-glucose:12h');
  });
});

describe('defaultPlan', () => {
  const keys = (p: MonitoringPlan) => p.rules.map((r) => `${ruleKey(r)} ${r.severity}`);

  test('hypertension: severe at 180 systolic or 120 diastolic, home goal below 135/85 (NICE NG136)', () => {
    const p = defaultPlan(['hypertension']);
    assert.equal(p.spo2Scale2, false);
    assert.deepEqual(keys(p), ['threshold:blood-pressure:systolic:>179 high', 'threshold:blood-pressure:diastolic:>119 high', 'missing:blood-pressure:24h low']);
    assert.deepEqual(p.goals, [
      { kind: 'blood-pressure', component: 'systolic', high: 134 },
      { kind: 'blood-pressure', component: 'diastolic', high: 84 },
    ]);
    assert.equal(adviceFor(reading('blood-pressure', 180, 100), p).level, 'urgent');
    assert.equal(adviceFor(reading('blood-pressure', 179, 119), p).level, 'goal');
    assert.equal(adviceFor(reading('blood-pressure', 135, 80), p).level, 'goal');
    assert.equal(adviceFor(reading('blood-pressure', 134, 84), p).level, 'ok');
  });

  test('heart failure: 2 kg in 3 days, resting heart rate above 120 or below 40, daily weight', () => {
    assert.deepEqual(keys(defaultPlan(['heart-failure'])), [
      'trend:body-weight:+2:72h medium',
      'threshold:heart-rate:>120 medium',
      'threshold:heart-rate:<40 high',
      'missing:body-weight:24h low',
    ]);
  });

  test('diabetes: hypoglycaemia levels 1 and 2, very high glucose, goal 4–10 mmol/L', () => {
    const p = defaultPlan(['diabetes']);
    assert.deepEqual(keys(p), ['threshold:blood-glucose:<3.9 medium', 'threshold:blood-glucose:<3 high', 'threshold:blood-glucose:>13.9 medium', 'missing:blood-glucose:24h low']);
    assert.deepEqual(p.goals, [{ kind: 'blood-glucose', low: 4, high: 10 }]);
    assert.deepEqual(
      [2.9, 3, 3.8, 3.9, 4, 10, 10.1, 13.9, 14].map((v) => adviceFor(reading('blood-glucose', v), p).level),
      ['urgent', 'call', 'call', 'goal', 'ok', 'ok', 'goal', 'goal', 'call'],
    );
  });

  test('COPD: SpO2 scale 2, below 88 % is high, goal 88–92 %', () => {
    const p = defaultPlan(['copd']);
    assert.equal(p.spo2Scale2, true);
    assert.deepEqual(keys(p), ['threshold:oxygen-saturation:<88 high', 'missing:oxygen-saturation:24h low']);
    assert.deepEqual(p.goals, [{ kind: 'oxygen-saturation', low: 88, high: 92 }]);
  });

  test('general: SpO2 below 92 %, heart rate above 130 or below 40, temperature 39.1 °C or more, any reading daily', () => {
    const p = defaultPlan(['general']);
    assert.deepEqual(keys(p), [
      'threshold:oxygen-saturation:<92 medium',
      'threshold:heart-rate:>130 high',
      'threshold:heart-rate:<40 high',
      'threshold:body-temperature:>39 medium',
      'missing:any:24h low',
    ]);
    assert.deepEqual(p.goals, []);
    assert.deepEqual(
      [39, 39.1].map((v) => adviceFor(reading('body-temperature', v), p).level),
      ['ok', 'call'],
    );
  });

  test('no condition means general', () => {
    assert.deepEqual(defaultPlan([]), defaultPlan(['general']));
    assert.deepEqual(defaultPlan([]).conditions, ['general']);
  });

  test('every plan watches for missing data, 24 h by default', () => {
    for (const c of ['hypertension', 'heart-failure', 'diabetes', 'copd', 'general'] as MonitoringCondition[]) {
      const missing = defaultPlan([c]).rules.filter((r) => r.type === 'missing');
      assert.equal(missing.length, 1, c);
      assert.equal(missing[0]!.type === 'missing' && missing[0]!.hours, 24, c);
    }
  });

  test('every default plan, alone or combined, passes planIssues', () => {
    const all: MonitoringCondition[] = ['hypertension', 'heart-failure', 'diabetes', 'copd', 'general'];
    for (const c of all) assert.deepEqual(planIssues(defaultPlan([c])), [], c);
    assert.deepEqual(planIssues(defaultPlan(all)), []);
    assert.deepEqual(planIssues(JSON.parse(JSON.stringify(defaultPlan(all)))), []);
  });

  test('combining conditions merges rules and goals; a rule they share appears once', () => {
    const p = defaultPlan(['heart-failure', 'general']);
    assert.deepEqual(p.conditions, ['heart-failure', 'general']);
    const k = p.rules.map(ruleKey);
    assert.equal(new Set(k).size, k.length);
    assert.deepEqual(keys(p), [
      'trend:body-weight:+2:72h medium',
      'threshold:heart-rate:>120 medium',
      'threshold:heart-rate:<40 high',
      'missing:body-weight:24h low',
      'threshold:oxygen-saturation:<92 medium',
      'threshold:heart-rate:>130 high',
      'threshold:body-temperature:>39 medium',
      'missing:any:24h low',
    ]);
    const both = defaultPlan(['hypertension', 'diabetes']);
    assert.deepEqual(both.goals.map((g) => g.kind), ['blood-pressure', 'blood-pressure', 'blood-glucose']);
    assert.equal(both.rules.length, defaultPlan(['hypertension']).rules.length + defaultPlan(['diabetes']).rules.length);
  });

  test('a condition listed twice counts once', () => {
    assert.deepEqual(defaultPlan(['diabetes', 'diabetes']), defaultPlan(['diabetes']));
  });

  test('with COPD, the general SpO2 limit gives way to scale 2: 88–91 % is on target', () => {
    const p = defaultPlan(['general', 'copd']);
    assert.equal(p.spo2Scale2, true);
    const spo2 = p.rules.filter((r) => r.kind === 'oxygen-saturation').map(ruleKey);
    assert.deepEqual(spo2, ['threshold:oxygen-saturation:<88', 'missing:oxygen-saturation:24h']);
    assert.equal(adviceFor(reading('oxygen-saturation', 89), p).level, 'ok');
    assert.equal(adviceFor(reading('oxygen-saturation', 87), p).level, 'urgent');
  });

  test('hands out fresh objects: editing one plan does not change the next', () => {
    const p = defaultPlan(['diabetes']);
    (p.rules[0] as ThresholdRule).below = 5;
    p.goals[0]!.high = 12;
    assert.equal((defaultPlan(['diabetes']).rules[0] as ThresholdRule).below, 3.9);
    assert.equal(defaultPlan(['diabetes']).goals[0]!.high, 10);
  });
});

describe('planIssues', () => {
  const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(defaultPlan(['hypertension', 'diabetes']))) as Record<string, unknown>;
  const fields = (p: unknown) => planIssues(p).map((i) => i.field);
  const withRule = (rule: unknown) => ({ ...valid(), rules: [rule] });

  test('a plan must be an object', () => {
    for (const bad of [null, 'plan', 42, []]) assert.deepEqual(fields(bad), ['plan']);
  });

  test('conditions, spo2Scale2, goals and rules are required, with their types', () => {
    assert.deepEqual(fields({}), ['conditions', 'spo2Scale2', 'goals', 'rules']);
    assert.deepEqual(fields({ conditions: 'copd', spo2Scale2: 'yes', goals: {}, rules: null }), ['conditions', 'spo2Scale2', 'goals', 'rules']);
  });

  test('unknown and repeated conditions', () => {
    assert.deepEqual(fields({ ...valid(), conditions: ['diabetes', 'asthma', 'diabetes', 7] }), ['conditions[1]', 'conditions[2]', 'conditions[3]']);
  });

  test('unknown fields, at any level', () => {
    assert.deepEqual(fields({ ...valid(), owner: 'x' }), ['owner']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', abvoe: 130, above: 120, severity: 'high' })), ['rules[0].abvoe']);
    assert.deepEqual(fields({ ...valid(), goals: [{ kind: 'blood-glucose', low: 4, hihg: 10 }] }), ['goals[0].hihg']);
  });

  test('a threshold needs below or above, and below must be less than above', () => {
    const issues = planIssues(withRule({ type: 'threshold', kind: 'heart-rate', severity: 'high' }));
    assert.deepEqual(issues.map((i) => i.field), ['rules[0]']);
    assert.match(issues[0]!.message, /below or above/);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', below: 130, above: 40, severity: 'high' })), ['rules[0].below']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', below: 40, above: 40, severity: 'high' })), ['rules[0].below']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', below: 39, above: 40, severity: 'high' })), []);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', above: '130', severity: 'high' })), ['rules[0].above']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', above: null, severity: 'high' })), ['rules[0].above']);
  });

  test('kinds must be known; blood pressure needs a component and nothing else takes one', () => {
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'mood', above: 3, severity: 'low' })), ['rules[0].kind']);
    assert.deepEqual(fields(withRule({ type: 'threshold', above: 3, severity: 'low' })), ['rules[0].kind']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'blood-pressure', above: 179, severity: 'high' })), ['rules[0].component']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'blood-pressure', component: 'mean', above: 179, severity: 'high' })), ['rules[0].component']);
    assert.deepEqual(fields(withRule({ type: 'threshold', kind: 'heart-rate', component: 'systolic', above: 179, severity: 'high' })), ['rules[0].component']);
  });

  test('trend rules need a positive rise or fall and positive withinHours', () => {
    assert.deepEqual(fields(withRule({ type: 'trend', kind: 'body-weight', rise: 2, withinHours: 72, severity: 'medium' })), []);
    assert.deepEqual(fields(withRule({ type: 'trend', kind: 'body-weight', withinHours: 72, severity: 'medium' })), ['rules[0]']);
    assert.deepEqual(fields(withRule({ type: 'trend', kind: 'body-weight', rise: 0, fall: -1, withinHours: 72, severity: 'medium' })), ['rules[0].rise', 'rules[0].fall']);
    assert.deepEqual(fields(withRule({ type: 'trend', kind: 'blood-pressure', component: 'systolic', rise: 20, withinHours: 24, severity: 'low' })), ['rules[0].component'], 'a blood-pressure trend follows the systolic value');
    for (const hours of [0, -24, 'a day', undefined, Infinity]) {
      assert.deepEqual(fields(withRule({ type: 'trend', kind: 'body-weight', rise: 2, withinHours: hours, severity: 'medium' })), ['rules[0].withinHours'], String(hours));
    }
  });

  test('missing-data rules need positive hours; their kind is optional but must be known', () => {
    assert.deepEqual(fields(withRule({ type: 'missing', hours: 24, severity: 'low' })), []);
    assert.deepEqual(fields(withRule({ type: 'missing', hours: 0, severity: 'low' })), ['rules[0].hours']);
    assert.deepEqual(fields(withRule({ type: 'missing', kind: 'mood', hours: 24, severity: 'low' })), ['rules[0].kind']);
  });

  test('type and severity must be known', () => {
    assert.deepEqual(fields(withRule({ type: 'average', kind: 'heart-rate', severity: 'low' })), ['rules[0].type']);
    assert.deepEqual(fields(withRule({ type: 'missing', hours: 24, severity: 'critical' })), ['rules[0].severity']);
    assert.deepEqual(fields(withRule('rule')), ['rules[0]']);
  });

  test('duplicate rules (same ruleKey, whatever the severity) and duplicate goals', () => {
    const rule = { type: 'threshold', kind: 'heart-rate', above: 130, severity: 'high' };
    const issues = planIssues({ ...valid(), rules: [rule, { type: 'missing', hours: 24, severity: 'low' }, { ...rule, severity: 'low' }] });
    assert.deepEqual(issues.map((i) => i.field), ['rules[2]']);
    assert.match(issues[0]!.message, /rules\[0\]/);
    const goal = { kind: 'blood-glucose', low: 4, high: 10 };
    assert.deepEqual(fields({ ...valid(), goals: [goal, { ...goal, high: 8 }] }), ['goals[1]']);
  });

  test('goals need low or high, low below high, a known kind', () => {
    assert.deepEqual(fields({ ...valid(), goals: [{ kind: 'blood-glucose' }] }), ['goals[0]']);
    assert.deepEqual(fields({ ...valid(), goals: [{ kind: 'blood-glucose', low: 10, high: 4 }] }), ['goals[0].low']);
    assert.deepEqual(fields({ ...valid(), goals: [{ kind: 'sugar', low: 4 }, 'x'] }), ['goals[0].kind', 'goals[1]']);
    assert.deepEqual(fields({ ...valid(), goals: [{ kind: 'blood-pressure', high: 134 }] }), ['goals[0].component']);
  });

  test('reports every problem at once', () => {
    const p = { conditions: ['x'], spo2Scale2: true, goals: [], rules: [{ type: 'threshold', kind: 'heart-rate', severity: 'high' }, { type: 'trend', kind: 'body-weight', rise: 2, withinHours: 0, severity: 'medium' }, { type: 'missing', hours: -1, severity: 'low' }] };
    assert.deepEqual(fields(p), ['conditions[0]', 'rules[0]', 'rules[1].withinHours', 'rules[2].hours']);
  });
});

describe('describeRule', () => {
  const text = (kind: ReadingKind) => READING_KINDS[kind].text;

  test('threshold rules', () => {
    assert.equal(describeRule({ type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' }), 'Systolic above 179 mmHg');
    assert.equal(describeRule({ type: 'threshold', kind: 'blood-pressure', component: 'diastolic', below: 50, severity: 'low' }), 'Diastolic below 50 mmHg');
    assert.equal(describeRule({ type: 'threshold', kind: 'heart-rate', below: 40, above: 130, severity: 'high' }), 'Heart rate below 40 or above 130 beats/min');
    assert.equal(describeRule({ type: 'threshold', kind: 'blood-glucose', below: 3.9, severity: 'medium' }), `${text('blood-glucose')} below 3.9 mmol/L`);
  });

  test('trend rules', () => {
    assert.equal(describeRule({ type: 'trend', kind: 'body-weight', rise: 2, withinHours: 72, severity: 'medium' }), `${text('body-weight')} up 2 kg within 72 h`);
    assert.equal(describeRule({ type: 'trend', kind: 'body-weight', rise: 2, fall: 3, withinHours: 48, severity: 'medium' }), `${text('body-weight')} up 2 kg or down 3 kg within 48 h`);
  });

  test('missing-data rules', () => {
    assert.equal(describeRule({ type: 'missing', hours: 24, severity: 'low' }), 'No reading for 24 h');
    assert.equal(describeRule({ type: 'missing', kind: 'blood-pressure', hours: 24, severity: 'low' }), 'No blood pressure reading for 24 h');
  });
});

describe('adviceFor', () => {
  const p = defaultPlan(['hypertension', 'general']);

  test('urgent for a high-severity breach: call 911 for chest pain or trouble breathing, and the care team now', () => {
    const r = reading('blood-pressure', 185, 125);
    const advice = adviceFor(r, p);
    assert.equal(advice.level, 'urgent');
    assert.ok(advice.text.includes(formatReading(r)));
    assert.match(advice.text, /systolic above 179 mmHg; diastolic above 119 mmHg/);
    assert.match(advice.text, /chest pain or trouble breathing, call 911 now/);
    assert.match(advice.text, /contact your care team now/);
  });

  test('call for a medium-severity breach', () => {
    const advice = adviceFor(reading('oxygen-saturation', 91), p);
    assert.equal(advice.level, 'call');
    assert.match(advice.text, /below 92%/);
    assert.match(advice.text, /Contact your care team today/);
  });

  test('the worst breach decides', () => {
    const diabetes = defaultPlan(['diabetes']);
    const advice = adviceFor(reading('blood-glucose', 2.5), diabetes);
    assert.equal(advice.level, 'urgent');
    assert.match(advice.text, /below 3 mmol\/L/);
    assert.doesNotMatch(advice.text, /below 3\.9/);
  });

  test('goal when outside the goal range, naming the goal', () => {
    const advice = adviceFor(reading('blood-pressure', 142, 80), p);
    assert.equal(advice.level, 'goal');
    assert.match(advice.text, /outside your goal \(systolic up to 134 mmHg\)/);
    const glucose = adviceFor(reading('blood-glucose', 11), defaultPlan(['diabetes']));
    assert.match(glucose.text, /4–10 mmol\/L/);
  });

  test('a low-severity breach is advice about the goal, not a call', () => {
    const custom = plan([{ type: 'threshold', kind: 'body-weight', above: 90, severity: 'low' }]);
    const advice = adviceFor(reading('body-weight', 91), custom);
    assert.equal(advice.level, 'goal');
    assert.match(advice.text, /above 90 kg/);
  });

  test('ok within the goal, and when nothing applies', () => {
    assert.equal(adviceFor(reading('blood-pressure', 128, 78), p).level, 'ok');
    assert.match(adviceFor(reading('blood-pressure', 128, 78), p).text, /within your goal/);
    const weight = adviceFor(reading('body-weight', 80), p);
    assert.equal(weight.level, 'ok');
    assert.doesNotMatch(weight.text, /goal/);
  });
});
