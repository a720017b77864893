import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The official FHIR R4 definitions (StructureDefinitions and SearchParameters), read from the
 * `hl7.fhir.r4.examples` package, which ships the specification's definition resources as JSON.
 */
const require = createRequire(import.meta.url);
export const DEFINITIONS_DIR = dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

export interface SearchParamComponent {
  /** Canonical URL of the component's search parameter definition. */
  definition: string;
  /** FHIRPath relative to the composite's own expression. */
  expression: string;
}

/** One search parameter as it applies to one resource type. */
export interface SearchParamDef {
  url: string;
  code: string;
  type: SearchParamType;
  resourceType: string;
  /** The part of the official expression that applies to `resourceType` (multi-type expressions split). */
  expression: string;
  /** For references: the types a reference may point to. */
  target: string[];
  /** Modifiers the definition lists (R4 SearchParameter.modifier). */
  component: SearchParamComponent[];
}

interface RawSearchParameter {
  url: string;
  code: string;
  type: SearchParamType;
  base: string[];
  expression?: string;
  target?: string[];
  component?: SearchParamComponent[];
}

let cachedResourceTypes: string[] | undefined;

/** Every concrete R4 resource type (StructureDefinitions of kind resource, derivation specialization). */
export function resourceTypes(): string[] {
  if (!cachedResourceTypes) {
    const types: string[] = [];
    for (const f of readdirSync(DEFINITIONS_DIR)) {
      if (!f.startsWith('StructureDefinition-')) continue;
      // Read once per process (about half a second); the list is cached below.
      const sd = JSON.parse(readFileSync(join(DEFINITIONS_DIR, f), 'utf8')) as { kind: string; derivation?: string; abstract?: boolean; type: string };
      if (sd.kind === 'resource' && sd.derivation === 'specialization' && !sd.abstract) types.push(sd.type);
    }
    cachedResourceTypes = types.sort();
  }
  return cachedResourceTypes;
}

let resourceTypeSet: Set<string> | undefined;
export function isResourceType(type: string): boolean {
  resourceTypeSet ??= new Set(resourceTypes());
  return resourceTypeSet.has(type);
}

/**
 * Splits a multi-type FHIRPath union (`A.x | B.y | (C.z as T)`) at its top-level `|` and keeps the
 * parts that start at `type` (or at Resource/DomainResource, which apply to every type).
 */
export function expressionFor(expression: string, type: string): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quote = !quote;
    if (quote) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  const keep = parts.filter((p) => {
    const head = p.replace(/^\(+/, '');
    return (
      head.startsWith(`${type}.`) || head.startsWith('Resource.') || head.startsWith('DomainResource.') ||
      head === type
    );
  });
  return keep.length ? keep.join(' | ') : undefined;
}

/**
 * Parameters such as Observation `patient` list every type `subject` may point to, but their
 * expression keeps only references that resolve to one type (`.where(resolve() is Patient)`).
 * When every part of the expression says so, those are the real targets.
 */
function narrowTargets(expression: string | undefined, target: string[]): string[] {
  if (!expression) return target;
  const parts = expression.split('|');
  const types = parts.map((p) => /\.where\(resolve\(\) is ([A-Za-z]+)\)\s*\)?\s*$/.exec(p.trim())?.[1]);
  if (types.some((t) => t === undefined)) return target;
  return [...new Set(types as string[])];
}

let cachedParams: Map<string, Map<string, SearchParamDef>> | undefined;
let cachedByUrl: Map<string, RawSearchParameter> | undefined;

function loadRawParams(): RawSearchParameter[] {
  const raw: RawSearchParameter[] = [];
  for (const f of readdirSync(DEFINITIONS_DIR)) {
    if (!f.startsWith('SearchParameter-')) continue;
    const sp = JSON.parse(readFileSync(join(DEFINITIONS_DIR, f), 'utf8')) as RawSearchParameter;
    // The package also holds example SearchParameters of other publishers; keep the core ones.
    if (sp.url?.startsWith('http://hl7.org/fhir/SearchParameter/') && Array.isArray(sp.base)) raw.push(sp);
  }
  return raw;
}

