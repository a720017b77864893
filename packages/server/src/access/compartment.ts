import type { Queryable } from '../db/db.js';
import { patientCompartmentParams } from '../fhir/definitions.js';

/**
 * Copies the patient CompartmentDefinition into the database, where access filters join it to
 * the reference index. Idempotent; every instance runs it at start, so new definitions arrive
 * with new code.
 */
export async function syncPatientCompartment(db: Queryable): Promise<void> {
  const types: string[] = [];
  const codes: string[] = [];
  for (const [type, params] of patientCompartmentParams()) {
    for (const code of params) {
      types.push(type);
      codes.push(code);
    }
  }
  await db.query(
    `INSERT INTO patient_compartment (res_type, code) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT DO NOTHING`,
    [types, codes],
  );
}
