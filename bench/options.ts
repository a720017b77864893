import { fileURLToPath } from 'node:url';

/** The project's aims on a 2-core machine; printed beside the figures, never asserted. */
export const AIMS = {
  importResourcesPerSecond: 3000,
  readRequestsPerSecond: 5000,
  searchP99Ms: 50,
  // Every read is audited: the ledger has to keep up with the read aim.
  auditAppendsPerSecond: 5000,
} as const;

export interface BenchOptions {
  mode: 'default' | 'long';
  syntheaDir: string;
  importConcurrency: number;
  /** Import passes repeat until this many resources are stored. */
  minResources: number;
  maxImportPasses: number;
  crudClients: number;
  crudSeconds: number;
  crudMaxRequests: number;
  searchQueries: number;
  searchConcurrency: number;
  searchMaxSeconds: number;
  /** Distinct parameter values per search. */
  searchVariants: number;
  /** Length of each restricted-caller phase (read and search, as the patient and as the system). */
  restrictedSeconds: number;
  /** Concurrent appenders of each audit ledger phase. */
  auditAppenders: number[];
  auditSeconds: number;
  auditMaxAppends: number;
  scheduling: SchedulingBenchOptions;
  /** Leave the loaded database in place (BENCH_KEEP_DB=1), to EXPLAIN queries on it afterwards. */
  keepDatabase: boolean;
}

export interface SchedulingBenchOptions {
  /** Clinicians with a week of weekday hours each, and the patients who book them. */
  clinicians: number;
  patients: number;
  /** $find queries per phase, one at a time. */
  findQueries: number;
  /** Concurrent clients of each $book phase, and its length. */
  bookClients: number;
  bookSeconds: number;
}

/**
 * The default run takes a few minutes; `--long` (or BENCH_LONG=1) loads twice the data and runs
 * each phase longer, for steadier figures.
 */
export function benchOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const long = argv.includes('--long') || env.BENCH_LONG === '1';
  return {
    mode: long ? 'long' : 'default',
    syntheaDir: env.BENCH_SYNTHEA_DIR ?? fileURLToPath(new URL('../../shared/testdata/synthea', import.meta.url)),
    importConcurrency: 4,
    minResources: long ? 100_000 : 50_000,
    maxImportPasses: long ? 14 : 8,
    crudClients: 32,
    crudSeconds: long ? 30 : 10,
    crudMaxRequests: long ? 200_000 : 50_000,
    searchQueries: long ? 2000 : 500,
    searchConcurrency: 1,
    searchMaxSeconds: long ? 120 : 60,
    searchVariants: 20,
    restrictedSeconds: long ? 15 : 5,
    auditAppenders: [1, 16, 64, 256],
    auditSeconds: long ? 15 : 5,
    auditMaxAppends: long ? 500_000 : 200_000,
    scheduling: { clinicians: 50, patients: 200, findQueries: long ? 600 : 200, bookClients: 32, bookSeconds: long ? 15 : 5 },
    keepDatabase: env.BENCH_KEEP_DB === '1',
  };
}
