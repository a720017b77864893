import type {
  AllergyIntolerance,
  Appointment,
  CarePlan,
  ClinicalImpression,
  Composition,
  Condition,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Procedure,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { patientEverything } from '../api/fhir.js';
import { useAsync, type Async } from '../layout/async.js';
import { formatConcept, formatName, timeOf } from '../lib/format.js';
import { observationTime } from '../lib/observations.js';

/**
 * One patient's record as the screens use it: the `$everything` answer sorted by kind, newest
 * first, with the directory entries it points to (clinicians, organizations, places, medicines)
 * at hand to name them. The patient and clinician spaces share it.
 */
export interface PatientRecord {
  patient: Patient;
  conditions: Condition[];
  medicationRequests: MedicationRequest[];
  medicationStatements: MedicationStatement[];
  allergies: AllergyIntolerance[];
  immunizations: Immunization[];
  encounters: Encounter[];
  appointments: Appointment[];
  observations: Observation[];
  diagnosticReports: DiagnosticReport[];
  documents: DocumentReference[];
  procedures: Procedure[];
  carePlans: CarePlan[];
  clinicalImpressions: ClinicalImpression[];
  compositions: Composition[];
  /** Everything else: the directory entries referred to, and kinds the screens do not list. */
  others: Resource[];
  /** The resource a reference points to, when the record holds it. */
  byReference: <T extends Resource = Resource>(ref: Reference | string | undefined) => T | undefined;
  /** What to call whoever or whatever a reference points to: their current name, else the reference's display. */
  nameOf: (ref: Reference | undefined) => string;
}

type Lists = Omit<PatientRecord, 'patient' | 'others' | 'byReference' | 'nameOf'>;

const LIST_OF: Record<string, keyof Lists> = {
  Condition: 'conditions',
  MedicationRequest: 'medicationRequests',
  MedicationStatement: 'medicationStatements',
  AllergyIntolerance: 'allergies',
  Immunization: 'immunizations',
  Encounter: 'encounters',
  Appointment: 'appointments',
  Observation: 'observations',
  DiagnosticReport: 'diagnosticReports',
  DocumentReference: 'documents',
  Procedure: 'procedures',
  CarePlan: 'carePlans',
  ClinicalImpression: 'clinicalImpressions',
  Composition: 'compositions',
};

/** The date a resource is about (when it happened, else when it was recorded), if it has one. */
export function resourceDate(r: Resource): string | undefined {
  switch (r.resourceType) {
    case 'Encounter':
      return r.period?.start ?? r.period?.end;
    case 'Appointment':
      return r.start ?? r.created;
    case 'Observation':
      return observationTime(r);
    case 'DiagnosticReport':
      return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued;
    case 'DocumentReference':
      return r.date ?? r.context?.period?.start ?? r.content?.[0]?.attachment?.creation;
    case 'Condition':
      return r.onsetDateTime ?? r.onsetPeriod?.start ?? r.recordedDate;
    case 'MedicationRequest':
      return r.authoredOn;
    case 'MedicationStatement':
      return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.dateAsserted;
    case 'AllergyIntolerance':
      return r.onsetDateTime ?? r.onsetPeriod?.start ?? r.recordedDate;
    case 'Immunization':
      return r.occurrenceDateTime ?? r.recorded;
    case 'Procedure':
      return r.performedDateTime ?? r.performedPeriod?.start;
    case 'CarePlan':
      return r.period?.start ?? r.created;
    case 'ClinicalImpression':
      return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.date;
    case 'Composition':
      return r.date;
    default:
      return undefined;
  }
}

/** Newest first; undated entries last, in the order the server gave them. */
export function newestFirst<T extends Resource>(list: T[]): T[] {
  const at = (r: T): number => timeOf(resourceDate(r)) ?? -Infinity;
  return list.map((r, i) => ({ r, i, t: at(r) })).sort((a, b) => b.t - a.t || a.i - b.i).map((x) => x.r);
}

/** `Type/id` of a reference, relative or absolute (a server's full URL, with or without `_history`). */
export function referenceKey(ref: Reference | string | undefined): string | undefined {
  const s = typeof ref === 'string' ? ref : ref?.reference;
  if (!s || s.startsWith('#') || s.startsWith('urn:')) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/.exec(s);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** What a person, organization, place or medicine is called. */
export function resourceName(r: Resource | undefined): string {
  if (!r) return '';
  switch (r.resourceType) {
    case 'Patient':
    case 'Practitioner':
    case 'RelatedPerson':
      return formatName(r.name);
    case 'Organization':
    case 'Location':
    case 'HealthcareService':
      return r.name ?? '';
    case 'Medication':
      return formatConcept(r.code);
    case 'Device':
      return r.deviceName?.[0]?.name ?? formatConcept(r.type);
    default:
      return '';
  }
}

/**
 * Sorts `$everything` output into a record. `patientId` picks the record's own Patient among
 * others it may mention; without it the first Patient is the one.
 */
export function buildRecord(resources: readonly Resource[], patientId?: string): PatientRecord {
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient' && (patientId === undefined || r.id === patientId));
  if (!patient) throw new Error(patientId ? `The record of Patient/${patientId} came back without the patient` : 'The record came back without a patient');
  const lists: Lists = {
    conditions: [],
    medicationRequests: [],
    medicationStatements: [],
    allergies: [],
    immunizations: [],
    encounters: [],
    appointments: [],
    observations: [],
    diagnosticReports: [],
    documents: [],
    procedures: [],
    carePlans: [],
    clinicalImpressions: [],
    compositions: [],
  };
  const others: Resource[] = [];
  const index = new Map<string, Resource>();
  for (const r of resources) {
    if (r.id) index.set(`${r.resourceType}/${r.id}`, r);
    if (r === patient) continue;
    const list = LIST_OF[r.resourceType];
    if (list) (lists[list] as Resource[]).push(r);
    else others.push(r);
  }
  const sorted = Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, newestFirst(v as Resource[])])) as unknown as Lists;

  const byReference = <T extends Resource = Resource>(ref: Reference | string | undefined): T | undefined => {
    const key = referenceKey(ref);
    return key ? (index.get(key) as T | undefined) : undefined;
  };
  const nameOf = (ref: Reference | undefined): string => resourceName(byReference(ref)) || ref?.display || '';
  return { patient, ...sorted, others, byReference, nameOf };
}

/** What a prescription or medicine statement is for: its coded medicine, or the Medication it points to. */
export function medicationName(record: Pick<PatientRecord, 'nameOf'>, r: MedicationRequest | MedicationStatement): string {
  return r.medicationCodeableConcept ? formatConcept(r.medicationCodeableConcept) : record.nameOf(r.medicationReference);
}

/**
 * The record of `patientId`, loaded with every page followed. A 404 (ApiError) means there is no
 * such record or it is not the caller's to see; the server does not say which.
 */
export function usePatientRecord(patientId: string): Async<PatientRecord> {
  const loaded = useAsync((signal) => patientEverything(patientId, signal).then((resources) => buildRecord(resources, patientId)), [patientId]);
  // The render after the address changes still holds the last answer (useAsync resets in an
  // effect, after it); another person's record must not appear under this one's address, even
  // for one frame.
  if (loaded.state.status === 'ready' && loaded.state.data.patient.id !== patientId) return { state: { status: 'loading' }, reload: loaded.reload };
  return loaded;
}
