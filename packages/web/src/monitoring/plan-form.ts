import type { AlertSeverity, MonitoringCondition, MonitoringGoal, MonitoringPlan, MonitoringRule, ReadingKind } from '@salus/core';

/**
 * The care-plan editor's logic: the choices it offers, rules and goals created and changed one
 * field at a time, and the plan's problems (from `planIssues` or from the server) put under the
 * field they name.
 */

export const CONDITIONS: readonly { value: MonitoringCondition; label: string }[] = [
  { value: 'hypertension', label: 'Hypertension' },
  { value: 'heart-failure', label: 'Heart failure' },
  { value: 'diabetes', label: 'Diabetes' },
  { value: 'copd', label: 'COPD' },
  { value: 'general', label: 'General (vital signs)' },
];

export const RULE_TYPES: readonly { value: MonitoringRule['type']; label: string }[] = [
  { value: 'threshold', label: 'Threshold' },
  { value: 'trend', label: 'Trend' },
  { value: 'missing', label: 'Missing data' },
];

export const SEVERITIES: readonly { value: AlertSeverity; label: string }[] = [
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
];

/** What rules and goals can be about: the kinds with a number to compare. */
export const PLAN_KINDS: readonly ReadingKind[] = ['blood-pressure', 'heart-rate', 'oxygen-saturation', 'respiratory-rate', 'body-temperature', 'blood-glucose', 'body-weight'];

export function newRule(type: MonitoringRule['type'], kind: ReadingKind = 'blood-pressure', severity: AlertSeverity = 'medium'): MonitoringRule {
  if (type === 'threshold') return { type, kind, ...(kind === 'blood-pressure' ? { component: 'systolic' as const } : {}), severity };
  if (type === 'trend') return { type, kind, withinHours: 72, severity };
  return { type, kind, hours: 24, severity };
}

/** A rule with one field changed. A new type starts a fresh rule of that type about the same reading. */
export function changeRule(rule: MonitoringRule, field: string, value: string | number | undefined): MonitoringRule {
  if (field === 'type') return newRule(value as MonitoringRule['type'], rule.kind ?? 'blood-pressure', rule.severity);
  const next = { ...rule } as Record<string, unknown>;
  if (value === undefined || value === '') delete next[field];
  else next[field] = value;
  // Only a blood-pressure threshold says which pressure it is about.
  if (field === 'kind' && rule.type === 'threshold') {
    if (value === 'blood-pressure') next.component ??= 'systolic';
    else delete next.component;
  }
  return next as unknown as MonitoringRule;
}

export function newGoal(kind: ReadingKind = 'blood-pressure'): MonitoringGoal {
  return kind === 'blood-pressure' ? { kind, component: 'systolic' } : { kind };
}

export function changeGoal(goal: MonitoringGoal, field: string, value: string | number | undefined): MonitoringGoal {
  const next = { ...goal } as Record<string, unknown>;
  if (value === undefined || value === '') delete next[field];
  else next[field] = value;
  if (field === 'kind') {
    if (value === 'blood-pressure') next.component ??= 'systolic';
    else delete next.component;
  }
  return next as unknown as MonitoringGoal;
}

/** A number input's value as the plan keeps it: a finite number, or nothing when the field is empty. */
export function numberOrUndefined(value: string | number): number | undefined {
  if (value === '' || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The fields the editor shows for a rule, in its columns' order. */
function ruleFields(rule: MonitoringRule): string[] {
  if (rule.type === 'threshold') return ['type', 'kind', ...(rule.kind === 'blood-pressure' ? ['component'] : []), 'below', 'above', 'severity'];
  if (rule.type === 'trend') return ['type', 'kind', 'rise', 'fall', 'withinHours', 'severity'];
  return ['type', 'kind', 'hours', 'severity'];
}

function goalFields(goal: MonitoringGoal): string[] {
  return ['kind', ...(goal.kind === 'blood-pressure' ? ['component'] : []), 'low', 'high'];
}

/** Every place on the editor a problem can be shown: each field, each row, each section. */
export function planFieldKeys(plan: MonitoringPlan): Set<string> {
  const keys = new Set(['conditions', 'spo2Scale2', 'rules', 'goals']);
  plan.rules.forEach((r, i) => {
    keys.add(`rules[${i}]`);
    for (const f of ruleFields(r)) keys.add(`rules[${i}].${f}`);
  });
  plan.goals.forEach((g, i) => {
    keys.add(`goals[${i}]`);
    for (const f of goalFields(g)) keys.add(`goals[${i}].${f}`);
  });
  return keys;
}

/**
 * A problem's field in the editor's terms: "rules[2].above" whether it came as that, as
 * "MonitoringPlan.rules[2].above" or as "rules.2.above".
 */
export function issueKey(field: string): string {
  const m = /(?:^|\.)((?:conditions|spo2Scale2|goals|rules)\b.*)$/.exec(field);
  return (m ? m[1]! : field).replace(/\.(\d+)(?=\.|\[|$)/g, '[$1]');
}

function parentKey(key: string): string | undefined {
  if (/\[\d+\]$/.test(key)) return key.replace(/\[\d+\]$/, '');
  const dot = key.lastIndexOf('.');
  return dot > 0 ? key.slice(0, dot) : undefined;
}

/**
 * Each problem under the nearest place the editor shows: the field itself, else its row, else its
 * section; those with nowhere to go (a field the editor does not know) are listed on their own.
 */
export function placeIssues(issues: readonly { field: string; message: string }[], keys: ReadonlySet<string>): { at: Map<string, string>; other: string[] } {
  const at = new Map<string, string>();
  const other: string[] = [];
  for (const issue of issues) {
    let key: string | undefined = issueKey(issue.field);
    while (key && !keys.has(key)) key = parentKey(key);
    if (!key) other.push(issue.message);
    else at.set(key, at.has(key) ? `${at.get(key)} ${issue.message}` : issue.message);
  }
  return { at, other };
}
