import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDb, sqlState, type Db } from '../db/db.js';
import { AuditLedger, ledgerKey, type LedgerReport } from './ledger.js';
import { asAttacker, openTestDb, type TestDb } from './test-db.js';
import type { AuditInput } from './types.js';

const key = randomBytes(32);
let t: TestDb;
let ledger: AuditLedger;

before(async () => {
  t = await openTestDb();
  ledger = new AuditLedger(t.db, { key });
});
after(async () => {
  await ledger.close();
  await t.close();
});

function read(patientId: string, accountId = 'acc-pr1', extra: Partial<AuditInput> = {}): AuditInput {
  return {
    action: 'R',
    subtype: 'read',
    outcome: 'success',
    agent: { accountId, fhirUser: 'Practitioner/pr1', roles: ['practitioner'], ip: '10.1.2.3' },
    entities: [`Patient/${patientId}`],
    patientIds: [patientId],
    ...extra,
  };
}

/** Problems in short: kind@seq, kind@first-last, reordered@seq>writtenAt, and the table when not the ledger. */
const found = (report: LedgerReport): string[] =>
  report.problems.map((p) => `${p.in === 'ledger' ? '' : `${p.in}:`}${p.kind}@${p.seq}${p.lastSeq ? `-${p.lastSeq}` : ''}${p.belongsAt ? `>${p.belongsAt}` : ''}`);

async function count(db: Db): Promise<number> {
  return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_ledger')).rows[0]!.n);
}

