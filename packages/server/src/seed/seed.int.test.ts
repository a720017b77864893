import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../test-support.js';
import { seedDemo } from './seed.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const now = new Date('2026-06-15T12:00:00Z');

test('the demo world loads through the server and can be searched', async () => {
  const seeded = await seedDemo(t.service, { onlyIfEmpty: true, now });
  assert.ok(seeded && seeded.resources > 250);
  const patients = await t.fhir<Bundle>('GET', 'Patient?_summary=count');
  assert.equal(patients.body.total, 7);
  const ana = await t.fhir<Bundle>('GET', 'Patient?name=ana&family=souza');
  assert.equal(ana.body.total, 1);
  const hba1c = await t.fhir<Bundle>('GET', 'Observation?patient=Patient/demo-ana-souza&code=http://loinc.org|4548-4&_sort=date');
  const values = (hba1c.body.entry ?? []).map((e) => (e.resource as Observation).valueQuantity!.value!);
  assert.ok(values.length >= 3);
  assert.ok(values[0]! > values[values.length - 1]!, 'HbA1c trends down after treatment');
  const everything = await t.fhir<Bundle>('GET', 'Patient/demo-ana-souza/$everything');
  assert.ok((everything.body.total ?? 0) > 40);
});

test('seeding only fills an empty database, and seeding again updates instead of duplicating', async () => {
  assert.equal(await seedDemo(t.service, { onlyIfEmpty: true, now }), undefined);
  await seedDemo(t.service, { onlyIfEmpty: false, now });
  const patients = await t.fhir<Bundle>('GET', 'Patient?_summary=count');
  assert.equal(patients.body.total, 7);
  const ana = await t.fhir<{ meta: { versionId: string } }>('GET', 'Patient/demo-ana-souza');
  assert.equal(ana.body.meta.versionId, '2');
});
