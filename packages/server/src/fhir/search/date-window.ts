import { typeInfo } from '../validation/structure-index.js';
import type { SearchParamDef } from '../definitions.js';
import type { Filter, ParamFilter } from './parse.js';
import { splitPrefix } from './parse.js';

const singleValuedCache = new Map<string, boolean>();

/**
 * Whether a parameter's expression can yield at most one value per resource: a plain path whose
 * every step has max cardinality 1 in the R4 definitions (`Encounter.period`,
 * `Observation.effective`). Only then may two bounds on it be required of the same value.
 */
export function isSingleValued(def: SearchParamDef): boolean {
  const key = `${def.resourceType}.${def.code}`;
  let known = singleValuedCache.get(key);
  if (known === undefined) {
    known = computeSingleValued(def.resourceType, def.expression);
    singleValuedCache.set(key, known);
  }
  return known;
}

function computeSingleValued(resourceType: string, expression: string): boolean {
  const m = /^\(?\s*([A-Za-z]+(?:\.[A-Za-z]+)+)(?:\s+as\s+[A-Za-z]+)?\s*\)?$/.exec(expression.trim());
  if (!m || !m[1]!.startsWith(`${resourceType}.`)) return false;
  const steps = m[1]!.split('.').slice(1);
  let type = typeInfo(resourceType);
  for (const [i, step] of steps.entries()) {
    // A choice element appears under its typed names (effectiveDateTime, effectivePeriod...).
    const matches = [...type.elements.values()].filter(
      (e) => e.name === step || (e.name.startsWith(step) && /^[A-Z]/.test(e.name.slice(step.length))),
    );
    if (matches.length === 0 || matches.some((e) => e.max > 1 || e.isArray)) return false;
    if (i < steps.length - 1) {
      if (matches.length !== 1) return false;
      type = typeInfo(matches[0]!.type);
    }
  }
  return true;
}

const LOWER = new Set(['ge', 'gt', 'sa']);
const UPPER = new Set(['le', 'lt', 'eb']);

/**
 * Pairs a lower and an upper bound on the same single-valued date parameter (`date=ge…&date=lt…`)
 * so they are tested against one index row as a window, instead of as two half-open conditions
 * that each match half the table.
 */
export function dateWindows(filters: Filter[]): { windows: [ParamFilter, ParamFilter][]; rest: Filter[] } {
  const windows: [ParamFilter, ParamFilter][] = [];
  const used = new Set<Filter>();
  const simple = (f: Filter, bounds: Set<string>): f is ParamFilter =>
    f.kind === 'param' &&
    f.def.type === 'date' &&
    !f.chain &&
    f.modifier === undefined &&
    f.def.code !== '_lastUpdated' &&
    f.values.length === 1 &&
    bounds.has(splitPrefix(f.values[0]!).prefix);
  for (const lower of filters) {
    if (used.has(lower) || !simple(lower, LOWER) || !isSingleValued(lower.def)) continue;
    const upper = filters.find((f) => !used.has(f) && simple(f, UPPER) && f.def.code === lower.def.code);
    if (!upper) continue;
    used.add(lower).add(upper as ParamFilter);
    windows.push([lower, upper as ParamFilter]);
  }
  return { windows, rest: filters.filter((f) => !used.has(f)) };
}
