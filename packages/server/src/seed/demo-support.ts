import type { Bundle, CodeableConcept, Coding, Quantity, Reference, Resource } from '@medplum/fhirtypes';

/** Code system and identifier namespaces used across the demo world. */
export const SYSTEM = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  bcp47: 'urn:ietf:bcp:47',
  orgType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  // R4 publishes the version-specific v2 table 0360 under this URL; the R4 examples use it too.
  degree: 'http://terminology.hl7.org/CodeSystem/v2-0360|2.7',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticService: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  drugForm: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
  doseRateType: 'http://terminology.hl7.org/CodeSystem/dose-rate-type',
  routeOfAdministration: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
  actSite: 'http://terminology.hl7.org/CodeSystem/v3-ActSite',
  immunizationFunction: 'http://terminology.hl7.org/CodeSystem/v2-0443',
  contactRelationship: 'http://terminology.hl7.org/CodeSystem/v2-0131',
  appointmentType: 'http://terminology.hl7.org/CodeSystem/v2-0276',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  // Identifier namespaces invented for the demo; `.example` hosts can never collide with real registries.
  mrnClinic: 'https://salus.example/fhir/sid/mrn/riverton-community-clinic',
  mrnHospital: 'https://salus.example/fhir/sid/mrn/harbor-view-hospital',
  providerNumber: 'https://salus.example/fhir/sid/provider-number',
  organizationNumber: 'https://salus.example/fhir/sid/organization-number',
  medicalLicence: 'https://salus.example/fhir/sid/licence/medical',
  nursingLicence: 'https://salus.example/fhir/sid/licence/nursing',
  pharmacyLicence: 'https://salus.example/fhir/sid/licence/pharmacy',
  demoTag: 'https://salus.example/fhir/CodeSystem/seed',
} as const;

export function coding(system: string, code: string, display: string): Coding {
  return { system, code, display };
}

export function concept(c: Coding | Coding[], text?: string): CodeableConcept {
  const codings = Array.isArray(c) ? c : [c];
  return text === undefined ? { coding: codings } : { coding: codings, text };
}

export function quantity(value: number, unit: string, code = unit): Quantity {
  return { value, unit, system: SYSTEM.ucum, code };
}

/** A literal `Type/id` reference; the display travels with it so lists render without a lookup. */
export function ref<T extends Resource>(resource: T, display?: string): Reference<T> {
  const out: Reference<T> = { reference: `${resource.resourceType}/${resource.id}` };
  if (display !== undefined) out.display = display;
  return out;
}

/** mulberry32: a tiny, well-distributed 32-bit PRNG, so jitter is identical on every build. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

/**
 * Places the demo in time. Everything is expressed in days relative to the UTC day of `now`, so the
 * same calendar day always yields the same bundle and seeding twice that day rewrites nothing.
 */
export class DemoClock {
  readonly today: number;

  constructor(now: Date) {
    this.today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  }

  /** FHIR dateTime at `time` (HH:MM, UTC) on the day `day` days from today. */
  at(day: number, time = '09:00'): string {
    const [h, m] = time.split(':').map(Number) as [number, number];
    return new Date(this.today + day * DAY_MS + (h * 60 + m) * 60_000).toISOString().replace('.000Z', 'Z');
  }

  /** FHIR date of the day `day` days from today. */
  date(day: number): string {
    return new Date(this.today + day * DAY_MS).toISOString().slice(0, 10);
  }

  /** Adds minutes to a dateTime produced by `at`. */
  plusMinutes(dateTime: string, minutes: number): string {
    return new Date(Date.parse(dateTime) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  }

  /** Day offset of a birthday `ageYears` ago on the given month (1-12) and day. */
  birthDay(ageYears: number, month: number, dayOfMonth: number): number {
    const year = new Date(this.today).getUTCFullYear() - ageYears;
    return Math.round((Date.UTC(year, month - 1, dayOfMonth) - this.today) / DAY_MS);
  }

  /**
   * Day offset of an autumn flu-clinic date `seasonsBack` seasons ago: October `dayOfMonth` of the
   * latest season that started at least two weeks before today, so a demo built in early October
   * does not claim this season's shots were already given.
   */
  fluSeasonDay(seasonsBack: number, dayOfMonth: number): number {
    const year = new Date(this.today).getUTCFullYear();
    const thisYear = Date.UTC(year, 9, dayOfMonth);
    const latest = thisYear <= this.today - 14 * DAY_MS ? year : year - 1;
    return Math.round((Date.UTC(latest - seasonsBack, 9, dayOfMonth) - this.today) / DAY_MS);
  }
}

/** Collects resources in insertion order and emits the idempotent transaction Bundle. */
export class ResourceSet {
  private readonly resources: Resource[] = [];
  private readonly keys = new Set<string>();

  /**
   * Adds a copy, so module-level constants (the directory) are never shared with, or changed
   * through, a bundle handed to a caller.
   */
  add<T extends Resource>(resource: T): T {
    const key = `${resource.resourceType}/${resource.id}`;
    // A duplicate id would make the second PUT silently overwrite the first; fail while building instead.
    if (this.keys.has(key)) throw new Error(`duplicate demo resource ${key}`);
    this.keys.add(key);
    const { resourceType, id, meta, ...rest } = structuredClone(resource);
    // The tag lets an operator find (or delete) everything the seed wrote.
    const tagged = { resourceType, id, meta: { ...meta, tag: [coding(SYSTEM.demoTag, 'demo', 'Salus demo data')] }, ...rest } as T;
    this.resources.push(tagged);
    return tagged;
  }

  toBundle(): Bundle {
    return {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: this.resources.map((resource) => ({
        resource,
        request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
      })),
    };
  }
}
