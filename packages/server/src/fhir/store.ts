import type { ContentCipher } from '../crypto/cipher.js';
import { openStored } from '../crypto/stored-content.js';
import type { Queryable } from '../db/db.js';
import type { IndexRows } from './search/index-rows.js';

/** One row of `resources` / `resource_history` as the repository sees it. */
export interface StoredVersion {
  resType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  /** The resource JSON as stored (meta included); empty for deletions. */
  content: string;
}

export interface PendingWrite extends StoredVersion {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Search index rows of the new version; empty for deletions. */
  rows: IndexRows;
  /** What is stored in place of `content` when it is encrypted at rest; `content` stays the plaintext. */
  sealed?: string;
}

/** Column lists of the index tables, in the order `writeVersions` fills them. */
const INDEX_TABLES = {
  string: { cols: ['value', 'exact'], types: ['text', 'text'] },
  token: { cols: ['system', 'value', 'text'], types: ['text', 'text', 'text'] },
  reference: {
    cols: ['ref', 'target_type', 'target_id', 'identifier_system', 'identifier_value'],
    types: ['text', 'text', 'text', 'text', 'text'],
  },
  date: { cols: ['low', 'high'], types: ['timestamptz', 'timestamptz'] },
  number: { cols: ['value', 'low', 'high'], types: ['numeric', 'numeric', 'numeric'] },
  quantity: {
    cols: ['value', 'low', 'high', 'system', 'unit'],
    types: ['numeric', 'numeric', 'numeric', 'text', 'text'],
  },
  uri: { cols: ['value'], types: ['text'] },
} as const;

type TableKey = keyof typeof INDEX_TABLES;
const TABLE_KEYS = Object.keys(INDEX_TABLES) as TableKey[];

/** Row field for each column (camelCase in IndexRows, snake_case in SQL). */
const FIELD: Record<string, string> = {
  target_type: 'targetType',
  target_id: 'targetId',
  identifier_system: 'identifierSystem',
  identifier_value: 'identifierValue',
};

/**
 * Writes many resource versions in ONE statement: the current-version upsert, the history
 * insert, the removal of the old index rows and the insertion of the new ones are data-modifying
 * CTEs fed by arrays, so a bundle of a thousand resources costs one round trip.
 */
export async function writeVersions(db: Queryable, writes: PendingWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const params: unknown[] = [];
  const p = (v: unknown, type: string): string => {
    params.push(v);
    return `$${params.length}::${type}[]`;
  };
  const types = writes.map((w) => w.resType);
  const ids = writes.map((w) => w.id);
  const tType = p(types, 'text');
  const tId = p(ids, 'text');
  const tVersion = p(writes.map((w) => w.versionId), 'int');
  const tUpdated = p(writes.map((w) => w.lastUpdated), 'timestamptz');
  const tDeleted = p(writes.map((w) => w.deleted), 'boolean');
  const tMethod = p(writes.map((w) => w.method), 'text');
  const tContent = p(writes.map((w) => w.sealed ?? w.content), 'text');
  const ctes: string[] = [
    `upsert AS (INSERT INTO resources (res_type, id, version_id, last_updated, deleted, content)
       SELECT * FROM unnest(${tType}, ${tId}, ${tVersion}, ${tUpdated}, ${tDeleted}, ${tContent})
       ON CONFLICT (res_type, id) DO UPDATE SET version_id = EXCLUDED.version_id,
         last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted, content = EXCLUDED.content)`,
    `hist AS (INSERT INTO resource_history (res_type, id, version_id, last_updated, deleted, method, content)
       SELECT * FROM unnest(${tType}, ${tId}, ${tVersion}, ${tUpdated}, ${tDeleted}, ${tMethod}, ${tContent}))`,
  ];
  // Only resources that existed before can have old index rows.
  const replaced = writes.filter((w) => w.versionId > 1 || w.method === 'PUT');
  if (replaced.length > 0) {
    const dType = p(
      replaced.map((w) => w.resType),
      'text',
    );
    const dId = p(
      replaced.map((w) => w.id),
      'text',
    );
    // `res_id = ANY(...)` leads the planner to the res_id index even in a generic (prepared) plan,
    // where a join against unnest() of unknown size would be planned as a scan of the whole table.
    for (const key of TABLE_KEYS) {
      ctes.push(`del_${key} AS (DELETE FROM sp_${key} t WHERE t.res_id = ANY(${dId})
        AND (t.res_type, t.res_id) IN (SELECT * FROM unnest(${dType}, ${dId})))`);
    }
  }
  for (const key of TABLE_KEYS) {
    const spec = INDEX_TABLES[key];
    const rowType: string[] = [];
    const rowId: string[] = [];
    const codes: string[] = [];
    const groups: (number | null)[] = [];
    const columns: unknown[][] = spec.cols.map(() => []);
    for (const w of writes) {
      for (const row of w.rows[key]) {
        rowType.push(w.resType);
        rowId.push(w.id);
        codes.push(row.code);
        groups.push(row.group ?? null);
        const record = row as unknown as Record<string, unknown>;
        spec.cols.forEach((c, i) => columns[i]!.push(record[FIELD[c] ?? c] ?? null));
      }
    }
    if (rowType.length === 0) continue;
    const arrays = [p(rowType, 'text'), p(rowId, 'text'), p(codes, 'text'), p(groups, 'int')];
    spec.cols.forEach((_, i) => arrays.push(p(columns[i], spec.types[i]!)));
    ctes.push(`ins_${key} AS (INSERT INTO sp_${key} (res_type, res_id, code, grp, ${spec.cols.join(', ')})
      SELECT * FROM unnest(${arrays.join(', ')}))`);
  }
  // The text depends only on which index tables receive rows, so it is worth preparing.
  await db.query(`WITH ${ctes.join(',\n')} SELECT 1`, params, { prepare: true });
}