/** Search parameters by resource type, then by code. Includes the Resource-level ones (_id, _tag, ...). */
export function searchParams(): Map<string, Map<string, SearchParamDef>> {
  if (cachedParams) return cachedParams;
  const raw = loadRawParams();
  cachedByUrl = new Map(raw.map((r) => [r.url, r]));
  const byType = new Map<string, Map<string, SearchParamDef>>();
  const types = resourceTypes();
  for (const t of types) byType.set(t, new Map());
  for (const sp of raw) {
    const bases = sp.base.flatMap((b) => (b === 'Resource' || b === 'DomainResource' ? types : [b]));
    for (const base of bases) {
      const map = byType.get(base);
      if (!map) continue;
      const expression = sp.expression ? expressionFor(sp.expression, base) : undefined;
      // Parameters without a FHIRPath for this type (e.g. _text, _content, _query) are not indexable.
      if (!expression && sp.type !== 'special') continue;
      map.set(sp.code, {
        url: sp.url,
        code: sp.code,
        type: sp.type,
        resourceType: base,
        expression: expression ?? '',
        target: narrowTargets(expression, sp.target ?? []),
        component: sp.component ?? [],
      });
    }
  }
  cachedParams = byType;
  return byType;
}

export function searchParam(resourceType: string, code: string): SearchParamDef | undefined {
  return searchParams().get(resourceType)?.get(code);
}

/** The definition a composite component points at, by canonical URL. */
export function searchParamByUrl(url: string): { code: string; type: SearchParamType } | undefined {
  searchParams();
  const r = cachedByUrl!.get(url);
  return r && { code: r.code, type: r.type };
}

interface ElementDefinitionLite {
  path: string;
  isSummary?: boolean;
  min?: number;
}

const summaryCache = new Map<string, { summary: string[]; mandatory: string[] }>();

/**
 * Top-level elements of a resource type that belong to its summary (`isSummary`) and those that
 * are mandatory (min > 0), from the type's StructureDefinition. Choice elements keep their
 * `[x]`-less stem (`value`), to be matched against `valueQuantity` etc.
 */
export function topLevelElements(type: string): { summary: string[]; mandatory: string[] } {
  let cached = summaryCache.get(type);
  if (!cached) {
    const sd = JSON.parse(readFileSync(join(DEFINITIONS_DIR, `StructureDefinition-${type}.json`), 'utf8')) as {
      snapshot: { element: ElementDefinitionLite[] };
    };
    const summary: string[] = [];
    const mandatory: string[] = [];
    for (const e of sd.snapshot.element) {
      const parts = e.path.split('.');
      if (parts.length !== 2) continue;
      const name = parts[1]!.replace('[x]', '');
      if (e.isSummary) summary.push(name);
      if ((e.min ?? 0) > 0) mandatory.push(name);
    }
    cached = { summary, mandatory };
    summaryCache.set(type, cached);
  }
  return cached;
}

let patientCompartment: Map<string, string[]> | undefined;

/** Resource types in the Patient compartment and the parameters that link them (CompartmentDefinition/patient). */
export function patientCompartmentParams(): Map<string, string[]> {
  if (!patientCompartment) {
    const def = JSON.parse(readFileSync(join(DEFINITIONS_DIR, 'CompartmentDefinition-patient.json'), 'utf8')) as {
      resource: { code: string; param?: string[] }[];
    };
    patientCompartment = new Map(def.resource.filter((r) => r.param?.length).map((r) => [r.code, r.param!]));
    // R4 lists Task with no parameter, which would leave a task about a patient (an urgent check-in
    // to review) reachable by nobody but system clients. Salus places it by whom it is for
    // (Task.for, search parameter `patient`), as R4 places a ServiceRequest by its subject: the
    // patient's care team and the patient see it, with the same consents and audit as the rest.
    patientCompartment.set('Task', ['patient']);
    // Likewise R4 gives Device no parameter, yet a blood pressure cuff at home is the patient's
    // own (Device.patient, search parameter `patient`): she and her care team reach it, nobody else.
    patientCompartment.set('Device', ['patient']);
  }
  return patientCompartment;
}
