import { badRequest } from '@salus/core';
import type { ContentCipher } from '../../crypto/cipher.js';
import { openStored } from '../../crypto/stored-content.js';
import { sqlState, type Queryable } from '../../db/db.js';
import type { IncludeSpec, SearchRequest } from './parse.js';
import { dateWindows } from './date-window.js';
import { dateWindowSql, filterSql, sortColumn, SqlBuilder, type FilterContext, type SortColumn } from './sql.js';

export interface SearchEntry {
  resType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  /** Stored JSON text of the current version. */
  content: string;
  mode: 'match' | 'include';
}

export interface SearchPage {
  total?: number;
  entries: SearchEntry[];
  /** Opaque cursors for the neighbouring pages, when they exist. */
  next?: string;
  previous?: string;
}

interface Cursor {
  /** Direction: continue after (`n`) or before (`p`) the row the cursor names. */
  d: 'n' | 'p';
  /** Sort key values of that row (text, cast back per key). */
  v: (string | null)[];
  /** Its rid, the final tie-breaker. */
  r: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string, keys: number): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if ((c.d === 'n' || c.d === 'p') && Array.isArray(c.v) && c.v.length === keys && /^\d{1,18}$/.test(c.r)) return c;
  } catch {
    // fall through to the error below
  }
  throw badRequest('Invalid or expired paging cursor', '_cursor');
}

/** Extra SQL restriction applied to every row a search may return (access control). */
export type RowFilter = (b: SqlBuilder, resourceType: string, alias: string) => string | undefined;

export interface SearchOptions {
  baseUrl: string;
  rowFilter?: RowFilter;
  /** Upper bound on resources added by _include/_revinclude (each iteration included). */
  maxIncludes?: number;
  /** Opens content encrypted at rest. */
  cipher?: ContentCipher;
}

export function whereClause(req: SearchRequest, b: SqlBuilder, options: SearchOptions): string {
  const conds = [`r.res_type = ${b.bind(req.resourceType)}`, 'NOT r.deleted'];
  const ctx: FilterContext = { resourceType: req.resourceType, idExpr: 'r.id', lastUpdatedExpr: 'r.last_updated' };
  if (options.rowFilter) ctx.rowFilter = options.rowFilter;
  const { windows, rest } = dateWindows(req.filters);
  for (const [lower, upper] of windows) conds.push(dateWindowSql(lower, upper, ctx, b));
  for (const f of rest) conds.push(filterSql(f, ctx, b, options.baseUrl));
  const extra = options.rowFilter?.(b, req.resourceType, 'r');
  if (extra) conds.push(extra);
  return conds.join('\n AND ');
}

/**
 * Keyset condition "comes after (or before) the cursor row" in the order given by `cols` then rid.
 * NULL sort values go last in either direction, so each key has three cases.
 */
function keysetSql(cols: SortColumn[], cursor: Cursor, b: SqlBuilder): string {
  const forward = cursor.d === 'n';
  const build = (i: number): string => {
    if (i === cols.length) return `q.rid ${forward ? '>' : '<'} ${b.bind(cursor.r, 'bigint')}`;
    const col = `q.s${i}`;
    const v = cursor.v[i];
    const rest = build(i + 1);
    if (v === null) {
      return forward ? `(${col} IS NULL AND ${rest})` : `(${col} IS NOT NULL OR (${col} IS NULL AND ${rest}))`;
    }
    const bound = b.bind(v, cols[i]!.cast);
    // Moving forward past an ascending key means larger values; backward or descending, smaller.
    const op = forward !== cols[i]!.descending ? '>' : '<';
    const nulls = forward ? ` OR ${col} IS NULL` : '';
    return `(${col} ${op} ${bound}${nulls} OR (${col} = ${bound} AND ${rest}))`;
  };
  return build(0);
}

function orderBy(cols: SortColumn[], reverse: boolean): string {
  const keys = cols.map((c, i) => {
    const desc = c.descending !== reverse;
    return `q.s${i} ${desc ? 'DESC' : 'ASC'} NULLS ${reverse ? 'FIRST' : 'LAST'}`;
  });
  keys.push(`q.rid ${reverse ? 'DESC' : 'ASC'}`);
  return keys.join(', ');
}

