import { badRequest, notSupported, type FhirError } from '@salus/core';
import { isResourceType, searchParam, searchParamByUrl, type SearchParamDef, type SearchParamType } from '../definitions.js';

/** One search criterion on one resource type; its values are OR-ed (FHIR comma). */
export interface ParamFilter {
  kind: 'param';
  resourceType: string;
  def: SearchParamDef;
  modifier?: string;
  values: string[];
  /** `subject:Patient.name=x`: the reference must point at a `targetType` matching `filter`. */
  chain?: { targetType: string; filter: Filter };
}

/** `_has:Observation:patient:code=x`: some Observation whose `patient` points here matches `filter`. */
export interface HasFilter {
  kind: 'has';
  sourceType: string;
  refParam: SearchParamDef;
  filter: Filter;
}

export type Filter = ParamFilter | HasFilter;

export interface SortKey {
  def: SearchParamDef;
  descending: boolean;
}

export interface IncludeSpec {
  sourceType: string;
  param: SearchParamDef;
  targetType?: string;
  iterate: boolean;
}

export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';

export interface SearchRequest {
  resourceType: string;
  filters: Filter[];
  sort: SortKey[];
  count: number;
  total: 'none' | 'estimate' | 'accurate';
  summary?: SummaryMode;
  elements?: string[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  cursor?: string;
  /** Parameters dropped under lenient handling, with the reason. */
  ignored: { name: string; reason: string }[];
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

const MODIFIERS: Record<SearchParamType, string[]> = {
  string: ['exact', 'contains', 'missing', 'text'],
  token: ['text', 'not', 'missing'],
  reference: ['missing', 'identifier'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  uri: ['below', 'above', 'missing'],
  composite: ['missing'],
  special: [],
};

/** Modifiers of R4 that need a terminology service, which Salus does not have. */
const TERMINOLOGY_MODIFIERS = new Set(['in', 'not-in', 'above', 'below', 'of-type']);

/** Parameters that control the result rather than filter it. */
const RESULT_PARAMS = new Set([
  '_sort',
  '_count',
  '_total',
  '_summary',
  '_elements',
  '_cursor',
  '_format',
  '_pretty',
]);

export interface ParseOptions {
  /** `Prefer: handling=strict`: unknown or unsupported parameters are errors instead of being ignored. */
  strict?: boolean;
}

/** Splits on unescaped `sep` (FHIR search escapes `\,` `\$` `\|` with a backslash). */
export function splitEscaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      cur += c + value[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function unescape(value: string): string {
  return value.replace(/\\([\\,$|])/g, '$1');
}

export function parseSearch(resourceType: string, query: [string, string][], options: ParseOptions = {}): SearchRequest {
  const req: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: DEFAULT_COUNT,
    total: 'accurate',
    include: [],
    revinclude: [],
    ignored: [],
  };
  const reject = (name: string, error: FhirError): void => {
    if (options.strict) throw error;
    req.ignored.push({ name, reason: error.message });
  };
  for (const [rawName, value] of query) {
    const name = rawName.trim();
    try {
      const inc = /^_(rev)?include(?::(iterate|recurse))?$/.exec(name);
      if (inc) (inc[1] ? req.revinclude : req.include).push(parseInclude(value, name, inc[2] !== undefined));
      else if (RESULT_PARAMS.has(name)) parseResultParam(req, name, value);
      else req.filters.push(parseFilter(resourceType, name, value));
    } catch (e) {
      // Bad values of known parameters are always errors; only unknown names may be ignored.
      if (e instanceof UnknownParameter) reject(name, e.error);
      else throw e;
    }
  }
  return req;
}

class UnknownParameter extends Error {
  constructor(readonly error: FhirError) {
    super(error.message);
  }
}

function unknown(name: string, resourceType: string): UnknownParameter {
  return new UnknownParameter(badRequest(`Unknown search parameter '${name}' for ${resourceType}`, name));
}

function requireParam(resourceType: string, code: string, fullName: string): SearchParamDef {
  const def = searchParam(resourceType, code);
  if (!def || def.type === 'special') throw unknown(fullName, resourceType);
  return def;
}

function parseFilter(resourceType: string, name: string, value: string): Filter {
  if (name.startsWith('_has:')) return parseHas(resourceType, name, value);
  const dot = name.indexOf('.');
  const head = dot >= 0 ? name.slice(0, dot) : name;
  const [code, modifier] = head.split(':', 2) as [string, string | undefined];
  const def = requireParam(resourceType, code, name);
  if (dot >= 0) {
    if (def.type !== 'reference') throw badRequest(`Parameter '${code}' is not a reference and cannot be chained`, name);
    let targetType = modifier;
    if (!targetType) {
      if (def.target.length !== 1) {
        throw badRequest(`Chained parameter '${code}' can point to several types; name one as '${code}:Type'`, name);
      }
      targetType = def.target[0]!;
    }
    if (!isResourceType(targetType) || (def.target.length > 0 && !def.target.includes(targetType))) {
      throw badRequest(`'${targetType}' is not a target type of '${code}'`, name);
    }
    const rest = name.slice(dot + 1);
    if (rest.includes('.')) {
      throw notSupported(`Only one level of chaining is supported ('${name}')`, name);
    }
    return {
      kind: 'param',
      resourceType,
      def,
      values: [],
      chain: { targetType, filter: parseFilter(targetType, rest, value) },
    };
  }
  let mod = modifier;
  if (mod !== undefined) {
    if (def.type === 'reference' && isResourceType(mod)) {
      if (def.target.length > 0 && !def.target.includes(mod)) throw badRequest(`'${mod}' is not a target type of '${code}'`, name);
    } else if (!MODIFIERS[def.type].includes(mod)) {
      if (TERMINOLOGY_MODIFIERS.has(mod)) {
        throw new UnknownParameter(notSupported(`Modifier ':${mod}' needs a terminology service and is not supported`, name));
      }
      throw badRequest(`Modifier ':${mod}' is not valid for ${def.type} parameter '${code}'`, name);
    }
  }
  if (mod === 'missing' && value !== 'true' && value !== 'false') {
    throw badRequest(`':missing' takes true or false, not '${value}'`, name);
  }
  const values = splitEscaped(value, ',');
  if (values.some((v) => v === '') && mod !== 'missing') throw badRequest(`Empty value for search parameter '${name}'`, name);
  for (const v of values) checkValue(def, mod, v, name);
  const filter: ParamFilter = { kind: 'param', resourceType, def, values };
  if (mod !== undefined) filter.modifier = mod;
  return filter;
}

function parseHas(resourceType: string, name: string, value: string): HasFilter {
  // _has:SourceType:refParam:rest, where rest is a parameter of SourceType or another _has.
  const m = /^_has:([A-Za-z]+):([A-Za-z0-9_-]+):(.+)$/.exec(name);
  if (!m) throw badRequest(`Malformed _has parameter '${name}'`, name);
  const [, sourceType, refCode, rest] = m as unknown as [string, string, string, string];
  if (!isResourceType(sourceType)) throw badRequest(`Unknown resource type '${sourceType}' in _has`, name);
  const refParam = requireParam(sourceType, refCode, name);
  if (refParam.type !== 'reference') throw badRequest(`'${refCode}' of ${sourceType} is not a reference`, name);
  if (refParam.target.length > 0 && !refParam.target.includes(resourceType)) {
    throw badRequest(`'${sourceType}.${refCode}' cannot point to ${resourceType}`, name);
  }
  return { kind: 'has', sourceType, refParam, filter: parseFilter(sourceType, rest, value) };
}

export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const p = value.slice(0, 2) as Prefix;
  if (PREFIXES.includes(p) && value.length > 2 && !/^[a-z]/.test(value.slice(2))) return { prefix: p, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

// Exponents are kept to three digits: PostgreSQL numeric, where values are compared, ends near 1e±16000.
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d{1,3})?$/;
const DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function checkValue(def: SearchParamDef, modifier: string | undefined, value: string, name: string): void {
  if (modifier === 'missing') return;
  switch (def.type) {
    case 'date': {
      const { rest } = splitPrefix(value);
      if (!DATE.test(rest)) throw badRequest(`'${value}' is not a valid date for '${name}'`, name);
      break;
    }
    case 'number': {
      const { rest } = splitPrefix(value);
      if (!NUMBER.test(rest)) throw badRequest(`'${value}' is not a valid number for '${name}'`, name);
      break;
    }
    case 'quantity': {
      const { rest } = splitPrefix(value);
      const num = splitEscaped(rest, '|')[0]!;
      if (!NUMBER.test(num)) throw badRequest(`'${value}' is not a valid quantity for '${name}'`, name);
      break;
    }
    case 'composite': {
      const parts = splitEscaped(value, '$');
      if (parts.length !== def.component.length) {
        throw badRequest(`'${name}' takes ${def.component.length} values joined by '$'`, name);
      }
      parts.forEach((part, i) => {
        const comp = searchParamByUrl(def.component[i]!.definition);
        if (comp) checkValue({ ...def, type: comp.type, component: [] }, undefined, part, name);
      });
      break;
    }
    default:
      break;
  }
}

function parseResultParam(req: SearchRequest, name: string, value: string): void {
  switch (name) {
    case '_count': {
      if (!/^\d+$/.test(value)) throw badRequest(`_count must be a non-negative integer, not '${value}'`, '_count');
      req.count = Math.min(Number(value), MAX_COUNT);
      break;
    }
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
        throw badRequest(`_total must be none, estimate or accurate, not '${value}'`, '_total');
      }
      req.total = value;
      break;
    case '_summary':
      if (!['true', 'false', 'text', 'data', 'count'].includes(value)) {
        throw badRequest(`_summary must be true, false, text, data or count, not '${value}'`, '_summary');
      }
      req.summary = value as SummaryMode;
      break;
    case '_elements':
      req.elements = value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      break;
    case '_sort':
      for (const key of value.split(',')) {
        const descending = key.startsWith('-');
        const code = descending ? key.slice(1) : key;
        const def = searchParam(req.resourceType, code);
        if (!def || def.type === 'special' || def.type === 'composite') {
          throw badRequest(`Cannot sort ${req.resourceType} by '${code}'`, '_sort');
        }
        req.sort.push({ def, descending });
      }
      break;
    case '_cursor':
      req.cursor = value;
      break;
    default:
      // _format and _pretty are handled by the HTTP layer.
      break;
  }
}

/** `_include=Source:param[:Target]` and the same for `_revinclude`; `:iterate` (or legacy `:recurse`) repeats. */
export function parseInclude(value: string, name: string, iterate: boolean): IncludeSpec {
  const parts = value.split(':');
  if (value === '*') throw notSupported(`Wildcard ${name}=* is not supported; name the parameter`, name);
  if (parts.length < 2 || parts.length > 3) throw badRequest(`${name} must look like Type:param[:Target], not '${value}'`, name);
  const [sourceType, code, targetType] = parts as [string, string, string | undefined];
  if (!isResourceType(sourceType)) throw badRequest(`Unknown resource type '${sourceType}' in ${name}`, name);
  const param = searchParam(sourceType, code);
  if (!param || param.type !== 'reference') throw badRequest(`'${code}' is not a reference parameter of ${sourceType}`, name);
  if (targetType !== undefined && !isResourceType(targetType)) throw badRequest(`Unknown target type '${targetType}' in ${name}`, name);
  const spec: IncludeSpec = { sourceType, param, iterate };
  if (targetType) spec.targetType = targetType;
  return spec;
}
