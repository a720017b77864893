import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Appointment, Bundle, Slot } from '@medplum/fhirtypes';
import { buildApp, defaultConfig, FHIR_PREFIX, type SalusApp, type SalusConfig } from '../app.js';
import { MailCatcher, TestClock, type ReceivedMail } from '../auth/account-test-support.js';
import { TestPushService, type TestSubscriber } from '../notify/push-test-support.js';
import { backendToken, createTestDatabase, startTestApp, type Caller, type TestApp, type TestResponse } from '../test-support.js';
import { clinicWorld, icsFields, icsUtc, type ClinicWorld } from './notice-test-support.js';
import { book, cancel, find, noShow, parameters, reschedule } from './scheduling-test-support.js';

const PUBLIC_URL = 'https://salus.example';
const HOUR = 3600_000;

/** Moves the clock to an instant (never back). */
function moveTo(clock: TestClock, at: number): void {
  assert.ok(at >= clock.now().getTime(), 'the clock only moves forward');
  clock.advance((at - clock.now().getTime()) / 1000);
}

/** The $find query for free video slots of the world's clinician between two and nine days ahead of the clock. */
function slotQuery(world: ClinicWorld, clock: TestClock): Record<string, string> {
  const at = (hours: number): string => new Date(clock.now().getTime() + hours * HOUR).toISOString();
  return { 'visit-type': 'video', practitioner: `Practitioner/${world.practitionerId}`, start: at(48), end: at(9 * 24) };
}

async function freeSlots(caller: Caller, world: ClinicWorld, clock: TestClock): Promise<Slot[]> {
  const found = await find(caller, slotQuery(world, clock));
  assert.equal(found.status, 200, JSON.stringify(found.bundle));
  return found.slots;
}

