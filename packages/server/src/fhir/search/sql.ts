import { badRequest } from '@salus/core';
import { searchParamByUrl, type SearchParamDef, type SearchParamType } from '../definitions.js';
import { dateRange, decimalRange, normalizeString } from './index-rows.js';
import { splitEscaped, splitPrefix, unescape, type Filter, type ParamFilter, type Prefix, type SortKey } from './parse.js';

/** Collects bind parameters and unique aliases while a statement is being built. */
export class SqlBuilder {
  readonly params: unknown[] = [];
  private aliases = 0;

  bind(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }

  alias(prefix: string): string {
    return `${prefix}${++this.aliases}`;
  }
}

export interface FilterContext {
  /** The resource type the filter applies to. */
  resourceType: string;
  /** SQL expression of the id of the resource being tested (e.g. `r.id`). */
  idExpr: string;
  /** SQL expression of that resource's `last_updated`, when the row is at hand. */
  lastUpdatedExpr?: string;
  /**
   * Access restriction on rows: applied to the resources chains and `_has` look into as well, so
   * criteria cannot probe data the caller may not see.
   */
  rowFilter?: (b: SqlBuilder, resourceType: string, alias: string) => string | undefined;
}

/** `AND` the caller may see resource `type`/`idExpr`, or nothing when unrestricted. */
function visibleSql(ctx: FilterContext, type: string, idExpr: string, b: SqlBuilder): string {
  const v = b.alias('v');
  const f = ctx.rowFilter?.(b, type, v);
  return f ? ` AND EXISTS (SELECT 1 FROM resources ${v} WHERE ${v}.res_type = ${b.bind(type)} AND ${v}.id = ${idExpr} AND NOT ${v}.deleted AND ${f})` : '';
}

const TABLE: Record<Exclude<SearchParamType, 'composite' | 'special'>, string> = {
  string: 'sp_string',
  token: 'sp_token',
  reference: 'sp_reference',
  date: 'sp_date',
  number: 'sp_number',
  quantity: 'sp_quantity',
  uri: 'sp_uri',
};

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** SQL condition (true when the resource at `ctx.idExpr` matches). */
export function filterSql(f: Filter, ctx: FilterContext, b: SqlBuilder, baseUrl: string): string {
  if (f.kind === 'has') {
    const x = b.alias('h');
    const inner = filterSql(f.filter, { ...ctx, resourceType: f.sourceType, idExpr: `${x}.res_id`, lastUpdatedExpr: undefined }, b, baseUrl);
    return `EXISTS (SELECT 1 FROM sp_reference ${x} WHERE ${x}.res_type = ${b.bind(f.sourceType)}
      AND ${x}.code = ${b.bind(f.refParam.code)} AND ${x}.ref = ${b.bind(`${ctx.resourceType}/`, 'text')} || ${ctx.idExpr}
      AND ${inner}${visibleSql(ctx, f.sourceType, `${x}.res_id`, b)})`;
  }
  if (f.chain) {
    const c = b.alias('c');
    const inner = filterSql(f.chain.filter, { ...ctx, resourceType: f.chain.targetType, idExpr: `${c}.target_id`, lastUpdatedExpr: undefined }, b, baseUrl);
    return `EXISTS (SELECT 1 FROM sp_reference ${c} WHERE ${c}.res_type = ${b.bind(ctx.resourceType)}
      AND ${c}.res_id = ${ctx.idExpr} AND ${c}.code = ${b.bind(f.def.code)}
      AND ${c}.target_type = ${b.bind(f.chain.targetType)} AND ${inner}${visibleSql(ctx, f.chain.targetType, `${c}.target_id`, b)})`;
  }
  if (f.def.code === '_id') return idSql(f, ctx, b);
  if (f.def.code === '_lastUpdated') return lastUpdatedSql(f, ctx, b);
  if (f.def.type === 'composite') return compositeSql(f, ctx, b, baseUrl);
  const table = TABLE[f.def.type as keyof typeof TABLE];
  const t = b.alias('t');
  const head = `SELECT 1 FROM ${table} ${t} WHERE ${t}.res_type = ${b.bind(ctx.resourceType)}
    AND ${t}.res_id = ${ctx.idExpr} AND ${t}.code = ${b.bind(f.def.code)}`;
  if (f.modifier === 'missing') return `${f.values[0] === 'true' ? 'NOT ' : ''}EXISTS (${head})`;
  const ors = f.values.map((v) => valueSql(f.def, f.modifier, v, t, b, baseUrl));
  const any = `EXISTS (${head} AND (${ors.join(' OR ')}))`;
  return f.modifier === 'not' ? `NOT ${any}` : any;
}