export async function executeSearch(db: Queryable, req: SearchRequest, options: SearchOptions): Promise<SearchPage> {
  const page: SearchPage = { entries: [] };
  const count = async (): Promise<number> => {
    const countB = new SqlBuilder();
    const countWhere = whereClause(req, countB, options);
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM resources r WHERE ${countWhere}`, countB.params);
    return Number(r.rows[0]!.n);
  };
  if (req.summary === 'count' || req.count === 0) {
    page.total = await count();
    return page;
  }

  const b = new SqlBuilder();
  const where = whereClause(req, b, options);
  const cols = req.sort.map((k) => sortColumn(k, req.resourceType, b));
  const cursor = req.cursor ? decodeCursor(req.cursor, cols.length) : undefined;
  const reverse = cursor?.d === 'p';
  const select = cols.map((c, i) => `, ${c.expr} AS s${i}`).join('');
  const keyset = cursor ? `WHERE ${keysetSql(cols, cursor, b)}` : '';
  const limit = b.bind(req.count + 1, 'int');
  const sql = `SELECT q.* FROM (SELECT r.res_type, r.id, r.rid, r.version_id, r.last_updated, r.content${select} FROM resources r WHERE ${where}) q
    ${keyset} ORDER BY ${orderBy(cols, reverse)} LIMIT ${limit}`;
  const r = await db
    .query<LinkedRow & { rid: string } & Record<`s${number}`, string | null>>(sql, b.params)
    .catch((e: unknown) => {
      // A cursor is handed out by us, but comes back from the client: sort values that no longer
      // cast to their type (SQLSTATE class 22, data exception) mean it was altered.
      if (cursor && sqlState(e)?.startsWith('22')) throw badRequest('Invalid or expired paging cursor', '_cursor');
      throw e;
    });
  const more = r.rows.length > req.count;
  const rows = r.rows.slice(0, req.count);
  if (reverse) rows.reverse();
  const cursorOf = (row: (typeof rows)[number], d: 'n' | 'p'): string =>
    encodeCursor({ d, v: cols.map((_, i) => row[`s${i}`] ?? null), r: row.rid });
  if (rows.length > 0) {
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    // Going forward, "more" means a next page; going back it means a previous one. The page we
    // came from always exists on the other side.
    if (reverse ? true : more) page.next = cursorOf(last, 'n');
    if (reverse ? more : cursor !== undefined) page.previous = cursorOf(first, 'p');
  }
  page.entries = rows.map((row) => entry(row, 'match', options.cipher));
  if (req.total !== 'none' && !cursor) {
    // A first page that is not full holds every match: its size is the total, no count needed.
    page.total = more ? await count() : rows.length;
  }
  if (req.include.length || req.revinclude.length) {
    page.entries.push(...(await resolveIncludes(db, page.entries, req, options)));
  }
  return page;
}

async function resolveIncludes(
  db: Queryable,
  matches: SearchEntry[],
  req: SearchRequest,
  options: SearchOptions,
): Promise<SearchEntry[]> {
  const max = options.maxIncludes ?? 1000;
  const seen = new Set(matches.map((e) => `${e.resType}/${e.id}`));
  const included: SearchEntry[] = [];
  let frontier = matches;
  let first = true;
  while (frontier.length > 0 && included.length < max) {
    const specs = (list: IncludeSpec[]): IncludeSpec[] => list.filter((s) => first || s.iterate);
    const found: SearchEntry[] = [];
    for (const spec of specs(req.include)) found.push(...(await includeTargets(db, frontier, spec, options)));
    for (const spec of specs(req.revinclude)) found.push(...(await revincludeSources(db, frontier, spec, options)));
    const fresh: SearchEntry[] = [];
    for (const e of found) {
      const key = `${e.resType}/${e.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(e);
    }
    included.push(...fresh);
    frontier = fresh;
    first = false;
  }
  return included.slice(0, max);
}

/** `_include`: the resources that `spec.param` of the given sources points to. */
function includeTargets(db: Queryable, from: SearchEntry[], spec: IncludeSpec, options: SearchOptions): Promise<SearchEntry[]> {
  const ids = from.filter((e) => e.resType === spec.sourceType).map((e) => e.id);
  return linked(db, spec, options, {
    join: 'r.res_type = x.target_type AND r.id = x.target_id',
    match: (b) => `x.res_id = ANY(${b.bind(ids, 'text[]')})${spec.targetType ? ` AND x.target_type = ${b.bind(spec.targetType)}` : ''}`,
    count: ids.length,
    filterType: spec.targetType ?? '*',
  });
}

/** `_revinclude`: the resources of `spec.sourceType` whose `spec.param` points to the given ones. */
function revincludeSources(db: Queryable, from: SearchEntry[], spec: IncludeSpec, options: SearchOptions): Promise<SearchEntry[]> {
  const refs = from.filter((e) => !spec.targetType || e.resType === spec.targetType).map((e) => `${e.resType}/${e.id}`);
  return linked(db, spec, options, {
    join: 'r.res_type = x.res_type AND r.id = x.res_id',
    match: (b) => `x.ref = ANY(${b.bind(refs, 'text[]')})`,
    count: refs.length,
    filterType: spec.sourceType,
  });
}

/** Resources reached over the reference index rows of one include spec, as `join` connects them. */
async function linked(
  db: Queryable,
  spec: IncludeSpec,
  options: SearchOptions,
  how: { join: string; match: (b: SqlBuilder) => string; count: number; filterType: string },
): Promise<SearchEntry[]> {
  if (how.count === 0) return [];
  const b = new SqlBuilder();
  const conds = [`x.res_type = ${b.bind(spec.sourceType)}`, `x.code = ${b.bind(spec.param.code)}`, how.match(b), 'NOT r.deleted'];
  const extra = options.rowFilter?.(b, how.filterType, 'r');
  if (extra) conds.push(extra);
  const r = await db.query<LinkedRow>(
    `SELECT DISTINCT r.res_type, r.id, r.version_id, r.last_updated, r.content FROM sp_reference x JOIN resources r ON ${how.join}
     WHERE ${conds.join(' AND ')}`,
    b.params,
  );
  return r.rows.map((row) => entry(row, 'include', options.cipher));
}

interface LinkedRow {
  res_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  content: string;
}

function entry(row: LinkedRow, mode: SearchEntry['mode'], cipher: ContentCipher | undefined): SearchEntry {
  const content = openStored(cipher, row.res_type, row.id, row.version_id, row.content);
  return { resType: row.res_type, id: row.id, versionId: row.version_id, lastUpdated: row.last_updated, content, mode };
}
