import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/db.js';
import { AesGcmCipher, envelopePrefix, isSealed, SEALED_PREFIX } from './cipher.js';
import { loadKeyring, type Keyring } from './keyring.js';
import { isSensitive, SENSITIVE_TYPES } from './sensitive.js';
import { recordAad } from './stored-content.js';

type TableName = 'resources' | 'resource_history';

interface Table {
  name: TableName;
  /** A unique key with an index in this order, for keyset paging. */
  order: { col: string; type: string }[];
  /**
   * What an update must find unchanged. A current row may have moved on to a newer version since
   * it was read, and must then keep what its writer stored; history rows never change.
   */
  match: { col: string; type: string }[];
}

const TABLES: Table[] = [
  {
    name: 'resources',
    order: [{ col: 'rid', type: 'bigint' }],
    match: [
      { col: 'rid', type: 'bigint' },
      { col: 'version_id', type: 'int' },
    ],
  },
  {
    name: 'resource_history',
    order: [
      { col: 'res_type', type: 'text' },
      { col: 'id', type: 'text' },
      { col: 'version_id', type: 'int' },
    ],
    match: [
      { col: 'res_type', type: 'text' },
      { col: 'id', type: 'text' },
      { col: 'version_id', type: 'int' },
    ],
  },
];

/**
 * Rows that may need sealing: sealed with another key than the active one, or plaintext that may
 * be sensitive (written before encryption existed, or before a label made it sensitive). The
 * plaintext test is a cheap superset, a sensitive type or any `security` element; the JSON of
 * those rows decides. Deletions have empty content.
 */
const CANDIDATE = `content <> '' AND CASE WHEN starts_with(content, $1) THEN NOT starts_with(content, $2)
  ELSE res_type = ANY($3::text[]) OR strpos(content, '"security"') > 0 END`;

export interface ReencryptProgress {
  table: TableName;
  /** Candidate rows looked at so far, of `total`. */
  examined: number;
  total: number;
  /** Rows of this table sealed anew with the active key so far. */
  resealed: number;
}

export interface ReencryptOptions {
  /** Rows read, and written back in one statement, at a time. */
  batchSize?: number;
  onProgress?: (p: ReencryptProgress) => void;
}

/** Rows sealed anew with the active key, per table. */
export interface ReencryptResult {
  resources: number;
  history: number;
}

type Row = Record<string, unknown> & { res_type: string; id: string; version_id: number; content: string };

/**
 * Brings the stored content of current and historical resource versions to the active key:
 * opens what another key sealed and seals it again, and seals sensitive plaintext. Keyset-paged in
 * batches, each batch written back in one statement, so it can run beside a serving instance and
 * be run again after an interruption. Stops at the first row it cannot open (a key missing from
 * the keyring, or altered content), naming it.
 */
export async function reencryptAll(db: Queryable, keyring: Keyring, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 500;
  const cipher = new AesGcmCipher(keyring);
  const filter = [SEALED_PREFIX, envelopePrefix(keyring.activeKid), [...SENSITIVE_TYPES]];
  const resealed: Record<TableName, number> = { resources: 0, resource_history: 0 };
  for (const table of TABLES) {
    const counted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.name} WHERE ${CANDIDATE}`, filter);
    const progress: ReencryptProgress = { table: table.name, examined: 0, total: Number(counted.rows[0]!.n), resealed: 0 };
    const orderCols = table.order.map((o) => o.col).join(', ');
    // The record's identity (the associated data), its content, and the columns paging and updates use.
    const selectCols = [...new Set(['res_type', 'id', 'version_id', 'content', ...[...table.order, ...table.match].map((c) => c.col)])].join(', ');
    let after: unknown[] | undefined;
    for (;;) {
      const params: unknown[] = [...filter];
      const bind = (v: unknown, type: string): string => {
        params.push(v);
        return `$${params.length}::${type}`;
      };
      const keyset = after ? `AND (${orderCols}) > (${table.order.map((o, i) => bind(after![i], o.type)).join(', ')})` : '';
      const limit = bind(batchSize, 'int');
      const r = await db.query<Row>(
        `SELECT ${selectCols} FROM ${table.name} WHERE ${CANDIDATE} ${keyset} ORDER BY ${orderCols} LIMIT ${limit}`,
        params,
      );
      if (r.rows.length === 0) break;
      const updates: Row[] = [];
      for (const row of r.rows) {
        const aad = recordAad(row.res_type, row.id, row.version_id);
        const sealed = isSealed(row.content);
        if (!sealed && !isSensitive(JSON.parse(row.content) as Resource)) continue;
        const plaintext = sealed ? cipher.open(row.content, aad) : row.content;
        updates.push({ ...row, content: cipher.seal(plaintext, aad) });
      }
      if (updates.length > 0) {
        const columns = [...table.match, { col: 'content', type: 'text' }];
        const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
        const written = await db.query(
          `UPDATE ${table.name} t SET content = u.content FROM unnest(${arrays}) AS u(${columns.map((c) => c.col).join(', ')})
           WHERE ${table.match.map((c) => `t.${c.col} = u.${c.col}`).join(' AND ')}`,
          columns.map((c) => updates.map((u) => u[c.col])),
        );
        progress.resealed += written.rowCount;
      }
      progress.examined += r.rows.length;
      options.onProgress?.({ ...progress });
      const last = r.rows[r.rows.length - 1]!;
      after = table.order.map((o) => last[o.col]);
    }
    resealed[table.name] = progress.resealed;
  }
  return { resources: resealed.resources, history: resealed.resource_history };
}

/**
 * `salus keys reencrypt`: after a new key has been made active (SALUS_ENCRYPTION_KEY_ID, or listed
 * last in SALUS_ENCRYPTION_KEYS), moves every stored value to it, printing progress; the old key
 * can be removed from the configuration once this has finished. Expects a migrated database.
 */
export async function keysRotateCommand(db: Queryable, env: NodeJS.ProcessEnv, out: { write(text: string): unknown }): Promise<ReencryptResult> {
  const keyring = await loadKeyring(db, env);
  const demo = keyring.usesDemoKey ? ' (the generated demo key; configure SALUS_ENCRYPTION_KEYS to protect data at rest)' : '';
  out.write(`Encrypting stored content with key '${keyring.activeKid}'${demo}\n`);
  const result = await reencryptAll(db, keyring, {
    onProgress: (p) => out.write(`  ${p.table}: ${p.examined}/${p.total} rows examined, ${p.resealed} encrypted\n`),
  });
  out.write(`Encrypted ${result.resources} current and ${result.history} historical resource versions with key '${keyring.activeKid}'.\n`);
  return result;
}