function idSql(f: ParamFilter, ctx: FilterContext, b: SqlBuilder): string {
  if (f.modifier === 'missing') return f.values[0] === 'true' ? 'false' : 'true';
  const cond = `${ctx.idExpr} = ANY(${b.bind(f.values.map(unescape), 'text[]')})`;
  return f.modifier === 'not' ? `NOT (${cond})` : cond;
}

function lastUpdatedSql(f: ParamFilter, ctx: FilterContext, b: SqlBuilder): string {
  if (f.modifier === 'missing') return f.values[0] === 'true' ? 'false' : 'true';
  if (ctx.lastUpdatedExpr) {
    const col = ctx.lastUpdatedExpr;
    return `(${f.values.map((v) => dateCond(v, col, col, b, '_lastUpdated')).join(' OR ')})`;
  }
  const x = b.alias('u');
  const conds = f.values.map((v) => dateCond(v, `${x}.last_updated`, `${x}.last_updated`, b, '_lastUpdated'));
  return `EXISTS (SELECT 1 FROM resources ${x} WHERE ${x}.res_type = ${b.bind(ctx.resourceType)}
    AND ${x}.id = ${ctx.idExpr} AND (${conds.join(' OR ')}))`;
}

function compositeSql(f: ParamFilter, ctx: FilterContext, b: SqlBuilder, baseUrl: string): string {
  const comps = f.def.component.map((c, i) => {
    const def = searchParamByUrl(c.definition);
    if (!def || def.type === 'composite' || def.type === 'special') {
      throw badRequest(`Composite parameter '${f.def.code}' has an unsupported component`, f.def.code);
    }
    return { type: def.type, code: `${f.def.code}$${i}` };
  });
  if (f.modifier === 'missing') {
    const t = b.alias('t');
    const first = comps[0]!;
    const head = `SELECT 1 FROM ${TABLE[first.type]} ${t} WHERE ${t}.res_type = ${b.bind(ctx.resourceType)}
      AND ${t}.res_id = ${ctx.idExpr} AND ${t}.code = ${b.bind(first.code)}`;
    return `${f.values[0] === 'true' ? 'NOT ' : ''}EXISTS (${head})`;
  }
  const ors = f.values.map((value) => {
    const parts = splitEscaped(value, '$');
    const aliases = comps.map(() => b.alias('k'));
    const from = comps
      .map((c, i) =>
        i === 0
          ? `${TABLE[c.type]} ${aliases[0]}`
          : `JOIN ${TABLE[c.type]} ${aliases[i]} ON ${aliases[i]}.res_type = ${aliases[0]}.res_type
             AND ${aliases[i]}.res_id = ${aliases[0]}.res_id AND ${aliases[i]}.grp = ${aliases[0]}.grp
             AND ${aliases[i]}.code = ${b.bind(c.code)}`,
      )
      .join(' ');
    const conds = comps.map((c, i) => {
      const compDef: SearchParamDef = { ...f.def, type: c.type, code: c.code, component: [] };
      return valueSql(compDef, undefined, parts[i]!, aliases[i]!, b, baseUrl);
    });
    return `EXISTS (SELECT 1 FROM ${from} WHERE ${aliases[0]}.res_type = ${b.bind(ctx.resourceType)}
      AND ${aliases[0]}.res_id = ${ctx.idExpr} AND ${aliases[0]}.code = ${b.bind(comps[0]!.code)}
      AND ${conds.join(' AND ')})`;
  });
  return `(${ors.join(' OR ')})`;
}

/** Condition on one index row (alias `t`) for one search value. */
function valueSql(
  def: SearchParamDef,
  modifier: string | undefined,
  raw: string,
  t: string,
  b: SqlBuilder,
  baseUrl: string,
): string {
  switch (def.type) {
    case 'string': {
      const v = unescape(raw);
      if (modifier === 'exact') return `${t}.exact = ${b.bind(v)}`;
      const n = escapeLike(normalizeString(v));
      return `${t}.value LIKE ${b.bind(modifier === 'contains' ? `%${n}%` : `${n}%`)}`;
    }
    case 'token':
      return tokenSql(modifier, raw, t, b);
    case 'reference':
      return referenceSql(def, modifier, raw, t, b, baseUrl);
    case 'date':
      return dateCond(raw, `${t}.low`, `${t}.high`, b, def.code);
    case 'number':
      return numberCond(raw, `${t}.value`, b);
    case 'quantity': {
      const { prefix, rest } = splitPrefix(raw);
      const [num, system, code] = splitEscaped(rest, '|').map(unescape) as [string, string?, string?];
      const conds = [quantityCond(prefix, num, t, b)];
      if (system) conds.push(`${t}.system = ${b.bind(system)}`);
      if (code) conds.push(`${t}.unit = ${b.bind(code)}`);
      return `(${conds.join(' AND ')})`;
    }
    case 'uri': {
      const v = unescape(raw);
      if (modifier === 'below') return `${t}.value LIKE ${b.bind(`${escapeLike(v)}%`)}`;
      if (modifier === 'above') return `${b.bind(v)} LIKE replace(replace(${t}.value, '%', '\\%'), '_', '\\_') || '%'`;
      return `${t}.value = ${b.bind(v)}`;
    }
    default:
      throw badRequest(`Search on '${def.code}' is not supported`, def.code);
  }
}

