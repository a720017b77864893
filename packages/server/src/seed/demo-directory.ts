import type {
  Address,
  ContactPoint,
  Location,
  Organization,
  Practitioner,
  PractitionerRole,
} from '@medplum/fhirtypes';
import { SPECIALTY } from './demo-codes.js';
import { SYSTEM, coding, concept, ref, type ResourceSet } from './demo-support.js';

/**
 * Who provides care in the demo: a community clinic and a small hospital in one valley, a
 * high-street pharmacy and the regional public-health office, with the people who work there.
 */

export type Region = 'north' | 'south';

/** Two districts, so public-health counts by region have something to split. */
export const REGION: Record<Region, { city: string; district: string; postalCode: string }> = {
  north: { city: 'Riverton', district: 'North Valley', postalCode: '97410' },
  south: { city: 'Millbrook', district: 'South Coast', postalCode: '97420' },
};

export function address(region: Region, line: string, use: Address['use'] = 'work'): Address {
  const r = REGION[region];
  return { use, type: 'both', line: [line], city: r.city, district: r.district, state: 'OR', postalCode: r.postalCode, country: 'US' };
}

/** Numbers in the 555-01xx block are reserved for fiction, so no real line is ever dialled. */
export function phone(last4: string, use: ContactPoint['use'] = 'work'): ContactPoint {
  return { system: 'phone', value: `+1-541-555-${last4}`, use };
}

export function email(value: string, use: ContactPoint['use'] = 'work'): ContactPoint {
  return { system: 'email', value, use };
}

const WEEKDAYS: ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const organizationType = (code: 'prov' | 'dept' | 'govt', display: string, text: string) =>
  concept(coding(SYSTEM.orgType, code, display), text);

function organization(
  id: string,
  name: string,
  number: string,
  type: Organization['type'],
  extra: Partial<Organization>,
): Organization {
  return {
    resourceType: 'Organization',
    id,
    active: true,
    identifier: [
      { use: 'official', type: concept(coding(SYSTEM.identifierType, 'XX', 'Organization identifier')), system: SYSTEM.organizationNumber, value: number },
    ],
    type,
    name,
    ...extra,
  };
}

const HOSPITAL = organization(
  'demo-harbor-view-hospital',
  'Harbor View Hospital',
  'ORG-420-0003',
  [organizationType('prov', 'Healthcare Provider', 'Community hospital')],
  {
    telecom: [phone('0120'), { system: 'url', value: 'https://harborview.example', use: 'work' }],
    address: [address('south', '2 Lighthouse Road')],
  },
);

/** A hospital department: part of the hospital, in one of its buildings, with its own line and inbox. */
function department(key: string, name: string, code: string, line: string, building: string): Organization {
  return organization(
    `demo-harbor-view-${key}`,
    `Harbor View Hospital - ${name}`,
    `ORG-420-0003-${code}`,
    [organizationType('dept', 'Hospital Department', `${name} department`)],
    {
      telecom: [phone(line), email(`${key}@harborview.example`)],
      address: [address('south', `2 Lighthouse Road, Building ${building}`)],
      partOf: ref(HOSPITAL, HOSPITAL.name),
    },
  );
}

export const ORG = {
  clinic: organization(
    'demo-riverton-community-clinic',
    'Riverton Community Health Clinic',
    'ORG-410-0012',
    [organizationType('prov', 'Healthcare Provider', 'Community health clinic')],
    {
      alias: ['RCHC'],
      telecom: [phone('0110'), email('frontdesk@riverton-clinic.example'), { system: 'url', value: 'https://riverton-clinic.example', use: 'work' }],
      address: [address('north', '120 Alder Street')],
    },
  ),
  hospital: HOSPITAL,
  cardiology: department('cardiology', 'Cardiology', 'CAR', '0121', 'B'),
  endocrinology: department('endocrinology', 'Endocrinology', 'END', '0122', 'B'),
  laboratory: department('laboratory', 'Clinical Laboratory', 'LAB', '0123', 'C'),
  pharmacy: organization(
    'demo-alder-street-pharmacy',
    'Alder Street Pharmacy',
    'ORG-410-0031',
    // organization-type has no pharmacy code; a pharmacy is a provider, and the text says which kind.
    [organizationType('prov', 'Healthcare Provider', 'Community pharmacy')],
    {
      telecom: [phone('0130'), email('rx@alderpharmacy.example')],
      address: [address('north', '134 Alder Street')],
    },
  ),
  publicHealth: organization(
    'demo-valley-public-health',
    'Valley Regional Public Health Office',
    'ORG-400-0001',
    [organizationType('govt', 'Government', 'Regional public health authority')],
    {
      telecom: [phone('0140'), email('surveillance@valley-health.example')],
      address: [address('north', '50 Civic Plaza')],
    },
  ),
} as const;


