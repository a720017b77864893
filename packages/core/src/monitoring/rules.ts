import { READING_KINDS, formatReading, type Reading, type ReadingKind } from './readings.js';

/**
 * Per-patient monitoring plans: goals the patient aims for, and rules that raise alerts. Limits
 * are strict: a threshold rule is breached when a value is below `below` or above `above`; a
 * goal's `low` and `high` are both within the goal. Values are in each kind's canonical unit.
 */

export type MonitoringCondition = 'hypertension' | 'heart-failure' | 'diabetes' | 'copd' | 'general';
export type AlertSeverity = 'low' | 'medium' | 'high';

export const MONITORING_CONDITIONS: readonly MonitoringCondition[] = ['hypertension', 'heart-failure', 'diabetes', 'copd', 'general'];
const SEVERITIES: readonly AlertSeverity[] = ['low', 'medium', 'high'];

export interface ThresholdRule {
  type: 'threshold';
  kind: ReadingKind;
  component?: 'systolic' | 'diastolic';
  below?: number;
  above?: number;
  severity: AlertSeverity;
}
export interface TrendRule {
  type: 'trend';
  kind: ReadingKind;
  rise?: number;
  fall?: number;
  withinHours: number;
  severity: AlertSeverity;
}
/** No reading (of `kind`, or of any kind) for `hours`. */
export interface MissingDataRule {
  type: 'missing';
  kind?: ReadingKind;
  hours: number;
  severity: AlertSeverity;
}
export type MonitoringRule = ThresholdRule | TrendRule | MissingDataRule;
export interface MonitoringGoal {
  kind: ReadingKind;
  component?: 'systolic' | 'diastolic';
  low?: number;
  high?: number;
}
export interface MonitoringPlan {
  conditions: MonitoringCondition[];
  spo2Scale2: boolean;
  goals: MonitoringGoal[];
  rules: MonitoringRule[];
}

interface Advice {
  level: 'ok' | 'goal' | 'call' | 'urgent';
  text: string;
}

const HOUR_MS = 3_600_000;

const joined = (a: string | undefined, b: string | undefined): string => (a !== undefined && b !== undefined ? `${a},${b}` : (a ?? b ?? ''));

/**
 * What makes a rule the same rule, severity aside: 'threshold:blood-pressure:systolic:>179',
 * 'threshold:heart-rate:<40,>130', 'trend:body-weight:+2:72h', 'missing:any:24h'.
 */
export function ruleKey(rule: MonitoringRule): string {
  switch (rule.type) {
    case 'threshold': {
      const limits = joined(rule.below === undefined ? undefined : `<${rule.below}`, rule.above === undefined ? undefined : `>${rule.above}`);
      return `threshold:${rule.kind}${rule.component ? `:${rule.component}` : ''}:${limits}`;
    }
    case 'trend': {
      const changes = joined(rule.rise === undefined ? undefined : `+${rule.rise}`, rule.fall === undefined ? undefined : `-${rule.fall}`);
      return `trend:${rule.kind}:${changes}:${rule.withinHours}h`;
    }
    case 'missing':
      return `missing:${rule.kind ?? 'any'}:${rule.hours}h`;
  }
}

interface ConditionDefaults {
  goals: MonitoringGoal[];
  rules: MonitoringRule[];
}

