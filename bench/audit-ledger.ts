import { AuditLedger, ledgerKey } from '../packages/server/src/audit/ledger.js';
import type { AuditInput } from '../packages/server/src/audit/types.js';
import type { Db } from '../packages/server/src/db/db.js';
import { cpuPer, startCpuMeter, type CpuUse } from './cpu-meter.js';
import { progress, round, summarize, type LatencySummary } from './stats.js';

export interface AppendFigure {
  /** Concurrent appenders, each appending its next entry when the previous one is committed. */
  appenders: number;
  appends: number;
  seconds: number;
  appendsPerSecond: number;
  /** Entries written per transaction: how much each group commit gathered. */
  entriesPerCommit: number;
  /** From append() to its commit. */
  latencyMs: LatencySummary;
  cpuMsPer1000Appends?: CpuUse;
}

export interface AuditLedgerFigures {
  append: AppendFigure[];
  /** One AuditLedger.verify() over every entry in the ledger. */
  verify: { entries: number; seconds: number; entriesPerSecond: number; ok: boolean };
  /** Access-log pages (50 entries) of random patients, one query at a time. */
  accessLog: { queries: number; patients: number; entriesPerPatient: number; latencyMs: LatencySummary };
}

export interface AuditLedgerBenchOptions {
  db: Db;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
  appenders: number[];
  seconds: number;
  maxAppends: number;
}

const PATIENTS = 1000;

/** A read of a patient's observations, as the FHIR repository would report it. */
function benchInput(n: number): AuditInput {
  const patient = `bench-patient-${n % PATIENTS}`;
  return {
    action: 'R',
    subtype: 'search-type',
    outcome: 'success',
    agent: {
      accountId: `bench-account-${n % 50}`,
      fhirUser: `Practitioner/bench-practitioner-${n % 50}`,
      roles: ['practitioner'],
      ip: '10.20.30.40',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    },
    entities: [`Patient/${patient}`, `Observation/${n}-1`, `Observation/${n}-2`, `Observation/${n}-3`],
    patientIds: [patient],
    query: `Observation?patient=${patient}&code=http://loinc.org|8867-4&_count=3`,
  };
}

/**
 * Appends through AuditLedger (group commit) with growing numbers of concurrent appenders, then
 * verifies the whole ledger and reads access logs.
 */
export async function auditLedgerFigures(options: AuditLedgerBenchOptions): Promise<AuditLedgerFigures> {
  let transactions = 0;
  const counted: Db = { ...options.db, transaction: (fn) => (transactions++, options.db.transaction(fn)) };
  // The server has already chained every request of the earlier phases into this ledger, sealed
  // with its key: the one kept in the database, since the bench server runs without
  // SALUS_LEDGER_KEY (see server.ts). Any other key would make verify() refuse those entries.
  const ledger = new AuditLedger(counted, { key: (await ledgerKey(options.db, {})).key });
  let n = 0;
  try {
    const append: AppendFigure[] = [];
    for (const appenders of options.appenders) {
      progress(`audit ledger: ${appenders} appenders, up to ${options.seconds} s or ${options.maxAppends} appends`);
      // Warm-up: prepared statements on the pool's connections, a sizeable ledger to append to.
      await Promise.all(Array.from({ length: appenders }, () => ledger.append(benchInput(n++))));
      const latencies: number[] = [];
      const transactions0 = transactions;
      const meter = startCpuMeter(options.database);
      const started = performance.now();
      const deadline = started + options.seconds * 1000;
      let appends = 0;
      await Promise.all(
        Array.from({ length: appenders }, async () => {
          while (performance.now() < deadline && appends < options.maxAppends) {
            appends++;
            const t0 = performance.now();
            await ledger.append(benchInput(n++));
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuPer(meter.stop(), appends, 1000);
      const f: AppendFigure = {
        appenders,
        appends,
        seconds: round(seconds),
        appendsPerSecond: Math.round(appends / seconds),
        entriesPerCommit: round(appends / Math.max(1, transactions - transactions0), 1),
        latencyMs: summarize(latencies),
        ...(cpu ? { cpuMsPer1000Appends: cpu } : {}),
      };
      progress(`audit ledger: ${f.appendsPerSecond} appends/s, ${f.entriesPerCommit} per commit, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`);
      append.push(f);
    }

    progress('audit ledger: verifying');
    const v0 = performance.now();
    const report = await ledger.verify();
    const verifySeconds = (performance.now() - v0) / 1000;
    const verify = { entries: report.entries, seconds: round(verifySeconds), entriesPerSecond: Math.round(report.entries / verifySeconds), ok: report.ok };
    progress(`audit ledger: verified ${verify.entries} entries at ${verify.entriesPerSecond}/s, ok ${verify.ok}`);

    // Fresh statistics, as autovacuum keeps them on a ledger that grows steadily: without any,
    // the planner guesses a patient's entries are everywhere and walks the whole ledger backwards.
    await options.db.query('ANALYZE audit_ledger');
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await ledger.accessLog(`bench-patient-${(i * 7919) % PATIENTS}`, { count: 50 });
      latencies.push(performance.now() - t0);
    }
    const accessLog = { queries: latencies.length, patients: PATIENTS, entriesPerPatient: Math.round(n / PATIENTS), latencyMs: summarize(latencies) };
    progress(`audit ledger: access log p50 ${accessLog.latencyMs.p50} ms, p99 ${accessLog.latencyMs.p99} ms`);
    return { append, verify, accessLog };
  } finally {
    await ledger.close();
  }
}
