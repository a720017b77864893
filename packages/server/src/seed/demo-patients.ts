import type { Identifier, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { ORG, STAFF, address, email, phone, type Region } from './demo-directory.js';
import { SYSTEM, coding, concept, ref, type DemoClock } from './demo-support.js';

/** The people who receive care in the demo, and the one parent who acts for a child. */

export interface PatientSpec {
  /** Short key used inside the ids of this patient's records, e.g. `ana` in `demo-enc-ana-01`. */
  key: string;
  id: string;
  given: string[];
  family: string;
  gender: 'female' | 'male';
  age: number;
  birthMonth: number;
  birthDayOfMonth: number;
  region: Region;
  street: string;
  phone: string;
  /** Children have no login; their caregiver signs in instead. */
  email?: string;
  mrn: string;
  /** Patients seen at the hospital also carry its record number. */
  hospitalMrn?: string;
  language?: [string, string];
  demoNote: string;
}

export const PATIENTS = {
  ana: {
    key: 'ana', id: 'demo-ana-souza', given: ['Ana', 'Beatriz'], family: 'Souza', gender: 'female', age: 58, birthMonth: 4, birthDayOfMonth: 12,
    region: 'north', street: '48 Willow Lane', phone: '0151', email: 'ana.souza@example.com', mrn: 'RCH-004182', hospitalMrn: 'HVH-220931',
    language: ['pt-BR', 'Portuguese (Brazil)'],
    demoNote: 'Type 2 diabetes, high blood pressure and cholesterol; HbA1c falling since treatment began; follow-up visit booked this week.',
  },
  jose: {
    key: 'jose', id: 'demo-jose-martinez', given: ['José', 'Luis'], family: 'Martínez', gender: 'male', age: 71, birthMonth: 9, birthDayOfMonth: 3,
    region: 'south', street: '7 Harbor Terrace', phone: '0152', email: 'jose.martinez@example.net', mrn: 'RCH-002977', hospitalMrn: 'HVH-118204',
    language: ['es', 'Spanish'],
    demoNote: 'Heart failure followed by cardiology in clinic and by video; kidney function and NT-proBNP trends; video visit booked.',
  },
  zoe: {
    key: 'zoe', id: 'demo-zoe-brennan', given: ['Zoë'], family: 'Brennan', gender: 'female', age: 8, birthMonth: 2, birthDayOfMonth: 27,
    region: 'north', street: '15 Orchard Row', phone: '0153', mrn: 'RCH-007315',
    demoNote: 'Child with asthma and a severe peanut allergy; her mother manages her record.',
  },
  malik: {
    key: 'malik', id: 'demo-malik-johnson', given: ['Malik'], family: 'Johnson', gender: 'male', age: 34, birthMonth: 11, birthDayOfMonth: 19,
    region: 'south', street: '301 Dune Street, Apt 4', phone: '0154', email: 'malik.johnson@example.org', mrn: 'RCH-006240',
    demoNote: 'Depression treated by video with a psychiatrist; PHQ-9 scores improving; next video visit in a few days.',
  },
  lan: {
    key: 'lan', id: 'demo-lan-nguyen', given: ['Lan'], family: 'Nguyễn', gender: 'female', age: 46, birthMonth: 7, birthDayOfMonth: 8,
    region: 'north', street: '92 Cedar Court', phone: '0155', email: 'lan.nguyen@example.com', mrn: 'RCH-005508',
    language: ['vi', 'Vietnamese'],
    demoNote: 'High blood pressure found at a check-up this year; readings coming down on lisinopril.',
  },
  fatima: {
    key: 'fatima', id: 'demo-fatima-haddad', given: ['Fatima'], family: 'Haddad', gender: 'female', age: 29, birthMonth: 1, birthDayOfMonth: 22,
    region: 'south', street: '18 Beacon Hill Road', phone: '0156', email: 'fatima.haddad@example.net', mrn: 'RCH-008861',
    demoNote: 'Healthy young adult: an annual check-up, a recent video visit for a sinus infection, vaccines up to date.',
  },
  bjorn: {
    key: 'bjorn', id: 'demo-bjorn-eriksson', given: ['Björn'], family: 'Eriksson', gender: 'male', age: 63, birthMonth: 5, birthDayOfMonth: 30,
    region: 'south', street: '5 Pinecrest Drive', phone: '0157', email: 'bjorn.eriksson@example.org', mrn: 'RCH-003390',
    demoNote: 'High cholesterol and prediabetes; LDL falling on atorvastatin.',
  },
} as const satisfies Record<string, PatientSpec>;
export type PatientKey = keyof typeof PATIENTS;

export function patientName(p: PatientSpec): string {
  return `${p.given[0]} ${p.family}`;
}

const MR_TYPE = concept(coding(SYSTEM.identifierType, 'MR', 'Medical record number'));

export function buildPatient(p: PatientSpec, clock: DemoClock): Patient {
  const identifier: Identifier[] = [
    { use: 'usual', type: MR_TYPE, system: SYSTEM.mrnClinic, value: p.mrn, assigner: ref(ORG.clinic, ORG.clinic.name) },
  ];
  if (p.hospitalMrn) {
    identifier.push({ use: 'secondary', type: MR_TYPE, system: SYSTEM.mrnHospital, value: p.hospitalMrn, assigner: ref(ORG.hospital, ORG.hospital.name) });
  }
  const telecom = [phone(p.phone, 'mobile'), ...(p.email ? [email(p.email, 'home')] : [])];
  const english = concept(coding(SYSTEM.bcp47, 'en-US', 'English (United States)'));
  const communication: Patient['communication'] = p.language
    ? [{ language: concept(coding(SYSTEM.bcp47, p.language[0], p.language[1])), preferred: true }, { language: english }]
    : [{ language: english, preferred: true }];
  return {
    resourceType: 'Patient',
    id: p.id,
    active: true,
    identifier,
    name: [{ use: 'official', family: p.family, given: p.given, text: `${p.given.join(' ')} ${p.family}` }],
    telecom,
    gender: p.gender,
    birthDate: clock.date(clock.birthDay(p.age, p.birthMonth, p.birthDayOfMonth)),
    address: [address(p.region, p.street, 'home')],
    communication,
    generalPractitioner: [ref(STAFF.okafor.practitioner, STAFF.okafor.display)],
    managingOrganization: ref(ORG.clinic, ORG.clinic.name),
  };
}

/** Zoë's mother: the demo caregiver, who signs in and acts for her daughter. */
export const CAREGIVER = {
  id: 'demo-siobhan-brennan',
  given: ['Siobhán'],
  family: 'Brennan',
  email: 'siobhan.brennan@example.com',
  phone: '0158',
  demoNote: "Zoë Brennan's mother; manages her daughter's record, appointments and prescriptions.",
} as const;

export function buildCaregiver(clock: DemoClock, child: Patient): RelatedPerson {
  return {
    resourceType: 'RelatedPerson',
    id: CAREGIVER.id,
    active: true,
    patient: ref(child, patientName(PATIENTS.zoe)),
    relationship: [concept(coding(SYSTEM.roleCode, 'MTH', 'mother'), 'Mother')],
    name: [{ use: 'official', family: CAREGIVER.family, given: [...CAREGIVER.given] }],
    telecom: [phone(CAREGIVER.phone, 'mobile'), email(CAREGIVER.email, 'home')],
    gender: 'female',
    birthDate: clock.date(clock.birthDay(37, 10, 4)),
    address: [address(PATIENTS.zoe.region, PATIENTS.zoe.street, 'home')],
    period: { start: child.birthDate! },
  };
}

/** The child's own record names her mother as next of kin, as a clinic's registration form would. */
export function addChildContact(child: Patient): void {
  child.contact = [
    {
      relationship: [concept(coding(SYSTEM.contactRelationship, 'N', 'Next-of-Kin'), 'Mother')],
      name: { use: 'official', family: CAREGIVER.family, given: [...CAREGIVER.given] },
      telecom: [phone(CAREGIVER.phone, 'mobile'), email(CAREGIVER.email, 'home')],
      gender: 'female',
    },
  ];
}
