import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildAuditEvent } from './audit-event.js';
import { chainEvents, GENESIS_HASH, headSeal, type LedgerRow } from './chain.js';
import { ChainScanner, type HeadRow, type LedgerProblem } from './verify.js';

const key = randomBytes(32);

/** A ledger of n reads by one practitioner, each of its own patient, as the ledger writes it. */
function ledger(n: number): { rows: LedgerRow[]; head: HeadRow } {
  const events = Array.from({ length: n }, (_, i) =>
    buildAuditEvent(
      { action: 'R', subtype: 'read', outcome: 'success', agent: { accountId: 'a1', fhirUser: 'Practitioner/pr1' }, entities: [`Patient/p${i + 1}`], patientIds: [`p${i + 1}`] },
      new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    ),
  );
  const { rows, head } = chainEvents(key, { seq: '0', hash: GENESIS_HASH }, events);
  return { rows, head: { ...head, seal: headSeal(key, head.seq, head.hash) } };
}

function check(rows: LedgerRow[], head: HeadRow, checkpointSeq = 0n): LedgerProblem[] {
  const scanner = new ChainScanner(key);
  for (const row of [...rows].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1))) scanner.add(row);
  return scanner.finish(head, checkpointSeq, true);
}

/** Problems in short: kind@seq, kind@first-last, reordered@seq>writtenAt, and the table when not the ledger. */
function found(rows: LedgerRow[], head: HeadRow, checkpointSeq = 0n): string[] {
  return check(rows, head, checkpointSeq).map(
    (p) => `${p.in === 'ledger' ? '' : `${p.in}:`}${p.kind}@${p.seq}${p.lastSeq ? `-${p.lastSeq}` : ''}${p.belongsAt ? `>${p.belongsAt}` : ''}`,
  );
}

const at = (seq: number, row: LedgerRow): LedgerRow => ({ ...row, seq: String(seq) });
const without = (rows: LedgerRow[], ...seqs: number[]): LedgerRow[] => rows.filter((r) => !seqs.includes(Number(r.seq)));
/** Renumbers rows from `from` on by `by`, as an attacker closing or opening a gap would. */
const shift = (rows: LedgerRow[], from: number, by: number): LedgerRow[] => rows.map((r) => (Number(r.seq) >= from ? at(Number(r.seq) + by, r) : r));

test('an untouched ledger, and an empty one, have no problems', () => {
  const { rows, head } = ledger(20);
  assert.deepEqual(found(rows, head), []);
  assert.deepEqual(found([], { seq: '0', hash: GENESIS_HASH, seal: '' }), []);
});

test('a changed entry is modified at its seq, whichever field was changed', () => {
  const { rows, head } = ledger(10);
  const edit = (seq: number, change: Partial<LedgerRow>): LedgerRow[] => rows.map((r) => (r.seq === String(seq) ? { ...r, ...change } : r));
  assert.deepEqual(found(edit(4, { entry: rows[3]!.entry.replace('Practitioner/pr1', 'Practitioner/pr2') }), head), ['modified@4']);
  assert.deepEqual(found(edit(4, { hash: rows[2]!.hash }), head), ['modified@4']);
  assert.deepEqual(found(edit(4, { prevHash: GENESIS_HASH }), head), ['modified@4']);
  assert.deepEqual(found(edit(1, { entry: '{}' }), head), ['modified@1']);
  assert.deepEqual(found(edit(10, { entry: 'not json' }), head), ['modified@10']);
  // Hiding an access from a patient's log by editing the indexed column alone.
  assert.deepEqual(found(edit(4, { patientIds: [] }), head), ['modified@4']);
  assert.deepEqual(found(edit(4, { accountId: 'someone-else' }), head), ['modified@4']);
});

