-- People who sign in, what they may act as, and everything sign-in needs. Account data lives in
-- plain tables; the FHIR resource a person is (Patient, Practitioner, RelatedPerson) is linked by
-- reference.
CREATE TABLE accounts (
  id text PRIMARY KEY,
  -- Stored lower-cased so that uniqueness and look-ups ignore case.
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  display_name text NOT NULL,
  -- Null until the person sets one (an invited account before it is accepted).
  password_hash text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'disabled')),
  fhir_user text,
  email_verified_at timestamptz,
  totp_secret text,
  -- A secret shown during enrolment, promoted to totp_secret once a code from it is confirmed.
  totp_pending_secret text,
  -- The last TOTP time step accepted, so one code cannot be replayed inside its window.
  totp_last_step bigint,
  mfa_enrolled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account_roles (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('patient', 'caregiver', 'practitioner', 'pharmacist', 'public-health', 'researcher', 'admin')),
  -- The organization a staff role is held for; null for patients and caregivers.
  organization_id text,
  -- Licence checked by an administrator of the organization (clinical roles start unverified).
  verified boolean NOT NULL DEFAULT false,
  verified_by text REFERENCES accounts (id) ON DELETE SET NULL,
  verified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX account_roles_unique ON account_roles (account_id, role, coalesce(organization_id, ''));

CREATE INDEX account_roles_organization ON account_roles (organization_id, role);

-- Patients an account acts for: its own record ('self') or a ward's ('proxy', caregivers).
CREATE TABLE account_patients (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  patient_id text NOT NULL,
  relation text NOT NULL CHECK (relation IN ('self', 'proxy')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, patient_id)
);

CREATE INDEX account_patients_patient ON account_patients (patient_id);

-- Links sent by email. Only the SHA-256 of a token is kept, so a database reader cannot use one.
CREATE TABLE one_time_tokens (
  token_hash text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('verify-email', 'reset-password', 'invite')),
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose);

CREATE TABLE recovery_codes (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- False between the password and the second factor.
  complete boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  -- Absolute expiry; the idle limit is applied to last_seen_at when the session is used.
  expires_at timestamptz NOT NULL,
  ip text,
  user_agent text,
  revoked_at timestamptz
);

CREATE INDEX sessions_account ON sessions (account_id);

-- Failed sign-in attempts per email address (known or not, so that lockout reveals nothing about
-- which addresses have accounts) and per client address; shared by every instance.
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- Mail kept in the database when no SMTP server is configured (demo installations show it).
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text,
  created_at timestamptz NOT NULL DEFAULT now()
);
