import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../auth/demo-accounts.js';
import { totpCode } from '../auth/totp.js';
import { buildDemoWorld } from '../seed/demo-world.js';
import { startTestApp, type TestApp } from '../test-support.js';

/** The web app served from the server's origin: its files, its routes, and the API kept apart. */

const PAGE = '<!doctype html><html><head><title>Salus</title></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("salus");'.repeat(50);
let dir: string;
let t: TestApp;
let bare: TestApp;
const now = new Date('2026-11-23T10:00:00Z');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'salus-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  [t, bare] = await Promise.all([
    startTestApp({ webDir: dir, demoPeople: buildDemoWorld().people, now: () => now }),
    startTestApp({ webDir: join(dir, 'not-built') }),
  ]);
});
after(async () => {
  await Promise.all([t?.close(), bare?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const get = (app: TestApp, url: string, headers: Record<string, string> = {}) => app.app.inject({ method: 'GET', url, headers });

describe('serving the web app', () => {
  test('the start page and every page of the app answer with the app', async () => {
    for (const url of ['/', '/patient/demo-ana-souza/results', '/administration/audit', '/sign-in?next=%2Fpatient']) {
      const res = await get(t, url, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, PAGE, url);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  test('the API keeps its own answers, even when a browser asks', async () => {
    const html = { accept: 'text/html' };
    const fhir = await get(t, '/fhir/R4/Patient/x', html);
    assert.equal(fhir.statusCode, 401);
    assert.match(fhir.headers['content-type'] as string, /fhir\+json/);
    const unknown = await get(t, '/admin/no-such-thing', html);
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.headers['content-type'] as string, /fhir\+json/);
    // A script asking for JSON at an app address gets a 404, not a page it cannot read.
    assert.equal((await get(t, '/patient/x', { accept: 'application/json' })).statusCode, 404);
  });

  test('hashed assets are cached for good and sent compressed to browsers that accept it', async () => {
    const res = await get(t, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.match(res.headers['cache-control'] as string, /immutable/);
    const plain = await get(t, '/assets/index-abc123.js');
    assert.equal(plain.body, SCRIPT);
    // The service worker must be fetched fresh, or an update would never reach people.
    assert.equal((await get(t, '/sw.js')).headers['cache-control'], 'no-cache');
  });

  test('the page may run only its own scripts', async () => {
    const csp = (await get(t, '/', { accept: 'text/html' })).headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'a plain-http installation keeps working');
  });

  test('without a build, the server says where the API is', async () => {
    const res = await get(bare, '/', { accept: 'text/html' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /FHIR R4 API/);
  });
});

describe('demo sign-ins', () => {
  test('a demo installation lists its people, the shared password and the authenticator code of the moment', async () => {
    const res = await get(t, '/auth/demo');
    assert.equal(res.statusCode, 200);
    const body = res.json() as { password: string; totpSecret: string; currentCode: string; people: { email: string; role: string; description: string }[] };
    assert.equal(body.password, DEMO_PASSWORD);
    assert.equal(body.totpSecret, DEMO_TOTP_SECRET);
    assert.equal(body.currentCode, totpCode(DEMO_TOTP_SECRET, now));
    assert.ok(body.people.some((p) => p.email === 'ana.souza@example.com' && p.description === 'Patient'));
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('an installation without the demo world says nothing', async () => {
    assert.equal((await get(bare, '/auth/demo')).statusCode, 404);
  });
});
