import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { recordBundle, recordFileName } from './download.js';

describe('download', () => {
  test('the record is one collection Bundle with each entry’s full address', () => {
    const resources: Resource[] = [
      { resourceType: 'Patient', id: 'ana' },
      { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'HbA1c' } },
    ];
    const bundle = recordBundle(resources, 'https://salus.example/fhir/R4/', new Date('2026-11-23T10:00:00Z'));
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.timestamp, '2026-11-23T10:00:00.000Z');
    assert.deepEqual(bundle.entry?.map((e) => e.fullUrl), ['https://salus.example/fhir/R4/Patient/ana', 'https://salus.example/fhir/R4/Observation/o1']);
    assert.equal(bundle.entry?.[1]?.resource, resources[1]);
  });

  test('the file is named for whose record it is and the day, in plain letters', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    assert.equal(recordFileName({ resourceType: 'Patient', id: 'z', name: [{ given: ['Zoë'], family: 'Brennan' }] }, now), 'salus-record-zoe-brennan-2026-11-23.json');
    assert.equal(recordFileName({ resourceType: 'Patient', id: 'lan', name: [{ given: ['Lan'], family: 'Nguyễn' }] }, now), 'salus-record-lan-nguyen-2026-11-23.json');
    assert.equal(recordFileName({ resourceType: 'Patient', id: 'p-1' }, now), 'salus-record-p-1-2026-11-23.json');
  });
});
