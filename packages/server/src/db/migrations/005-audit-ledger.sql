-- The audit ledger: one FHIR AuditEvent (JSON text, kept byte for byte because its seal covers
-- the exact text) per row, each sealed with an HMAC over its seq, the previous row's seal and the
-- entry, so that the rows form a chain that the key holder can check (src/audit/chain.ts).
-- recorded, subtype, account_id and patient_ids repeat what the entry says, for the indexes, and
-- verification checks that they still do.
--
-- Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE even for the table owner,
-- short of disabling triggers (ALTER TABLE ... DISABLE TRIGGER, session_replication_role), which
-- needs ownership or superuser. Production should therefore run the application as a role that
-- does not own these tables and holds only:
--   GRANT SELECT, INSERT ON audit_ledger, audit_checkpoints TO salus_app
--   GRANT SELECT, UPDATE ON audit_head TO salus_app
-- so that only the owner (migrations) could ever switch the triggers off, and verification
-- (salus audit verify) reports whatever was changed behind them.
CREATE TABLE audit_ledger (
  seq bigint PRIMARY KEY,
  recorded timestamptz NOT NULL,
  subtype text NOT NULL,
  account_id text,
  patient_ids text[] NOT NULL DEFAULT '{}',
  entry text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

-- Each patient's access log: entries whose patient_ids overlap the patient's ids. Without
-- fastupdate: under a steady stream of appends the pending list it keeps would always be full,
-- and every access-log query would scan it (milliseconds instead of a tenth of one), for no
-- measurable gain in append speed.
CREATE INDEX audit_ledger_patients ON audit_ledger USING gin (patient_ids) WITH (fastupdate = off);

-- An account's activity, newest first.
CREATE INDEX audit_ledger_account ON audit_ledger (account_id, seq) WHERE account_id IS NOT NULL;

-- Rare kinds of event an administrator looks for (break-glass, failed sign-ins) among many reads.
CREATE INDEX audit_ledger_subtype ON audit_ledger (subtype, seq);

-- The end of the chain. Appenders lock this one row, which serializes them across server
-- instances. seal is an HMAC over (seq, hash): whoever deletes the tail of the ledger cannot
-- move the head back to a matching earlier state without the key. Empty until the first entry.
CREATE TABLE audit_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL,
  seal text NOT NULL
);

INSERT INTO audit_head (id, seq, hash, seal) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '');

-- Sealed copies of the head taken from time to time: truncating the ledger behind the latest
-- one is detected even if the head row is rolled back to a state saved earlier.
CREATE TABLE audit_checkpoints (
  seq bigint PRIMARY KEY,
  hash text NOT NULL,
  created timestamptz NOT NULL,
  seal text NOT NULL
);

-- One line: migrations are split at semicolons that end a line.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END $$;

CREATE TRIGGER audit_ledger_append_only BEFORE UPDATE OR DELETE ON audit_ledger FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_ledger_no_truncate BEFORE TRUNCATE ON audit_ledger FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The head only moves forward.
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head FOR EACH ROW WHEN (NEW.seq <= OLD.seq) EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
