import type { AuditEvent } from '@medplum/fhirtypes';
import { auditIndex } from './audit-event.js';
import { entrySeal, GENESIS_HASH, headSeal, type LedgerRow } from './chain.js';

export type ProblemKind = 'modified' | 'deleted' | 'inserted' | 'reordered';

/** One thing found wrong with the ledger. */
export interface LedgerProblem {
  kind: ProblemKind;
  /** Which table: the entries, the head row, or the checkpoints. */
  in: 'ledger' | 'head' | 'checkpoints';
  /** The seq the problem is at; the first of a range when lastSeq is set. */
  seq: string;
  lastSeq?: string;
  /** Reordered entries: the seq each was written at (the first, for a range). */
  belongsAt?: string;
  detail: string;
}

/** The head row as stored. */
export interface HeadRow {
  seq: string;
  hash: string;
  seal: string;
}

/**
 * A run of consecutive rows that chain to one another: each row's seal verifies, its prev_hash is
 * the hash of the row before it, and both its seq and the seq it was written at (its entry's id)
 * are one more than that row's. An untouched ledger is a single run; each tampering cuts it.
 */
interface Run {
  /** Position in seq order. */
  index: number;
  firstSeq: bigint;
  lastSeq: bigint;
  /** The seqs the first and last rows were written at. */
  firstWritten: bigint;
  lastWritten: bigint;
  lastHash: string;
  rows: number;
}

const inPlace = (r: Run): boolean => r.firstSeq === r.firstWritten;

/**
 * Reads the ledger row by row in seq order, keeping only runs and rows that do not verify (a
 * handful when someone tampered, one run when nobody did), then tells what was done:
 *
 * - a row whose seal verifies shows where it was written (its entry's id); a run standing out of
 *   the order it was written in is **reordered**;
 * - a seq written (up to the head or the latest checkpoint) that no verifying row carries is
 *   **deleted**, unless a row that does not verify stands at that very seq: that row was
 *   **modified**;
 * - any other row that does not verify, or a second copy of a written row, was **inserted**.
 *
 * Seqs may shift without a problem of their own: renumbering rows to close the gap of a deleted
 * entry, or to make room for an inserted one, is reported as that deletion or insertion.
 */
export class ChainScanner {
  private readonly runs: Run[] = [];
  /** Seqs of rows that do not verify. */
  private readonly forged: bigint[] = [];
  private readonly problems: LedgerProblem[] = [];
  /** The run the previous row belongs to; undefined after a row that does not verify. */
  private open: Run | undefined;
  rows = 0;

  constructor(
    private readonly key: Buffer,
    /** Runs and bad rows kept before giving up on a thoroughly rewritten ledger. */
    private readonly maxTracked = 100_000,
  ) {}

  /** Takes the next row in seq order. Returns false once too much is wrong to keep track of. */
  add(row: LedgerRow): boolean {
    this.rows++;
    const seq = BigInt(row.seq);
    const written = writtenAt(row.entry);
    if (!written || entrySeal(this.key, written.seq, row.prevHash, row.entry) !== row.hash) {
      this.forged.push(seq);
      this.open = undefined;
    } else {
      if (!indexMatches(written.event, row)) {
        this.problems.push({
          kind: 'modified',
          in: 'ledger',
          seq: row.seq,
          detail: 'the indexed columns (recorded, subtype, account_id, patient_ids) no longer match the sealed entry',
        });
      }
      const run = this.open;
      if (run && row.prevHash === run.lastHash && written.seq === run.lastWritten + 1n && seq === run.lastSeq + 1n) {
        run.lastSeq = seq;
        run.lastWritten = written.seq;
        run.lastHash = row.hash;
        run.rows++;
      } else {
        this.open = { index: this.runs.length, firstSeq: seq, lastSeq: seq, firstWritten: written.seq, lastWritten: written.seq, lastHash: row.hash, rows: 1 };
        this.runs.push(this.open);
      }
    }
    return this.runs.length + this.forged.length + this.problems.length <= this.maxTracked;
  }

