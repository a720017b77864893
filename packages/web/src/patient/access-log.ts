import type { AuditEvent, AuditEventAgent } from '@medplum/fhirtypes';
import { referenceKey } from '../record/use-patient-record.js';

/**
 * The server's access log (AuditEvents, as a patient may see them) in plain words: who, when,
 * what they did with which part of the record, and whether it was emergency access.
 */

const ACCOUNT_SYSTEM = 'https://salus.example/fhir/sid/account';
const CLIENT_SYSTEM = 'https://salus.example/fhir/sid/client';
const ROLE_SYSTEM = 'https://salus.example/fhir/CodeSystem/role';
const FLAG_SYSTEM = 'https://salus.example/fhir/CodeSystem/audit-flag';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

export interface AccessEntry {
  id: string;
  when: string;
  /** The person's FHIR resource (`Practitioner/x`), when the entry names one. */
  who?: string;
  accountId?: string;
  roles: string[];
  /** Set when the person acted through an app. */
  app?: string;
  /** "Opened your details", "Looked through 12 results". */
  what: string;
  outcome: 'done' | 'refused' | 'failed';
  /** Done under emergency ("break-the-glass") access, flagged for review. */
  emergency: boolean;
  /** The moment emergency access was taken (the entries after it are what was done with it). */
  tookEmergencyAccess: boolean;
  /** The reason the clinician gave for emergency access. */
  reason?: string;
}

/** Plain words for kinds of data: singular and plural. */
const TYPE_WORDS: Record<string, [string, string]> = {
  Observation: ['result', 'results'],
  DiagnosticReport: ['report', 'reports'],
  Condition: ['problem', 'problems'],
  MedicationRequest: ['prescription', 'prescriptions'],
  MedicationStatement: ['medicine', 'medicines'],
  MedicationDispense: ['dispensed medicine', 'dispensed medicines'],
  AllergyIntolerance: ['allergy', 'allergies'],
  Immunization: ['vaccination', 'vaccinations'],
  Encounter: ['visit', 'visits'],
  Appointment: ['appointment', 'appointments'],
  DocumentReference: ['document', 'documents'],
  Composition: ['document', 'documents'],
  ClinicalImpression: ['assessment', 'assessments'],
  Procedure: ['procedure', 'procedures'],
  CarePlan: ['care plan', 'care plans'],
  CareTeam: ['care team', 'care teams'],
  Consent: ['sharing choice', 'sharing choices'],
  Communication: ['message', 'messages'],
  QuestionnaireResponse: ['questionnaire', 'questionnaires'],
  Coverage: ['insurance detail', 'insurance details'],
  RelatedPerson: ['contact', 'contacts'],
  Goal: ['goal', 'goals'],
  ServiceRequest: ['referral or order', 'referrals and orders'],
};

/** Shared directory data (clinicians, places, medicines) is not about the patient; it is left out of "what". */
const DIRECTORY = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'HealthcareService', 'Medication', 'Endpoint', 'Schedule', 'Slot']);

function typeWords(type: string, n: number): string {
  const words = TYPE_WORDS[type] ?? [type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), `${type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} records`];
  return n === 1 ? `1 ${words[0]}` : `${n} ${words[1]}`;
}

