import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { getOrCreateSecret } from '../crypto/secrets.js';
import type { Db, Queryable } from '../db/db.js';
import { buildAuditEvent, patientView } from './audit-event.js';
import { chainEvents, checkpointSeal, headSeal, type ChainHead, type LedgerRow } from './chain.js';
import type { AuditInput } from './types.js';
import { ChainScanner, type HeadRow, type LedgerProblem } from './verify.js';

export interface AuditLedgerOptions {
  /** HMAC-SHA256 key sealing the chain; see ledgerKey. */
  key: Buffer;
  /** A signed checkpoint is taken with each entry whose seq is a multiple of this (default 10,000). */
  checkpointEvery?: number;
  /** Most entries one flush writes (default 1,000). */
  maxBatch?: number;
}

/** A sealed copy of the head at some point. */
export interface Checkpoint {
  seq: string;
  hash: string;
  created: string;
  seal: string;
}

export interface LedgerReport {
  ok: boolean;
  /** Rows read. */
  entries: number;
  /** The head when verification began. */
  head: { seq: string; hash: string };
  checkpoints: number;
  latestCheckpoint?: Checkpoint;
  problems: LedgerProblem[];
  /** False when so much was wrong that reading stopped before the end. */
  complete: boolean;
}

/** Entries newest first; `next` is the `before` of the following (older) page, when there may be one. */
export interface LedgerPage {
  entries: AuditEvent[];
  next?: string;
}

export interface PageOptions {
  count: number;
  /** Only entries with a smaller seq (the `next` of the previous page). */
  before?: string;
}

export interface ListOptions extends PageOptions {
  accountId?: string;
  patientId?: string;
  subtype?: string;
}

