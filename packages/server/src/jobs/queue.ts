import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db, Queryable } from '../db/db.js';

/**
 * A durable job queue in the `jobs` table, for both database engines (pg-boss needs a server).
 *
 * - `enqueue` takes the caller's transaction, so a job exists if and only if the change that asked
 *   for it committed, and wakes the workers with NOTIFY (delivered at commit).
 * - Workers claim due jobs in batches with `FOR UPDATE SKIP LOCKED` and hold a lease while they
 *   run them: nodes sharing one database never run one job at the same time, and a job whose
 *   worker died is claimed again once its lease runs out.
 * - A failed run is retried with exponential back-off up to the job's maximum; the last error is
 *   kept on the row. Delivery is at least once: a handler must tolerate a rare second run after a
 *   crash between its side effect and the record of its success.
 */

/** The NOTIFY channel that wakes the workers. */
export const JOBS_CHANNEL = 'salus_jobs';

export interface NewJob {
  kind: string;
  payload: object;
  /** When the job is due; the queue's clock's now when absent. */
  runAt?: Date;
  /**
   * Names the job: while a job with this key is pending or running, enqueueing it again adds
   * nothing, and `cancel` finds jobs by key or key prefix.
   */
  key?: string;
  /** Runs allowed before the job is given up as failed (default: the queue's maxAttempts). */
  maxAttempts?: number;
}

/** What a handler knows of the job it runs. */
export interface JobContext {
  id: string;
  kind: string;
  key?: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<P> = (payload: P, job: JobContext) => Promise<void>;

export interface JobQueueOptions {
  db: Db;
  /** The clock that decides what is due; tests move it instead of waiting. */
  now?: () => Date;
  /** Jobs claimed (and run side by side) per round; default 10. */
  batchSize?: number;
  /** How often the worker looks for due jobs when no NOTIFY woke it; default 5 s. */
  pollMs?: number;
  /** How long a claimed job is held before it is taken for abandoned; default 5 min, renewed while it runs. */
  leaseMs?: number;
  /** Default runs per job before it is given up; default 8. */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one; default 30 s. */
  retryDelayMs?: number;
  /** Longest delay between retries; default 1 h. */
  maxRetryDelayMs?: number;
  /** Sees each failed run (after it is recorded); `final` when no retry follows. */
  onError?: (error: unknown, job: JobContext, final: boolean) => void;
  /** Names this worker in `locked_by` (default host and process id). */
  workerId?: string;
}

export interface JobQueue {
  /** The handler for one kind; a worker claims only the kinds it has handlers for. */
  register<P>(kind: string, handler: JobHandler<P>): void;
  /**
   * Adds a job inside `q` (the caller's transaction, or the database). Resolves to the job's id,
   * or undefined when a pending or running job already has its key.
   */
  enqueue(q: Queryable, job: NewJob): Promise<string | undefined>;
  /**
   * Cancels pending jobs: the one with this key, or, for an argument ending in `*`, every one
   * whose key starts with what precedes it. A job already running finishes. Resolves to the count.
   */
  cancel(q: Queryable, keyOrPrefix: string): Promise<number>;
  /** Starts the background worker: LISTEN for new jobs and poll every pollMs. */
  start(): Promise<void>;
  /**
   * Runs every job due by the clock, after any round already under way, and resolves when they
   * have run (tests call it after moving the clock). Resolves to the number of runs.
   */
  runDue(): Promise<number>;
  /** Stops the worker and waits for the jobs it is running. */
  close(): Promise<void>;
}

interface ClaimedRow {
  id: string;
  kind: string;
  payload: unknown;
  key: string | null;
  attempts: number;
  max_attempts: number;
}

/** Finished jobs are kept this long for inspection, then deleted. */
const KEEP_FINISHED_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 10;
  const pollMs = options.pollMs ?? 5000;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const defaultMaxAttempts = options.maxAttempts ?? 8;
  const retryDelayMs = options.retryDelayMs ?? 30_000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 3600_000;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const handlers = new Map<string, JobHandler<unknown>>();
  const at = (ms: number): string => new Date(now().getTime() + ms).toISOString();

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  // Rounds run one after another; `queued` is a round waiting for the current one, which any
  // further wake-up shares instead of queueing another.
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<number> | undefined;
  let prunedAt = 0;

  const claim = async (): Promise<{ lease: string; rows: ClaimedRow[] }> => {
    const lease = randomUUID();
    const r = await db.query<ClaimedRow>(
      `WITH due AS (
         SELECT id FROM jobs
         WHERE status IN ('pending', 'running') AND coalesce(locked_until, run_at) <= $1 AND kind = ANY($2::text[])
         ORDER BY coalesce(locked_until, run_at), id
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, locked_until = $4, lease = $5, locked_by = $6
       FROM due WHERE j.id = due.id
       RETURNING j.id, j.kind, j.payload, j.key, j.attempts, j.max_attempts`,
      [now().toISOString(), [...handlers.keys()], batchSize, at(leaseMs), lease, workerId],
    );
    return { lease, rows: r.rows };
  };