function list(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The parts of the record an entry touched, in words ("12 results and 1 report"). */
function touched(event: AuditEvent, whose: string): { parts: string; patientOnly: boolean } {
  const counts = new Map<string, number>();
  let details = false;
  for (const e of event.entity ?? []) {
    const key = referenceKey(e.what);
    if (!key) continue;
    const type = key.slice(0, key.indexOf('/'));
    const isPatient = e.role?.system === OBJECT_ROLE && e.role.code === '1';
    if (isPatient || type === 'Patient') details = true;
    else if (!DIRECTORY.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([type, n]) => typeWords(type, n));
  if (parts.length === 0) return { parts: details ? `${whose} details` : `${whose} record`, patientOnly: true };
  return { parts: list(parts), patientOnly: false };
}

function describe(event: AuditEvent, whose: string): string {
  const subtype = event.subtype?.[0]?.code ?? '';
  const { parts, patientOnly } = touched(event, whose);
  const record = `${whose} record`;
  switch (subtype) {
    case 'read':
    case 'vread':
      return `Opened ${parts}`;
    case 'search':
    case 'search-type':
    case 'search-system':
      return patientOnly ? `Searched ${record}` : `Looked through ${parts}`;
    case 'history':
    case 'history-instance':
    case 'history-type':
    case 'history-system':
      return `Looked at earlier versions of ${parts}`;
    case 'create':
      return patientOnly ? `Added to ${record}` : `Added ${parts}`;
    case 'update':
    case 'patch':
      return `Changed ${parts}`;
    case 'delete':
      return `Removed ${parts}`;
    case 'operation':
      return patientOnly ? `Opened ${record}` : `Opened ${record}: ${parts}`;
    case 'batch':
    case 'transaction':
      return `Made several changes to ${record}`;
    case 'break-glass':
      return `Took emergency access to ${record}`;
    case 'access-log':
      return `Read who has seen ${record}`;
    case 'export':
      return `Downloaded ${record}`;
    case 'video-join':
      return 'Joined a video visit';
    case 'video-leave':
      return 'Left a video visit';
    default:
      return `${subtype || 'Used'} ${record}`.trim();
  }
}

function requestor(event: AuditEvent): AuditEventAgent | undefined {
  return event.agent.find((a) => a.requestor && a.who?.identifier?.system !== CLIENT_SYSTEM) ?? event.agent.find((a) => a.requestor) ?? event.agent[0];
}

function isEmergency(event: AuditEvent): boolean {
  const flagged = event.meta?.tag?.some((t) => t.system === FLAG_SYSTEM && t.code === 'flagged') ?? false;
  return flagged || event.purposeOfEvent?.some((p) => p.coding?.some((c) => c.code === 'ETREAT')) === true;
}

/** One access-log entry in words. `whose` is "your" for one's own record, "Zoë's" for a ward's. */
export function readAccessEvent(event: AuditEvent, whose = 'your'): AccessEntry {
  const agent = requestor(event);
  const app = event.agent.find((a) => a.who?.identifier?.system === CLIENT_SYSTEM)?.who?.identifier?.value;
  const who = agent?.who?.reference;
  const accountId = agent?.who?.identifier?.system === ACCOUNT_SYSTEM ? agent.who.identifier.value : undefined;
  const emergency = isEmergency(event);
  const reason = event.purposeOfEvent?.find((p) => p.text)?.text?.replace(/^Emergency access:\s*/, '');
  return {
    id: event.id ?? `${event.recorded}`,
    when: event.recorded,
    ...(who ? { who } : {}),
    ...(accountId ? { accountId } : {}),
    roles: (agent?.role ?? []).flatMap((r) => r.coding ?? []).filter((c) => c.system === ROLE_SYSTEM && c.code).map((c) => c.code!),
    ...(app ? { app } : {}),
    what: describe(event, whose),
    outcome: event.outcome === '4' ? 'refused' : event.outcome === '8' || event.outcome === '12' ? 'failed' : 'done',
    emergency,
    tookEmergencyAccess: event.subtype?.[0]?.code === 'break-glass',
    ...(emergency && reason ? { reason } : {}),
  };
}

const ROLE_WORDS: Record<string, string> = {
  practitioner: 'Clinician',
  pharmacist: 'Pharmacist',
  caregiver: 'Caregiver',
  patient: 'Patient',
  admin: 'Administrator',
  'public-health': 'Public health officer',
  researcher: 'Researcher',
};

/** The role someone acted in, in words ("Clinician"), if known. */
function roleWords(entry: AccessEntry): string {
  return entry.roles.map((r) => ROLE_WORDS[r]).find(Boolean) ?? '';
}

/**
 * Who did it: "You", their name with their role beside it, or only the role ("A clinician") when
 * the name cannot be found.
 */
export function whoLabel(entry: AccessEntry, names: ReadonlyMap<string, string>, me: { accountId: string }): { who: string; role: string } {
  if (entry.accountId === me.accountId) return { who: 'You', role: '' };
  const role = roleWords(entry);
  const name = entry.who ? names.get(referenceKey(entry.who) ?? '') : undefined;
  if (name) return { who: name, role };
  if (role) return { who: `A${/^[AEIOU]/.test(role) ? 'n' : ''} ${role.toLowerCase()}`, role: '' };
  return { who: entry.app ? 'An app' : 'Someone', role: '' };
}

/** The `before` cursor's page address from a Bundle's next link, on this app's own origin. */
export function nextPage(links: { relation: string; url: string }[] | undefined): string | undefined {
  const next = links?.find((l) => l.relation === 'next')?.url;
  if (!next) return undefined;
  const u = new URL(next, 'http://same.origin');
  return `${u.pathname}${u.search}`;
}