test('appends chain up and verify as intact, with the count and the head hash', async () => {
  await Promise.all(Array.from({ length: 12 }, (_, i) => ledger.append(read(`tamper-${i + 1}`))));
  const report = await ledger.verify();
  const last = (await t.db.query<{ hash: string }>('SELECT hash FROM audit_ledger ORDER BY seq DESC LIMIT 1')).rows[0]!;
  assert.deepEqual({ ok: report.ok, entries: report.entries, head: report.head, problems: report.problems, complete: report.complete }, {
    ok: true,
    entries: 12,
    head: { seq: '12', hash: last.hash },
    problems: [],
    complete: true,
  });
  const first = (await t.db.query<{ entry: string; prev_hash: string }>('SELECT entry, prev_hash FROM audit_ledger WHERE seq = 1')).rows[0]!;
  assert.match(first.entry, /^\{"resourceType":"AuditEvent","id":"1",/);
  assert.equal(first.prev_hash, '0'.repeat(64));
});

test('the application cannot change, delete or truncate entries, or move the head back', async () => {
  const refused = async (sql: string): Promise<void> => {
    await assert.rejects(t.db.query(sql), (e: unknown) => sqlState(e) === '42501');
  };
  await refused("UPDATE audit_ledger SET entry = '{}' WHERE seq = 1");
  await refused('DELETE FROM audit_ledger WHERE seq = 1');
  await refused('TRUNCATE audit_ledger');
  await refused('UPDATE audit_head SET seq = 1');
  await refused('DELETE FROM audit_head');
  assert.ok(await ledger.checkpoint());
  await refused('DELETE FROM audit_checkpoints');
  await refused("UPDATE audit_checkpoints SET hash = 'x'");
  assert.equal((await ledger.verify()).ok, true);
});

// The tamper tests change the 12 entries behind the triggers' back, check what verification
// says, then put the original rows back.
test('tampering is detected and named: modified, deleted, inserted, reordered', async (s) => {
  await t.db.query('CREATE TABLE ledger_backup AS SELECT * FROM audit_ledger');
  const tampered = async (...statements: string[]): Promise<string[]> => {
    await asAttacker(t.db, ...statements);
    const report = await ledger.verify();
    await asAttacker(t.db, 'DELETE FROM audit_ledger', 'INSERT INTO audit_ledger SELECT * FROM ledger_backup');
    assert.equal(report.ok, false);
    return found(report);
  };

  await s.test('an entry rewritten', async () => {
    assert.deepEqual(await tampered("UPDATE audit_ledger SET entry = replace(entry, 'Practitioner/pr1', 'Practitioner/pr9') WHERE seq = 5"), ['modified@5']);
  });
  await s.test('an access hidden from the patient by emptying the indexed column, with the triggers disabled', async () => {
    await t.db.exec('ALTER TABLE audit_ledger DISABLE TRIGGER USER');
    try {
      await t.db.query("UPDATE audit_ledger SET patient_ids = '{}' WHERE seq = 6");
    } finally {
      await t.db.exec('ALTER TABLE audit_ledger ENABLE TRIGGER USER');
    }
    assert.deepEqual((await ledger.accessLog('tamper-6', { count: 10 })).entries, []);
    assert.deepEqual(found(await ledger.verify()), ['modified@6']);
    await asAttacker(t.db, 'DELETE FROM audit_ledger', 'INSERT INTO audit_ledger SELECT * FROM ledger_backup');
  });
  await s.test('entries deleted, in the middle, at the end, and with the rest renumbered to close the gap', async () => {
    assert.deepEqual(await tampered('DELETE FROM audit_ledger WHERE seq = 7'), ['deleted@7']);
    assert.deepEqual(await tampered('DELETE FROM audit_ledger WHERE seq >= 11'), ['deleted@11-12']);
    assert.deepEqual(
      await tampered(
        'DELETE FROM audit_ledger WHERE seq = 7',
        // In two steps: the primary key is checked row by row.
        'UPDATE audit_ledger SET seq = -seq WHERE seq > 7',
        'UPDATE audit_ledger SET seq = -seq - 1 WHERE seq < 0',
      ),
      ['deleted@7'],
    );
  });
  await s.test('entries inserted, spliced in by renumbering, and past the head', async () => {
    assert.deepEqual(
      await tampered(
        'UPDATE audit_ledger SET seq = -seq WHERE seq >= 4',
        'UPDATE audit_ledger SET seq = -seq + 1 WHERE seq < 0',
        // A plausible entry linked to the one before it, with a made-up hash.
        `INSERT INTO audit_ledger SELECT 4, recorded, subtype, account_id, patient_ids, replace(entry, '"id":"3"', '"id":"4"'), hash, md5(hash) || md5(hash)
           FROM audit_ledger WHERE seq = 3`,
      ),
      ['inserted@4'],
    );
    assert.deepEqual(
      await tampered(`INSERT INTO audit_ledger SELECT 13, recorded, subtype, account_id, patient_ids, entry, hash, hash FROM audit_ledger WHERE seq = 12`),
      ['inserted@13'],
    );
  });
  await s.test('two entries swapped', async () => {
    assert.deepEqual(
      await tampered(
        'UPDATE audit_ledger SET seq = -3 WHERE seq = 3',
        'UPDATE audit_ledger SET seq = 3 WHERE seq = 9',
        'UPDATE audit_ledger SET seq = 9 WHERE seq = -3',
      ),
      ['reordered@3>9', 'reordered@9>3'],
    );
  });
  await t.db.query('DROP TABLE ledger_backup');
  assert.equal((await ledger.verify()).ok, true);
});

test('a tail cut off behind a rolled-back head is found through the checkpoint past it', async () => {
  const base = (await ledger.verify()).head;
  const saved = (await t.db.query<{ seq: string; hash: string; seal: string }>('SELECT seq, hash, seal FROM audit_head')).rows[0]!;
  const checkpointing = new AuditLedger(t.db, { key, checkpointEvery: 5 });
  for (let i = 0; i < 8; i++) await checkpointing.append(read('tail'));
  await checkpointing.close();
  const cut = Number(base.seq) + 1;
  const checkpointAt = Math.floor((Number(base.seq) + 8) / 5) * 5;
  await asAttacker(
    t.db,
    `DELETE FROM audit_ledger WHERE seq >= ${cut}`,
    `UPDATE audit_head SET seq = ${saved.seq}, hash = '${saved.hash}', seal = '${saved.seal}'`,
  );
  const report = await ledger.verify();
  assert.deepEqual(found(report), [`deleted@${cut}-${checkpointAt}`]);
  assert.equal(report.latestCheckpoint?.seq, String(checkpointAt));

  // A checkpoint made up by the attacker does not verify.
  await t.db.query("INSERT INTO audit_checkpoints (seq, hash, created, seal) VALUES (1000, 'x', now(), 'y')");
  assert.deepEqual(found(await ledger.verify()).slice(-1), ['checkpoints:modified@1000']);
});

test('many concurrent appends from two ledgers on one database form one gapless chain', async () => {
  // Starts from an intact ledger of its own.
  await asAttacker(t.db, 'DELETE FROM audit_ledger', 'DELETE FROM audit_checkpoints', `UPDATE audit_head SET seq = 0, hash = '${'0'.repeat(64)}', seal = ''`);
  // Another server instance: its own connection pool on the server engine, the same database on the embedded one.
  const otherDb = t.url ? await openDb({ databaseUrl: t.url }) : t.db;
  const a = new AuditLedger(t.db, { key, checkpointEvery: 100 });
  const b = new AuditLedger(otherDb, { key, checkpointEvery: 100 });
  try {
    const waves = Array.from({ length: 20 }, async (_, w) => {
      await new Promise((r) => setTimeout(r, w % 5));
      await Promise.all([
        ...Array.from({ length: 15 }, (_, i) => a.append(read(`c-${w}-${i}`, 'acc-a'))),
        b.appendMany(Array.from({ length: 10 }, (_, i) => read(`d-${w}-${i}`, 'acc-b'))),
      ]);
    });
    // Verifying while appends go on sees a consistent chain too.
    const during = ledger.verify();
    await Promise.all(waves);
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual((await during).problems, []);
    const report = await ledger.verify();
    assert.deepEqual([report.ok, report.entries, report.head.seq, report.problems], [true, 500, '500', []]);
    // A batch crossing several multiples of checkpointEvery is checkpointed once, at the last.
    assert.equal(report.latestCheckpoint?.seq, '500');
    const seqs = await t.db.query<{ min: string; max: string; n: string }>('SELECT min(seq), max(seq), count(DISTINCT seq) AS n FROM audit_ledger');
    assert.deepEqual(seqs.rows[0], { min: '1', max: '500', n: '500' });
    // appendMany keeps its entries consecutive.
    const bSeqs = (await b.list({ accountId: 'acc-b', count: 500 })).entries.map((e) => Number(e.id)).reverse();
    for (let i = 0; i < bSeqs.length; i += 10) assert.equal(bSeqs[i + 9]! - bSeqs[i]!, 9);
  } finally {
    if (otherDb !== t.db) await otherDb.close();
  }
});

test('appends made together are written by one transaction', async () => {
  let transactions = 0;
  const counted: Db = { ...t.db, transaction: (fn) => (transactions++, t.db.transaction(fn)) };
  const grouped = new AuditLedger(counted, { key });
  const before = await count(t.db);
  await Promise.all(Array.from({ length: 200 }, (_, i) => grouped.append(read(`g-${i}`))));
  assert.equal(transactions, 1);
  assert.equal(await count(t.db), before + 200);
  await grouped.close();
  await assert.rejects(grouped.append(read('late')), /closed/);
});

test('a failed write rejects every append waiting on it; a bad input is refused alone', async () => {
  const saved = (await t.db.query<{ seq: string; hash: string; seal: string }>('SELECT seq, hash, seal FROM audit_head')).rows[0]!;
  await asAttacker(t.db, 'DELETE FROM audit_head');
  const results = await Promise.allSettled([ledger.append(read('f-1')), ledger.append(read('f-2')), ledger.appendMany([read('f-3'), read('f-4')])]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  await asAttacker(t.db, `INSERT INTO audit_head (id, seq, hash, seal) VALUES (1, ${saved.seq}, '${saved.hash}', '${saved.seal}')`);

  const [bad, good] = await Promise.allSettled([ledger.append(read('not an id')), ledger.append(read('f-5'))]);
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /not a FHIR id/);
  assert.equal(good.status, 'fulfilled');
  assert.equal((await ledger.verify()).ok, true);
});

test('the access log pages through entries touching a patient, newest first, as the patient may see them', async () => {
  await ledger.append(read('log-1', 'acc-pr1'));
  await ledger.append(read('log-2', 'acc-pr1'));
  await ledger.append({ ...read('log-1', 'acc-pr2'), subtype: 'search-type', patientIds: ['log-1', 'log-3'], entities: ['Observation/x'] });
  await ledger.append({ ...read('log-1', 'acc-pr3'), outcome: 'denied' });
  await ledger.append({ ...read('log-1', 'acc-pr4'), flagged: true, purpose: 'emergency' });

  const first = await ledger.accessLog('log-1', { count: 2 });
  assert.deepEqual(first.entries.map((e) => [e.agent[0]!.who?.identifier?.value, e.outcome, e.meta?.tag?.[0]?.code]), [
    ['acc-pr4', '0', 'flagged'],
    ['acc-pr3', '4', undefined],
  ]);
  assert.equal(first.entries[0]!.agent[0]!.network, undefined);
  assert.ok(first.next);
  const second = await ledger.accessLog('log-1', { count: 2, before: first.next! });
  assert.deepEqual(second.entries.map((e) => e.agent[0]!.who?.identifier?.value), ['acc-pr2', 'acc-pr1']);
  // Another patient's part of a shared search stays out of this patient's log.
  assert.deepEqual(second.entries[0]!.entity?.map((e) => e.what?.reference), ['Patient/log-1']);
  const third = await ledger.accessLog('log-1', { count: 2, before: second.next! });
  assert.deepEqual(third, { entries: [] });
  // A caregiver of two patients sees both logs together.
  assert.equal((await ledger.accessLog(['log-2', 'log-3'], { count: 10 })).entries.length, 2);

  const admin = await ledger.list({ accountId: 'acc-pr2', count: 10 });
  assert.equal(admin.entries.length, 1);
  assert.ok(admin.entries[0]!.agent[0]!.network, 'administrators see the full entry');
  assert.equal((await ledger.list({ patientId: 'log-3', count: 10 })).entries.length, 1);
  assert.equal((await ledger.list({ subtype: 'search-type', accountId: 'acc-pr2', count: 10 })).entries.length, 1);
  assert.equal((await ledger.list({ count: 3 })).entries.length, 3);
});

test('the key comes from SALUS_LEDGER_KEY, or is generated once and kept in the database', async () => {
  const configured = randomBytes(32).toString('base64');
  assert.deepEqual(await ledgerKey(t.db, { SALUS_LEDGER_KEY: configured }), { key: Buffer.from(configured, 'base64'), source: 'SALUS_LEDGER_KEY' });
  await assert.rejects(ledgerKey(t.db, { SALUS_LEDGER_KEY: 'c2hvcnQ=' }), /32 bytes/);
  const generated = await ledgerKey(t.db, {});
  assert.equal(generated.source, 'database');
  assert.equal(generated.key.length, 32);
  assert.deepEqual((await ledgerKey(t.db, {})).key, generated.key);
});
