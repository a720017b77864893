-- Keys the server generates for itself when the operator configures none (demo installations):
-- kept in the database so that every instance serving it uses the same ones.
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