test('deleted entries are named, in the middle, at the end, and when the rows after were renumbered', () => {
  const { rows, head } = ledger(10);
  assert.deepEqual(found(without(rows, 4), head), ['deleted@4']);
  assert.deepEqual(found(without(rows, 4, 5, 6), head), ['deleted@4-6']);
  assert.deepEqual(found(without(rows, 1), head), ['deleted@1']);
  assert.deepEqual(found(without(rows, 9, 10), head), ['deleted@9-10']);
  assert.deepEqual(found(shift(without(rows, 4), 5, -1), head), ['deleted@4']);
  assert.deepEqual(found([], head), ['deleted@1-10']);
});

test('an inserted entry is named, past the head, spliced in by renumbering, and as a copy of a real one', () => {
  const { rows, head } = ledger(10);
  const forged: LedgerRow = { ...rows[4]!, entry: rows[4]!.entry.replace('"id":"5"', '"id":"11"'), prevHash: rows[9]!.hash };
  assert.deepEqual(found([...rows, at(11, forged)], head), ['inserted@11']);
  const spliced = { ...at(4, rows[3]!), entry: rows[3]!.entry.replace('read', 'vread'), prevHash: rows[2]!.hash };
  assert.deepEqual(found([...shift(rows, 4, 1), spliced], head), ['inserted@4']);
  assert.deepEqual(found([...rows, at(11, rows[2]!)], head), ['inserted@11']);
  assert.deepEqual(found([...rows, at(0, rows[2]!)], head), ['inserted@0']);
});

test('swapped and moved entries are reordered, each named with the seq it was written at', () => {
  const { rows, head } = ledger(10);
  const swap = (a: number, b: number): LedgerRow[] => rows.map((r) => (r.seq === String(a) ? at(b, r) : r.seq === String(b) ? at(a, r) : r));
  assert.deepEqual(found(swap(3, 7), head), ['reordered@3>7', 'reordered@7>3']);
  assert.deepEqual(found(swap(3, 4), head), ['reordered@3>4', 'reordered@4>3']);
  assert.deepEqual(found(swap(1, 10), head), ['reordered@1>10', 'reordered@10>1']);
  // Two neighbouring blocks of three exchanged.
  const blocks = rows.map((r) => {
    const s = Number(r.seq);
    return s >= 2 && s <= 4 ? at(s + 3, r) : s >= 5 && s <= 7 ? at(s - 3, r) : r;
  });
  assert.deepEqual(found(blocks, head), ['reordered@2-4>5', 'reordered@5-7>2']);
  // One entry taken out and put back at the end, the rest closed up.
  const moved = [...shift(without(rows, 3), 4, -1), at(10, rows[2]!)];
  assert.deepEqual(found(moved, head), ['reordered@10>3']);
  // Or given a seq past the end, leaving its own empty.
  assert.deepEqual(found([...without(rows, 3), at(99, rows[2]!)], head), ['reordered@99>3']);
});

test('a changed head row is reported; a head rolled back behind its checkpoint shows the missing tail', () => {
  const { rows } = ledger(10);
  assert.deepEqual(found(without(rows, 9, 10), { seq: '8', hash: rows[7]!.hash, seal: 'forged' }), ['head:modified@8']);
  // A head saved when the ledger was at seq 8, put back after the last two entries were deleted:
  // nothing in the ledger tells, but the checkpoint taken at seq 10 does.
  const saved = { seq: '8', hash: rows[7]!.hash, seal: headSeal(key, '8', rows[7]!.hash) };
  assert.deepEqual(found(without(rows, 9, 10), saved), []);
  assert.deepEqual(found(without(rows, 9, 10), saved, 10n), ['deleted@9-10']);
});

test('entries appended after the head was read chain on and are not insertions', () => {
  const { rows } = ledger(10);
  const early = { seq: '6', hash: rows[5]!.hash, seal: headSeal(key, '6', rows[5]!.hash) };
  assert.deepEqual(found(rows, early), []);
});

test('a thoroughly rewritten ledger stops being tracked rather than filling memory', () => {
  const { rows } = ledger(50);
  const scanner = new ChainScanner(key, 10);
  let added = 0;
  for (const row of rows) {
    added++;
    if (!scanner.add({ ...row, hash: GENESIS_HASH })) break;
  }
  assert.equal(added, 11);
});
