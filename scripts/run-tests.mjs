#!/usr/bin/env node
// Runs every *.test.ts(x) under packages/ (and e2e/ when present) with Node's test runner through tsx.
// Test files are found here rather than by a shell glob so the command works the same everywhere.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const files = ['packages', 'e2e']
  .map((d) => join(root, d))
  .filter((d) => existsSync(d))
  .flatMap((d) => walk(d, []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';

// The web app's files compile with its own settings (JSX, DOM); tsx takes one tsconfig per process.
const WEB = `packages${sep}web${sep}`;
const groups = [
  { files: files.filter((f) => !f.startsWith(WEB)), env: process.env },
  { files: files.filter((f) => f.startsWith(WEB)), env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'packages/web/tsconfig.json') } },
].filter((g) => g.files.length > 0);

function run(group) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...group.files],
      { cwd: root, stdio: 'inherit', env: group.env },
    );
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

let failed = 0;
for (const group of groups) if ((await run(group)) !== 0) failed = 1;
process.exit(failed);
