-- Video-visit signals between app nodes travel by NOTIFY, whose payload PostgreSQL limits to
-- 8000 bytes; a session description can come close. Those larger ones wait here, the NOTIFY
-- carrying only their id, and are deleted within minutes: the rows are in flight, not records.
CREATE TABLE telehealth_signals (
  id bigserial PRIMARY KEY,
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX telehealth_signals_created ON telehealth_signals (created_at);
