-- Which reference search parameters place a resource in a patient's compartment (from the R4
-- CompartmentDefinition); refreshed from the definitions at every start.
CREATE TABLE patient_compartment (
  res_type text NOT NULL,
  code text NOT NULL,
  PRIMARY KEY (res_type, code)
);

-- Patients' consent decisions, in the shape access control asks about them: may this actor see
-- this patient's data of this type? Kept in step with the Consent resources by a trigger, so every
-- way a Consent is written (REST, bundles, import) updates them in the same transaction.
CREATE TABLE consent_rules (
  consent_id text NOT NULL,
  patient_id text NOT NULL,
  actor_ref text NOT NULL,
  res_type text,
  effect text NOT NULL CHECK (effect IN ('permit', 'deny')),
  starts timestamptz,
  ends timestamptz
);
CREATE INDEX consent_rules_consent ON consent_rules (consent_id);
CREATE INDEX consent_rules_patient ON consent_rules (patient_id, actor_ref);
CREATE INDEX consent_rules_actor ON consent_rules (actor_ref, effect);

-- Only active privacy consents with a patient and actors make rules. Nested provisions without a
-- type take the base provision's; a provision's classes (resource types) narrow it, none means all data.
CREATE FUNCTION salus_consent_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c jsonb;
  base_type text;
BEGIN
  DELETE FROM consent_rules WHERE consent_id = NEW.id;
  IF NEW.deleted OR NEW.content NOT LIKE '{%' THEN
    RETURN NEW;
  END IF;
  c := NEW.content::jsonb;
  IF c->>'status' IS DISTINCT FROM 'active' OR c->'patient'->>'reference' IS NULL THEN
    RETURN NEW;
  END IF;
  base_type := coalesce(c->'provision'->>'type', 'permit');
  INSERT INTO consent_rules (consent_id, patient_id, actor_ref, res_type, effect, starts, ends)
  SELECT NEW.id,
         substring(c->'patient'->>'reference' from '([^/]+)$'),
         substring(a->'reference'->>'reference' from '([A-Za-z]+/[^/]+)$'),
         cls->>'code',
         coalesce(p->>'type', base_type),
         coalesce(p->'period'->>'start', c->'provision'->'period'->>'start')::timestamptz,
         coalesce(p->'period'->>'end', c->'provision'->'period'->>'end')::timestamptz
  FROM jsonb_array_elements(coalesce(c->'provision'->'provision', '[]'::jsonb) || jsonb_build_array(coalesce(c->'provision', '{}'::jsonb))) p
  CROSS JOIN LATERAL jsonb_array_elements(coalesce(p->'actor', '[]'::jsonb)) a
  LEFT JOIN LATERAL jsonb_array_elements(coalesce(p->'class', '[]'::jsonb)) cls ON true
  WHERE a->'reference'->>'reference' ~ '([A-Za-z]+/[^/]+)$';
  RETURN NEW;
END
$$;

CREATE TRIGGER consent_rules_sync AFTER INSERT OR UPDATE ON resources
  FOR EACH ROW WHEN (NEW.res_type = 'Consent') EXECUTE FUNCTION salus_consent_rules();

UPDATE resources SET res_type = res_type WHERE res_type = 'Consent';

-- Emergency ("break-the-glass") access a clinician took to a patient outside their relationships.
CREATE TABLE break_glass_grants (
  id text PRIMARY KEY,
  account_id text NOT NULL,
  actor_ref text,
  patient_id text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX break_glass_active ON break_glass_grants (account_id, patient_id, expires_at);
CREATE INDEX break_glass_patient ON break_glass_grants (patient_id, created_at);