/** The Appointment an operation answered with, once it succeeded. */
async function done(response: Promise<TestResponse<Appointment>>): Promise<Appointment> {
  const res = await response;
  assert.ok(res.status === 200 || res.status === 201, `${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function invitation(mail: ReceivedMail): Map<string, string> {
  assert.equal(mail.attachments.length, 1, `one calendar file with '${mail.subject}'`);
  assert.equal(mail.attachments[0]!.contentType, 'text/calendar');
  return icsFields(mail.attachments[0]!.content);
}

describe('appointment notices', () => {
  let salus: TestApp;
  let mail: MailCatcher;
  let pushService: TestPushService;
  let phone: TestSubscriber;
  let world: ClinicWorld;
  const clock = new TestClock();
  // Signed in afresh in each test: the clock moves days on, past any one session.
  let patient: Caller;

  before(async () => {
    mail = await MailCatcher.start();
    pushService = await TestPushService.start();
    salus = await startTestApp({
      publicUrl: PUBLIC_URL,
      env: { SALUS_SMTP_URL: mail.url, SALUS_MAIL_FROM: 'Salus <no-reply@salus.example>' },
      now: clock.now,
      pushAgent: pushService.agent,
    });
    world = await clinicWorld(salus.db, salus.repo, clock.now(), { email: 'maria@example.test' });
    phone = pushService.subscriber('maria-phone');
    await salus.push.subscribe(world.accountId!, phone.subscription);
  });
  after(async () => {
    await salus.close();
    await Promise.all([mail.close(), pushService.close()]);
  });

  const pushed = async (): Promise<{ title: string; body: string; url: string }> => {
    const r = await pushService.next('maria-phone');
    await pushService.verifyVapid(r);
    return JSON.parse(phone.decrypt(r.body)) as { title: string; body: string; url: string };
  };
  const pendingReminders = async (id: string): Promise<{ key: string; run_at: string }[]> =>
    (
      await salus.db.query<{ key: string; run_at: string }>(
        `SELECT key, run_at FROM jobs WHERE status = 'pending' AND key LIKE $1 ORDER BY run_at, key`,
        [`appointment/${id}/reminder/%`],
      )
    ).rows;

  test('a booking is confirmed at once by email with a calendar invitation and by push, then reminded 24 h and 1 h before', { timeout: 60_000 }, async () => {
    patient = await salus.signIn(world.email);
    const [slot] = await freeSlots(salus.system, world, clock);
    const booked = await done(book(patient, slot!.id!, world.patientId));
    const start = Date.parse(booked.start!);
    await salus.jobs.runDue();

    const confirmation = await mail.next(world.email);
    assert.match(confirmation.subject, /^Booked: your video visit with Dr Amara Okafor, /);
    assert.match(confirmation.text, /^Dear Maria,/);
    assert.match(confirmation.text, /\(Los Angeles time, P[SD]T\)/);
    assert.match(confirmation.text, /https:\/\/salus\.example\/patient\/appointments/);
    const ics = invitation(confirmation);
    assert.equal(ics.get('METHOD'), 'REQUEST');
    assert.equal(ics.get('UID'), `appointment-${booked.id}@salus.example`);
    assert.equal(ics.get('SEQUENCE'), booked.meta!.versionId);
    assert.equal(ics.get('DTSTART'), icsUtc(booked.start!));
    assert.equal(ics.get('DTEND'), icsUtc(booked.end!));
    const note = await pushed();
    assert.deepEqual([note.title, note.url], ['Visit booked', `${PUBLIC_URL}/patient/appointments`]);
    assert.match(note.body, /^Video visit with Dr Amara Okafor, /);

    const planned = await pendingReminders(booked.id!);
    assert.deepEqual(
      planned.map((p) => Date.parse(p.run_at)),
      [start - 24 * HOUR, start - 24 * HOUR, start - HOUR, start - HOUR],
      'by email and by push, a day and an hour before',
    );

    moveTo(clock, start - 24 * HOUR - 60_000);
    await salus.jobs.runDue();
    assert.equal(mail.received.length, 0, 'not yet');
    moveTo(clock, start - 24 * HOUR);
    await salus.jobs.runDue();
    assert.match((await mail.next(world.email)).subject, /^Reminder: your video visit with Dr Amara Okafor tomorrow, /);
    assert.equal((await pushed()).title, 'Visit tomorrow');

    moveTo(clock, start - HOUR);
    await salus.jobs.runDue();
    const soon = await mail.next(world.email);
    assert.match(soon.subject, /in about an hour/);
    assert.equal(invitation(soon).get('SEQUENCE'), booked.meta!.versionId);
    assert.equal((await pushed()).title, 'Visit in about an hour');
    await salus.jobs.runDue();
    assert.deepEqual([mail.received.length, pushService.received.length], [0, 0], 'each notice once');
  });

  test('moving a visit sends an update with a higher SEQUENCE and re-plans its reminders; cancelling sends a CANCEL and stops them', { timeout: 60_000 }, async () => {
    patient = await salus.signIn(world.email);
    const [first, , , second] = await freeSlots(salus.system, world, clock);
    const booked = await done(book(patient, first!.id!, world.patientId));
    await salus.jobs.runDue();
    const sequence = Number(invitation(await mail.next(world.email)).get('SEQUENCE'));
    await pushed();

    const moved = await done(reschedule(patient, booked.id!, second!.id!));
    await salus.jobs.runDue();
    const update = await mail.next(world.email);
    assert.match(update.subject, /^Moved: your video visit with Dr Amara Okafor is now /);
    assert.match(update.text, /\(It was .+\.\)/);
    const ics = invitation(update);
    assert.equal(ics.get('METHOD'), 'REQUEST');
    assert.equal(ics.get('UID'), `appointment-${booked.id}@salus.example`);
    assert.ok(Number(ics.get('SEQUENCE')) > sequence, 'a later version of the same event');
    assert.equal(ics.get('DTSTART'), icsUtc(moved.start!));
    assert.equal((await pushed()).title, 'Visit moved');
    const replanned = await pendingReminders(booked.id!);
    assert.equal(replanned.length, 4);
    assert.ok(replanned.every((r) => r.key.includes(moved.start!)), 'only reminders for the new time are left');

    await done(cancel(patient, booked.id!, 'Feeling better'));
    await salus.jobs.runDue();
    const cancellation = await mail.next(world.email);
    assert.match(cancellation.subject, /^Cancelled: your video visit/);
    assert.match(cancellation.text, /Reason given: Feeling better/);
    const removal = invitation(cancellation);
    assert.equal(removal.get('METHOD'), 'CANCEL');
    assert.equal(removal.get('STATUS'), 'CANCELLED');
    assert.equal(removal.get('UID'), `appointment-${booked.id}@salus.example`);
    assert.ok(Number(removal.get('SEQUENCE')) > Number(ics.get('SEQUENCE')));
    assert.equal((await pushed()).title, 'Visit cancelled');
    assert.deepEqual(await pendingReminders(booked.id!), []);

    moveTo(clock, Date.parse(moved.start!) + HOUR);
    await salus.jobs.runDue();
    assert.deepEqual([mail.received.length, pushService.received.length], [0, 0], 'no reminders for a cancelled visit');
  });

  test('a patient without an account hears by the email in their record; late reminders and a missed visit send nothing', { timeout: 60_000 }, async () => {
    const other = await clinicWorld(salus.db, salus.repo, clock.now(), { email: 'joao@example.test', account: false });
    const [slot] = await freeSlots(salus.system, other, clock);
    const booked = await done(book(salus.system, slot!.id!, other.patientId));
    await salus.jobs.runDue();
    const confirmation = await mail.next('joao@example.test');
    assert.match(confirmation.text, /^Dear Maria,/, "greeted by the name in the record");
    assert.equal(invitation(confirmation).get('METHOD'), 'REQUEST');

    // The server was down through both reminder times: reminding now would be too late to help.
    moveTo(clock, Date.parse(booked.start!) + 10 * 60_000);
    await salus.jobs.runDue();
    await done(noShow(salus.system, booked.id!));
    await salus.jobs.runDue();
    assert.deepEqual([mail.received.length, pushService.received.length], [0, 0]);
    const jobs = await salus.db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM jobs WHERE key LIKE $1 GROUP BY status`, [`appointment/${booked.id}/%`]);
    assert.deepEqual(jobs.rows, [{ status: 'done', n: '6' }], 'two confirmations and four reminders ran (the reminders found nothing to say)');
  });
});

