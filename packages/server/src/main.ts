#!/usr/bin/env node
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { buildApp, defaultConfig, FHIR_PREFIX, type SalusConfig } from './app.js';
import { openDb } from './db/db.js';
import { migrate } from './db/migrate.js';
import { findImportFiles, importFiles } from './cli/import.js';
import { seedDemo, printDemoPeople } from './seed/seed.js';

const USAGE = `Usage: salus <command> [options]

Commands:
  start              start the server (applies migrations; loads demo data into an empty database)
  migrate            apply database migrations and exit
  import <paths...>  load FHIR JSON files, Bundles and NDJSON (files or folders)
  seed               load the demo world

Options (environment variable in brackets):
  --port <n>            HTTP port [PORT] (default 8080)
  --host <addr>         listen address [HOST] (default 0.0.0.0)
  --data-dir <dir>      embedded database folder [SALUS_DATA_DIR] (default ./data)
  --database-url <url>  PostgreSQL server instead of the embedded database [DATABASE_URL]
  --public-url <url>    origin clients reach the server at [SALUS_PUBLIC_URL]
  --no-seed             start without loading demo data [SALUS_SEED=false]
  --concurrency <n>     import: transactions in flight (default 1 embedded, 4 server)
  -h, --help            show this help
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'public-url': { type: 'string' },
      'no-seed': { type: 'boolean' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 1;
  }
  const config: SalusConfig = defaultConfig();
  if (values.port) config.port = Number(values.port);
  if (values.host) config.host = values.host;
  if (values['data-dir']) config.dataDir = values['data-dir'];
  if (values['database-url']) config.databaseUrl = values['database-url'];
  if (values['public-url']) config.publicUrl = values['public-url'].replace(/\/$/, '');
  const seed = !values['no-seed'] && process.env.SALUS_SEED !== 'false';
  const where = config.databaseUrl ? 'PostgreSQL server' : `embedded database in ${config.dataDir}`;

  switch (command) {
    case 'start': {
      const salus = await buildApp(config);
      if (seed) {
        const seeded = await seedDemo(salus.fhir, { onlyIfEmpty: true });
        if (seeded) console.log(`Loaded the demo world (${seeded.resources} resources).`);
      }
      const url = await salus.app.listen({ port: config.port, host: config.host });
      const shown = config.publicUrl ?? url.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
      console.log(`Salus is running on the ${where}.`);
      console.log(`  App:      ${shown}/`);
      console.log(`  FHIR R4:  ${shown}${FHIR_PREFIX}`);
      if (seed) printDemoPeople();
      const stop = async (): Promise<void> => {
        await salus.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      return -1;
    }
    case 'migrate': {
      const db = await openDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
      const applied = await migrate(db);
      await db.close();
      console.log(applied.length ? `Applied ${applied.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`).join(', ')}` : 'Database is up to date');
      return 0;
    }
    case 'import': {
      if (args.length === 0) {
        console.error('import needs at least one file or folder');
        return 1;
      }
      const files = findImportFiles(args);
      const salus = await buildApp(config);
      const bar = new cliProgress.SingleBar(
        { format: 'Importing [{bar}] {value}/{total} files | {resources} resources | {rate}/s', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(files.length, 0, { resources: 0, rate: 0 });
      const started = performance.now();
      const result = await importFiles(salus.fhir, files, {
        concurrency: values.concurrency ? Number(values.concurrency) : config.databaseUrl ? 4 : 1,
        onProgress: (p) =>
          bar.update(p.filesDone, { resources: p.resources, rate: Math.round(p.resources / ((performance.now() - started) / 1000)) }),
      });
      bar.stop();
      await salus.close();
      console.log(
        `Imported ${result.resources} resources from ${result.files - result.failed.length} of ${result.files} files in ${result.seconds.toFixed(1)} s (${Math.round(result.resources / result.seconds)} resources/s); statistics refreshed in ${result.analyzeSeconds.toFixed(1)} s.`,
      );
      for (const f of result.failed) console.error(`  failed: ${f.file}: ${f.message}`);
      return result.failed.length ? 1 : 0;
    }
    case 'seed': {
      const salus = await buildApp(config);
      const seeded = await seedDemo(salus.fhir, { onlyIfEmpty: false });
      await salus.close();
      console.log(`Loaded the demo world (${seeded?.resources ?? 0} resources) into the ${where}.`);
      printDemoPeople();
      return 0;
    }
    default:
      console.error(`Unknown command '${command}'\n`);
      process.stdout.write(USAGE);
      return 1;
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
