-- Remote monitoring.

-- A device's credentials. The token a device sends is `sdt_<token_id>_<secret>`; only a hash of
-- the secret is kept, so a copy of the database does not let anyone send readings. A revoked
-- token stays for the record of who could send what, when.
CREATE TABLE device_tokens (
  token_id text PRIMARY KEY,
  device_id text NOT NULL,
  patient_id text NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  revoked_at timestamptz,
  last_seen timestamptz
);
CREATE INDEX device_tokens_device ON device_tokens (device_id);

-- Codes a patient reads out or types into a device's app to connect it to their record. Hashed
-- like passwords would be, short-lived and single-use.
CREATE TABLE device_pairing_codes (
  code_hash bytea PRIMARY KEY,
  patient_id text NOT NULL,
  created_by text,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  device_id text
);
CREATE INDEX device_pairing_codes_expiry ON device_pairing_codes (expires_at);

-- The time series of readings from home. Wearables send thousands a day per person, more than
-- one FHIR Observation (resource, history and a dozen index rows) each could keep up with; the
-- readings a clinical decision rests on (an alert, a NEWS2 score) are also written as FHIR
-- Observations with the same id. The id is derived from (device, kind, time), so a reading sent
-- twice is stored once.
CREATE TABLE device_readings (
  id uuid PRIMARY KEY,
  patient_id text NOT NULL,
  device_id text NOT NULL,
  kind text NOT NULL,
  effective timestamptz NOT NULL,
  value double precision NOT NULL,
  value2 double precision,
  sampled jsonb,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_readings_series ON device_readings (patient_id, kind, effective);

-- Who is monitored, on which plan (a projection of their monitoring CarePlan, kept with it in
-- one transaction), and the latest figures the dashboard sorts by.
CREATE TABLE monitoring_patients (
  patient_id text PRIMARY KEY,
  care_plan_id text NOT NULL,
  plan jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  last_reading_at timestamptz,
  news2 jsonb,
  news2_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Alerts: each is a FHIR Task (the record); this row is its index for what must be fast or
-- atomic: at most one unresolved alert per patient and rule, escalation, the dashboard.
CREATE TABLE monitoring_alerts (
  task_id text PRIMARY KEY,
  patient_id text NOT NULL,
  rule_key text NOT NULL,
  severity text NOT NULL,
  status text NOT NULL,
  opened_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  resolved_at timestamptz,
  escalated_at timestamptz
);
CREATE UNIQUE INDEX monitoring_alerts_unresolved ON monitoring_alerts (patient_id, rule_key) WHERE status <> 'resolved';
CREATE INDEX monitoring_alerts_patient ON monitoring_alerts (patient_id, opened_at DESC);
