import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Observation, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { bundlesOf } from '../cli/import.js';
import { startTestApp, type TestApp } from '../test-support.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const MRN = 'https://salus.example/mrn';

function txn(type: 'transaction' | 'batch', entry: Bundle['entry']): Bundle {
  return { resourceType: 'Bundle', type, entry: entry ?? [] };
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64');

describe('transaction', () => {
  test('resolves urn:uuid references, processes every method and reports each entry', async () => {
    await t.fhir('PUT', 'Patient/to-delete', { resourceType: 'Patient', id: 'to-delete' });
    await t.fhir('PUT', 'Patient/to-patch', { resourceType: 'Patient', id: 'to-patch', gender: 'male' });
    const patientUrn = 'urn:uuid:1f0c7d0e-8a53-4d4e-9c57-1a1d2b3c4d5e';
    const r = await t.fhir<Bundle>(
      'POST',
      '',
      txn('transaction', [
        { request: { method: 'GET', url: 'Patient?identifier=T-1' } },
        {
          fullUrl: 'urn:uuid:9a1b6a55-6c1c-4a55-8f0e-2e3d4c5b6a79',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'Weight' }, subject: { reference: patientUrn } },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: patientUrn,
          resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: 'T-1' }], name: [{ family: 'Transact' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: { resourceType: 'Patient', id: 'tx-put', gender: 'female' }, request: { method: 'PUT', url: 'Patient/tx-put' } },
        { request: { method: 'DELETE', url: 'Patient/to-delete' } },
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: b64([{ op: 'replace', path: '/gender', value: 'other' }]) },
          request: { method: 'PATCH', url: 'Patient/to-patch' },
        },
      ]),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.type, 'transaction-response');
    assert.deepEqual(r.body.entry?.map((e) => e.response?.status), ['200', '201', '201', '201', '204', '200']);
    // The GET ran after the writes, so it sees the new patient.
    const searchset = r.body.entry![0]!.resource as Bundle;
    assert.equal(searchset.total, 1);
    const obsLocation = r.body.entry![1]!.response!.location!;
    const obs = await t.fhir<Observation>('GET', obsLocation.replace('http://localhost:8080/fhir/R4/', '').replace(/\/_history\/\d+$/, ''));
    // A urn:uuid fullUrl becomes the id, so the reference is stable and readable.
    assert.equal(obs.body.subject?.reference, 'Patient/1f0c7d0e-8a53-4d4e-9c57-1a1d2b3c4d5e');
    assert.equal((await t.fhir('GET', 'Patient/to-delete')).status, 410);
    assert.equal((await t.fhir<Patient>('GET', 'Patient/to-patch')).body.gender, 'other');
    assert.equal((await t.fhir<Patient>('GET', 'Patient/tx-put')).body.gender, 'female');
  });

  test('is atomic: one invalid entry fails the whole bundle, naming the entry and element', async () => {
    const before = await t.fhir<Bundle>('GET', 'Patient?_summary=count');
    const r = await t.fhir<OperationOutcome>(
      'POST',
      '',
      txn('transaction', [
        { resource: { resourceType: 'Patient', name: [{ family: 'Good' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.issue[0]!.expression, ['Bundle.entry[1].resource.birthDate']);
    const afterCount = await t.fhir<Bundle>('GET', 'Patient?_summary=count');
    assert.equal(afterCount.body.total, before.body.total);
  });

  test('conditional create and conditional references', async () => {
    await t.fhir('PUT', 'Practitioner/known', { resourceType: 'Practitioner', id: 'known', identifier: [{ system: MRN, value: 'PR-1' }] });
    const r = await t.fhir<Bundle>(
      'POST',
      '',
      txn('transaction', [
        {
          fullUrl: 'urn:uuid:0d0f8a2e-2b1f-4d7e-a3c4-5e6f7a8b9c0d',
          resource: { resourceType: 'Practitioner', identifier: [{ system: MRN, value: 'PR-1' }] },
          request: { method: 'POST', url: 'Practitioner', ifNoneExist: `identifier=${MRN}|PR-1` },
        },
        {
          resource: {
            resourceType: 'Patient',
            generalPractitioner: [{ reference: 'urn:uuid:0d0f8a2e-2b1f-4d7e-a3c4-5e6f7a8b9c0d' }, { reference: `Practitioner?identifier=${MRN}|PR-1` }],
          },
          request: { method: 'POST', url: 'Patient' },
        },
      ]),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.entry![0]!.response!.status, '200');
    const loc = r.body.entry![1]!.response!.location!.replace('http://localhost:8080/fhir/R4/', '').replace(/\/_history\/\d+$/, '');
    const p = await t.fhir<Patient>('GET', loc);
    assert.deepEqual(p.body.generalPractitioner?.map((g) => g.reference), ['Practitioner/known', 'Practitioner/known']);
  });

  test('unresolvable references, duplicate targets and bad requests are 400', async () => {
    const unresolved = await t.fhir<OperationOutcome>(
      'POST',
      '',
      txn('transaction', [
        { resource: { resourceType: 'Patient', link: [{ other: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, type: 'seealso' }] }, request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    assert.equal(unresolved.status, 400);
    assert.deepEqual(unresolved.body.issue[0]!.expression, ['Bundle.entry[0].resource.link[0].other.reference']);
    const dup = await t.fhir('POST', '', txn('transaction', [
      { resource: { resourceType: 'Patient', id: 'twice' }, request: { method: 'PUT', url: 'Patient/twice' } },
      { resource: { resourceType: 'Patient', id: 'twice' }, request: { method: 'PUT', url: 'Patient/twice' } },
    ]));
    assert.equal(dup.status, 400);
    const nullEntry = await t.fhir<OperationOutcome>('POST', '', '{"resourceType":"Bundle","type":"transaction","entry":[null]}', {
      'content-type': 'application/fhir+json',
    });
    assert.equal(nullEntry.status, 400);
    assert.deepEqual(nullEntry.body.issue[0]!.expression, ['Bundle.entry[0]']);
    const noMethod = await t.fhir<OperationOutcome>('POST', '', txn('transaction', [{ resource: { resourceType: 'Patient' } }]));
    assert.equal(noMethod.status, 400);
    assert.deepEqual(noMethod.body.issue[0]!.expression, ['Bundle.entry[0].request']);
    assert.equal((await t.fhir('POST', '', { resourceType: 'Bundle', type: 'collection' })).status, 400);
    assert.equal((await t.fhir('POST', '', { resourceType: 'Patient' })).status, 400);
  });

  test('If-Match inside a transaction', async () => {
    await t.fhir('PUT', 'Patient/tx-match', { resourceType: 'Patient', id: 'tx-match' });
    const r = await t.fhir('POST', '', txn('transaction', [
      { resource: { resourceType: 'Patient', id: 'tx-match', active: true }, request: { method: 'PUT', url: 'Patient/tx-match', ifMatch: 'W/"5"' } },
    ]));
    assert.equal(r.status, 412);
  });

  test('posting the same bundle twice creates new resources the second time', async () => {
    const bundle = txn('transaction', [
      { fullUrl: 'urn:uuid:5b5b5b5b-1111-4222-8333-444455556666', resource: { resourceType: 'Organization', name: 'Twice Clinic' }, request: { method: 'POST', url: 'Organization' } },
    ]);
    assert.equal((await t.fhir('POST', '', bundle)).status, 200);
    assert.equal((await t.fhir('POST', '', bundle)).status, 200);
    const s = await t.fhir<Bundle>('GET', 'Organization?name=twice');
    assert.equal(s.body.total, 2);
  });
});

describe('batch', () => {
  test('entries succeed or fail on their own', async () => {
    const r = await t.fhir<Bundle>('POST', '', txn('batch', [
      { resource: { resourceType: 'Patient', name: [{ family: 'BatchOk' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', birthDate: '1990-02-30' }, request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'GET', url: 'Patient/nope' } },
      { request: { method: 'GET', url: 'Patient?name=batchok' } },
      { resource: { resourceType: 'Bundle', type: 'batch' }, request: { method: 'POST', url: '' } },
    ]));
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'batch-response');
    assert.deepEqual(r.body.entry?.map((e) => e.response?.status), ['201', '400', '404', '200', '400']);
    assert.equal((r.body.entry![1]!.response!.outcome as OperationOutcome).issue[0]!.expression?.[0], 'Patient.birthDate');
    assert.equal((r.body.entry![3]!.resource as Bundle).total, 1);
  });
});

const SYNTHEA = join(import.meta.dirname, '../../../../../shared/testdata/synthea');

describe('Synthea bundles', { skip: !existsSync(SYNTHEA) && 'shared test data not present' }, () => {
  test('every bundle loads through a transaction with every reference resolved', async () => {
    const files = readdirSync(SYNTHEA).filter((f) => f.endsWith('.json') && !f.startsWith('group'));
    // Patients refer to the hospital and practitioner bundles, so those go first.
    const order = (f: string): number => (f.startsWith('hospital') ? 0 : f.startsWith('practitioner') ? 1 : 2);
    files.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const count = async (): Promise<number> => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM resources')).rows[0]!.n);
    let expected = await count();
    for (const f of files) {
      for (const bundle of bundlesOf(join(SYNTHEA, f))) {
        expected += bundle.entry?.length ?? 0;
        const r = await t.fhir<Bundle>('POST', '', bundle, { prefer: 'return=minimal' });
        assert.equal(r.status, 200, `${f}: ${JSON.stringify(r.body).slice(0, 500)}`);
        assert.ok(r.body.entry?.every((e) => e.response?.status === '201'), f);
      }
    }
    // The group lists 100 patients of which the data set holds 30: its load must fail as a whole,
    // naming the first member that isn't there, rather than store dangling references.
    const [group] = bundlesOf(join(SYNTHEA, 'groupInformation1588766256867.json'));
    const g = await t.fhir<OperationOutcome>('POST', '', group);
    assert.equal(g.status, 400);
    assert.match(g.body.issue[0]!.expression![0]!, /^Bundle\.entry\[0\]\.resource\.member\[\d+\]\.entity\.reference$/);
    const leftovers = await t.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM resources WHERE content LIKE '%\"reference\":\"urn:uuid:%'",
    );
    assert.equal(Number(leftovers.rows[0]!.n), 0);
    const dangling = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM sp_reference x
       WHERE x.target_id IS NOT NULL AND x.ref NOT LIKE 'http%'
         AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.res_type = x.target_type AND r.id = x.target_id)`,
    );
    assert.equal(Number(dangling.rows[0]!.n), 0);
    assert.equal(await count(), expected);
    const patients = await t.fhir<Bundle>('GET', 'Patient?identifier=https://github.com/synthetichealth/synthea|&_summary=count');
    assert.equal(patients.body.total, 30);
    const abram = await t.fhir<Bundle>('GET', 'Patient?name=abram&_revinclude=Encounter:patient');
    assert.equal(abram.body.total, 1);
    assert.ok((abram.body.entry?.length ?? 0) > 1);
  });
});
