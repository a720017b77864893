import type { Db } from '../db/db.js';
import { AuditLedger, type LedgerKey } from './ledger.js';

/**
 * `salus audit verify`: checks the whole ledger and prints what it found. Returns the exit code:
 * 0 when the ledger is intact, 1 when anything was tampered with.
 */
export async function auditVerifyCommand(db: Db, key: LedgerKey, out: { write(text: string): unknown }): Promise<number> {
  const ledger = new AuditLedger(db, { key: key.key });
  try {
    const report = await ledger.verify();
    const lines = [`Audit ledger: ${report.entries} entries, head at seq ${report.head.seq} (hash ${report.head.hash}).`];
    const cp = report.latestCheckpoint;
    lines.push(`Checkpoints: ${report.checkpoints}${cp ? `, the latest at seq ${cp.seq} (${cp.created})` : ''}.`);
    if (key.source === 'database') {
      lines.push('Warning: the key is stored in the database, so whoever can write the database could also forge a consistent chain. Set SALUS_LEDGER_KEY.');
    }
    if (report.ok) {
      lines.push('OK: every entry is in place and unchanged.');
    } else {
      lines.push(`TAMPERED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found.`);
      for (const p of report.problems) {
        const where = p.in === 'ledger' ? 'seq' : p.in === 'head' ? 'head at seq' : 'checkpoint at seq';
        lines.push(`  ${where} ${p.seq}${p.lastSeq ? `–${p.lastSeq}` : ''}: ${p.kind} (${p.detail})`);
      }
      if (!report.complete) lines.push('Reading stopped early: too much is wrong to list all of it.');
    }
    out.write(`${lines.join('\n')}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await ledger.close();
  }
}
