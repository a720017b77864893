#!/usr/bin/env node
// Builds the web app (packages/web/dist) when its sources are newer than the last build, so
// `npm start` serves a current app without paying for a rebuild on every start.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { join } from 'node:path';

const web = new URL('../packages/web/', import.meta.url).pathname;
const built = join(web, 'dist', 'index.html');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name.endsWith('.test.ts') || name.endsWith('.test.tsx')) continue;
    m = Math.max(m, newest(join(path, name)));
  }
  return m;
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(web, p)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (!stale && !process.argv.includes('--force')) process.exit(0);

console.error('Building the web app…');
const r = spawnSync(process.execPath, [join(web, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

// Compressed twins of every text file, made once here, so the server sends phones a fraction of
// the bytes without compressing on each request (@fastify/static's preCompressed).
function compressAll(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) compressAll(p);
    else if (/\.(js|css|html|svg|webmanifest|json)$/.test(name)) {
      const data = readFileSync(p);
      writeFileSync(`${p}.gz`, gzipSync(data, { level: 9 }));
      writeFileSync(`${p}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    }
  }
}
compressAll(join(web, 'dist'));
