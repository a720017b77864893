#!/usr/bin/env node
// Development: the server on :8080 (embedded database, demo world) and Vite's dev server on
// :5173 with hot reload, which passes API paths through to the server. Ctrl-C stops both.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const children = [
  spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts', 'start'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, '--port', '5173'], { cwd: `${root}packages/web`, stdio: 'inherit' }),
];
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', (code) => { stop(); process.exitCode = code ?? 0; });
