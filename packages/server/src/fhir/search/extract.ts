import type { Resource } from '@medplum/fhirtypes';
import { type SearchParamType, searchParamByUrl, searchParams } from '../definitions.js';
import { type Evaluator, type Node, compileExpression } from './extract-fhirpath.js';
import { fhirType } from './extract-model.js';
import { RowCollector } from './extract-rows.js';
import { type IndexRows, emptyIndexRows } from './index-rows.js';

type RowType = Exclude<SearchParamType, 'composite' | 'special'>;

interface Component {
  code: string;
  type: RowType;
  evaluate: Evaluator;
}

type CompiledParam =
  | { code: string; evaluate: Evaluator; type: RowType; target: string[] }
  | { code: string; evaluate: Evaluator; components: Component[] };

/** Columns of their own in the resource table, so not indexed as rows. */
const STORED_IN_COLUMNS = new Set(['_id', '_lastUpdated']);

/** Composite components are known only by code and type (searchParamByUrl), so their references are not narrowed by target. */
const ANY_TARGET: readonly string[] = [];

const plans = new Map<string, CompiledParam[]>();

function planFor(resourceType: string): CompiledParam[] | undefined {
  let plan = plans.get(resourceType);
  if (plan) return plan;
  const defs = searchParams().get(resourceType);
  if (!defs) return undefined;
  plan = [];
  for (const def of defs.values()) {
    if (def.type === 'special' || STORED_IN_COLUMNS.has(def.code) || !def.expression) continue;
    const evaluate = compileExpression(def.expression);
    if (def.type !== 'composite') {
      plan.push({ code: def.code, type: def.type, evaluate, target: def.target });
      continue;
    }
    const components: Component[] = [];
    for (const [k, c] of def.component.entries()) {
      const type = searchParamByUrl(c.definition)?.type;
      if (!type || type === 'composite' || type === 'special') break;
      components.push({ code: `${def.code}$${k}`, type, evaluate: compileExpression(c.expression) });
    }
    // A composite with a component that cannot be indexed could never match; leave it out.
    if (components.length === def.component.length && components.length > 0) {
      plan.push({ code: def.code, evaluate, components });
    }
  }
  plans.set(resourceType, plan);
  return plan;
}

/**
 * The search index rows for `resource`: every R4 search parameter of its type evaluated over it
 * (FHIR R4 search, http://hl7.org/fhir/R4/search.html). `baseUrl` is this server's base, so
 * absolute references to it are stored as local `Type/id` references.
 */
export function extractIndexRows(resource: Resource, options?: { baseUrl?: string }): IndexRows {
  const plan = planFor(resource.resourceType);
  if (!plan) return emptyIndexRows();
  const root: Node = { value: resource, type: fhirType(resource.resourceType) };
  const focus = [root];
  const out = new RowCollector(options?.baseUrl);
  for (const param of plan) {
    const nodes = param.evaluate(focus, root);
    if ('components' in param) {
      addComposite(out, param.components, nodes, root);
    } else {
      for (const node of nodes) out.add(param.type, param.code, undefined, node, param.target);
    }
  }
  return out.rows;
}

/**
 * Each node of the composite's base expression is one group: its components are evaluated
 * relative to it and share its index, so a composite search pairs values from the same node
 * (e.g. one Observation.component's code with that component's value). A node lacking any
 * component could never match and adds nothing.
 */
function addComposite(out: RowCollector, components: Component[], bases: Node[], root: Node): void {
  bases.forEach((base, group) => {
    const focus = [base];
    const values = components.map((c) => c.evaluate(focus, root));
    if (values.some((v) => v.length === 0)) return;
    components.forEach((c, k) => {
      for (const node of values[k]!) out.add(c.type, c.code, group, node, ANY_TARGET);
    });
  });
}
