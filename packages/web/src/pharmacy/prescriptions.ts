import type { Bundle, Medication, MedicationRequest, Patient, Practitioner, PractitionerRole, Reference } from '@medplum/fhirtypes';
import { formatConcept, formatName, formatQuantity } from '../lib/format.js';

/**
 * The pharmacy's prescription queue: MedicationRequests sent to the pharmacist's organizations
 * (their `dispenseRequest.performer`, searched as `intended-dispenser`), newest first, with the
 * patient, prescriber and medication brought along in the same round trip.
 */

export type QueueStatus = MedicationRequest['status'] | 'any';

export const QUEUE_STATUSES: { value: QueueStatus; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'on-hold', label: 'On hold' },
  { value: 'completed', label: 'Completed' },
  { value: 'stopped', label: 'Stopped' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'any', label: 'Any status' },
];

export const PAGE_SIZE = 25;

/** The search for the queue of these organizations (at least one). */
export function queueParams(organizationIds: readonly string[], status: QueueStatus): URLSearchParams {
  const q = new URLSearchParams();
  q.set('intended-dispenser', organizationIds.map((id) => `Organization/${id}`).join(','));
  if (status !== 'any') q.set('status', status);
  q.set('_sort', '-authoredon');
  q.set('_count', String(PAGE_SIZE));
  for (const include of ['MedicationRequest:patient', 'MedicationRequest:requester', 'MedicationRequest:medication']) q.append('_include', include);
  return q;
}

export interface Prescription {
  id: string;
  authoredOn?: string;
  status: MedicationRequest['status'];
  patient: string;
  patientBirthDate?: string;
  medication: string;
  dosage: string;
  /** Quantity and repeats to dispense, in words. */
  supply: string;
  prescriber: string;
}

function resolver(bundle: Bundle) {
  const byRef = new Map<string, unknown>();
  for (const e of bundle.entry ?? []) if (e.resource?.id) byRef.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
  return <T>(ref: Reference | undefined): T | undefined => (ref?.reference ? (byRef.get(ref.reference) as T | undefined) : undefined);
}

function prescriberName(ref: Reference | undefined, resource: Practitioner | PractitionerRole | undefined): string {
  if (resource?.resourceType === 'Practitioner') return formatName(resource.name) || ref?.display || 'Unknown prescriber';
  return ref?.display || resource?.practitioner?.display || 'Unknown prescriber';
}

export function prescriptions(bundle: Bundle): Prescription[] {
  const resolve = resolver(bundle);
  return (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === 'MedicationRequest' && e.search?.mode !== 'include')
    .map((e) => {
      const rx = e.resource as MedicationRequest;
      const patient = resolve<Patient>(rx.subject);
      const medication = resolve<Medication>(rx.medicationReference);
      const dosage = (rx.dosageInstruction ?? []).map((d) => d.text).filter(Boolean).join('; ');
      const dispense = rx.dispenseRequest;
      const supply = [
        dispense?.quantity && formatQuantity(dispense.quantity),
        dispense?.numberOfRepeatsAllowed !== undefined && `${dispense.numberOfRepeatsAllowed} repeat${dispense.numberOfRepeatsAllowed === 1 ? '' : 's'}`,
      ].filter(Boolean).join(', ');
      const row: Prescription = {
        id: rx.id!,
        status: rx.status,
        patient: formatName(patient?.name) || rx.subject.display || rx.subject.reference || 'Unknown patient',
        medication: formatConcept(rx.medicationCodeableConcept) || formatConcept(medication?.code) || rx.medicationReference?.display || 'Unnamed medication',
        dosage: dosage || 'No directions given',
        supply,
        prescriber: prescriberName(rx.requester, resolve<Practitioner | PractitionerRole>(rx.requester)),
      };
      if (rx.authoredOn) row.authoredOn = rx.authoredOn;
      if (patient?.birthDate) row.patientBirthDate = patient.birthDate;
      return row;
    });
}