function tokenSql(modifier: string | undefined, raw: string, t: string, b: SqlBuilder): string {
  if (modifier === 'text') return `${t}.text LIKE ${b.bind(`${escapeLike(normalizeString(unescape(raw)))}%`)}`;
  const parts = splitEscaped(raw, '|').map(unescape);
  if (parts.length === 1) return `${t}.value = ${b.bind(parts[0])}`;
  const [system, code] = parts as [string, string];
  const conds: string[] = [];
  conds.push(system === '' ? `${t}.system IS NULL` : `${t}.system = ${b.bind(system)}`);
  if (code !== '') conds.push(`${t}.value = ${b.bind(code)}`);
  return `(${conds.join(' AND ')})`;
}

function referenceSql(
  def: SearchParamDef,
  modifier: string | undefined,
  raw: string,
  t: string,
  b: SqlBuilder,
  baseUrl: string,
): string {
  const v = unescape(raw);
  if (modifier === 'identifier') {
    const parts = splitEscaped(raw, '|').map(unescape);
    if (parts.length === 1) return `${t}.identifier_value = ${b.bind(parts[0])}`;
    const conds = [parts[0] === '' ? `${t}.identifier_system IS NULL` : `${t}.identifier_system = ${b.bind(parts[0])}`];
    if (parts[1]) conds.push(`${t}.identifier_value = ${b.bind(parts[1])}`);
    return `(${conds.join(' AND ')})`;
  }
  let ref = v.startsWith(`${baseUrl}/`) ? v.slice(baseUrl.length + 1) : v;
  ref = ref.replace(/\/_history\/[^/]+$/, '');
  if (/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(ref)) {
    if (modifier && !ref.startsWith(`${modifier}/`)) return 'false';
    return `${t}.ref = ${b.bind(ref)}`;
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(ref)) {
    const type = modifier ?? (def.target.length === 1 ? def.target[0] : undefined);
    if (type) return `${t}.ref = ${b.bind(`${type}/${ref}`)}`;
    // Without a type it may be an id, or a canonical/relative value stored as written.
    const p = b.bind(ref);
    return `(${t}.target_id = ${p} OR ${t}.ref = ${p})`;
  }
  return `${t}.ref = ${b.bind(ref)}`;
}

/**
 * A lower and an upper bound on one single-valued date parameter, tested on the same index row:
 * the index on (type, code, low, high) then reads only the rows starting before the window's end
 * and checks their end in the index, instead of joining two halves of the table.
 */
export function dateWindowSql(lower: ParamFilter, upper: ParamFilter, ctx: FilterContext, b: SqlBuilder): string {
  const t = b.alias('t');
  return `EXISTS (SELECT 1 FROM sp_date ${t} WHERE ${t}.res_type = ${b.bind(ctx.resourceType)}
    AND ${t}.res_id = ${ctx.idExpr} AND ${t}.code = ${b.bind(lower.def.code)}
    AND ${dateCond(lower.values[0]!, `${t}.low`, `${t}.high`, b, lower.def.code)}
    AND ${dateCond(upper.values[0]!, `${t}.low`, `${t}.high`, b, upper.def.code)})`;
}

/** Approximate (`ap`) matches allow 10% of the distance to now, at least a day (R4 search 3.1.1.4.1). */
function approxDays(low: string): number {
  const gap = Math.abs(Date.now() - Date.parse(low)) / 86400000;
  return Math.max(1, gap * 0.1);
}

