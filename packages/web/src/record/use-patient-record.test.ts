import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { MedicationRequest, Practitioner, Resource } from '@medplum/fhirtypes';
import { buildRecord, medicationName, newestFirst, referenceKey, resourceDate } from './use-patient-record.js';
import { recordResources } from './test-fixtures.js';

describe('buildRecord', () => {
  test('sorts $everything into the lists the screens need, newest first', () => {
    const record = buildRecord(recordResources(), 'ana');
    assert.equal(record.patient.id, 'ana');
    assert.deepEqual(record.encounters.map((e) => e.id), ['visit-2', 'visit-1']);
    assert.deepEqual(record.observations.slice(0, 2).map((o) => o.id), ['hba1c-3', 'bp-2']);
    assert.deepEqual(record.conditions.map((c) => c.id), ['sinusitis', 'diabetes']);
    assert.equal(record.medicationRequests.length, 2);
    assert.equal(record.medicationStatements.length, 1);
    assert.equal(record.allergies.length, 1);
    assert.equal(record.immunizations.length, 1);
    assert.equal(record.appointments.length, 1);
    assert.equal(record.diagnosticReports.length, 1);
    assert.equal(record.documents.length, 1);
    assert.deepEqual(record.others.map((r) => `${r.resourceType}/${r.id}`).sort(), ['Location/alder', 'Medication/metformin-500', 'Organization/clinic', 'Practitioner/okafor']);
  });

  test('references resolve to the record’s own copies, and name people and places by their current name', () => {
    const record = buildRecord(recordResources(), 'ana');
    assert.equal(record.byReference<Practitioner>({ reference: 'Practitioner/okafor' })?.id, 'okafor');
    assert.equal(record.byReference('http://salus.example/fhir/R4/Location/alder/_history/3')?.resourceType, 'Location');
    assert.equal(record.nameOf({ reference: 'Practitioner/okafor', display: 'Old name' }), 'Dr. Amara Okafor');
    assert.equal(record.nameOf({ reference: 'Organization/clinic' }), 'Riverton Clinic');
    assert.equal(record.nameOf({ reference: 'Practitioner/not-here', display: 'Dr. Elsewhere' }), 'Dr. Elsewhere');
    assert.equal(record.nameOf(undefined), '');
    const old = record.medicationRequests.find((m) => m.id === 'metformin-old') as MedicationRequest;
    assert.equal(medicationName(record, old), 'Metformin ER 500 mg tablet');
  });

  test('picks the record’s own patient when others are mentioned', () => {
    const mother: Resource = { resourceType: 'Patient', id: 'mother', name: [{ given: ['Maria'] }] };
    const record = buildRecord([mother, ...recordResources()], 'ana');
    assert.equal(record.patient.id, 'ana');
    assert.ok(record.others.some((r) => r.id === 'mother'));
  });

  test('an answer without the patient is an error, not an empty record', () => {
    assert.throws(() => buildRecord([{ resourceType: 'Observation', status: 'final', code: {} }], 'ana'), /without the patient/);
  });
});

describe('record helpers', () => {
  test('references are keyed by type and id whatever their form', () => {
    assert.equal(referenceKey('Patient/ana'), 'Patient/ana');
    assert.equal(referenceKey({ reference: 'https://h.example/fhir/R4/Practitioner/x-1' }), 'Practitioner/x-1');
    assert.equal(referenceKey('#contained'), undefined);
    assert.equal(referenceKey('urn:uuid:1234'), undefined);
    assert.equal(referenceKey(undefined), undefined);
  });

  test('each kind of resource is dated by when it happened', () => {
    assert.equal(resourceDate({ resourceType: 'Immunization', status: 'completed', vaccineCode: {}, patient: {}, occurrenceDateTime: '2025-10-12' }), '2025-10-12');
    assert.equal(resourceDate({ resourceType: 'Condition', subject: {}, recordedDate: '2020-01-01' }), '2020-01-01');
    assert.equal(resourceDate({ resourceType: 'Organization' }), undefined);
  });

  test('undated entries go last, keeping their order', () => {
    const list: Resource[] = [
      { resourceType: 'Condition', id: 'a', subject: {} },
      { resourceType: 'Condition', id: 'b', subject: {}, onsetDateTime: '2020' },
      { resourceType: 'Condition', id: 'c', subject: {} },
      { resourceType: 'Condition', id: 'd', subject: {}, onsetDateTime: '2024-05-02' },
    ];
    assert.deepEqual(newestFirst(list).map((r) => r.id), ['d', 'b', 'a', 'c']);
  });
});
