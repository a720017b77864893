import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../test-support.js';

const MAIN = join(import.meta.dirname, '..', 'main.ts');

let dir: string;
let env: NodeJS.ProcessEnv;
let drop: (() => Promise<void>) | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'salus-cli-'));
  env = { ...process.env, SALUS_DATA_DIR: join(dir, 'db') };
  delete env.DATABASE_URL;
  if (process.env.DATABASE_URL) {
    const created = await createTestDatabase(process.env.DATABASE_URL);
    env.DATABASE_URL = created.url;
    drop = created.drop;
  }
});
after(async () => {
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], until?: RegExp): Promise<{ code: number | null; out: string; err: string; kill: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const kill = (): void => void child.kill('SIGTERM');
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until && !settled && until.test(out)) {
        settled = true;
        resolve({ code: null, out, err, kill });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) resolve({ code, out, err, kill });
    });
  });
}

describe('salus command line', () => {
  test('migrate applies the migrations once', async () => {
    const first = await run(['migrate']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /Applied 001-fhir-store/);
    const second = await run(['migrate']);
    assert.match(second.out, /up to date/);
  });

  test('import loads JSON, Bundles and NDJSON with a progress bar and a final count; bad files are reported', async () => {
    const data = join(dir, 'import');
    rmSync(data, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(data, 'nested'), { recursive: true });
    writeFileSync(join(data, 'patient.json'), JSON.stringify({ resourceType: 'Patient', id: 'imp-1', name: [{ family: 'Imported' }] }));
    writeFileSync(
      join(data, 'nested', 'obs.ndjson'),
      [1, 2, 3]
        .map((i) => JSON.stringify({ resourceType: 'Observation', id: `imp-o${i}`, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/imp-1' } }))
        .join('\n'),
    );
    writeFileSync(
      join(data, 'collection.json'),
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Organization', name: 'Imported Org' } }] }),
    );
    const ok = await run(['import', data]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Imported 5 resources from 3 of 3 files/);
    writeFileSync(join(data, 'broken.json'), JSON.stringify({ resourceType: 'Patient', birthDate: 'never' }));
    const bad = await run(['import', data]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /broken\.json: .*birthDate/);
  });

  test('start loads the demo world into an empty database, prints the address and demo people, and serves', async () => {
    const fresh: NodeJS.ProcessEnv = { ...env, SALUS_DATA_DIR: join(dir, 'fresh') };
    let dropFresh: (() => Promise<void>) | undefined;
    if (process.env.DATABASE_URL) {
      const created = await createTestDatabase(process.env.DATABASE_URL);
      fresh.DATABASE_URL = created.url;
      dropFresh = created.drop;
    }
    const saved = env;
    env = fresh;
    const server = await run(['start', '--port', '0', '--host', '127.0.0.1'], /caregiver.*\n(.*\n)*.*admin.*\n/);
    env = saved;
    try {
      const url = /FHIR R4:\s+(\S+)/.exec(server.out)?.[1];
      assert.ok(url, server.out + server.err);
      assert.match(server.out, /Loaded the demo world/);
      assert.match(server.out, /salus-demo-2026/);
      assert.equal((await fetch(`${url}/Patient?name=souza`)).status, 401, 'the record is not public');
      // A demo patient signs in with the printed password and finds her own record.
      const origin = url!.replace('/fhir/R4', '');
      const login = await fetch(`${origin}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ana.souza@example.com', password: 'salus-demo-2026' }),
      });
      assert.equal(login.status, 200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const res = await fetch(`${url}/Patient?name=souza`, { headers: { cookie } });
      assert.equal(res.status, 200);
      const bundle = (await res.json()) as { total: number };
      assert.equal(bundle.total, 1);
      const health = await fetch(url!.replace('/fhir/R4', '/healthz'));
      assert.equal(health.status, 200);
    } finally {
      server.kill();
      await dropFresh?.();
    }
  });

  test('unknown commands print the usage and fail', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.out, /Usage: salus/);
  });
});
