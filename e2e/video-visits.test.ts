import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DocumentReference } from '@medplum/fhirtypes';
import { book, CASTILLO, MALIK } from '../packages/server/src/telehealth/visit-test-support.js';
import { accessibilityProblems, ARTIFACTS, DESKTOP, freePort, launchChromium, openContext, PHONE, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * A video visit in two real Chromium browsers with fake cameras and microphones: the patient tests
 * their devices and checks in, the clinician sees them arrive in the waiting room and admits
 * them, both see and hear each other (measured with getStats), chat, survive a dropped signaling
 * connection, hang up, and the clinician writes the note. Then the same call forced through a
 * real coturn server with credentials the app made.
 */

const TURNSERVER = '/usr/bin/turnserver';
const MEDIA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/**
 * Test-only, injected by the test into its own pages (nothing of it ships): keeps every
 * RTCPeerConnection the page makes where getStats can reach it, and, once the test sets
 * `__testForceRelay`, makes them use TURN relays only.
 */
const TAP = `(() => {
  const Native = window.RTCPeerConnection;
  window.__testPeerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(window.__testForceRelay ? { ...config, iceTransportPolicy: 'relay' } : config, ...rest);
      window.__testPeerConnections.push(this);
    }
  };
})();`;

interface Coturn {
  url: string;
  secret: string;
  log: () => string;
  stop: () => void;
}

/**
 * The machine's own IPv4 address: Chromium gathers no candidates on loopback, and coturn relays
 * to loopback peers only when told to, so the TURN server listens where the browsers' host
 * candidates are.
 */
function ownAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

/** Resolves once the server answers a STUN Binding request (RFC 5389) on UDP. */
async function stunAnswers(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const socket = createSocket('udp4');
  try {
    while (Date.now() < deadline) {
      const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), randomBytes(12)]);
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 300);
        socket.once('message', (m) => {
          clearTimeout(timer);
          resolve(m.readUInt16BE(0) === 0x0101);
        });
        socket.send(request, port, host);
      });
      if (answered) return;
    }
    throw new Error(`coturn did not answer on ${host}:${port}`);
  } finally {
    socket.close();
  }
}

