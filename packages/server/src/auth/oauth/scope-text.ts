import { parseScope, type ScopeInteraction } from './scopes.js';

/** What a resource type holds, in the words of the person whose record it is. */
const THINGS: Readonly<Record<string, string>> = {
  '*': 'health record (everything in it)',
  Patient: 'personal details (name, date of birth, contact details)',
  Observation: 'lab results, vital signs and other measurements',
  DiagnosticReport: 'test reports',
  Condition: 'health problems and diagnoses',
  AllergyIntolerance: 'allergies',
  MedicationRequest: 'prescriptions',
  MedicationStatement: 'medicines list',
  MedicationDispense: 'dispensed medicines',
  MedicationAdministration: 'medicines given',
  Medication: 'medicine details',
  Immunization: 'immunizations',
  Procedure: 'procedures and operations',
  Encounter: 'visits',
  Appointment: 'appointments',
  DocumentReference: 'documents and visit notes',
  CarePlan: 'care plans',
  CareTeam: 'care team',
  Goal: 'health goals',
  Coverage: 'insurance cover',
  Consent: 'sharing choices (consents)',
  Communication: 'messages',
  QuestionnaireResponse: 'questionnaire answers',
  Device: 'devices',
  FamilyMemberHistory: 'family health history',
  ServiceRequest: 'orders and referrals',
  Practitioner: 'clinicians’ details',
  Organization: 'organizations’ details',
};

const VERBS: [ScopeInteraction[], string][] = [
  [['r', 's'], 'read'],
  [['c'], 'add to'],
  [['u'], 'change'],
  [['d'], 'delete from'],
];

function things(resourceType: string): string {
  // Types without a plain name are shown by their FHIR name split into words.
  return THINGS[resourceType] ?? `${resourceType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} records`;
}

function verbs(interactions: ReadonlySet<ScopeInteraction>): string {
  const words = VERBS.filter(([letters]) => letters.some((l) => interactions.has(l))).map(([, w]) => w);
  const joined = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? '');
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

/**
 * One scope as a sentence for the approval screen. `whose` is the possessive for patient scopes:
 * "your" for one's own record, "Ana Silva’s" for a ward or a patient a clinician picked.
 */
export function describeScope(scope: string, whose: string): string {
  const p = parseScope(scope);
  if (!p) return scope;
  if (p.kind === 'special') {
    switch (p.text) {
      case 'openid':
        return 'Know who you are when you sign in';
      case 'fhirUser':
        return 'See which record in Salus is you';
      case 'profile':
        return 'See your name';
      case 'launch/patient':
        return 'Know which patient’s record you chose';
      case 'offline_access':
        return 'Keep this access after you sign out, until you withdraw it';
      case 'online_access':
        return 'Keep this access while you stay signed in';
      default:
        return 'Start from another app';
    }
  }
  const verb = verbs(p.interactions);
  switch (p.context) {
    case 'patient':
      return `${verb} ${whose} ${things(p.resourceType)}`;
    case 'user':
      return `${verb} the ${things(p.resourceType).replace(/ \(everything in it\)$/, 's')} you have access to`;
    default:
      return `${verb} all ${things(p.resourceType)}`;
  }
}
