import { patientCompartmentParams } from '../fhir/definitions.js';
import { scopeAllows } from '../auth/oauth/scopes.js';
import type { Principal, Role } from './principal.js';

/** The SMART interaction letters: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

/**
 * Shared reference data anyone signed in may read: who works where, what can be booked, what a
 * medicine is, the terminology and the knowledge artifacts. None of it is about a patient.
 */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  'Organization', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint',
  'Schedule', 'Slot', 'Medication', 'MedicationKnowledge', 'Substance', 'InsurancePlan',
  'ValueSet', 'CodeSystem', 'ConceptMap', 'NamingSystem', 'Questionnaire', 'PlanDefinition',
  'ActivityDefinition', 'Library', 'Measure', 'ObservationDefinition', 'SpecimenDefinition',
  'DeviceDefinition', 'StructureDefinition', 'SearchParameter', 'OperationDefinition',
  'CapabilityStatement', 'CompartmentDefinition', 'ResearchStudy',
]);

/** Directory entries clinicians maintain themselves: their own availability (scheduling/schedule-rules.ts keeps it their own). */
const CLINICIAN_DIRECTORY_WRITES: ReadonlySet<string> = new Set(['Schedule', 'Slot']);

/**
 * What patients (and caregivers for their wards) may write in their own record: their details,
 * consents, readings from home, questionnaires, messages and documents they share. Diagnoses,
 * orders and results stay the clinicians' to write. Bookings go through Appointment/$book,
 * $reschedule and $cancel, which hold the slot with the appointment, never a plain write.
 */
const PATIENT_WRITES: Readonly<Record<string, ReadonlySet<Interaction>>> = {
  Patient: new Set(['u']),
  Consent: new Set(['c', 'u', 'd']),
  // Readings from home are added, never edited: results a clinician recorded stay as recorded.
  Observation: new Set(['c']),
  QuestionnaireResponse: new Set(['c', 'u']),
  Communication: new Set(['c']),
  CommunicationRequest: new Set(['c']),
  DocumentReference: new Set(['c']),
  Goal: new Set(['c', 'u']),
  MedicationStatement: new Set(['c', 'u']),
  // Their own home devices: connected and disconnected by them (monitoring/devices.ts).
  Device: new Set(['c', 'u']),
};

/** What a pharmacy needs for the prescriptions sent to it: who, what, allergies, cover. */
const PHARMACY_READS: ReadonlySet<string> = new Set([
  'Patient', 'MedicationRequest', 'MedicationDispense', 'MedicationStatement', 'AllergyIntolerance', 'Coverage', 'Condition',
]);
const PHARMACY_WRITES: ReadonlySet<string> = new Set(['MedicationDispense']);

/** Writing these is prescribing, which only verified clinicians may do. */
const PRESCRIBING_TYPES: ReadonlySet<string> = new Set(['MedicationRequest']);

/** One way a principal reaches rows of a type; a decision is the union of its grants. */
export type Grant =
  /** Every row (Backend Services clients, directory data). */
  | { kind: 'all' }
  /** The compartments of these patients: one's own record, one's wards. */
  | { kind: 'patients'; ids: string[] }
  /** Patients of the clinician's organizations and care teams, or who permitted them; their refusals honoured. */
  | { kind: 'care'; actorRefs: string[] }
  /** Patients the clinician took emergency access to, while it lasts (overrides refusals). */
  | { kind: 'emergency'; accountId: string }
  /** Patients with prescriptions sent to these pharmacies; their refusals honoured. */
  | { kind: 'pharmacy'; orgRefs: string[]; actorRefs: string[] };

export interface Decision {
  grants: Grant[];
  /** Only counts may be returned (aggregated data for public health and research). */
  countOnly: boolean;
  /** SMART `patient/` scopes: whatever the grants, only this patient's compartment. */
  narrowTo?: string;
  /** Why nothing is granted, for the error and the audit ledger. */
  reason?: string;
}

export type TypeClass = 'directory' | 'compartment' | 'other';

export function typeClass(type: string): TypeClass {
  if (DIRECTORY_TYPES.has(type)) return 'directory';
  if (type === 'Patient' || patientCompartmentParams().has(type)) return 'compartment';
  return 'other';
}

