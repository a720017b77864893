-- The OAuth 2 / OpenID Connect / SMART authorization server. Secrets handed to clients (client
-- secrets, codes, refresh tokens) are kept only as SHA-256 hashes: they are 256 random bits, so a
-- fast hash suffices and a database reader cannot use them.

CREATE TABLE oauth_clients (
  id text PRIMARY KEY,
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('public', 'confidential')),
  token_endpoint_auth_method text NOT NULL
    CHECK (token_endpoint_auth_method IN ('none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt')),
  secret_hash text,
  -- private_key_jwt: the client's public keys, inline or at a URL it serves.
  jwks jsonb,
  jwks_uri text,
  redirect_uris text[] NOT NULL DEFAULT '{}',
  -- Browser origins allowed by CORS besides those of the redirect URIs.
  origins text[] NOT NULL DEFAULT '{}',
  -- The scopes the client may be granted, space-separated.
  scope text NOT NULL,
  grant_types text[] NOT NULL,
  -- Account id of the registering administrator, 'cli', or null for open registration.
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((type = 'public') = (token_endpoint_auth_method = 'none')),
  CHECK (token_endpoint_auth_method <> 'private_key_jwt' OR jwks IS NOT NULL OR jwks_uri IS NOT NULL),
  CHECK (token_endpoint_auth_method NOT IN ('client_secret_basic', 'client_secret_post') OR secret_hash IS NOT NULL)
);

-- Token signing keys. The newest signs; older ones stay published until every token they signed
-- has expired. The private key is a JWK, sealed with the server's content encryption key.
CREATE TABLE oauth_signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_key text NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX oauth_signing_keys_created ON oauth_signing_keys (created_at);

-- An authorization request between /oauth/authorize and the code: bound to the browser that
-- started it (hash of a cookie) and to its forms (csrf).
CREATE TABLE oauth_authorize_requests (
  id text PRIMARY KEY,
  browser_hash text NOT NULL,
  csrf text NOT NULL,
  client_id text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  -- Whether the request named its redirect_uri (the token request must then repeat it).
  redirect_uri_given boolean NOT NULL,
  scope text NOT NULL,
  state text NOT NULL,
  code_challenge text NOT NULL,
  nonce text,
  -- The patient picked, and by whom: a different person signing in part-way must pick again.
  patient text,
  patient_picked_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE INDEX oauth_authorize_requests_expires ON oauth_authorize_requests (expires_at);

-- One grant (grant_id) is what a person approved: its code, and the refresh-token family and
-- access tokens that come from it, are revoked together.
CREATE TABLE oauth_codes (
  code_hash text PRIMARY KEY,
  grant_id text NOT NULL,
  client_id text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  redirect_uri text,
  code_challenge text NOT NULL,
  scope text NOT NULL,
  account_id text NOT NULL,
  session_id text,
  session_expires_at timestamptz,
  patient text,
  fhir_user text,
  nonce text,
  auth_time timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

CREATE TABLE oauth_refresh_tokens (
  token_hash text PRIMARY KEY,
  grant_id text NOT NULL,
  rotated_from text,
  client_id text NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  account_id text NOT NULL,
  scope text NOT NULL,
  patient text,
  fhir_user text,
  -- online_access: the browser session the grant lives and dies with.
  session_id text,
  auth_time timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz
);

CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);

CREATE INDEX oauth_refresh_tokens_session ON oauth_refresh_tokens (session_id) WHERE session_id IS NOT NULL;

CREATE INDEX oauth_refresh_tokens_account ON oauth_refresh_tokens (account_id);

CREATE INDEX oauth_refresh_tokens_expires ON oauth_refresh_tokens (expires_at);

-- Revoked access-token ids, grants and browser sessions, until the last access token they could
-- cover has expired. Every instance mirrors the recent rows in memory (by revoked_at).
CREATE TABLE oauth_revocations (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('token', 'grant', 'session')),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX oauth_revocations_revoked ON oauth_revocations (revoked_at);

CREATE INDEX oauth_revocations_expires ON oauth_revocations (expires_at);

-- Client assertion ids (private_key_jwt) seen until they expire, so none is accepted twice.
CREATE TABLE oauth_assertion_jtis (
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);

CREATE INDEX oauth_assertion_jtis_expires ON oauth_assertion_jtis (expires_at);
