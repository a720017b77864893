import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { SalusApp } from '../packages/server/src/app.js';
import { findImportFiles, importFiles } from '../packages/server/src/cli/import.js';
import { cpuPer, startCpuMeter, type CpuUse } from './cpu-meter.js';
import { progress, round } from './stats.js';

export interface ImportPass {
  pass: number;
  resources: number;
  /** Loading time; the statistics refresh that follows is `analyzeSeconds`. */
  seconds: number;
  analyzeSeconds: number;
  resourcesPerSecond: number;
  /** Current resources in the database after the pass. */
  storedAfter: number;
  /** CPU milliseconds per 1000 resources imported, by where they were spent (Linux only). */
  cpuMsPer1000Resources?: CpuUse;
  failedFiles: { file: string; message: string }[];
}

export interface ImportFigure {
  method: string;
  concurrency: number;
  files: number;
  passes: ImportPass[];
  firstPass: { resources: number; seconds: number; resourcesPerSecond: number; aim: number };
  overall: { resources: number; seconds: number; resourcesPerSecond: number; aim: number };
  storedResources: number;
  /** Whether posting the same bundles again stored new copies (urn:uuid ids already taken get fresh ids). */
  reimportCreatesCopies: boolean | null;
  /** Whether later passes had to rewrite the urn:uuids themselves because re-import did not copy. */
  rewroteUuids: boolean;
}

export interface ImportOptions {
  dir: string;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
  concurrency: number;
  /** Passes continue until this many resources are stored (or maxPasses is reached). */
  minResources: number;
  maxPasses: number;
  aim: number;
}

async function storedCount(salus: SalusApp): Promise<number> {
  const r = await salus.db.query<{ n: string }>('SELECT count(*) AS n FROM resources WHERE NOT deleted');
  return Number(r.rows[0]!.n);
}

/**
 * Copies the files with every urn:uuid replaced by a fresh one (the same replacement across all
 * files, so references between the patient and hospital bundles still meet). Only needed if the
 * server stopped giving fresh ids to re-posted bundles.
 */
function rewriteUuids(files: string[]): { files: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'salus-bench-'));
  const map = new Map<string, string>();
  const out = files.map((f) => {
    const text = readFileSync(f, 'utf8').replace(/urn:uuid:([0-9a-fA-F-]{36})/g, (_m, u: string) => {
      const key = u.toLowerCase();
      if (!map.has(key)) map.set(key, randomUUID());
      return `urn:uuid:${map.get(key)}`;
    });
    const target = join(dir, basename(f));
    writeFileSync(target, text);
    return target;
  });
  return { files: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Imports the Synthea set again and again until enough resources are stored for the search figures. */
export async function importSynthea(salus: SalusApp, options: ImportOptions): Promise<ImportFigure> {
  const files = findImportFiles([options.dir]);
  if (files.length === 0) throw new Error(`No bundles under ${options.dir}`);
  const passes: ImportPass[] = [];
  let stored = await storedCount(salus);
  let rewrite = false;
  let copies = true;
  while (passes.length < options.maxPasses && (passes.length === 0 || stored < options.minResources)) {
    const pass = passes.length + 1;
    const input = rewrite ? rewriteUuids(files) : { files, cleanup: () => undefined };
    let last = 0;
    try {
      const meter = startCpuMeter(options.database);
      const r = await importFiles(salus.fhir, input.files, {
        concurrency: options.concurrency,
        onProgress: (p) => {
          if (p.filesDone - last >= 10 || p.filesDone === p.filesTotal) {
            last = p.filesDone;
            progress(`import pass ${pass}: ${p.filesDone}/${p.filesTotal} files, ${p.resources} resources`);
          }
        },
      });
      const cpu = cpuPer(meter.stop(), r.resources, 1000);
      const before = stored;
      stored = await storedCount(salus);
      const figure: ImportPass = {
        pass,
        resources: r.resources,
        seconds: round(r.seconds),
        analyzeSeconds: round(r.analyzeSeconds),
        resourcesPerSecond: Math.round(r.resources / r.seconds),
        storedAfter: stored,
        failedFiles: r.failed.map((f) => ({ file: basename(f.file), message: f.message.slice(0, 300) })),
      };
      if (cpu) figure.cpuMsPer1000Resources = cpu;
      passes.push(figure);
      progress(`import pass ${pass}: ${r.resources} resources in ${r.seconds.toFixed(1)} s, ${stored} stored`);
      if (pass > 1 && !rewrite && stored - before < r.resources) {
        // Re-posting overwrote instead of copying; fresh uuids make the next passes add data.
        copies = false;
        rewrite = true;
      }
    } finally {
      input.cleanup();
    }
  }
  const total = passes.reduce((a, p) => ({ resources: a.resources + p.resources, seconds: a.seconds + p.seconds }), {
    resources: 0,
    seconds: 0,
  });
  const first = passes[0]!;
  return {
    method: 'importFiles() in-process (the code `salus import` runs): each file one transaction Bundle, no HTTP',
    concurrency: options.concurrency,
    files: files.length,
    passes,
    firstPass: { resources: first.resources, seconds: first.seconds, resourcesPerSecond: first.resourcesPerSecond, aim: options.aim },
    overall: {
      resources: total.resources,
      seconds: round(total.seconds),
      resourcesPerSecond: Math.round(total.resources / total.seconds),
      aim: options.aim,
    },
    storedResources: stored,
    reimportCreatesCopies: passes.length > 1 ? copies : null,
    rewroteUuids: rewrite,
  };
}
