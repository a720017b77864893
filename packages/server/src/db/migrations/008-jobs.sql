-- Work done later or away from the request (reminders, notices): a table-based queue, because it
-- must run on the embedded engine too and because a job must be written in the same transaction
-- as the change that asks for it (a reminder exists if and only if its booking committed).
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  -- Names the job for idempotent enqueueing and for cancellation by key or key prefix.
  key text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  -- When a pending job is next due (first run or retry).
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL CHECK (max_attempts > 0),
  -- A running job's lease: past this time its worker is taken for dead and the job is claimable again.
  locked_until timestamptz,
  -- A fresh token per claim, so a worker whose lease ran out cannot record the outcome of a run
  -- that another worker has taken over.
  lease text,
  locked_by text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

-- What the workers poll: pending jobs by run_at, running ones by lease expiry.
CREATE INDEX jobs_due ON jobs ((coalesce(locked_until, run_at))) WHERE status IN ('pending', 'running');

-- One live job per key: enqueueing the same key again is a no-op.
CREATE UNIQUE INDEX jobs_live_key ON jobs (key) WHERE status IN ('pending', 'running');

-- Cancellation by key prefix (LIKE 'prefix%' needs the pattern operator class).
CREATE INDEX jobs_pending_key ON jobs (key text_pattern_ops) WHERE status = 'pending';

CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed', 'cancelled');

-- The outbox shows attachments (calendar invitations) as the SMTP transport would send them.
ALTER TABLE outbox ADD COLUMN attachments jsonb;

-- Web Push subscriptions of each account's browsers and devices. The endpoint identifies a
-- browser profile, so a device re-subscribed by another person moves to their account.
CREATE TABLE push_subscriptions (
  endpoint text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);
