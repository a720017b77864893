import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { FhirError, parseFhirJson } from '@salus/core';
import type { InteractionConfig } from '../fhir/interaction.js';

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  resources: number;
}

export interface ImportResult {
  files: number;
  resources: number;
  failed: { file: string; message: string }[];
  /** Loading time, and the time of the statistics refresh that follows it. */
  seconds: number;
  analyzeSeconds: number;
}

export interface ImportOptions {
  /** Transactions in flight at once (1 for the embedded engine, a few for a server). */
  concurrency?: number;
  /** Resources per transaction for NDJSON and loose resources. */
  chunkSize?: number;
  onProgress?: (p: ImportProgress) => void;
}

/** Every .json / .ndjson file under the given files and folders, in name order. */
export function findImportFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else if (['.json', '.ndjson'].includes(extname(p))) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

function entryFor(resource: Resource): BundleEntry {
  return resource.id
    ? { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }
    : { resource, request: { method: 'POST', url: resource.resourceType } };
}

/** Turns a file into the transaction Bundles that load it. */
export function bundlesOf(file: string): Bundle[] {
  const text = readFileSync(file, 'utf8');
  const chunk = (resources: Resource[], size: number): Bundle[] => {
    const out: Bundle[] = [];
    for (let i = 0; i < resources.length; i += size) {
      out.push({ resourceType: 'Bundle', type: 'transaction', entry: resources.slice(i, i + size).map(entryFor) });
    }
    return out;
  };
  if (extname(file) === '.ndjson') {
    const resources = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => parseFhirJson<Resource>(l));
    return chunk(resources, 500);
  }
  const json = parseFhirJson<Resource>(text);
  if (json.resourceType === 'Bundle') {
    const b = json as Bundle;
    if (b.type === 'transaction' || b.type === 'batch') return [b];
    return chunk(
      (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])),
      500,
    );
  }
  return [{ resourceType: 'Bundle', type: 'transaction', entry: [entryFor(json)] }];
}

function describe(e: unknown): string {
  if (e instanceof FhirError) {
    return (e.outcome.issue ?? []).map((i) => `${i.diagnostics ?? i.code}${i.expression ? ` at ${i.expression.join(', ')}` : ''}`).join('; ');
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Loads files through the same transaction processing as POST [base]. Bundles whose references
 * point into another file (Synthea's patients → its hospital and practitioner bundles), or that
 * collided with another file's write, are retried after the others, so file order does not matter.
 */
export async function importFiles(fhir: InteractionConfig, files: string[], options: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let resources = 0;
  let done = 0;
  const failed: { file: string; message: string }[] = [];
  const run = async (file: string): Promise<{ file: string; error?: unknown }> => {
    try {
      for (const bundle of bundlesOf(file)) {
        const res = await fhir.bundle(fhir, { method: 'POST', path: '', query: [], prefer: 'return=minimal' }, bundle);
        if (res.status >= 400) throw new Error(res.body ?? `status ${res.status}`);
        resources += bundle.entry?.length ?? 0;
      }
      return { file };
    } catch (e) {
      return { file, error: e };
    }
  };
  const pass = async (list: string[]): Promise<{ file: string; error?: unknown }[]> => {
    const results: { file: string; error?: unknown }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const r = await run(list[next++]!);
        results.push(r);
        if (!r.error) {
          done++;
          options.onProgress?.({ filesDone: done, filesTotal: files.length, resources });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
    return results;
  };
  let pending = files;
  for (;;) {
    const errors = (await pass(pending)).filter((r) => r.error);
    // A conflict means another file wrote the same resource at that moment; the transaction rolled
    // back whole, so loading the file again is safe.
    const retryable = (e: unknown): boolean =>
      (e instanceof FhirError && e.status === 409) || /cannot be resolved/.test(describe(e));
    const retry = errors.filter((r) => retryable(r.error)).map((r) => r.file);
    // Stop when a pass made no progress: what is left is really broken.
    if (retry.length === 0 || retry.length === pending.length) {
      for (const r of errors) failed.push({ file: r.file, message: describe(r.error) });
      break;
    }
    for (const r of errors.filter((x) => !retry.includes(x.file))) failed.push({ file: r.file, message: describe(r.error) });
    pending = retry;
  }
  const seconds = (performance.now() - started) / 1000;
  // A bulk load changes the data's shape faster than autovacuum notices; fresh statistics keep
  // the first searches after an import from being planned on the empty database's numbers.
  const analyzeStarted = performance.now();
  if (resources > 0) {
    await fhir.repo.db.exec('ANALYZE resources, resource_history, sp_string, sp_token, sp_reference, sp_date, sp_number, sp_quantity, sp_uri');
  }
  return { files: files.length, resources, failed, seconds, analyzeSeconds: (performance.now() - analyzeStarted) / 1000 };
}
