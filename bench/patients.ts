import type { Patient } from '@medplum/fhirtypes';

const FAMILY = ['Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Schmidt', 'Novak', 'Haddad', 'Kowalski', 'Fernandes', 'Ivanova'];
const GIVEN = ['Amara', 'Lars', 'Yuki', 'Élodie', 'Jonas', 'Petra', 'Omar', 'Zofia', 'Rui', 'Nadia', 'Tomás', 'Ines'];
const CITIES: [string, string, string][] = [
  ['Boston', 'MA', '02118'],
  ['Springfield', 'MA', '01103'],
  ['Worcester', 'MA', '01608'],
  ['Lowell', 'MA', '01852'],
];

/** Small deterministic generator, so two runs send the same bodies. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(list: readonly T[], r: () => number): T => list[Math.floor(r() * list.length)]!;

/**
 * A Patient like a registration form produces (about 700 bytes): identifier, name, telecom,
 * address — enough that validation and index extraction do the work they do in practice.
 */
export function benchPatient(n: number, r: () => number, id?: string): Patient {
  const [city, state, postalCode] = pick(CITIES, r);
  const year = 1930 + Math.floor(r() * 90);
  const month = String(1 + Math.floor(r() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(r() * 28)).padStart(2, '0');
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.4.3.25', value: `BENCH-${n}-${Math.floor(r() * 1e9)}` }],
    active: true,
    name: [{ use: 'official', family: pick(FAMILY, r), given: [pick(GIVEN, r), pick(GIVEN, r)] }],
    telecom: [
      { system: 'phone', value: `555-${String(Math.floor(r() * 10000)).padStart(4, '0')}`, use: 'home' },
      { system: 'email', value: `patient${n}@example.org` },
    ],
    gender: r() < 0.5 ? 'female' : 'male',
    birthDate: `${year}-${month}-${day}`,
    address: [{ use: 'home', line: [`${1 + Math.floor(r() * 999)} Main Street`], city, state, postalCode, country: 'US' }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US' }] }, preferred: true }],
  };
  if (id !== undefined) patient.id = id;
  return patient;
}