function denied(reason: string): Decision {
  return { grants: [], countOnly: false, reason };
}

export function isDenied(d: Decision): boolean {
  return d.grants.length === 0 && !d.countOnly;
}

/** The references that stand for this person in consents and care relationships. */
function actorRefs(p: Principal): string[] {
  const refs = p.organizationIds.map((o) => `Organization/${o}`);
  if (p.fhirUser) refs.unshift(p.fhirUser);
  return refs;
}

/** What one role grants on a type for an interaction, before scopes narrow it. */
function roleGrants(p: Principal, role: Role, type: string, i: Interaction, cls: TypeClass): Grant[] | string {
  const read = i === 'r' || i === 's';
  if (cls === 'directory') {
    if (read) return [{ kind: 'all' }];
    if (role === 'admin') return [{ kind: 'all' }];
    if (role === 'practitioner' && CLINICIAN_DIRECTORY_WRITES.has(type)) return [{ kind: 'all' }];
    return `${role} may not change ${type} directory entries`;
  }
  if (cls === 'other') return `${type} is not available to ${role} accounts`;
  switch (role) {
    case 'patient':
    case 'caregiver':
      if (!read && !PATIENT_WRITES[type]?.has(i)) return `patients may not ${verb(i)} ${type} resources`;
      return p.patientIds.length > 0 ? [{ kind: 'patients', ids: p.patientIds }] : 'the account is not linked to a patient record';
    case 'practitioner':
      if (PRESCRIBING_TYPES.has(type) && !read && !p.verified) return 'prescribing needs a licence verified by an administrator';
      return [
        { kind: 'care', actorRefs: actorRefs(p) },
        ...(p.accountId ? [{ kind: 'emergency' as const, accountId: p.accountId }] : []),
      ];
    case 'pharmacist':
      if (read ? !PHARMACY_READS.has(type) : !PHARMACY_WRITES.has(type)) return `pharmacists may not ${verb(i)} ${type} resources`;
      return [{ kind: 'pharmacy', orgRefs: p.organizationIds.map((o) => `Organization/${o}`), actorRefs: actorRefs(p) }];
    case 'public-health':
    case 'researcher':
    case 'admin':
      return `${role} accounts do not see individual patients' records`;
  }
}

function verb(i: Interaction): string {
  return { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' }[i];
}

/**
 * The one access decision: what `principal` may reach of `type` for interaction `i`, as grants the
 * database turns into row filters. Roles add up; SMART scopes of a token then narrow the result.
 */
export function decide(p: Principal, type: string, i: Interaction): Decision {
  const cls = typeClass(type);
  let narrowTo: string | undefined;
  if (p.scopes) {
    if (p.kind === 'client' && !p.accountId) {
      // Backend Services: the client acts for its organization with system scopes only.
      return scopeAllows(p.scopes, type, i, 'system') ? { grants: [{ kind: 'all' }], countOnly: false } : denied(`the token's scopes do not allow ${verb(i)} on ${type}`);
    }
    if (!scopeAllows(p.scopes, type, i, 'user')) {
      if (!scopeAllows(p.scopes, type, i, 'patient')) return denied(`the token's scopes do not allow ${verb(i)} on ${type}`);
      if (!p.launchPatient) return denied('patient scopes need a patient in context (launch/patient)');
      if (cls === 'other') return denied(`${type} is not in a patient's record`);
      if (cls === 'compartment') narrowTo = p.launchPatient;
    }
  }
  const grants: Grant[] = [];
  const reasons: string[] = [];
  let countOnly = false;
  for (const role of p.roles) {
    if ((role === 'public-health' || role === 'researcher') && cls === 'compartment' && i === 's') {
      countOnly = true;
      continue;
    }
    const g = roleGrants(p, role, type, i, cls);
    if (typeof g === 'string') reasons.push(g);
    else grants.push(...g);
  }
  if (grants.length === 0 && !countOnly) return denied(reasons[0] ?? 'the account has no role');
  const d: Decision = grants.some((g) => g.kind === 'all') ? { grants: [{ kind: 'all' }], countOnly: false } : { grants, countOnly: countOnly && grants.length === 0 };
  if (narrowTo) d.narrowTo = narrowTo;
  return d;
}
