import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { prescriptions, queueParams } from './prescriptions.js';

describe('the prescription queue', () => {
  test("asks for what was sent to the pharmacist's organizations, newest first, with who and what included", () => {
    const q = queueParams(['alder', 'birch'], 'active');
    assert.equal(q.get('intended-dispenser'), 'Organization/alder,Organization/birch');
    assert.equal(q.get('status'), 'active');
    assert.equal(q.get('_sort'), '-authoredon');
    assert.deepEqual(q.getAll('_include'), ['MedicationRequest:patient', 'MedicationRequest:requester', 'MedicationRequest:medication']);
    assert.equal(queueParams(['alder'], 'any').has('status'), false);
  });

  test('each prescription reads with the included patient, prescriber and medication', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          search: { mode: 'match' },
          resource: {
            resourceType: 'MedicationRequest',
            id: 'rx1',
            status: 'active',
            intent: 'order',
            authoredOn: '2026-10-29T16:30:00Z',
            subject: { reference: 'Patient/ana' },
            medicationReference: { reference: 'Medication/met' },
            requester: { reference: 'Practitioner/okafor', display: 'Dr. A. Okafor' },
            dosageInstruction: [{ text: 'One tablet twice a day with meals' }],
            dispenseRequest: { quantity: { value: 60, unit: 'tablets', system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm', code: 'TAB' }, numberOfRepeatsAllowed: 3 },
          },
        },
        {
          search: { mode: 'match' },
          resource: {
            resourceType: 'MedicationRequest',
            id: 'rx2',
            status: 'stopped',
            intent: 'order',
            subject: { reference: 'Patient/gone', display: 'José Martínez' },
            medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361', display: 'Amlodipine 5 MG Oral Tablet' }] },
            dispenseRequest: { numberOfRepeatsAllowed: 1 },
          },
        },
        { search: { mode: 'include' }, resource: { resourceType: 'Patient', id: 'ana', name: [{ use: 'official', given: ['Ana', 'Beatriz'], family: 'Souza' }], birthDate: '1988-04-12' } },
        { search: { mode: 'include' }, resource: { resourceType: 'Practitioner', id: 'okafor', name: [{ prefix: ['Dr.'], given: ['Amara'], family: 'Okafor' }] } },
        { search: { mode: 'include' }, resource: { resourceType: 'Medication', id: 'met', code: { text: 'Metformin 500 mg tablet' } } },
      ],
    };
    assert.deepEqual(prescriptions(bundle), [
      {
        id: 'rx1',
        status: 'active',
        authoredOn: '2026-10-29T16:30:00Z',
        patient: 'Ana Beatriz Souza',
        patientBirthDate: '1988-04-12',
        medication: 'Metformin 500 mg tablet',
        dosage: 'One tablet twice a day with meals',
        supply: '60 tablets, 3 repeats',
        prescriber: 'Dr. Amara Okafor',
      },
      {
        id: 'rx2',
        status: 'stopped',
        patient: 'José Martínez',
        medication: 'Amlodipine 5 MG Oral Tablet',
        dosage: 'No directions given',
        supply: '1 repeat',
        prescriber: 'Unknown prescriber',
      },
    ]);
  });
});
