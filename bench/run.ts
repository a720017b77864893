import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { auditLedgerFigures } from './audit-ledger.js';
import { crudFigures } from './crud.js';
import { createBenchDatabase, postgresInfo, underThrowawayPostgres } from './database.js';
import { importSynthea } from './import-synthea.js';
import { monitoringFigures, monitoringOptions } from './monitoring.js';
import { AIMS, benchOptions } from './options.js';
import { restrictedFigures } from './restricted.js';
import { schedulingFigures } from './scheduling.js';
import { pickSearchQueries, searchFigures } from './search.js';
import { startBenchServer, type BenchServer } from './server.js';
import { progress } from './stats.js';

async function bench(adminUrl: string): Promise<unknown> {
  const options = benchOptions();
  if (options.keepDatabase && process.env.SALUS_BENCH_REEXEC) {
    progress('BENCH_KEEP_DB has no lasting effect on the throwaway server; set DATABASE_URL to keep the data');
  }
  if (!existsSync(options.syntheaDir)) throw new Error(`Synthea bundles not found at ${options.syntheaDir} (set BENCH_SYNTHEA_DIR)`);
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg().map((n) => Math.round(n * 100) / 100);
  const database = await createBenchDatabase(adminUrl);
  progress(`mode ${options.mode}; fresh database ${database.name}`);
  let server: BenchServer | undefined;
  try {
    server = await startBenchServer(database.url);
    const { salus, baseUrl } = server;
    // The FHIR API answers nobody anonymous: every request goes as the Backend Services client.
    const headers = { authorization: `Bearer ${server.token}` };
    progress(`server listening at ${baseUrl}`);

    const imported = await importSynthea(salus, {
      dir: options.syntheaDir,
      database: database.name,
      concurrency: options.importConcurrency,
      minResources: options.minResources,
      maxPasses: options.maxImportPasses,
      aim: AIMS.importResourcesPerSecond,
    });
    // Chosen from the Synthea data before the write phases add thousands of look-alike Patients.
    const querySets = await pickSearchQueries(salus.db, options.searchVariants);

    const crud = await crudFigures({
      baseUrl,
      headers,
      database: database.name,
      clients: options.crudClients,
      seconds: options.crudSeconds,
      maxRequests: options.crudMaxRequests,
      readAim: AIMS.readRequestsPerSecond,
    });

    const loaded = await salus.db.query<{ res_type: string; n: string }>(
      'SELECT res_type, count(*) AS n FROM resources WHERE NOT deleted GROUP BY res_type ORDER BY count(*) DESC',
    );
    const byType = Object.fromEntries(loaded.rows.map((r) => [r.res_type, Number(r.n)]));
    const resourcesLoaded = Object.values(byType).reduce((a, b) => a + b, 0);
    progress(`searching with ${resourcesLoaded} resources stored`);
    const search = await searchFigures(querySets, {
      baseUrl,
      headers,
      database: database.name,
      queries: options.searchQueries,
      concurrency: options.searchConcurrency,
      maxSeconds: options.searchMaxSeconds,
      aimP99Ms: AIMS.searchP99Ms,
    });

    const restricted = await restrictedFigures({
      salus,
      baseUrl,
      systemHeaders: headers,
      database: database.name,
      clients: options.crudClients,
      seconds: options.restrictedSeconds,
      maxRequests: options.crudMaxRequests,
    });

    const scheduling = await schedulingFigures({ salus, baseUrl, headers, database: database.name, ...options.scheduling });

    const monitoring = await monitoringFigures({ salus, origin: new URL(baseUrl).origin, database: database.name, ...monitoringOptions(options.mode) });

    const auditLedger = await auditLedgerFigures({
      db: salus.db,
      database: database.name,
      appenders: options.auditAppenders,
      seconds: options.auditSeconds,
      maxAppends: options.auditMaxAppends,
    });

    const pgInfo = await postgresInfo(database.url);
    const bestAppends = Math.max(...auditLedger.append.map((a) => a.appendsPerSecond));
    const worstSearchP99 = Math.max(...search.map((s) => s.latencyMs.p99));
    return {
      benchmark: 'salus',
      mode: options.mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      environment: {
        node: process.version,
        postgres: pgInfo.version,
        postgresSettings: pgInfo.settings,
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        // Other work on the machine moves every figure; the load average shows whether there was any.
        loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((n) => Math.round(n * 100) / 100) },
        resourcesLoaded,
        resourcesByType: byType,
      },
      import: imported,
      crud,
      search,
      restricted,
      scheduling,
      monitoring,
      auditLedger,
      aims: {
        importResourcesPerSecond: { aim: AIMS.importResourcesPerSecond, firstPass: imported.firstPass.resourcesPerSecond, overall: imported.overall.resourcesPerSecond, met: imported.firstPass.resourcesPerSecond >= AIMS.importResourcesPerSecond },
        readRequestsPerSecond: { aim: AIMS.readRequestsPerSecond, measured: crud.read.requestsPerSecond, met: crud.read.requestsPerSecond >= AIMS.readRequestsPerSecond },
        searchP99Ms: { aim: AIMS.searchP99Ms, worst: worstSearchP99, met: worstSearchP99 < AIMS.searchP99Ms },
        auditAppendsPerSecond: { aim: AIMS.auditAppendsPerSecond, best: bestAppends, met: bestAppends >= AIMS.auditAppendsPerSecond },
        monitoringReadingsPerSecond: monitoring.aims.readingsPerSecond,
        monitoringAlertP99Ms: monitoring.aims.alertP99Ms,
      },
    };
  } finally {
    await server?.salus.close();
    if (options.keepDatabase) {
      progress(`kept ${database.url}`);
    } else {
      await database.drop();
      progress(`dropped ${database.name}`);
    }
  }
}

/** Keeps a copy of each run beside the code (bench/results/ is not committed). */
function saveResult(result: unknown): void {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  progress(`saved ${file}`);
}

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  process.exitCode = await underThrowawayPostgres();
} else {
  const result = await bench(adminUrl);
  saveResult(result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