  const finish = async (row: ClaimedRow, lease: string, error?: unknown): Promise<void> => {
    if (error === undefined) {
      await db.query(
        `UPDATE jobs SET status = 'done', finished_at = $3, locked_until = NULL, lease = NULL WHERE id = $1 AND lease = $2`,
        [row.id, lease, now().toISOString()],
      );
      return;
    }
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const final = row.attempts >= row.max_attempts;
    if (final) {
      await db.query(
        `UPDATE jobs SET status = 'failed', finished_at = $3, last_error = $4, locked_until = NULL, lease = NULL WHERE id = $1 AND lease = $2`,
        [row.id, lease, now().toISOString(), message],
      );
    } else {
      const delay = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (row.attempts - 1));
      await db.query(
        `UPDATE jobs SET status = 'pending', run_at = $3, last_error = $4, locked_until = NULL, lease = NULL, locked_by = NULL
         WHERE id = $1 AND lease = $2`,
        [row.id, lease, at(delay), message],
      );
    }
    options.onError?.(error, context(row), final);
  };

  const runOne = async (row: ClaimedRow, lease: string): Promise<void> => {
    // Claimed once more than allowed: its last run's worker died (the lease ran out) mid-run.
    if (row.attempts > row.max_attempts) {
      await finish({ ...row, attempts: row.max_attempts }, lease, new Error(`The worker running attempt ${row.max_attempts} stopped before it finished`));
      return;
    }
    let error: unknown;
    try {
      await handlers.get(row.kind)!(row.payload, context(row));
    } catch (e) {
      // A handler may throw anything, even undefined; the run failed all the same.
      error = e ?? new Error('The handler failed without saying why');
    }
    await finish(row, lease, error);
  };

  /** Claims and runs batches until nothing is due. */
  const round = async (): Promise<number> => {
    let ran = 0;
    while (!closed && handlers.size > 0) {
      const { lease, rows } = await claim();
      if (rows.length === 0) break;
      // Jobs that outlive a lease keep theirs, so no other node takes them over mid-run.
      const heartbeat = setInterval(() => {
        db.query(`UPDATE jobs SET locked_until = $1 WHERE lease = $2 AND status = 'running'`, [at(leaseMs), lease]).catch(() => undefined);
      }, Math.max(1000, leaseMs / 3));
      try {
        await Promise.all(rows.map((row) => runOne(row, lease)));
      } finally {
        clearInterval(heartbeat);
      }
      ran += rows.length;
    }
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      await db.query(`DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < $1`, [at(-KEEP_FINISHED_MS)]);
    }
    return ran;
  };

  const runDue = (): Promise<number> => {
    if (closed) return Promise.resolve(0);
    if (queued) return queued;
    const next = tail.then(() => {
      queued = undefined;
      return round();
    });
    queued = next;
    tail = next.catch(() => undefined);
    return next;
  };

  const wake = (): void => {
    // A failed round (the database briefly away) is tried again at the next poll.
    runDue().catch((e: unknown) => {
      if (!closed) console.error('Job worker round failed:', e);
    });
  };

  return {
    register(kind, handler) {
      handlers.set(kind, handler as JobHandler<unknown>);
    },
    async enqueue(q, job) {
      const r = await q.query<{ id: string }>(
        `INSERT INTO jobs (kind, payload, key, run_at, max_attempts) VALUES ($1, $2::jsonb, $3, $4, $5)
         ON CONFLICT (key) WHERE status IN ('pending', 'running') DO NOTHING RETURNING id`,
        [job.kind, JSON.stringify(job.payload), job.key ?? null, (job.runAt ?? now()).toISOString(), job.maxAttempts ?? defaultMaxAttempts],
      );
      // Sent at commit, and only if the caller's transaction commits.
      if (r.rows[0]) await q.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, job.kind]);
      return r.rows[0]?.id;
    },
    async cancel(q, keyOrPrefix) {
      const prefix = keyOrPrefix.endsWith('*');
      const pattern = prefix ? `${keyOrPrefix.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%` : keyOrPrefix;
      const r = await q.query(
        `UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE status = 'pending' AND ${prefix ? 'key LIKE $1' : 'key = $1'}`,
        [pattern, now().toISOString()],
      );
      return r.rowCount;
    },
    async start() {
      if (closed || timer) return;
      unlisten = await db.listen(JOBS_CHANNEL, wake);
      timer = setInterval(wake, pollMs);
      timer.unref();
      wake();
    },
    runDue,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await unlisten?.();
      await tail;
    },
  };
}

function context(row: ClaimedRow): JobContext {
  return { id: row.id, kind: row.kind, ...(row.key === null ? {} : { key: row.key }), attempt: row.attempts, maxAttempts: row.max_attempts };
}