  /**
   * The problems found, given the head row and the highest checkpoint that verifies (0 when
   * none). `complete` is false when the scan stopped early: nothing is then said about entries
   * missing past the rows read.
   */
  finish(head: HeadRow, checkpointSeq: bigint, complete: boolean): LedgerProblem[] {
    const problems = [...this.problems];
    const runs = this.withoutCopies(problems);
    this.reordered(runs, problems);

    const headOk = head.seal === headSeal(this.key, head.seq, head.hash) || (head.seq === '0' && head.hash === GENESIS_HASH && head.seal === '');
    if (!headOk) {
      problems.push({ kind: 'modified', in: 'head', seq: head.seq, detail: 'the head row does not verify: it was changed, as it would be to hide entries removed from the end' });
    }
    let end = 0n;
    for (const r of runs) if (r.lastWritten > end) end = r.lastWritten;
    if (complete) {
      if (headOk && BigInt(head.seq) > end) end = BigInt(head.seq);
      if (checkpointSeq > end) end = checkpointSeq;
    }
    this.missingAndForged(runs, end, problems);
    return problems.sort((a, b) => compare(BigInt(a.seq), BigInt(b.seq)) || a.in.localeCompare(b.in));
  }

  /** Drops runs that repeat entries another run holds (a copied row), reporting them inserted. */
  private withoutCopies(problems: LedgerProblem[]): Run[] {
    // The original is the copy standing where it was written, or else the earlier one.
    const byWritten = [...this.runs].sort(
      (a, b) => compare(a.firstWritten, b.firstWritten) || Number(inPlace(b)) - Number(inPlace(a)) || a.index - b.index,
    );
    const kept: Run[] = [];
    let covered = 0n;
    for (const r of byWritten) {
      if (r.firstWritten <= covered) {
        problems.push({ ...range('inserted', r.firstSeq, r.lastSeq), detail: `a copy of ${entries(r.firstWritten, r.lastWritten)}` });
        continue;
      }
      kept.push(r);
      covered = r.lastWritten;
    }
    return kept.sort((a, b) => a.index - b.index);
  }

  private reordered(runs: Run[], problems: LedgerProblem[]): void {
    const ordered = longestInOrder(runs);
    const moved = runs.filter((r) => !ordered.has(r));
    const reordered = new Set(moved);
    // Of two swapped rows, one alone may stand out of order; the other is the run sitting in
    // the seqs the moved one was written at, away from where it was written itself.
    const inOrder = runs.filter((r) => ordered.has(r));
    for (const m of moved) {
      let i = lowerBound(inOrder, (r) => r.lastSeq >= m.firstWritten);
      for (; i < inOrder.length && inOrder[i]!.firstSeq <= m.lastWritten; i++) {
        const r = inOrder[i]!;
        if (r.firstSeq >= m.firstWritten && r.lastSeq <= m.lastWritten && !inPlace(r)) reordered.add(r);
      }
    }
    for (const r of reordered) {
      const where = r.rows === 1 ? `stands at seq ${r.firstSeq}` : `stand at seq ${r.firstSeq}–${r.lastSeq}`;
      problems.push({
        ...range('reordered', r.firstSeq, r.lastSeq),
        belongsAt: String(r.firstWritten),
        detail: `${entries(r.firstWritten, r.lastWritten)} ${where}`,
      });
    }
  }

  /**
   * Seqs in 1..end that no verifying row was written at: a row that does not verify standing at
   * such a seq was modified; the rest were deleted. Rows that do not verify anywhere else were
   * inserted.
   */
  private missingAndForged(runs: Run[], end: bigint, problems: LedgerProblem[]): void {
    const byWritten = [...runs].sort((a, b) => compare(a.firstWritten, b.firstWritten));
    const gaps: Array<[bigint, bigint]> = [];
    let next = 1n;
    for (const r of byWritten) {
      if (r.firstWritten > next) gaps.push([next, r.firstWritten - 1n]);
      if (r.lastWritten + 1n > next) next = r.lastWritten + 1n;
    }
    if (end >= next) gaps.push([next, end]);

    let f = 0;
    const forged = this.forged;
    for (const [from, to] of gaps) {
      for (; f < forged.length && forged[f]! < from; f++) problems.push(inserted(forged[f]!, end));
      let start = from;
      for (; f < forged.length && forged[f]! <= to; f++) {
        const seq = forged[f]!;
        if (seq > start) problems.push(deleted(start, seq - 1n));
        problems.push({ ...range('modified', seq, seq), detail: 'the entry no longer matches its seal' });
        start = seq + 1n;
      }
      if (start <= to) problems.push(deleted(start, to));
    }
    for (; f < forged.length; f++) problems.push(inserted(forged[f]!, end));
  }
}

