import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { auditVerifyCommand } from './cli.js';
import { AuditLedger, type LedgerKey } from './ledger.js';
import { asAttacker, openTestDb, type TestDb } from './test-db.js';

let t: TestDb;
const key: LedgerKey = { key: randomBytes(32), source: 'SALUS_LEDGER_KEY' };

before(async () => {
  t = await openTestDb();
  const ledger = new AuditLedger(t.db, { key: key.key });
  await ledger.appendMany(
    Array.from({ length: 5 }, (_, i) => ({
      action: 'R' as const,
      subtype: 'read',
      outcome: 'success' as const,
      agent: { accountId: 'acc-1' },
      entities: [`Patient/p${i}`],
      patientIds: [`p${i}`],
    })),
  );
  await ledger.close();
});
after(() => t.close());

async function run(k: LedgerKey): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await auditVerifyCommand(t.db, k, { write: (s: string) => (text += s) });
  return { code, text };
}

test('salus audit verify exits 0 on an intact ledger and warns about a key kept in the database', async () => {
  const { code, text } = await run(key);
  assert.equal(code, 0);
  assert.match(text, /5 entries, head at seq 5/);
  assert.match(text, /^OK: every entry is in place and unchanged\.$/m);
  assert.doesNotMatch(text, /Warning/);
  assert.match((await run({ ...key, source: 'database' })).text, /Warning: the key is stored in the database/);
});

test('salus audit verify exits 1 and names each tampered entry', async () => {
  await asAttacker(t.db, "UPDATE audit_ledger SET entry = replace(entry, 'acc-1', 'acc-9') WHERE seq = 3", 'DELETE FROM audit_ledger WHERE seq = 5');
  const { code, text } = await run(key);
  assert.equal(code, 1);
  assert.match(text, /TAMPERED: 2 problems found\./);
  assert.match(text, /seq 3: modified \(/);
  assert.match(text, /seq 5: deleted \(/);
  // With another key nothing verifies.
  assert.equal((await run({ key: randomBytes(32), source: 'SALUS_LEDGER_KEY' })).code, 1);
});