function dateCond(raw: string, lowCol: string, highCol: string, b: SqlBuilder, name: string): string {
  const { prefix, rest } = splitPrefix(raw);
  const range = dateRange(rest);
  if (!range) throw badRequest(`'${raw}' is not a valid date for '${name}'`, name);
  // Bound lazily: a placeholder that the condition doesn't use would have no type for PostgreSQL.
  let lo: string | undefined;
  let hi: string | undefined;
  const low = (): string => (lo ??= b.bind(range.low, 'timestamptz'));
  const high = (): string => (hi ??= b.bind(range.high, 'timestamptz'));
  const c = (l: string, h: string): string => `(${l} AND ${h})`;
  switch (prefix) {
    case 'eq':
      return c(`${lowCol} >= ${low()}`, `${highCol} <= ${high()}`);
    case 'ne':
      return `NOT ${c(`${lowCol} >= ${low()}`, `${highCol} <= ${high()}`)}`;
    case 'gt':
      return `${highCol} > ${high()}`;
    case 'lt':
      return `${lowCol} < ${low()}`;
    case 'ge':
      return `${highCol} >= ${low()}`;
    case 'le':
      return `${lowCol} <= ${high()}`;
    case 'sa':
      return `${lowCol} > ${high()}`;
    case 'eb':
      return `${highCol} < ${low()}`;
    case 'ap': {
      const days = b.bind(`${approxDays(range.low)} days`, 'interval');
      return c(`${lowCol} <= ${high()} + ${days}`, `${highCol} >= ${low()} - ${days}`);
    }
  }
}

function numberCond(raw: string, col: string, b: SqlBuilder): string {
  const { prefix, rest } = splitPrefix(raw);
  const v = (): string => b.bind(rest, 'numeric');
  switch (prefix) {
    case 'eq':
    case 'ne': {
      // Equality honours the precision of the search value: 100 matches [99.5, 100.5).
      const r = decimalRange(rest);
      const cond = `(${col} >= ${b.bind(r.low, 'numeric')} AND ${col} < ${b.bind(r.high, 'numeric')})`;
      return prefix === 'eq' ? cond : `NOT ${cond}`;
    }
    case 'gt':
    case 'sa':
      return `${col} > ${v()}`;
    case 'lt':
    case 'eb':
      return `${col} < ${v()}`;
    case 'ge':
      return `${col} >= ${v()}`;
    case 'le':
      return `${col} <= ${v()}`;
    case 'ap':
      {
      const x = v();
      return `(${col} >= ${x} - abs(${x}) * 0.1 AND ${col} <= ${x} + abs(${x}) * 0.1)`;
    }
  }
}

/**
 * Ordered prefixes on quantities compare with the extent of the stored value (a Range's low..high,
 * or a single value's precision range), as R4 search 3.1.1.4.3 defines them by overlap.
 */
function quantityCond(prefix: Prefix, num: string, t: string, b: SqlBuilder): string {
  const v = (): string => b.bind(num, 'numeric');
  switch (prefix) {
    case 'gt':
      return `${t}.high > ${v()}`;
    case 'ge':
      return `${t}.high >= ${v()}`;
    case 'lt':
      return `${t}.low < ${v()}`;
    case 'le':
      return `${t}.low <= ${v()}`;
    case 'sa':
      return `${t}.low > ${v()}`;
    case 'eb':
      return `${t}.high < ${v()}`;
    default:
      return numberCond(`${prefix}${num}`, `${t}.value`, b);
  }
}

export interface SortColumn {
  expr: string;
  descending: boolean;
  /** PostgreSQL type of the expression, used to cast cursor values back. */
  cast: string;
}

/** The value a resource sorts by for one key: its lowest value ascending, its highest descending. */
export function sortColumn(key: SortKey, resourceType: string, b: SqlBuilder): SortColumn {
  const { def, descending } = key;
  if (def.code === '_id') return { expr: 'r.id', descending, cast: 'text' };
  if (def.code === '_lastUpdated') return { expr: 'r.last_updated', descending, cast: 'timestamptz' };
  const agg = descending ? 'max' : 'min';
  const where = (table: string): string =>
    `FROM ${table} s WHERE s.res_type = ${b.bind(resourceType)} AND s.res_id = r.id AND s.code = ${b.bind(def.code)}`;
  switch (def.type) {
    case 'date':
      return { expr: `(SELECT ${agg}(${descending ? 's.high' : 's.low'}) ${where('sp_date')})`, descending, cast: 'timestamptz' };
    case 'number':
    case 'quantity':
      return { expr: `(SELECT ${agg}(s.value) ${where(TABLE[def.type])})`, descending, cast: 'numeric' };
    case 'reference':
      return { expr: `(SELECT ${agg}(s.ref) ${where('sp_reference')})`, descending, cast: 'text' };
    case 'string':
    case 'token':
    case 'uri':
      return { expr: `(SELECT ${agg}(s.value) ${where(TABLE[def.type])})`, descending, cast: 'text' };
    default:
      throw badRequest(`Cannot sort by '${def.code}'`, '_sort');
  }
}
