import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, type Db } from '../db/db.js';
import { openTestDb, type TestDb } from '../audit/test-db.js';
import { TestClock } from '../auth/account-test-support.js';
import { createJobQueue, type JobQueue, type JobQueueOptions } from './queue.js';

interface JobRow {
  id: string;
  status: string;
  attempts: number;
  run_at: string;
  last_error: string | null;
  locked_by: string | null;
}

let t: TestDb;
let kindSeq = 0;

before(async () => {
  t = await openTestDb();
});
after(async () => {
  await t.close();
});

/** Each test uses its own job kind, so queues of other tests never claim its jobs. */
function freshKind(): string {
  return `test-${++kindSeq}`;
}

function queue(clock: TestClock, options: Partial<JobQueueOptions> = {}, db: Db = t.db): JobQueue {
  return createJobQueue({ db, now: clock.now, pollMs: 60_000, ...options });
}

async function row(id: string): Promise<JobRow> {
  const r = await t.db.query<JobRow>('SELECT id, status, attempts, run_at, last_error, locked_by FROM jobs WHERE id = $1', [id]);
  return r.rows[0]!;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('job queue', () => {
  test('runs a job once it is due by the clock, and not before', async () => {
    const clock = new TestClock();
    const jobs = queue(clock);
    const kind = freshKind();
    const seen: unknown[] = [];
    jobs.register<{ n: number }>(kind, async (payload) => {
      seen.push(payload.n);
    });
    await jobs.enqueue(t.db, { kind, payload: { n: 1 } });
    const later = await jobs.enqueue(t.db, { kind, payload: { n: 2 }, runAt: new Date(clock.now().getTime() + 3600_000) });
    assert.equal(await jobs.runDue(), 1);
    assert.deepEqual(seen, [1]);
    clock.advance(3599);
    assert.equal(await jobs.runDue(), 0, 'a second early is early');
    clock.advance(1);
    assert.equal(await jobs.runDue(), 1);
    assert.deepEqual(seen, [1, 2]);
    assert.equal((await row(later!)).status, 'done');
    await jobs.close();
  });

  test('retries a failing job with doubling delays, keeps the last error, and gives up at the maximum', async () => {
    const clock = new TestClock();
    const failures: boolean[] = [];
    const jobs = queue(clock, { retryDelayMs: 10_000, maxRetryDelayMs: 25_000, onError: (_e, _job, final) => failures.push(final) });
    const kind = freshKind();
    let runs = 0;
    jobs.register(kind, async (_p, job) => {
      runs++;
      throw new Error(`attempt ${job.attempt} of ${job.maxAttempts} failed`);
    });
    const id = (await jobs.enqueue(t.db, { kind, payload: {}, maxAttempts: 4 }))!;
    const start = clock.now().getTime();
    await jobs.runDue();
    let r = await row(id);
    assert.deepEqual([r.status, r.attempts, r.last_error], ['pending', 1, 'attempt 1 of 4 failed']);
    assert.equal(Date.parse(r.run_at) - start, 10_000);

    clock.advance(10);
    await jobs.runDue();
    r = await row(id);
    assert.equal(Date.parse(r.run_at) - clock.now().getTime(), 20_000, 'the delay doubles');
    clock.advance(20);
    await jobs.runDue();
    r = await row(id);
    assert.equal(Date.parse(r.run_at) - clock.now().getTime(), 25_000, 'up to the longest delay');
    clock.advance(24);
    assert.equal(await jobs.runDue(), 0);
    clock.advance(1);
    await jobs.runDue();
    r = await row(id);
    assert.deepEqual([r.status, r.attempts, r.last_error], ['failed', 4, 'attempt 4 of 4 failed']);
    clock.advance(3600);
    assert.equal(await jobs.runDue(), 0, 'a failed job stays failed');
    assert.equal(runs, 4);
    assert.deepEqual(failures, [false, false, false, true]);
    await jobs.close();
  });

  test('a job whose worker died is claimed again when its lease runs out, and the dead run cannot record an outcome', async () => {
    const clock = new TestClock();
    const kind = freshKind();
    // The first worker "crashes": its handler never returns. A long lease keeps its renewal
    // timer from firing during the test, as a dead process renews nothing.
    const stuck = deferred();
    const dead = queue(clock, { leaseMs: 60_000, workerId: 'dead' });
    dead.register(kind, () => stuck.promise);
    const survivor = queue(clock, { leaseMs: 60_000, workerId: 'survivor' });
    let survivorRuns = 0;
    survivor.register(kind, async () => {
      survivorRuns++;
    });
    const id = (await dead.enqueue(t.db, { kind, payload: {} }))!;
    const deadRound = dead.runDue();
    // Wait until the dead worker holds the job.
    while ((await row(id)).status !== 'running') await new Promise((r) => setTimeout(r, 10));
    assert.equal(await survivor.runDue(), 0, 'held under a live lease');
    clock.advance(59);
    assert.equal(await survivor.runDue(), 0);
    clock.advance(1);
    assert.equal(await survivor.runDue(), 1);
    let r = await row(id);
    assert.deepEqual([r.status, r.attempts, r.locked_by], ['done', 2, 'survivor']);
    // The first worker comes back to life and finishes: its outdated lease changes nothing.
    stuck.resolve();
    await deadRound;
    r = await row(id);
    assert.deepEqual([r.status, r.attempts, r.locked_by], ['done', 2, 'survivor']);
    assert.equal(survivorRuns, 1);
    await Promise.all([dead.close(), survivor.close()]);
  });

  test('a job whose last allowed run died is given up, not run again', async () => {
    const clock = new TestClock();
    const kind = freshKind();
    const stuck = deferred();
    const dead = queue(clock, { leaseMs: 60_000 });
    dead.register(kind, () => stuck.promise);
    const other = queue(clock, { leaseMs: 60_000 });
    let runs = 0;
    other.register(kind, async () => {
      runs++;
    });
    const id = (await dead.enqueue(t.db, { kind, payload: {}, maxAttempts: 1 }))!;
    const deadRound = dead.runDue();
    while ((await row(id)).status !== 'running') await new Promise((r) => setTimeout(r, 10));
    clock.advance(61);
    await other.runDue();
    const r = await row(id);
    assert.equal(r.status, 'failed');
    assert.match(r.last_error ?? '', /stopped before it finished/);
    assert.equal(runs, 0);
    stuck.resolve();
    await deadRound;
    await Promise.all([dead.close(), other.close()]);
  });

  test('two workers on one database never run the same job twice', async () => {
    const clock = new TestClock();
    const kind = freshKind();
    // On PostgreSQL the second worker has its own connection pool, as a second app node does.
    const otherDb = t.url ? await openDb({ databaseUrl: t.url }) : t.db;
    const runs: string[] = [];
    const by = new Map<string, number>();
    const worker = (name: string, db: Db): JobQueue => {
      const q = queue(clock, { batchSize: 3, workerId: name }, db);
      q.register<{ n: number }>(kind, async (p) => {
        runs.push(String(p.n));
        by.set(name, (by.get(name) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      });
      return q;
    };
    const a = worker('a', t.db);
    const b = worker('b', otherDb);
    await t.db.transaction(async (tx) => {
      for (let n = 0; n < 60; n++) await a.enqueue(tx, { kind, payload: { n } });
    });
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
    assert.equal(ranA + ranB, 60);
    assert.equal(runs.length, 60);
    assert.equal(new Set(runs).size, 60, 'every job ran exactly once');
    // With a pool each, the two really did work side by side (one embedded connection takes turns).
    if (t.url) assert.equal(by.size, 2, `both workers ran jobs: ${JSON.stringify([...by])}`);
    const statuses = await t.db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM jobs WHERE kind = $1 GROUP BY status', [kind]);
    assert.deepEqual(statuses.rows, [{ status: 'done', n: '60' }]);
    await Promise.all([a.close(), b.close()]);
    if (otherDb !== t.db) await otherDb.close();
  });

  test('cancels pending jobs by key or key prefix; a live key is enqueued once', async () => {
    const clock = new TestClock();
    const jobs = queue(clock);
    const kind = freshKind();
    const seen: string[] = [];
    jobs.register<{ name: string }>(kind, async (p) => {
      seen.push(p.name);
    });
    const inHour = new Date(clock.now().getTime() + 3600_000);
    const first = await jobs.enqueue(t.db, { kind, payload: { name: 'a-1' }, key: 'visit/a/1', runAt: inHour });
    assert.ok(first);
    assert.equal(await jobs.enqueue(t.db, { kind, payload: { name: 'a-1 again' }, key: 'visit/a/1', runAt: inHour }), undefined);
    await jobs.enqueue(t.db, { kind, payload: { name: 'a-2' }, key: 'visit/a/2', runAt: inHour });
    await jobs.enqueue(t.db, { kind, payload: { name: 'ab-1' }, key: 'visit/ab/1', runAt: inHour });
    await jobs.enqueue(t.db, { kind, payload: { name: 'b_%' }, key: 'visit/b_%/1', runAt: inHour });
    await jobs.enqueue(t.db, { kind, payload: { name: 'bx' }, key: 'visit/bxx/1', runAt: inHour });

    assert.equal(await jobs.cancel(t.db, 'visit/a/*'), 2);
    assert.equal(await jobs.cancel(t.db, 'visit/b_%/*'), 1, 'LIKE wildcards in a prefix are literal');
    assert.equal(await jobs.cancel(t.db, 'visit/ab/1'), 1);
    assert.equal(await jobs.cancel(t.db, 'visit/ab/1'), 0, 'already cancelled');
    // A cancelled key may be used again.
    assert.ok(await jobs.enqueue(t.db, { kind, payload: { name: 'a-1 new' }, key: 'visit/a/1', runAt: inHour }));
    clock.advance(3600);
    await jobs.runDue();
    assert.deepEqual(seen.sort(), ['a-1 new', 'bx']);
    assert.equal((await row(first)).status, 'cancelled');
    await jobs.close();
  });

  test('a job enqueued in a transaction exists only if it commits, and wakes a started worker', async () => {
    const clock = new TestClock();
    const jobs = queue(clock);
    const kind = freshKind();
    const ran = deferred();
    const seen: string[] = [];
    jobs.register<{ name: string }>(kind, async (p) => {
      seen.push(p.name);
      ran.resolve();
    });
    await jobs.start();
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await jobs.enqueue(tx, { kind, payload: { name: 'rolled back' } });
        throw new Error('the booking failed');
      }),
      /the booking failed/,
    );
    await t.db.transaction((tx) => jobs.enqueue(tx, { kind, payload: { name: 'committed' } }));
    // No runDue and a poll a minute away: only NOTIFY can have started it.
    await ran.promise;
    await jobs.close();
    assert.deepEqual(seen, ['committed']);
    const count = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM jobs WHERE kind = $1', [kind]);
    assert.equal(count.rows[0]!.n, '1');
  });

  test('close waits for the jobs it is running', async () => {
    const clock = new TestClock();
    const jobs = queue(clock);
    const kind = freshKind();
    const started = deferred();
    let finished = false;
    jobs.register(kind, async () => {
      started.resolve();
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    const id = (await jobs.enqueue(t.db, { kind, payload: {} }))!;
    void jobs.runDue();
    await started.promise;
    await jobs.close();
    assert.equal(finished, true);
    assert.equal((await row(id)).status, 'done');
    assert.equal(await jobs.runDue(), 0, 'a closed queue runs nothing');
  });
});