interface VersionRow {
  res_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  deleted: boolean;
  content: string;
}

/** Encrypted content is opened here, the one place rows of the version tables become StoredVersions. */
function toStored(r: VersionRow, cipher: ContentCipher | undefined): StoredVersion {
  return {
    resType: r.res_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: r.last_updated,
    deleted: r.deleted,
    content: openStored(cipher, r.res_type, r.id, r.version_id, r.content),
  };
}

const VERSION_COLUMNS = 'res_type, id, version_id, last_updated, deleted, content';

export async function readCurrent(db: Queryable, resType: string, id: string, cipher?: ContentCipher): Promise<StoredVersion | undefined> {
  const r = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM resources WHERE res_type = $1 AND id = $2`,
    [resType, id],
    { prepare: true },
  );
  return r.rows[0] && toStored(r.rows[0], cipher);
}

/** Current versions of many resources in one round trip; deleted ones included. */
export async function readMany(
  db: Queryable,
  keys: { resType: string; id: string }[],
  options: { lock?: boolean; cipher?: ContentCipher } = {},
): Promise<StoredVersion[]> {
  if (keys.length === 0) return [];
  const r = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM resources
     WHERE (res_type, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY rid ${options.lock ? 'FOR UPDATE' : ''}`,
    [keys.map((k) => k.resType), keys.map((k) => k.id)],
    { prepare: true },
  );
  return r.rows.map((row) => toStored(row, options.cipher));
}

export async function readVersion(
  db: Queryable,
  resType: string,
  id: string,
  versionId: number,
  cipher?: ContentCipher,
): Promise<StoredVersion | undefined> {
  const r = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM resource_history WHERE res_type = $1 AND id = $2 AND version_id = $3`,
    [resType, id, versionId],
    { prepare: true },
  );
  return r.rows[0] && toStored(r.rows[0], cipher);
}

/** Resources with the given id, whatever their type (for urn:uuid references across bundles). */
export async function findTypesById(db: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const r = await db.query<{ res_type: string; id: string }>(
    'SELECT res_type, id FROM resources WHERE id = ANY($1::text[]) AND NOT deleted',
    [ids],
  );
  for (const row of r.rows) out.set(row.id, [...(out.get(row.id) ?? []), row.res_type]);
  return out;
}

export interface HistoryQuery {
  resType?: string;
  id?: string;
  since?: string;
  at?: string;
  count: number;
  /** Continue after this history sequence number (from a `next` link). */
  beforeSeq?: string;
}

export interface HistoryRow extends StoredVersion {
  seq: string;
  method: string;
}

/** Newest first, as FHIR history requires; keyset-paged on the history sequence so pages never shift. */
export async function readHistory(db: Queryable, q: HistoryQuery, cipher?: ContentCipher): Promise<{ rows: HistoryRow[]; total?: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown): void => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.resType) add('res_type = ?', q.resType);
  if (q.id) add('id = ?', q.id);
  if (q.since) add('last_updated >= ?::timestamptz', q.since);
  if (q.at) add('last_updated <= ?::timestamptz', q.at);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const paged = [...where];
  if (q.beforeSeq) {
    params.push(q.beforeSeq);
    paged.push(`seq < $${params.length}::bigint`);
  }
  params.push(q.count + 1);
  const r = await db.query<VersionRow & { seq: string; method: string }>(
    `SELECT ${VERSION_COLUMNS}, seq, method FROM resource_history
     ${paged.length ? `WHERE ${paged.join(' AND ')}` : ''}
     ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  let total: number | undefined;
  if (!q.beforeSeq) {
    const c = await db.query<{ n: string }>(
      `SELECT count(*)::bigint AS n FROM resource_history ${filter}`,
      params.slice(0, where.length),
    );
    total = Number(c.rows[0]!.n);
  }
  return { rows: r.rows.map((row) => ({ ...toStored(row, cipher), seq: row.seq, method: row.method })), total };
}