// Each call builds fresh objects, so a plan handed out can be edited without touching the defaults.
// Readings of blood pressure are whole mmHg and temperatures tenths of a degree, so a source's
// "180 or more" is written as above 179, "39.1 or more" as above 39, and a goal "below 135" as up
// to 134 (a goal includes its ends).
const DEFAULTS: Record<MonitoringCondition, (spo2Scale2: boolean) => ConditionDefaults> = {
  // NICE NG136 (Hypertension in adults, 2019): severe hypertension is a systolic of 180 mmHg or
  // more or a diastolic of 120 or more; the home-monitoring target under 80 years is below 135/85
  // (clinicians raise it to below 145/85 for people aged 80 and over).
  hypertension: () => ({
    goals: [
      { kind: 'blood-pressure', component: 'systolic', high: 134 },
      { kind: 'blood-pressure', component: 'diastolic', high: 84 },
    ],
    rules: [
      { type: 'threshold', kind: 'blood-pressure', component: 'systolic', above: 179, severity: 'high' },
      { type: 'threshold', kind: 'blood-pressure', component: 'diastolic', above: 119, severity: 'high' },
      { type: 'missing', kind: 'blood-pressure', hours: 24, severity: 'low' },
    ],
  }),
  // Self-care advice of the ESC 2021 heart-failure guideline: weigh daily and act on a gain of
  // 2 kg within 3 days, a sign of fluid building up. The heart-rate limits (above 120 or below 40
  // beats/min at rest) are Salus's, not a guideline's; below 40 is high as it is for everyone.
  'heart-failure': () => ({
    goals: [],
    rules: [
      { type: 'trend', kind: 'body-weight', rise: 2, withinHours: 72, severity: 'medium' },
      { type: 'threshold', kind: 'heart-rate', above: 120, severity: 'medium' },
      { type: 'threshold', kind: 'heart-rate', below: 40, severity: 'high' },
      { type: 'missing', kind: 'body-weight', hours: 24, severity: 'low' },
    ],
  }),
  // ADA Standards of Care: level 1 hypoglycaemia is below 70 mg/dL (3.9 mmol/L), level 2 below
  // 54 mg/dL (3.0 mmol/L); above 250 mg/dL (13.9 mmol/L) is "very high" in the International
  // Consensus on Time in Range (Battelino et al., 2019), whose target range 3.9–10.0 mmol/L is
  // given to patients as 4–10.
  diabetes: () => ({
    goals: [{ kind: 'blood-glucose', low: 4, high: 10 }],
    rules: [
      { type: 'threshold', kind: 'blood-glucose', below: 3.9, severity: 'medium' },
      { type: 'threshold', kind: 'blood-glucose', below: 3, severity: 'high' },
      { type: 'threshold', kind: 'blood-glucose', above: 13.9, severity: 'medium' },
      { type: 'missing', kind: 'blood-glucose', hours: 24, severity: 'low' },
    ],
  }),
  // BTS guideline for oxygen use in adults (2017): people at risk of hypercapnic respiratory
  // failure aim for 88–92 %, which is also why NEWS2 scores them on SpO2 scale 2.
  copd: () => ({
    goals: [{ kind: 'oxygen-saturation', low: 88, high: 92 }],
    rules: [
      { type: 'threshold', kind: 'oxygen-saturation', below: 88, severity: 'high' },
      { type: 'missing', kind: 'oxygen-saturation', hours: 24, severity: 'low' },
    ],
  }),
  // Drawn from the NEWS2 chart (RCP, 2017): an SpO2 of 91 % or less scores 3 on scale 1, a pulse
  // above 130 scores 3, a temperature of 39.1 °C or more scores 2; below 40 beats/min is Salus's
  // limit. On scale 2 an SpO2 of 88–91 % is on target, so the COPD rule guards below 88 instead.
  general: (spo2Scale2) => {
    const rules: MonitoringRule[] = [
      { type: 'threshold', kind: 'heart-rate', above: 130, severity: 'high' },
      { type: 'threshold', kind: 'heart-rate', below: 40, severity: 'high' },
      { type: 'threshold', kind: 'body-temperature', above: 39, severity: 'medium' },
      { type: 'missing', hours: 24, severity: 'low' },
    ];
    if (!spo2Scale2) rules.unshift({ type: 'threshold', kind: 'oxygen-saturation', below: 92, severity: 'medium' });
    return { goals: [], rules };
  },
};

const RANK: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2 };

/**
 * The starting plan for a patient with these conditions (none: 'general'): each condition's goals
 * and rules, merged so that a rule two conditions share (same ruleKey) appears once, at the higher
 * of their severities. SpO2 scale 2 is on for COPD.
 */
export function defaultPlan(conditions: MonitoringCondition[]): MonitoringPlan {
  const chosen: MonitoringCondition[] = conditions.length ? [...new Set(conditions)] : ['general'];
  const spo2Scale2 = chosen.includes('copd');
  const plan: MonitoringPlan = { conditions: chosen, spo2Scale2, goals: [], rules: [] };
  const at = new Map<string, number>();
  for (const condition of chosen) {
    const defaults = DEFAULTS[condition](spo2Scale2);
    plan.goals.push(...defaults.goals);
    for (const rule of defaults.rules) {
      const key = ruleKey(rule);
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, plan.rules.length);
        plan.rules.push(rule);
      } else if (RANK[rule.severity] > RANK[plan.rules[i]!.severity]) {
        plan.rules[i] = rule;
      }
    }
  }
  return plan;
}