function location(
  id: string,
  name: string,
  org: Organization,
  type: [string, string],
  addr: Address,
  telecom: ContactPoint[],
  hours: { open: string; close: string; days: typeof WEEKDAYS | ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat')[] },
): Location {
  return {
    resourceType: 'Location',
    id,
    status: 'active',
    name,
    mode: 'instance',
    type: [concept(coding(SYSTEM.roleCode, type[0], type[1]))],
    telecom,
    address: addr,
    physicalType: concept(coding(SYSTEM.locationPhysicalType, 'bu', 'Building')),
    managingOrganization: ref(org, org.name),
    hoursOfOperation: [{ daysOfWeek: hours.days, openingTime: hours.open, closingTime: hours.close }],
  };
}

export const LOCATION = {
  clinic: location(
    'demo-riverton-clinic-main',
    'Riverton Community Health Clinic - Alder Street',
    ORG.clinic,
    ['FMC', 'Family medicine clinic'],
    address('north', '120 Alder Street'),
    [phone('0110')],
    { days: WEEKDAYS, open: '08:00:00', close: '18:00:00' },
  ),
  hospital: location(
    'demo-harbor-view-outpatients',
    'Harbor View Hospital - Outpatient Clinics',
    ORG.hospital,
    ['HOSP', 'Hospital'],
    address('south', '2 Lighthouse Road'),
    [phone('0120')],
    { days: WEEKDAYS, open: '07:30:00', close: '17:30:00' },
  ),
  pharmacy: location(
    'demo-alder-street-pharmacy-store',
    'Alder Street Pharmacy',
    ORG.pharmacy,
    ['PHARM', 'Pharmacy'],
    address('north', '134 Alder Street'),
    [phone('0130')],
    { days: [...WEEKDAYS, 'sat'], open: '09:00:00', close: '19:00:00' },
  ),
} as const;

type Degree = 'MD' | 'RN' | 'PharmD';
const DEGREE: Record<Degree, { display: string; licence: string; role: [string, string] }> = {
  MD: { display: 'Doctor of Medicine', licence: SYSTEM.medicalLicence, role: ['doctor', 'Doctor'] },
  RN: { display: 'Registered Nurse', licence: SYSTEM.nursingLicence, role: ['nurse', 'Nurse'] },
  PharmD: { display: 'Doctor of Pharmacy', licence: SYSTEM.pharmacyLicence, role: ['pharmacist', 'Pharmacist'] },
};

export interface StaffMember {
  practitioner: Practitioner;
  role: PractitionerRole;
  /** Name as a colleague or patient would say it, e.g. "Dr. Amara Okafor". */
  display: string;
  email: string;
  demoNote: string;
  person: 'practitioner' | 'pharmacist' | 'public-health';
}

interface StaffSpec {
  key: string;
  prefix?: string;
  given: string[];
  family: string;
  gender: 'female' | 'male';
  birthDate: string;
  degree: Degree;
  licence: string;
  licensedSince: string;
  providerNumber: string;
  email: string;
  phone: string;
  org: Organization;
  location?: Location;
  specialty?: keyof typeof SPECIALTY;
  roleText: string;
  person: StaffMember['person'];
  demoNote: string;
  language?: [string, string];
}

function staff(s: StaffSpec): StaffMember {
  const degree = DEGREE[s.degree];
  const display = `${s.prefix ? `${s.prefix} ` : ''}${s.given.join(' ')} ${s.family}`;
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    id: `demo-${s.key}`,
    active: true,
    identifier: [
      { use: 'official', type: concept(coding(SYSTEM.identifierType, 'PRN', 'Provider number')), system: SYSTEM.providerNumber, value: s.providerNumber },
    ],
    name: [{ use: 'official', family: s.family, given: s.given, ...(s.prefix ? { prefix: [s.prefix] } : {}), suffix: [s.degree] }],
    telecom: [email(s.email), phone(s.phone)],
    gender: s.gender,
    birthDate: s.birthDate,
    qualification: [
      {
        identifier: [{ system: degree.licence, value: s.licence }],
        code: concept(coding(SYSTEM.degree, s.degree, degree.display)),
        period: { start: s.licensedSince },
        // The licensing board is not a party in the demo, so it is named rather than referenced.
        issuer: { display: 'Oregon State Licensing Board' },
      },
    ],
    communication: [concept(coding(SYSTEM.bcp47, 'en-US', 'English (United States)')), ...(s.language ? [concept(coding(SYSTEM.bcp47, s.language[0], s.language[1]))] : [])],
  };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: `demo-role-${s.key}`,
    active: true,
    practitioner: ref(practitioner, display),
    organization: ref(s.org, s.org.name),
    code: [concept(coding(SYSTEM.practitionerRole, degree.role[0], degree.role[1]), s.roleText)],
    ...(s.specialty ? { specialty: [concept(SPECIALTY[s.specialty])] } : {}),
    ...(s.location ? { location: [ref(s.location, s.location.name)] } : {}),
    telecom: [email(s.email), phone(s.phone)],
    availableTime: [{ daysOfWeek: WEEKDAYS, availableStartTime: '08:30:00', availableEndTime: '17:00:00' }],
  };
  return { practitioner, role, display, email: s.email, demoNote: s.demoNote, person: s.person };
}

