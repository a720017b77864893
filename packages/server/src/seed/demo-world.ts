import type { Bundle, Patient } from '@medplum/fhirtypes';
import { addStory } from './demo-clinical.js';
import { ORG, STAFF, addDirectory } from './demo-directory.js';
import { addSchedules } from './demo-schedules.js';
import {
  CAREGIVER,
  PATIENTS,
  addChildContact,
  buildCaregiver,
  buildPatient,
  patientName,
  type PatientKey,
} from './demo-patients.js';
import { buildStories } from './demo-stories.js';
import { DemoClock, ResourceSet, mulberry32 } from './demo-support.js';

/**
 * The demo world: a small valley's clinic, hospital, pharmacy and public-health office, the people
 * who work there and seven patients with two years of coherent history, all placed relative to
 * `now` so the demo always looks current. Every entry is a PUT to a fixed `demo-` id, so seeding
 * again updates the same resources instead of adding copies.
 */

export interface DemoPerson {
  role: 'patient' | 'caregiver' | 'practitioner' | 'pharmacist' | 'public-health' | 'admin';
  name: string;
  email: string;
  /** The FHIR resource this person acts as, e.g. `Patient/demo-ana-souza`. */
  resource: string;
  /** One line: who they are in the demo. */
  note: string;
}

export interface DemoWorld {
  bundle: Bundle;
  people: DemoPerson[];
}

/** The clinic's practice manager, the demo's administrator. */
export const DEMO_ADMIN_EMAIL = 'grace.whitfield@riverton-clinic.example';

/** Any constant works; fixing it keeps the jittered vital signs identical from build to build. */
const JITTER_SEED = 0x5a105;

export function buildDemoWorld(options: { now?: Date } = {}): DemoWorld {
  const clock = new DemoClock(options.now ?? new Date());
  const set = new ResourceSet();
  addDirectory(set);
  addSchedules(set, clock);

  const patients = new Map<PatientKey, Patient>();
  for (const spec of Object.values(PATIENTS)) {
    const patient = buildPatient(spec, clock);
    if (spec.key === PATIENTS.zoe.key) addChildContact(patient);
    patients.set(spec.key, set.add(patient));
  }
  const caregiver = set.add(buildCaregiver(clock, patients.get('zoe')!));

  const rng = mulberry32(JITTER_SEED);
  for (const story of buildStories(clock)) {
    const patient = patients.get(story.patient)!;
    addStory({ set, clock, rng, patient, ...(story.patient === 'zoe' ? { caregiver } : {}) }, story);
  }
  return { bundle: set.toBundle(), people: demoPeople() };
}

function demoPeople(): DemoPerson[] {
  const people: DemoPerson[] = [];
  for (const spec of Object.values(PATIENTS)) {
    // A child does not sign in; her caregiver acts for her.
    if (!('email' in spec)) continue;
    people.push({ role: 'patient', name: `${spec.given.join(' ')} ${spec.family}`, email: spec.email, resource: `Patient/${spec.id}`, note: spec.demoNote });
  }
  people.push({
    role: 'caregiver',
    name: `${CAREGIVER.given.join(' ')} ${CAREGIVER.family}`,
    email: CAREGIVER.email,
    resource: `RelatedPerson/${CAREGIVER.id}`,
    note: `${CAREGIVER.demoNote} (${patientName(PATIENTS.zoe)}: ${PATIENTS.zoe.demoNote})`,
  });
  for (const member of Object.values(STAFF)) {
    people.push({ role: member.person, name: member.display, email: member.email, resource: `Practitioner/${member.practitioner.id}`, note: member.demoNote });
  }
  people.push({
    role: 'admin',
    name: 'Grace Whitfield',
    email: DEMO_ADMIN_EMAIL,
    resource: `Organization/${ORG.clinic.id}`,
    note: 'Practice manager of Riverton Community Health Clinic: manages staff accounts, schedules and settings. Not a clinician, so her resource is the clinic Organization.',
  });
  return people;
}