type Issue = { field: string; message: string };
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isKind = (v: unknown): v is ReadingKind => typeof v === 'string' && Object.hasOwn(READING_KINDS, v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks `kind` of a goal or rule and, where it has one (`hasComponent`: goals and thresholds),
 * `component`, which blood pressure needs and nothing else takes.
 */
function kindIssues(item: Json, at: string, issues: Issue[], required: boolean, hasComponent: boolean): void {
  if (item.kind === undefined) {
    if (required) issues.push({ field: `${at}.kind`, message: 'A reading kind is required' });
  } else if (!isKind(item.kind)) {
    issues.push({ field: `${at}.kind`, message: `Unknown reading kind ${JSON.stringify(item.kind)}` });
  }
  if (!hasComponent) return;
  if (item.kind === 'blood-pressure') {
    if (item.component !== 'systolic' && item.component !== 'diastolic') {
      issues.push({ field: `${at}.component`, message: "Blood pressure needs component 'systolic' or 'diastolic'" });
    }
  } else if (item.component !== undefined) {
    issues.push({ field: `${at}.component`, message: 'Only blood pressure has components' });
  }
}

/** Checks a pair of optional limits: each a finite number (above 0 if `positive`), at least one given, and if `ordered` and both are, the first below the second. */
function limitIssues(item: Json, at: string, issues: Issue[], names: [string, string], positive: boolean, ordered: boolean): void {
  const [a, b] = names;
  let ok = true;
  for (const name of names) {
    const v = item[name];
    if (v !== undefined && (!isNumber(v) || (positive && v <= 0))) {
      issues.push({ field: `${at}.${name}`, message: `${name} must be a ${positive ? 'number greater than 0' : 'number'}` });
      ok = false;
    }
  }
  if (item[a] === undefined && item[b] === undefined) {
    issues.push({ field: at, message: `Needs ${a} or ${b} (or both)` });
  } else if (ok && ordered && item[a] !== undefined && item[b] !== undefined && (item[a] as number) >= (item[b] as number)) {
    issues.push({ field: `${at}.${a}`, message: `${a} must be less than ${b}` });
  }
}

/** Fields a MonitoringPlan does not have would otherwise be stored with it, and are usually misspellings. */
function unknownFields(item: Json, at: string, issues: Issue[], known: readonly string[]): void {
  for (const name of Object.keys(item)) {
    if (!known.includes(name)) issues.push({ field: at ? `${at}.${name}` : name, message: `Unknown field '${name}'` });
  }
}

const KNOWN_FIELDS = {
  plan: ['conditions', 'spo2Scale2', 'goals', 'rules'],
  goal: ['kind', 'component', 'low', 'high'],
  threshold: ['type', 'kind', 'component', 'below', 'above', 'severity'],
  trend: ['type', 'kind', 'rise', 'fall', 'withinHours', 'severity'],
  missing: ['type', 'kind', 'hours', 'severity'],
} as const;

function hoursIssue(item: Json, name: string, at: string, issues: Issue[]): void {
  const v = item[name];
  if (!isNumber(v) || v <= 0) issues.push({ field: `${at}.${name}`, message: `${name} must be a number of hours greater than 0` });
}

/**
 * Every reason `plan` is not a valid MonitoringPlan, each with the path of the field at fault
 * ('rules[2].withinHours', 'goals[0].component'); empty when it is valid.
 */
export function planIssues(plan: unknown): Issue[] {
  if (!isObject(plan)) return [{ field: 'plan', message: 'The plan must be a JSON object' }];
  const issues: Issue[] = [];
  unknownFields(plan, '', issues, KNOWN_FIELDS.plan);

  if (!Array.isArray(plan.conditions)) {
    issues.push({ field: 'conditions', message: `conditions must be a list of: ${MONITORING_CONDITIONS.join(', ')}` });
  } else {
    const conditions: unknown[] = plan.conditions;
    conditions.forEach((c, i) => {
      if (!MONITORING_CONDITIONS.includes(c as MonitoringCondition)) {
        issues.push({ field: `conditions[${i}]`, message: `Unknown condition ${JSON.stringify(c)}` });
      } else if (conditions.indexOf(c) < i) {
        issues.push({ field: `conditions[${i}]`, message: `${c as string} is listed twice` });
      }
    });
  }

  if (typeof plan.spo2Scale2 !== 'boolean') issues.push({ field: 'spo2Scale2', message: 'spo2Scale2 must be true or false' });

  if (!Array.isArray(plan.goals)) {
    issues.push({ field: 'goals', message: 'goals must be a list' });
  } else {
    const seen = new Map<string, number>();
    plan.goals.forEach((goal: unknown, i) => {
      const at = `goals[${i}]`;
      if (!isObject(goal)) {
        issues.push({ field: at, message: 'A goal must be an object' });
        return;
      }
      const before = issues.length;
      unknownFields(goal, at, issues, KNOWN_FIELDS.goal);
      kindIssues(goal, at, issues, true, true);
      limitIssues(goal, at, issues, ['low', 'high'], false, true);
      if (issues.length > before) return;
      const key = `${goal.kind as string}:${(goal.component as string | undefined) ?? ''}`;
      const first = seen.get(key);
      if (first !== undefined) issues.push({ field: at, message: `Repeats the goal of goals[${first}]` });
      else seen.set(key, i);
    });
  }

  if (!Array.isArray(plan.rules)) {
    issues.push({ field: 'rules', message: 'rules must be a list' });
  } else {
    const seen = new Map<string, number>();
    plan.rules.forEach((rule: unknown, i) => {
      const at = `rules[${i}]`;
      if (!isObject(rule)) {
        issues.push({ field: at, message: 'A rule must be an object' });
        return;
      }
      const before = issues.length;
      if (rule.type === 'threshold') {
        unknownFields(rule, at, issues, KNOWN_FIELDS.threshold);
        kindIssues(rule, at, issues, true, true);
        limitIssues(rule, at, issues, ['below', 'above'], false, true);
      } else if (rule.type === 'trend') {
        unknownFields(rule, at, issues, KNOWN_FIELDS.trend);
        kindIssues(rule, at, issues, true, false);
        limitIssues(rule, at, issues, ['rise', 'fall'], true, false);
        hoursIssue(rule, 'withinHours', at, issues);
      } else if (rule.type === 'missing') {
        unknownFields(rule, at, issues, KNOWN_FIELDS.missing);
        kindIssues(rule, at, issues, false, false);
        hoursIssue(rule, 'hours', at, issues);
      } else {
        issues.push({ field: `${at}.type`, message: "type must be 'threshold', 'trend' or 'missing'" });
      }
      if (!SEVERITIES.includes(rule.severity as AlertSeverity)) {
        issues.push({ field: `${at}.severity`, message: "severity must be 'low', 'medium' or 'high'" });
      }
      if (issues.length > before) return;
      const key = ruleKey(rule as unknown as MonitoringRule);
      const first = seen.get(key);
      if (first !== undefined) issues.push({ field: at, message: `Repeats rules[${first}] (${key})` });
      else seen.set(key, i);
    });
  }
  return issues;
}

const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

/** A number with its unit for people, spaced as formatReading spaces it ('92%', '130 beats/min'). */
function amount(kind: ReadingKind, n: number): string {
  const unit = READING_KINDS[kind].unitText;
  if (unit === '%') return `${n}%`;
  return unit ? `${n} ${unit}` : `${n}`;
}

function subjectOf(item: { kind: ReadingKind; component?: 'systolic' | 'diastolic' }): string {
  if (item.component === 'systolic') return 'Systolic';
  if (item.component === 'diastolic') return 'Diastolic';
  return READING_KINDS[item.kind].text;
}

/** A rule in plain words: 'Systolic above 179 mmHg', 'Weight up 2 kg within 72 h', 'No reading for 24 h'. */
export function describeRule(rule: MonitoringRule): string {
  switch (rule.type) {
    case 'threshold': {
      const { below, above } = rule;
      const limits =
        below !== undefined && above !== undefined
          ? `below ${below} or above ${amount(rule.kind, above)}`
          : below !== undefined
            ? `below ${amount(rule.kind, below)}`
            : `above ${amount(rule.kind, above!)}`;
      return `${subjectOf(rule)} ${limits}`;
    }
    case 'trend': {
      const changes = [
        ...(rule.rise === undefined ? [] : [`up ${amount(rule.kind, rule.rise)}`]),
        ...(rule.fall === undefined ? [] : [`down ${amount(rule.kind, rule.fall)}`]),
      ].join(' or ');
      return `${subjectOf(rule)} ${changes} within ${rule.withinHours} h`;
    }
    case 'missing':
      return rule.kind ? `No ${lowerFirst(READING_KINDS[rule.kind].text)} reading for ${rule.hours} h` : `No reading for ${rule.hours} h`;
  }
}

function describeGoal(goal: MonitoringGoal): string {
  const { low, high } = goal;
  const range =
    low !== undefined && high !== undefined
      ? `${low}–${amount(goal.kind, high)}`
      : high !== undefined
        ? `up to ${amount(goal.kind, high)}`
        : `at least ${amount(goal.kind, low!)}`;
  return `${lowerFirst(subjectOf(goal))} ${range}`;
}

/** The value a rule or goal about `component` looks at: blood pressure keeps systolic in value, diastolic in value2. */
const valueFor = (reading: Reading, component: 'systolic' | 'diastolic' | undefined): number | undefined =>
  component === 'diastolic' ? reading.value2 : reading.value;

/** The threshold rules of `plan` that `reading` breaks, in plan order. */
export function thresholdBreaches(plan: MonitoringPlan, reading: Reading): ThresholdRule[] {
  const breached: ThresholdRule[] = [];
  for (const rule of plan.rules) {
    if (rule.type !== 'threshold' || rule.kind !== reading.kind) continue;
    const v = valueFor(reading, rule.component);
    if (v === undefined) continue;
    if ((rule.below !== undefined && v < rule.below) || (rule.above !== undefined && v > rule.above)) breached.push(rule);
  }
  return breached;
}

type Point = { time: number; value: number };

/**
 * Whether the newest point of `series` (ascending by time in ms; the last point is the newest)
 * has risen by at least `rise` or fallen by at least `fall` from some point up to `withinHours`
 * before it. Returns the largest such change. Changes are rounded to a millionth, because
 * readings carry at most a few decimals and binary fractions would otherwise make 64.1 − 62.1
 * fall just short of 2.
 */
export function trendBreach(rule: TrendRule, series: Point[]): { from: Point; to: Point; change: number } | undefined {
  const to = series[series.length - 1];
  if (!to) return undefined;
  const since = to.time - rule.withinHours * HOUR_MS;
  let from: Point | undefined;
  let change = 0;
  for (let i = series.length - 2; i >= 0; i--) {
    const p = series[i]!;
    if (p.time < since) break;
    const d = Math.round((to.value - p.value) * 1e6) / 1e6;
    const breached = (rule.rise !== undefined && d >= rule.rise) || (rule.fall !== undefined && d <= -rule.fall);
    if (breached && Math.abs(d) > Math.abs(change)) {
      from = p;
      change = d;
    }
  }
  return from ? { from, to, change } : undefined;
}

/**
 * What a patient should do about one reading under their plan: 'urgent' when it breaks a
 * high-severity limit, 'call' for a medium one, 'goal' when it is outside a goal (or breaks only a
 * low-severity limit), 'ok' otherwise. Trends and missing readings need a series; the alerts
 * cover those.
 */
export function adviceFor(reading: Reading, plan: MonitoringPlan): Advice {
  const shown = formatReading(reading);
  const breaches = thresholdBreaches(plan, reading);
  let worst: AlertSeverity | undefined;
  for (const rule of breaches) if (worst === undefined || RANK[rule.severity] > RANK[worst]) worst = rule.severity;
  const at = (severity: AlertSeverity): string =>
    breaches
      .filter((r) => r.severity === severity)
      .map((r) => lowerFirst(describeRule(r)))
      .join('; ');

  if (worst === 'high') {
    return {
      level: 'urgent',
      text: `Your reading of ${shown} is outside your safe limits (${at('high')}). If you have chest pain or trouble breathing, call 911 now. Otherwise, contact your care team now.`,
    };
  }
  if (worst === 'medium') {
    return {
      level: 'call',
      text: `Your reading of ${shown} needs attention (${at('medium')}). Contact your care team today. If you have chest pain or trouble breathing, call 911.`,
    };
  }
  const goals = plan.goals.filter((g) => g.kind === reading.kind);
  const missed = goals
    .filter((g) => {
      const v = valueFor(reading, g.component);
      return v !== undefined && ((g.low !== undefined && v < g.low) || (g.high !== undefined && v > g.high));
    })
    .map(describeGoal);
  if (worst === 'low') missed.push(at('low'));
  if (missed.length) {
    return {
      level: 'goal',
      text: `Your reading of ${shown} is outside your goal (${missed.join('; ')}). Keep following your care plan, and tell your care team if your readings stay outside your goal.`,
    };
  }
  return {
    level: 'ok',
    text: goals.length ? `Your reading of ${shown} is within your goal.` : `Your reading of ${shown} is recorded. No action is needed.`,
  };
}
