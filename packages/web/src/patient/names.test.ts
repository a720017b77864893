import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { lookupNames } from './names.js';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function bundle(resources: object[]): Response {
  return new Response(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) }), { status: 200 });
}

describe('lookupNames', () => {
  test('asks once per type for all its ids, and tolerates a type it may not read', async () => {
    const asked: string[] = [];
    globalThis.fetch = (async (input: string) => {
      asked.push(decodeURIComponent(input));
      if (input.includes('/Practitioner?')) {
        return bundle([
          { resourceType: 'Practitioner', id: 'a', name: [{ prefix: ['Dr.'], given: ['Amara'], family: 'Okafor' }] },
          { resourceType: 'Practitioner', id: 'b', name: [{ given: ['Kwame'], family: 'Mensah' }] },
        ]);
      }
      return new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden' }] }), { status: 403 });
    }) as typeof fetch;
    const names = await lookupNames(['Practitioner/a', 'Practitioner/b', 'Practitioner/a', 'Patient/other', 'Device/x', 'not a reference']);
    assert.deepEqual(asked.sort(), ['/fhir/R4/Patient?_id=other&_count=1', '/fhir/R4/Practitioner?_id=a,b&_count=2']);
    assert.deepEqual([...names], [['Practitioner/a', 'Dr. Amara Okafor'], ['Practitioner/b', 'Kwame Mensah']]);
  });
});