function inserted(seq: bigint, end: bigint): LedgerProblem {
  return {
    ...range('inserted', seq, seq),
    detail: seq > end ? `an entry past the last one written (seq ${end}) that does not verify` : 'an entry that does not verify, where no written entry is missing',
  };
}

function deleted(first: bigint, last: bigint): LedgerProblem {
  return { ...range('deleted', first, last), detail: `${entries(first, last)} ${first === last ? 'is' : 'are'} missing` };
}

function range(kind: ProblemKind, first: bigint, last: bigint): Omit<LedgerProblem, 'detail'> {
  return first === last ? { kind, in: 'ledger', seq: String(first) } : { kind, in: 'ledger', seq: String(first), lastSeq: String(last) };
}

function entries(first: bigint, last: bigint): string {
  return first === last ? `the entry written at seq ${first}` : `the entries written at seq ${first}–${last}`;
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose element satisfies `pred`, for a predicate false then true along the array. */
function lowerBound<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The seq an entry was written at (its id), and the entry; undefined when it is not an entry. */
function writtenAt(entry: string): { seq: bigint; event: AuditEvent } | undefined {
  let event: unknown;
  try {
    event = JSON.parse(entry);
  } catch {
    return undefined;
  }
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[1-9][0-9]{0,18}$/.test(id) ? { seq: BigInt(id), event: event as AuditEvent } : undefined;
}

function indexMatches(event: AuditEvent, row: LedgerRow): boolean {
  const index = auditIndex(event);
  return (
    index.recorded === row.recorded &&
    index.subtype === row.subtype &&
    index.accountId === row.accountId &&
    index.patientIds.length === row.patientIds.length &&
    index.patientIds.every((id, i) => id === row.patientIds[i])
  );
}

type Score = readonly [rows: number, inPlace: number];
const better = (a: Score, b: Score): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

/**
 * The runs (in seq order) that form the largest set written in increasing order: the most rows,
 * then the most runs at their own seqs. Everything else was moved. A Fenwick tree over the ranks
 * of the written seqs keeps it O(n log n) in the number of runs.
 */
function longestInOrder(runs: readonly Run[]): Set<Run> {
  const rank = new Map([...runs].sort((a, b) => compare(a.firstWritten, b.firstWritten)).map((r, i) => [r, i + 1]));
  const n = runs.length;
  const tree: Array<{ score: Score; at: number }> = Array.from({ length: n + 1 }, () => ({ score: [0, 0], at: -1 }));
  const prev: number[] = [];
  let best = { score: [0, 0] as Score, at: -1 };
  runs.forEach((run, i) => {
    const k0 = rank.get(run)!;
    let before = { score: [0, 0] as Score, at: -1 };
    for (let k = k0 - 1; k > 0; k -= k & -k) if (better(tree[k]!.score, before.score)) before = tree[k]!;
    const mine = { score: [before.score[0] + run.rows, before.score[1] + (inPlace(run) ? 1 : 0)] as Score, at: i };
    prev[i] = before.at;
    for (let k = k0; k <= n; k += k & -k) if (better(mine.score, tree[k]!.score)) tree[k] = mine;
    if (better(mine.score, best.score)) best = mine;
  });
  const out = new Set<Run>();
  for (let i = best.at; i >= 0; i = prev[i]!) out.add(runs[i]!);
  return out;
}
