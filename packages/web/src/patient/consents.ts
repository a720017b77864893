import type { Consent, ConsentProvision, Organization, Patient, Practitioner, Reference, RelatedPerson } from '@medplum/fhirtypes';
import { referenceKey } from '../record/use-patient-record.js';

/**
 * A patient's sharing choices as FHIR Consent resources, in the one shape the server turns into
 * access rules (see the consent_rules trigger): an active privacy Consent whose base provision
 * is the opposite of its single nested provision, which names the actor (a Practitioner or an
 * Organization), optionally the resource types it covers (class) and an end (period.end).
 */

const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';

/** Kinds of data a patient can choose from, in their words, and the resource types behind each. */
export const DATA_GROUPS = [
  { id: 'results', label: 'Results and measurements', types: ['Observation', 'DiagnosticReport'] },
  { id: 'problems', label: 'Problems and diagnoses', types: ['Condition'] },
  { id: 'medicines', label: 'Medicines and prescriptions', types: ['MedicationRequest', 'MedicationStatement', 'MedicationDispense', 'MedicationAdministration'] },
  { id: 'allergies', label: 'Allergies', types: ['AllergyIntolerance'] },
  { id: 'vaccinations', label: 'Vaccinations', types: ['Immunization'] },
  { id: 'visits', label: 'Visits and appointments', types: ['Encounter', 'Appointment'] },
  { id: 'notes', label: 'Notes and documents', types: ['DocumentReference', 'Composition', 'ClinicalImpression'] },
  { id: 'care', label: 'Procedures, referrals and care plans', types: ['Procedure', 'ServiceRequest', 'CarePlan'] },
] as const;

export type DataGroupId = (typeof DATA_GROUPS)[number]['id'];

export interface SharingChoice {
  effect: 'permit' | 'deny';
  /** `Practitioner/x` or `Organization/y`, with its name as display. */
  actor: Reference<Practitioner | Organization>;
  /** Only these kinds of data; all of the record when absent. */
  groups?: DataGroupId[];
  /** Last day the choice applies (YYYY-MM-DD), when it should end by itself. */
  until?: string;
}

/** One rule a Consent makes: who, permitted or refused, which types (none = everything), until when. */
export interface ConsentRule {
  effect: 'permit' | 'deny';
  actor: Reference;
  types: string[];
  end?: string;
}

/**
 * The Consent recording `choice` for Patient/`patientId`. Permitting some kinds of data also
 * permits the Patient resource itself: without it the clinician could not open the record to
 * find the rest. `performer` is who made the choice (the patient, or a caregiver for them).
 */
export function buildConsent(patientId: string, choice: SharingChoice, performer: Reference<Patient | RelatedPerson> | undefined, now: Date = new Date()): Consent {
  const types: string[] = choice.groups?.length ? DATA_GROUPS.filter((g) => choice.groups!.includes(g.id)).flatMap((g) => [...g.types]) : [];
  if (types.length && choice.effect === 'permit') types.unshift('Patient');
  const provision: ConsentProvision = {
    type: choice.effect,
    actor: [{ role: { coding: [{ system: PARTICIPATION, code: 'PRCP', display: 'primary information recipient' }] }, reference: choice.actor }],
    ...(types.length ? { class: types.map((code) => ({ system: RESOURCE_TYPES, code })) } : {}),
    ...(choice.until ? { period: { end: endOfDay(choice.until) } } : {}),
  };
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: now.toISOString(),
    ...(performer ? { performer: [performer] } : {}),
    // Opt-in: nothing shared but what the nested provision permits; opt-out: everything else stays as it was.
    policyRule: { coding: [{ system: ACT_CODE, code: choice.effect === 'permit' ? 'OPTIN' : 'OPTOUT' }] },
    provision: { type: choice.effect === 'permit' ? 'deny' : 'permit', provision: [provision] },
  };
}

/** The last moment of a calendar day where the person is, as an instant. */
function endOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 23, 59, 59).toISOString();
}

/** The rules a Consent makes, read the way the server reads them (nested provisions take the base's type when they have none). */
export function consentRules(consent: Consent): ConsentRule[] {
  const base = consent.provision;
  if (!base) return [];
  const baseType = base.type ?? 'permit';
  const rules: ConsentRule[] = [];
  for (const p of [...(base.provision ?? []), base]) {
    const end = p.period?.end ?? base.period?.end;
    for (const a of p.actor ?? []) {
      if (!referenceKey(a.reference)) continue;
      rules.push({
        effect: p.type ?? baseType,
        actor: a.reference,
        types: (p.class ?? []).map((c) => c.code).filter((c): c is string => !!c),
        ...(end ? { end } : {}),
      });
    }
  }
  return rules;
}

/** Whether a consent is in force now: active, and not past the end of all its rules. */
export function inForce(consent: Consent, now: Date = new Date()): boolean {
  if (consent.status !== 'active') return false;
  const rules = consentRules(consent);
  return rules.length > 0 && rules.some((r) => !r.end || Date.parse(r.end) > now.getTime());
}

function joinWords(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "their whole record", or the kinds of data the types make up ("results and measurements and allergies"). */
export function typesInWords(types: readonly string[], whose = 'your'): string {
  const meaningful = types.filter((t) => t !== 'Patient');
  if (meaningful.length === 0) return types.includes('Patient') ? `${whose} name and personal details` : `${whose} whole record`;
  const groups = DATA_GROUPS.filter((g) => g.types.some((t) => meaningful.includes(t))).map((g) => g.label.toLowerCase());
  const loose = meaningful.filter((t) => !DATA_GROUPS.some((g) => (g.types as readonly string[]).includes(t))).map((t) => t.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  return `${whose} ${joinWords([...groups, ...loose])}`;
}

/** A rule as a sentence: "Dr. Priya Raman can see your results and measurements." */
export function describeRule(rule: ConsentRule, actorName: string, whose = 'your'): string {
  const who = actorName || 'This clinician or organization';
  return rule.effect === 'permit' ? `${who} can see ${typesInWords(rule.types, whose)}.` : `${who} cannot see ${typesInWords(rule.types, whose)}.`;
}
