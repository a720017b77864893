import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

/**
 * What a first visit to the web app downloads: the entry script and every chunk it imports
 * statically, the style sheet, and the page, with their gzip and brotli sizes (as the server
 * sends them); then what each space adds when first opened. Read from Vite's manifest of the
 * production build. Prints JSON.
 */

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  src?: string;
}

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'packages', 'web', 'dist');
// Build output goes to stderr: stdout carries only the JSON figures.
execFileSync(process.execPath, [join(root, 'scripts', 'build-web.mjs')], { stdio: ['ignore', process.stderr, process.stderr] });
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;

function sizes(files: Iterable<string>): { files: number; raw: number; gzip: number; brotli: number } {
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  let n = 0;
  for (const f of files) {
    const data = readFileSync(join(dist, f));
    raw += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
    brotli += brotliCompressSync(data).length;
    n++;
  }
  return { files: n, raw, gzip, brotli };
}

/** A chunk and everything it imports statically (what must arrive before it runs). */
function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const k of manifest[key]?.imports ?? []) closure(k, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
const firstKeys = closure(entryKey);
const js = [...firstKeys].map((k) => manifest[k]!.file);
const css = [...firstKeys].flatMap((k) => manifest[k]!.css ?? []);
const spaces = Object.fromEntries(
  Object.keys(manifest)
    .filter((k) => manifest[k]!.isDynamicEntry)
    .map((k) => {
      const extra = [...closure(k)].filter((c) => !firstKeys.has(c));
      const name = (manifest[k]!.src ?? k).split('/').pop()!.replace(/\.tsx?$/, '');
      return [name, { javascript: sizes(extra.map((c) => manifest[c]!.file)), css: sizes(extra.flatMap((c) => manifest[c]!.css ?? [])) }];
    }),
);

const result = {
  firstLoad: {
    javascript: sizes(js),
    css: sizes(css),
    html: sizes(['index.html']),
  },
  addedWhenOpened: spaces,
  note: 'bytes; gzip level 9 and brotli quality 11 are what the server sends (pre-compressed at build)',
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
