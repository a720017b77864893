-- FHIR resources: the current version of each, plus every version in the history.
-- `rid` never changes for a resource; it is the tie-breaker that keeps search paging stable.
CREATE SEQUENCE resource_rid_seq;
CREATE SEQUENCE history_seq;

CREATE TABLE resources (
  res_type text NOT NULL,
  id text NOT NULL,
  rid bigint NOT NULL DEFAULT nextval('resource_rid_seq'),
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content text NOT NULL,
  PRIMARY KEY (res_type, id)
);
CREATE UNIQUE INDEX resources_rid ON resources (rid);
CREATE INDEX resources_type_updated ON resources (res_type, last_updated);

CREATE TABLE resource_history (
  res_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  seq bigint NOT NULL DEFAULT nextval('history_seq'),
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL,
  method text NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (res_type, id, version_id)
);
CREATE INDEX resource_history_updated ON resource_history (last_updated, seq);
CREATE INDEX resource_history_type_updated ON resource_history (res_type, last_updated, seq);

-- Search index: one table per search-parameter type, rows extracted with the official R4
-- SearchParameter expressions. `grp` ties together the components of one composite value.
CREATE TABLE sp_string (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  value text NOT NULL, exact text NOT NULL
);
CREATE INDEX sp_string_lookup ON sp_string (res_type, code, value text_pattern_ops);
CREATE INDEX sp_string_res ON sp_string (res_id);

CREATE TABLE sp_token (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  system text, value text, text text
);
CREATE INDEX sp_token_lookup ON sp_token (res_type, code, value, system);
CREATE INDEX sp_token_res ON sp_token (res_id);

CREATE TABLE sp_reference (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  ref text, target_type text, target_id text, identifier_system text, identifier_value text
);
CREATE INDEX sp_reference_lookup ON sp_reference (res_type, code, ref);
CREATE INDEX sp_reference_target ON sp_reference (target_id, target_type);
CREATE INDEX sp_reference_res ON sp_reference (res_id);

CREATE TABLE sp_date (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  low timestamptz NOT NULL, high timestamptz NOT NULL
);
CREATE INDEX sp_date_lookup ON sp_date (res_type, code, low, high);
CREATE INDEX sp_date_res ON sp_date (res_id);

CREATE TABLE sp_number (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  value numeric NOT NULL, low numeric NOT NULL, high numeric NOT NULL
);
CREATE INDEX sp_number_lookup ON sp_number (res_type, code, value);
CREATE INDEX sp_number_res ON sp_number (res_id);

CREATE TABLE sp_quantity (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  value numeric NOT NULL, low numeric NOT NULL, high numeric NOT NULL, system text, unit text
);
CREATE INDEX sp_quantity_lookup ON sp_quantity (res_type, code, value);
CREATE INDEX sp_quantity_res ON sp_quantity (res_id);

CREATE TABLE sp_uri (
  res_type text NOT NULL, res_id text NOT NULL, code text NOT NULL, grp integer,
  value text NOT NULL
);
CREATE INDEX sp_uri_lookup ON sp_uri (res_type, code, value text_pattern_ops);
CREATE INDEX sp_uri_res ON sp_uri (res_id);

-- Transactions may reference a resource of another bundle by the urn:uuid it was created with,
-- which becomes its id; this finds it without knowing its type.
CREATE INDEX resources_id ON resources (id);