export const STAFF = {
  okafor: staff({
    key: 'dr-okafor', prefix: 'Dr.', given: ['Amara'], family: 'Okafor', gender: 'female', birthDate: '1979-03-14',
    degree: 'MD', licence: 'MD-48213', licensedSince: '2008-07-01', providerNumber: '4100004821',
    email: 'amara.okafor@riverton-clinic.example', phone: '0111', org: ORG.clinic, location: LOCATION.clinic,
    specialty: 'familyPractice', roleText: 'Family physician', person: 'practitioner',
    demoNote: 'Family physician at Riverton Community Health Clinic; general practitioner of every demo patient.',
  }),
  mensah: staff({
    key: 'nurse-mensah', given: ['Kwame'], family: 'Mensah', gender: 'male', birthDate: '1988-11-02',
    degree: 'RN', licence: 'RN-77102', licensedSince: '2011-09-01', providerNumber: '4100007710',
    email: 'kwame.mensah@riverton-clinic.example', phone: '0112', org: ORG.clinic, location: LOCATION.clinic,
    specialty: 'familyPractice', roleText: 'Practice nurse', person: 'practitioner',
    demoNote: 'Practice nurse at the clinic: takes vital signs and gives the vaccines.',
  }),
  castillo: staff({
    key: 'dr-castillo', prefix: 'Dr.', given: ['Sofía'], family: 'Castillo', gender: 'female', birthDate: '1983-06-21',
    degree: 'MD', licence: 'MD-52960', licensedSince: '2012-07-01', providerNumber: '4100005296',
    email: 'sofia.castillo@riverton-clinic.example', phone: '0113', org: ORG.clinic, location: LOCATION.clinic,
    specialty: 'psychiatry', roleText: 'Psychiatrist', person: 'practitioner', language: ['es', 'Spanish'],
    demoNote: 'Psychiatrist at the clinic who sees patients mostly by video; treats Malik Johnson.',
  }),
  lindqvist: staff({
    key: 'dr-lindqvist', prefix: 'Dr.', given: ['Henrik'], family: 'Lindqvist', gender: 'male', birthDate: '1971-01-30',
    degree: 'MD', licence: 'MD-39877', licensedSince: '1999-07-01', providerNumber: '4200003987',
    email: 'henrik.lindqvist@harborview.example', phone: '0124', org: ORG.cardiology, location: LOCATION.hospital,
    specialty: 'cardiology', roleText: 'Consultant cardiologist', person: 'practitioner',
    demoNote: 'Cardiologist at Harbor View Hospital; follows José Martínez for heart failure, in clinic and by video.',
  }),
  raman: staff({
    key: 'dr-raman', prefix: 'Dr.', given: ['Priya'], family: 'Raman', gender: 'female', birthDate: '1985-09-09',
    degree: 'MD', licence: 'MD-55318', licensedSince: '2013-07-01', providerNumber: '4200005531',
    email: 'priya.raman@harborview.example', phone: '0125', org: ORG.endocrinology, location: LOCATION.hospital,
    specialty: 'endocrinology', roleText: 'Endocrinologist', person: 'practitioner',
    demoNote: 'Endocrinologist at Harbor View Hospital; saw Ana Souza once to adjust her diabetes treatment.',
  }),
  chen: staff({
    key: 'pharm-chen', given: ['Mei-Ling'], family: 'Chen', gender: 'female', birthDate: '1990-04-17',
    degree: 'PharmD', licence: 'RPH-20417', licensedSince: '2015-06-15', providerNumber: '4100009041',
    email: 'meiling.chen@alderpharmacy.example', phone: '0131', org: ORG.pharmacy, location: LOCATION.pharmacy,
    roleText: 'Community pharmacist', person: 'pharmacist',
    demoNote: 'Pharmacist at Alder Street Pharmacy, which fills the demo prescriptions and delivers them.',
  }),
  wojcik: staff({
    key: 'dr-wojcik', prefix: 'Dr.', given: ['Tomasz'], family: 'Wójcik', gender: 'male', birthDate: '1976-12-05',
    degree: 'MD', licence: 'MD-41560', licensedSince: '2003-07-01', providerNumber: '4000004156',
    email: 'tomasz.wojcik@valley-health.example', phone: '0141', org: ORG.publicHealth,
    specialty: 'publicHealth', roleText: 'Public health officer', person: 'public-health', language: ['pl', 'Polish'],
    demoNote: 'Public health officer at the Valley Regional Public Health Office; sees case reports and weekly counts, not charts.',
  }),
} as const;
export type StaffKey = keyof typeof STAFF;

export function addDirectory(set: ResourceSet): void {
  for (const org of Object.values(ORG)) set.add(org);
  for (const loc of Object.values(LOCATION)) set.add(loc);
  for (const member of Object.values(STAFF)) set.add(member.practitioner);
  for (const member of Object.values(STAFF)) set.add(member.role);
}