interface Pending {
  events: AuditEvent[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

// One statement inserts the batch and moves the head. The batch travels as one JSON array:
// JSON.stringify escapes the entries' quotes natively, where the driver's text[] encoding would
// escape them character by character in JavaScript (most of an append's cost for a kilobyte-sized
// entry).
const INSERT_ROWS = `WITH inserted AS (
    INSERT INTO audit_ledger (seq, recorded, subtype, account_id, patient_ids, entry, prev_hash, hash)
    SELECT seq, recorded, subtype, "accountId", "patientIds", entry, "prevHash", hash
    FROM json_to_recordset($1::json)
      AS x(seq bigint, recorded timestamptz, subtype text, "accountId" text, "patientIds" text[], entry text, "prevHash" text, hash text))
  UPDATE audit_head SET seq = $2, hash = $3, seal = $4 WHERE id = 1`;

const SELECT_ROWS = `SELECT seq, recorded, subtype, account_id AS "accountId", patient_ids AS "patientIds", entry, prev_hash AS "prevHash", hash
  FROM audit_ledger WHERE seq > $1 ORDER BY seq LIMIT $2`;

const SELECT_CHECKPOINTS = 'SELECT seq, hash, created, seal FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2';

// Below any seq, so keyset scans also reach rows someone inserted at zero or negative seqs.
const BEFORE_ALL = '-9223372036854775808';
const SCAN_BATCH = 2000;

/**
 * The tamper-evident audit ledger: an append-only chain of FHIR AuditEvents in audit_ledger.
 *
 * Appends are group-committed: they queue in memory and one transaction writes each batch, so the
 * cost of a commit (and of the head row lock that keeps the chain in one line across server
 * instances) is shared by every request that arrived meanwhile.
 */
export class AuditLedger {
  private readonly key: Buffer;
  private readonly checkpointEvery: bigint;
  private readonly maxBatch: number;
  private readonly queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    options: AuditLedgerOptions,
  ) {
    this.key = options.key;
    this.checkpointEvery = BigInt(options.checkpointEvery ?? 10_000);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  /** Records one event; resolves once it is committed, rejects if writing its batch failed. */
  append(input: AuditInput): Promise<void> {
    return this.appendMany([input]);
  }

  /** Records several events, consecutive in the chain and committed together. */
  appendMany(inputs: readonly AuditInput[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The audit ledger is closed'));
    if (inputs.length === 0) return Promise.resolve();
    const invalid = inputs.map(invalidInput).find((reason) => reason !== undefined);
    if (invalid) return Promise.reject(new TypeError(`Audit input refused: ${invalid}`));
    // Recorded when it happened, not when its batch is written.
    const recorded = new Date();
    const events = inputs.map((input) => buildAuditEvent(input, recorded));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Writes what is queued, then refuses further appends. Does not close the database. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
  }

  private async drain(): Promise<void> {
    // Appends made in this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.write(batch.flatMap((p) => p.events));
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.flushing = undefined;
  }

  private takeBatch(): Pending[] {
    let size = this.queue[0]!.events.length;
    let n = 1;
    while (n < this.queue.length && size + this.queue[n]!.events.length <= this.maxBatch) size += this.queue[n++]!.events.length;
    return this.queue.splice(0, n);
  }

  private async write(events: AuditEvent[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const locked = await tx.query<ChainHead>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE', [], { prepare: true });
      const from = locked.rows[0];
      if (!from) throw new Error('audit_head has no row: the ledger migration did not run or the row was deleted');
      const { rows, head } = chainEvents(this.key, from, events);
      await tx.query(INSERT_ROWS, [JSON.stringify(rows), head.seq, head.hash, headSeal(this.key, head.seq, head.hash)], { prepare: true });
      const first = BigInt(from.seq);
      const every = this.checkpointEvery;
      const at = (BigInt(head.seq) / every) * every;
      if (at > first) await this.insertCheckpoint(tx, String(at), rows[Number(at - first - 1n)]!.hash);
    });
  }

  private async insertCheckpoint(q: Queryable, seq: string, hash: string): Promise<void> {
    const created = new Date().toISOString();
    await q.query('INSERT INTO audit_checkpoints (seq, hash, created, seal) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING', [
      seq,
      hash,
      created,
      checkpointSeal(this.key, seq, hash, created),
    ]);
  }

  /**
   * Takes a signed checkpoint of the current head now (besides those taken every
   * `checkpointEvery` entries) and returns it; undefined while the ledger is empty. Kept outside
   * the database as well, a checkpoint proves the ledger reached that seq with that hash.
   */
  async checkpoint(): Promise<Checkpoint | undefined> {
    const head = (await this.db.query<ChainHead>('SELECT seq, hash FROM audit_head WHERE id = 1')).rows[0];
    if (!head || head.seq === '0') return undefined;
    await this.insertCheckpoint(this.db, head.seq, head.hash);
    return (await this.db.query<Checkpoint>('SELECT seq, hash, created, seal FROM audit_checkpoints WHERE seq = $1', [head.seq])).rows[0];
  }

  /**
   * Reads the whole ledger in seq order, a batch at a time, and reports every entry modified,
   * deleted, inserted or reordered since it was written (see ChainScanner), a head row that was
   * changed, and checkpoints that do not verify or that the ledger no longer reaches.
   */
  async verify(): Promise<LedgerReport> {
    // The head comes first: entries appended while the scan runs chain on from it, which is fine.
    const headRow = (await this.db.query<HeadRow>('SELECT seq, hash, seal FROM audit_head WHERE id = 1')).rows[0];
    const head = headRow ?? { seq: '0', hash: '', seal: '' };
    const checkpointProblems: LedgerProblem[] = [];
    let checkpoints = 0;
    let latestCheckpoint: Checkpoint | undefined;
    for await (const cp of this.scan<Checkpoint>(SELECT_CHECKPOINTS)) {
      checkpoints++;
      if (cp.seal === checkpointSeal(this.key, cp.seq, cp.hash, cp.created)) latestCheckpoint = cp;
      else checkpointProblems.push({ kind: 'modified', in: 'checkpoints', seq: cp.seq, detail: 'the checkpoint does not verify' });
    }
    const scanner = new ChainScanner(this.key);
    let complete = true;
    for await (const row of this.scan<LedgerRow>(SELECT_ROWS)) {
      if (!scanner.add(row)) {
        complete = false;
        break;
      }
    }
    const problems = [...scanner.finish(head, BigInt(latestCheckpoint?.seq ?? 0), complete), ...checkpointProblems];
    return {
      ok: problems.length === 0 && complete,
      entries: scanner.rows,
      head: { seq: head.seq, hash: head.hash },
      checkpoints,
      ...(latestCheckpoint ? { latestCheckpoint } : {}),
      problems,
      complete,
    };
  }

  /** Rows of a keyset query (`seq > $1 ORDER BY seq LIMIT $2`), a batch in memory at a time. */
  private async *scan<T extends { seq: string }>(sql: string): AsyncGenerator<T> {
    let after = BEFORE_ALL;
    for (;;) {
      const { rows } = await this.db.query<T>(sql, [after, SCAN_BATCH]);
      yield* rows;
      if (rows.length < SCAN_BATCH) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * A patient's access log: entries touching any of `patientIds` (one patient, or a caregiver's
   * wards), newest first, as that patient may see them (see patientView).
   */
  async accessLog(patientIds: string | readonly string[], options: PageOptions): Promise<LedgerPage> {
    const ids = typeof patientIds === 'string' ? [patientIds] : [...patientIds];
    if (ids.length === 0) return { entries: [] };
    const page = await this.page(['patient_ids && $1::text[]'], [ids], options);
    return { ...page, entries: page.entries.map((e) => patientView(e, ids)) };
  }

  /** Entries for administrators, newest first, optionally of one account, patient or subtype. */
  list(options: ListOptions): Promise<LedgerPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(condition(params.length));
    };
    if (options.accountId !== undefined) add((n) => `account_id = $${n}`, options.accountId);
    if (options.patientId !== undefined) add((n) => `patient_ids @> ARRAY[$${n}::text]`, options.patientId);
    if (options.subtype !== undefined) add((n) => `subtype = $${n}`, options.subtype);
    return this.page(where, params, options);
  }

  private async page(where: string[], params: unknown[], { count, before }: PageOptions): Promise<LedgerPage> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, not ${count}`);
    const conditions = [...where];
    const values = [...params];
    if (before !== undefined) {
      values.push(before);
      conditions.push(`seq < $${values.length}::bigint`);
    }
    values.push(count);
    const sql = `SELECT seq, entry FROM audit_ledger ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`;
    const { rows } = await this.db.query<{ seq: string; entry: string }>(sql, values);
    const entries = rows.map((r) => JSON.parse(r.entry) as AuditEvent);
    return rows.length === count ? { entries, next: rows[rows.length - 1]!.seq } : { entries };
  }
}

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** Why the index columns could not hold `input` (which would fail its whole batch), if they could not. */
function invalidInput(input: AuditInput): string | undefined {
  const bad = input.patientIds.find((id) => !FHIR_ID.test(id));
  if (bad !== undefined) return `patient id ${JSON.stringify(bad)} is not a FHIR id`;
  if (!input.subtype || input.subtype.includes('\0')) return 'subtype must be a non-empty text';
  if (input.agent.accountId?.includes('\0')) return 'account id contains a NUL character';
  return undefined;
}

/** The ledger's HMAC key and where it came from. */
export interface LedgerKey {
  key: Buffer;
  /**
   * `database`: generated and kept in server_secrets, so that a demo installation needs no setup.
   * Anyone able to read the database can then forge a consistent chain; production sets
   * SALUS_LEDGER_KEY and keeps it out of the database.
   */
  source: 'SALUS_LEDGER_KEY' | 'database';
}

/** SALUS_LEDGER_KEY (32 bytes in base64) when set, else a key generated once per database. */
export async function ledgerKey(db: Queryable, env: NodeJS.ProcessEnv = process.env): Promise<LedgerKey> {
  const configured = env.SALUS_LEDGER_KEY?.trim();
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32 || key.toString('base64') !== configured) {
      throw new Error('SALUS_LEDGER_KEY must be 32 bytes in base64, such as the output of `openssl rand -base64 32`');
    }
    return { key, source: 'SALUS_LEDGER_KEY' };
  }
  const stored = await getOrCreateSecret(db, 'ledger-hmac', () => randomBytes(32).toString('base64'));
  return { key: Buffer.from(stored, 'base64'), source: 'database' };
}
