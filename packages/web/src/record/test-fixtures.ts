import type { Resource } from '@medplum/fhirtypes';

/**
 * A small record for the record views' tests: a patient with two visits (one with a note), an
 * upcoming appointment, problems, medicines, an allergy, a vaccine and results. Dates are fixed;
 * the appointment lies far in the future so it stays "upcoming".
 */

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const lab = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
const vitals = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];

/** UTF-8 text as FHIR attachment data (base64). */
export function base64Text(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export const NOTE_TEXT = 'S: Feels well.\nP: Continue metformin. Café at noon.';

function hba1c(n: number, when: string, value: number, flag: string): Resource {
  return {
    resourceType: 'Observation',
    id: `hba1c-${n}`,
    status: 'final',
    category: lab,
    code: { coding: [{ system: LOINC, code: '4548-4' }], text: 'HbA1c' },
    subject: { reference: 'Patient/ana' },
    encounter: { reference: 'Encounter/visit-1' },
    effectiveDateTime: when,
    valueQuantity: { value, unit: '%', system: UCUM, code: '%' },
    interpretation: [{ coding: [{ system: V3, code: flag }] }],
    referenceRange: [{ low: { value: 4 }, high: { value: 5.6 } }],
  };
}

function bp(n: number, when: string, systolic: number, diastolic: number): Resource {
  const part = (code: string, value: number) => ({ code: { coding: [{ system: LOINC, code }] }, valueQuantity: { value, system: UCUM, code: 'mm[Hg]' } });
  return {
    resourceType: 'Observation',
    id: `bp-${n}`,
    status: 'final',
    category: vitals,
    code: { coding: [{ system: LOINC, code: '85354-9' }], text: 'Blood pressure' },
    subject: { reference: 'Patient/ana' },
    effectiveDateTime: when,
    component: [part('8480-6', systolic), part('8462-4', diastolic)],
  };
}

export function recordResources(): Resource[] {
  return [
    {
      resourceType: 'Patient',
      id: 'ana',
      name: [{ use: 'official', given: ['Ana', 'Beatriz'], family: 'Souza' }],
      birthDate: '1968-04-12',
      generalPractitioner: [{ reference: 'Practitioner/okafor' }],
    },
    { resourceType: 'Practitioner', id: 'okafor', name: [{ prefix: ['Dr.'], given: ['Amara'], family: 'Okafor' }] },
    { resourceType: 'Organization', id: 'clinic', name: 'Riverton Clinic' },
    { resourceType: 'Location', id: 'alder', name: 'Alder Street surgery' },
    {
      resourceType: 'Encounter',
      id: 'visit-1',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ coding: [{ system: 'http://snomed.info/sct', code: '390906007', display: 'Follow-up encounter' }] }],
      subject: { reference: 'Patient/ana' },
      participant: [{ individual: { reference: 'Practitioner/okafor', display: 'Old name' } }],
      period: { start: '2025-02-01T09:30:00Z', end: '2025-02-01T10:00:00Z' },
      reasonCode: [{ text: 'High blood pressure' }],
      location: [{ location: { reference: 'Location/alder' } }],
    },
    {
      resourceType: 'Encounter',
      id: 'visit-2',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      type: [{ text: 'Video consultation' }],
      subject: { reference: 'Patient/ana' },
      period: { start: '2026-10-24T09:30:00Z', end: '2026-10-24T09:50:00Z' },
    },
    {
      resourceType: 'Appointment',
      id: 'appt',
      status: 'booked',
      description: 'Diabetes review',
      start: '2099-11-28T09:30:00Z',
      end: '2099-11-28T10:00:00Z',
      participant: [
        { actor: { reference: 'Patient/ana' }, status: 'accepted' },
        { actor: { reference: 'Practitioner/okafor' }, status: 'accepted' },
        { actor: { reference: 'Location/alder' }, status: 'accepted' },
      ],
    },
    {
      resourceType: 'Condition',
      id: 'diabetes',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { text: 'Type 2 diabetes' },
      subject: { reference: 'Patient/ana' },
      onsetDateTime: '2025-02-01',
    },
    {
      resourceType: 'Condition',
      id: 'sinusitis',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
      code: { text: 'Sinus infection' },
      subject: { reference: 'Patient/ana' },
      onsetDateTime: '2026-01-10',
    },
    {
      resourceType: 'MedicationRequest',
      id: 'metformin',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text: 'Metformin ER 1000 mg tablet' },
      subject: { reference: 'Patient/ana' },
      authoredOn: '2026-04-01',
      requester: { reference: 'Practitioner/okafor' },
      dosageInstruction: [{ text: 'Take 1 tablet with the evening meal.' }],
    },
    {
      resourceType: 'MedicationRequest',
      id: 'metformin-old',
      status: 'stopped',
      intent: 'order',
      medicationReference: { reference: 'Medication/metformin-500' },
      subject: { reference: 'Patient/ana' },
      authoredOn: '2025-02-01',
    },
    { resourceType: 'Medication', id: 'metformin-500', code: { text: 'Metformin ER 500 mg tablet' } },
    {
      resourceType: 'MedicationStatement',
      id: 'vitamin-d',
      status: 'active',
      medicationCodeableConcept: { text: 'Vitamin D 1000 IU' },
      subject: { reference: 'Patient/ana' },
      dosage: [{ text: 'One each morning' }],
    },
    {
      resourceType: 'AllergyIntolerance',
      id: 'peanut',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      criticality: 'high',
      code: { text: 'Peanut' },
      patient: { reference: 'Patient/ana' },
      reaction: [{ manifestation: [{ text: 'Anaphylaxis' }], severity: 'severe' }],
    },
    {
      resourceType: 'Immunization',
      id: 'flu',
      status: 'completed',
      vaccineCode: { text: 'Flu vaccine' },
      patient: { reference: 'Patient/ana' },
      occurrenceDateTime: '2025-10-12T10:15:00Z',
    },
    hba1c(1, '2025-02-01T09:45:00Z', 8.9, 'H'),
    hba1c(2, '2025-08-01T09:45:00Z', 7.2, 'H'),
    hba1c(3, '2026-10-24T09:45:00Z', 5.4, 'N'),
    bp(1, '2025-02-01T09:35:00Z', 146, 92),
    bp(2, '2026-10-24T09:35:00Z', 128, 78),
    {
      resourceType: 'DiagnosticReport',
      id: 'report-1',
      status: 'final',
      code: { text: 'Diabetes panel' },
      subject: { reference: 'Patient/ana' },
      effectiveDateTime: '2025-02-01T09:45:00Z',
      result: [{ reference: 'Observation/hba1c-1' }],
      conclusion: 'HbA1c high.',
    },
    {
      resourceType: 'DocumentReference',
      id: 'note-1',
      status: 'current',
      type: { text: 'Visit note' },
      subject: { reference: 'Patient/ana' },
      date: '2025-02-01T10:25:00Z',
      author: [{ reference: 'Practitioner/okafor' }],
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: base64Text(NOTE_TEXT), title: 'Visit note - Ana Souza' } }],
      context: { encounter: [{ reference: 'Encounter/visit-1' }] },
    },
  ] as Resource[];
}