/** coturn with `use-auth-secret`: it checks the credentials Salus makes, with the secret they share. */
async function startCoturn(): Promise<Coturn> {
  const host = ownAddress();
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'salus-coturn-'));
  const minPort = 40_000 + Math.floor(Math.random() * 20_000);
  const logFile = join(dir, 'turn.log');
  const child: ChildProcess = spawn(TURNSERVER, [
    '-n', '--verbose', `--listening-ip=${host}`, `--relay-ip=${host}`, `--listening-port=${port}`, `--min-port=${minPort}`, `--max-port=${minPort + 200}`,
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=salus.test', '--fingerprint',
    // Its log goes to a file: written to a pipe it would sit in a buffer.
    '--no-tls', '--no-dtls', '--no-cli', `--log-file=${logFile}`, '--simple-log', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'turndb')}`,
  ], { stdio: 'ignore' });
  await stunAnswers(host, port);
  return {
    url: `turn:${host}:${port}?transport=udp`,
    secret,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes received so far on the page's calls, by kind of media. */
async function inbound(page: Page): Promise<{ audio: number; video: number }> {
  return page.evaluate(async () => {
    const totals = { audio: 0, video: 0 };
    for (const pc of (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: 'audio' | 'video'; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind) totals[s.kind] += s.bytesReceived ?? 0;
      });
    }
    return totals;
  });
}

/** Audio and video arrive on both sides, and keep arriving. */
async function mediaFlows(pages: Page[]): Promise<void> {
  const first = await Promise.all(pages.map(inbound));
  await new Promise((r) => setTimeout(r, 2500));
  const then = await Promise.all(pages.map(inbound));
  pages.forEach((_, i) => {
    for (const kind of ['audio', 'video'] as const) {
      assert.ok(then[i]![kind] > first[i]![kind], `${i === 0 ? 'patient' : 'clinician'} receives ${kind}: ${first[i]![kind]} then ${then[i]![kind]} bytes`);
    }
  });
}

/** The kinds of the two candidates of the call's selected pair. */
async function selectedPair(page: Page): Promise<{ local: string; remote: string }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections.filter((pc) => pc.connectionState === 'connected');
    const stats = await pcs[pcs.length - 1]!.getStats();
    const all = [...(stats as unknown as Map<string, Record<string, unknown>>).values()];
    const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = all.find((s) => s.id === transport?.selectedCandidatePairId);
    // (No named helper in here: the page runs this text, without the bundler's naming shim.)
    const [local, remote] = [pair?.localCandidateId, pair?.remoteCandidateId].map((id) => String(all.find((s) => s.id === id)?.candidateType));
    return { local: local!, remote: remote! };
  });
}

let w: BrowserWorld;
let coturn: Coturn | undefined;
const browsers: Browser[] = [];
let patient: Page;
let clinician: Page;
const contexts: BrowserContext[] = [];

before(async () => {
  if (existsSync(TURNSERVER)) coturn = await startCoturn();
  w = await startBrowserWorld({ env: coturn ? { SALUS_TURN_URLS: coturn.url, SALUS_TURN_SECRET: coturn.secret } : {} });
  // Two browsers, as two people on two machines would be.
  for (let i = 0; i < 2; i++) browsers.push(await launchChromium(MEDIA));
  for (const b of browsers) {
    const ctx = await openContext(b, w.url);
    await ctx.addInitScript({ content: TAP });
    contexts.push(ctx);
  }
  patient = await contexts[0]!.newPage();
  clinician = await contexts[1]!.newPage();
  await signIn(patient, MALIK.email);
  await signIn(clinician, CASTILLO.email, { staff: true });
});
after(async () => {
  for (const b of browsers) await b.close();
  await w?.close();
  coturn?.stop();
});

/** Both sides through check-in, admission and the call, with screenshots at the given sizes. */
async function visit(name: string, sizes: { patient: { width: number; height: number }; clinician: { width: number; height: number } }, during: () => Promise<void>): Promise<string> {
  const id = await book(w.salus, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'video' });
  const size = (s: { width: number }) => (s.width < 600 ? 'phone' : 'desktop');
  try {
    await patient.setViewportSize(sizes.patient);
    await clinician.setViewportSize(sizes.clinician);

    await patient.goto(`/patient/${MALIK.patient}/video`);
    await patient.getByRole('link', { name: /Join the video visit with .*Castillo/ }).first().waitFor();
    await screenshot(patient, `video-visits-list-${size(sizes.patient)}`);
    await patient.goto(`/patient/${MALIK.patient}/video/${id}`);
    await patient.getByText('If this is an emergency, call').waitFor();
    const camera = patient.getByRole('combobox', { name: 'Camera' });
    await camera.waitFor();
    // Once the browser allows the devices, they are listed by name to choose from.
    await patient.waitForFunction(() => !document.querySelector('input[role="combobox"][data-disabled]'));
    assert.match(await camera.inputValue(), /fake|camera/i);
    // The fake microphone beeps (silence between beeps reads zero): the meter moves, and is
    // photographed while it does. A click first, as a person's would: browsers keep audio
    // processing asleep until one.
    await patient.getByRole('progressbar', { name: 'Microphone level' }).click();
    await patient.waitForFunction(() => Number(document.querySelector('[role="progressbar"][aria-label="Microphone level"]')?.getAttribute('aria-valuenow') ?? 0) > 0, undefined, { timeout: 45_000 });
    await screenshot(patient, `video-waiting-room-${size(sizes.patient)}`);
    await patient.getByRole('button', { name: 'I’m ready' }).click();
    await patient.getByText(/You are checked in\. Waiting for .*Castillo to let you in/).waitFor();

    await clinician.goto('/clinician/waiting-room');
    const row = clinician.getByText('Waiting now');
    await row.waitFor();
    await screenshot(clinician, `video-clinician-waiting-room-${size(sizes.clinician)}`);
    assert.deepEqual(await accessibilityProblems(clinician), []);
    // An earlier visit of the same pair may still be listed (its Admit disabled); admit the one waiting now.
    await clinician.getByRole('button', { name: 'Admit Malik Johnson', disabled: false }).click();
    await clinician.waitForURL(new RegExp(`/clinician/visit/${id}$`));

    for (const page of [patient, clinician]) await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await mediaFlows([patient, clinician]);
    await during();

    // The pictures are playing before they are photographed.
    for (const page of [patient, clinician]) await page.waitForFunction(() => [...document.querySelectorAll('video')].every((v) => v.readyState >= 2));
    await screenshot(patient, `video-call-${size(sizes.patient)}`);
    await screenshot(clinician, `video-clinician-call-${size(sizes.clinician)}`);
    assert.deepEqual(await accessibilityProblems(patient), []);

    await clinician.getByRole('button', { name: 'Hang up' }).click();
    await patient.getByRole('status').filter({ hasText: /Castillo ended the call/ }).waitFor();
    const note = clinician.getByRole('form', { name: 'Visit note' });
    await note.waitFor();
    await screenshot(clinician, `video-clinician-note-${size(sizes.clinician)}`);
    await note.getByRole('textbox', { name: 'Visit note' }).fill(`Mood stable on sertraline; sleep improving. Continue, review in 6 weeks. (${name})`);
    await note.getByRole('button', { name: 'Save note and finish visit' }).click();
    await clinician.getByRole('heading', { name: 'Visit finished' }).waitFor();
    await patient.getByRole('heading', { name: 'Your visit has ended' }).waitFor();
    return id;
  } catch (e) {
    await patient.screenshot({ path: join(ARTIFACTS, `failed-${name}-patient.png`), fullPage: true }).catch(() => undefined);
    await clinician.screenshot({ path: join(ARTIFACTS, `failed-${name}-clinician.png`), fullPage: true }).catch(() => undefined);
    throw e;
  }
}

describe('video visits in Chromium', () => {
  test('check-in, admission, a two-way call with chat, a dropped connection, hang-up and the note', async () => {
    const id = await visit('video-visit', { patient: PHONE, clinician: DESKTOP }, async () => {
      await patient.getByRole('textbox', { name: 'Message' }).fill('Can you hear me?');
      await patient.getByRole('button', { name: 'Send' }).click();
      await clinician.getByRole('log').getByText('Can you hear me?').waitFor();

      // The signaling connection drops (the server loses every socket): both pages reconnect on
      // their own, the call carries on, and chat works again.
      for (const socket of w.salus.app.websocketServer.clients) socket.terminate();
      for (const page of [patient, clinician]) await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await clinician.getByRole('textbox', { name: 'Message' }).fill('Yes, clearly.');
      await clinician.getByRole('button', { name: 'Send' }).click();
      await patient.getByRole('log').getByText('Yes, clearly.').waitFor();
      await mediaFlows([patient, clinician]);
    });

    // The note is in the record, where the patient reads it under the visit.
    const notes = await w.salus.fhir<{ entry?: { resource: DocumentReference }[] }>('GET', `DocumentReference?patient=Patient/${MALIK.patient}&type=http://loinc.org|11506-3&_sort=-date&_count=1`);
    const doc = notes.body.entry?.[0]?.resource;
    assert.ok(doc?.context?.encounter?.[0]?.reference?.startsWith('Encounter/'));
    assert.equal(doc?.author?.[0]?.reference, CASTILLO.practitioner);
    const appointment = await w.salus.fhir<{ status: string }>('GET', `Appointment/${id}`);
    assert.equal(appointment.body.status, 'fulfilled');
    await patient.getByRole('link', { name: 'Go to my visits' }).click();
    await patient.getByRole('heading', { name: 'Visits', level: 1 }).waitFor();
    await patient.getByText(/Mood stable on sertraline/).first().waitFor({ state: 'attached' });
  });

  test('a phone visit: the clinician sees the number to dial, starts the call and records that nobody answered', async () => {
    const id = await book(w.salus, { patient: MALIK.patient, practitioner: CASTILLO.practitioner, mode: 'phone' });
    await clinician.setViewportSize(DESKTOP);
    await clinician.goto('/clinician/waiting-room');
    await clinician.getByRole('link', { name: 'Call Malik Johnson' }).click();
    await clinician.waitForURL(new RegExp(`/clinician/visit/${id}$`));
    const number = clinician.getByRole('link', { name: '+1-541-555-0154' });
    assert.equal(await number.getAttribute('href'), 'tel:+15415550154');
    await clinician.getByRole('button', { name: 'Start the call' }).click();
    const form = clinician.getByRole('form', { name: 'Visit note' });
    await form.getByRole('radio', { name: 'No answer' }).check();
    await screenshot(clinician, 'phone-visit-clinician-desktop');
    await form.getByRole('button', { name: 'Save note and finish visit' }).click();
    await clinician.getByRole('heading', { name: 'Visit finished' }).waitFor();
    assert.equal((await w.salus.fhir<{ status: string }>('GET', `Appointment/${id}`)).body.status, 'noshow');
  });

  test('the same call forced through a real coturn server: the selected pair is relay at both ends', { skip: existsSync(TURNSERVER) ? false : `${TURNSERVER} is not installed (apt-get install coturn); the relayed call is not tried` }, async () => {
    const c = coturn!;
    // Test-only switch read by the tap above: from the next page load the pages use relays only.
    for (const page of [patient, clinician]) await page.addInitScript({ content: 'window.__testForceRelay = true;' });
    await visit('video-visit-relay', { patient: DESKTOP, clinician: PHONE }, async () => {
      for (const page of [patient, clinician]) assert.deepEqual(await selectedPair(page), { local: 'relay', remote: 'relay' });
      await clinician.getByRole('textbox', { name: 'Message' }).fill('The picture is clear through the relay.');
      await clinician.getByRole('button', { name: 'Send' }).click();
      await patient.getByRole('log').getByText('The picture is clear through the relay.').waitFor();
    });
    // coturn accepted the app's use-auth-secret credentials, made for each person's account.
    const accounts = await w.salus.db.query<{ id: string }>('SELECT id FROM accounts WHERE email = ANY($1)', [[MALIK.email, CASTILLO.email]]);
    for (const { id } of accounts.rows) assert.match(c.log(), new RegExp(`user <\\d+:${id}>: incoming packet ALLOCATE processed, success`));
  });
});