describe('reminders across a restart', () => {
  test('a reminder planned before the server stopped is delivered once by the next server on the same database', { timeout: 120_000 }, async () => {
    const mail = await MailCatcher.start();
    const clock = new TestClock();
    const config: SalusConfig = { ...defaultConfig({}), publicUrl: PUBLIC_URL };
    let cleanup: () => Promise<void>;
    if (process.env.DATABASE_URL) {
      const created = await createTestDatabase(process.env.DATABASE_URL);
      config.databaseUrl = created.url;
      cleanup = created.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'salus-restart-'));
      config.dataDir = dir;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const options = { env: { SALUS_SMTP_URL: mail.url }, now: clock.now };
    const system = async (salus: SalusApp, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: never }> => {
      const res = await salus.app.inject({
        method,
        url: `${FHIR_PREFIX}/${path}`,
        headers: { authorization: `Bearer ${await backendToken(salus)}`, ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: JSON.parse(res.body) as never };
    };
    try {
      let booked: Appointment;
      const first = await buildApp(config, options);
      try {
        const world = await clinicWorld(first.db, first.repo, clock.now(), { email: 'maria@example.test' });
        const found = await system(first, 'GET', `Schedule/$find?${new URLSearchParams(slotQuery(world, clock))}`);
        const slot = (found.body as Bundle).entry?.find((e) => e.resource?.resourceType === 'Slot')?.resource;
        const res = await system(first, 'POST', 'Appointment/$book', parameters({ slot: { reference: `Slot/${slot!.id}` }, patient: { reference: `Patient/${world.patientId}` } }));
        assert.equal(res.status, 201, JSON.stringify(res.body));
        booked = res.body as Appointment;
        await first.jobs.runDue();
        assert.match((await mail.next('maria@example.test')).subject, /^Booked:/);
      } finally {
        await first.close();
      }

      const second = await buildApp(config, options);
      try {
        moveTo(clock, Date.parse(booked.start!) - HOUR);
        await second.jobs.runDue();
        const reminder = await mail.next('maria@example.test');
        assert.match(reminder.subject, /^Reminder: your video visit with Dr Amara Okafor in about an hour/);
        await second.jobs.runDue();
        assert.equal(mail.received.length, 0, 'delivered once; the day-before reminder came too late to send');
      } finally {
        await second.close();
      }
    } finally {
      await mail.close();
      await cleanup();
    }
  });
});
