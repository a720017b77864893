import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../test-support.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Ana'] }],
  gender: 'female',
  birthDate: '1980-05-17',
  ...extra,
});

function expression(body: unknown): string[] {
  return ((body as OperationOutcome).issue ?? []).flatMap((i) => i.expression ?? []);
}

describe('create and read', () => {
  test('create assigns id and meta, returns 201 with Location and ETag', async () => {
    const r = await t.fhir<Patient>('POST', 'Patient', patient('Souza'));
    assert.equal(r.status, 201);
    assert.match(r.body.id!, /^[0-9a-f-]{36}$/);
    assert.equal(r.body.meta?.versionId, '1');
    assert.ok(r.body.meta?.lastUpdated);
    assert.equal(r.headers.etag, 'W/"1"');
    assert.equal(r.headers.location, `http://localhost:8080/fhir/R4/Patient/${r.body.id}/_history/1`);
    const read = await t.fhir<Patient>('GET', `Patient/${r.body.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, r.body);
    assert.ok(read.headers['last-modified']);
  });

  test('the server ignores a client id on create and keeps tags from meta', async () => {
    const tag = { system: 'https://salus.example/tags', code: 'demo' };
    const r = await t.fhir<Patient>('POST', 'Patient', patient('Lee', { id: 'mine', meta: { tag: [tag] } }));
    assert.equal(r.status, 201);
    assert.notEqual(r.body.id, 'mine');
    assert.deepEqual(r.body.meta?.tag, [tag]);
  });

  test('read of an unknown id is 404, of an unknown type 404, with an OperationOutcome', async () => {
    const r = await t.fhir<OperationOutcome>('GET', 'Patient/does-not-exist');
    assert.equal(r.status, 404);
    assert.equal(r.body.resourceType, 'OperationOutcome');
    const u = await t.fhir<OperationOutcome>('GET', 'Spaceship/1');
    assert.equal(u.status, 404);
    assert.match(u.body.issue[0]!.diagnostics!, /Unknown resource type/);
  });

  test('If-None-Match and If-Modified-Since give 304', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Ito'));
    const r = await t.fhir('GET', `Patient/${c.body.id}`, undefined, { 'if-none-match': 'W/"1"' });
    assert.equal(r.status, 304);
    const later = new Date(Date.now() + 60_000).toUTCString();
    const m = await t.fhir('GET', `Patient/${c.body.id}`, undefined, { 'if-modified-since': later });
    assert.equal(m.status, 304);
  });

  test('Prefer return=minimal and return=OperationOutcome', async () => {
    const min = await t.fhir('POST', 'Patient', patient('Min'), { prefer: 'return=minimal' });
    assert.equal(min.status, 201);
    assert.equal(min.body, undefined);
    assert.ok(min.headers.location);
    const oo = await t.fhir<OperationOutcome>('POST', 'Patient', patient('Oo'), { prefer: 'return=OperationOutcome' });
    assert.equal(oo.status, 201);
    assert.equal(oo.body.resourceType, 'OperationOutcome');
  });

  test('_summary and _elements on read mark the result SUBSETTED', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Elements', { text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }));
    const r = await t.fhir<Patient>('GET', `Patient/${c.body.id}?_elements=birthDate`);
    assert.equal(r.body.birthDate, '1980-05-17');
    assert.equal(r.body.name, undefined);
    assert.ok(r.body.meta?.tag?.some((x) => x.code === 'SUBSETTED'));
    const s = await t.fhir<Patient>('GET', `Patient/${c.body.id}?_summary=true`);
    assert.equal(s.body.text, undefined);
    assert.ok(s.body.name);
  });
});

describe('update', () => {
  test('update creates a new version; vread returns each version', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Versions'));
    const id = c.body.id!;
    const u = await t.fhir<Patient>('PUT', `Patient/${id}`, { ...patient('Versions2'), id });
    assert.equal(u.status, 200);
    assert.equal(u.body.meta?.versionId, '2');
    const v1 = await t.fhir<Patient>('GET', `Patient/${id}/_history/1`);
    assert.equal(v1.body.name?.[0]?.family, 'Versions');
    const v2 = await t.fhir<Patient>('GET', `Patient/${id}/_history/2`);
    assert.equal(v2.body.name?.[0]?.family, 'Versions2');
    assert.equal((await t.fhir('GET', `Patient/${id}/_history/3`)).status, 404);
  });

  test('update as create with a client id returns 201', async () => {
    const r = await t.fhir<Patient>('PUT', 'Patient/client-chosen-1', { ...patient('Client'), id: 'client-chosen-1' });
    assert.equal(r.status, 201);
    assert.equal(r.body.id, 'client-chosen-1');
    assert.equal(r.body.meta?.versionId, '1');
  });

  test('If-Match with the wrong version is 412, with the right one succeeds', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Match'));
    const id = c.body.id!;
    const bad = await t.fhir('PUT', `Patient/${id}`, { ...patient('Match'), id }, { 'if-match': 'W/"7"' });
    assert.equal(bad.status, 412);
    const ok = await t.fhir('PUT', `Patient/${id}`, { ...patient('Match'), id }, { 'if-match': 'W/"1"' });
    assert.equal(ok.status, 200);
  });

  test('id in body must match the URL; a missing id is refused', async () => {
    const r = await t.fhir<OperationOutcome>('PUT', 'Patient/a1', { ...patient('X'), id: 'b2' });
    assert.equal(r.status, 400);
    assert.deepEqual(expression(r.body), ['Patient.id']);
    const missing = await t.fhir('PUT', 'Patient/a1', patient('X'));
    assert.equal(missing.status, 400);
  });

  test('two concurrent updates with the same If-Match: exactly one wins, the other gets 412', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Race'));
    const id = c.body.id!;
    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((g) =>
        t.fhir('PUT', `Patient/${id}`, { ...patient('Race', { name: [{ family: 'Race', given: [g] }] }), id }, { 'if-match': 'W/"1"' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 412, 412, 412]);
    const h = await t.fhir<Bundle>('GET', `Patient/${id}/_history`);
    assert.equal(h.body.total, 2);
  });

  test('concurrent update-as-create of one new id: one creates, the others update or conflict, never 500', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => t.fhir('PUT', 'Patient/raced-create', { ...patient('Raced'), id: 'raced-create' })),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1);
    assert.ok(statuses.every((s) => [200, 201, 409].includes(s)), String(statuses));
  });
});

describe('conditional interactions', () => {
  const ident = (value: string): Partial<Patient> => ({ identifier: [{ system: 'https://salus.example/mrn', value }] });

  test('conditional create creates once, then returns the existing resource', async () => {
    const h = { 'if-none-exist': 'identifier=https://salus.example/mrn|C-1' };
    const first = await t.fhir<Patient>('POST', 'Patient', patient('Cond', ident('C-1')), h);
    assert.equal(first.status, 201);
    const second = await t.fhir<Patient>('POST', 'Patient', patient('Cond', ident('C-1')), h);
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
  });

  test('racing conditional creates make one resource', async () => {
    const h = { 'if-none-exist': 'identifier=https://salus.example/mrn|RACE-1' };
    const rs = await Promise.all([1, 2, 3, 4].map(() => t.fhir<Patient>('POST', 'Patient', patient('CondRace', ident('RACE-1')), h)));
    assert.equal(new Set(rs.map((r) => r.body.id)).size, 1);
    assert.equal(rs.filter((r) => r.status === 201).length, 1);
  });

  test('conditional create with several matches is 412', async () => {
    await t.fhir('POST', 'Patient', patient('Twin', ident('DUP')));
    await t.fhir('POST', 'Patient', patient('Twin', ident('DUP')));
    const r = await t.fhir('POST', 'Patient', patient('Twin', ident('DUP')), { 'if-none-exist': 'identifier=DUP' });
    assert.equal(r.status, 412);
  });

  test('conditional update: none → create, one → update', async () => {
    const created = await t.fhir<Patient>('PUT', 'Patient?identifier=https://salus.example/mrn|CU-1', patient('CU', ident('CU-1')));
    assert.equal(created.status, 201);
    const updated = await t.fhir<Patient>('PUT', 'Patient?identifier=https://salus.example/mrn|CU-1', patient('CU2', ident('CU-1')));
    assert.equal(updated.status, 200);
    assert.equal(updated.body.id, created.body.id);
    assert.equal(updated.body.meta?.versionId, '2');
  });

  test('conditional delete removes the single match', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('CD', ident('CD-1')));
    const d = await t.fhir('DELETE', 'Patient?identifier=CD-1');
    assert.equal(d.status, 204);
    assert.equal((await t.fhir('GET', `Patient/${c.body.id}`)).status, 410);
  });
});

describe('patch and delete', () => {
  test('JSON Patch changes the resource and makes a version', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Patch'));
    const ops = [
      { op: 'replace', path: '/birthDate', value: '1981-01-01' },
      { op: 'add', path: '/active', value: true },
    ];
    const r = await t.fhir<Patient>('PATCH', `Patient/${c.body.id}`, JSON.stringify(ops), {
      'content-type': 'application/json-patch+json',
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.birthDate, '1981-01-01');
    assert.equal(r.body.active, true);
    assert.equal(r.body.meta?.versionId, '2');
  });

  test('a patch that breaks the resource is refused with the element named; nothing is written', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('PatchBad'));
    const r = await t.fhir<OperationOutcome>(
      'PATCH',
      `Patient/${c.body.id}`,
      JSON.stringify([{ op: 'replace', path: '/birthDate', value: 'yesterday' }]),
      { 'content-type': 'application/json-patch+json' },
    );
    assert.equal(r.status, 400);
    assert.deepEqual(expression(r.body), ['Patient.birthDate']);
    const now = await t.fhir<Patient>('GET', `Patient/${c.body.id}`);
    assert.equal(now.body.meta?.versionId, '1');
  });

  test('malformed patch documents and failed test operations are 4xx', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('PatchOps'));
    const h = { 'content-type': 'application/json-patch+json' };
    assert.equal((await t.fhir('PATCH', `Patient/${c.body.id}`, JSON.stringify({ op: 'x' }), h)).status, 400);
    assert.equal((await t.fhir('PATCH', `Patient/${c.body.id}`, JSON.stringify([{ op: 'move', path: '/x' }]), h)).status, 400);
    const failedTest = [{ op: 'test', path: '/gender', value: 'male' }];
    assert.equal((await t.fhir('PATCH', `Patient/${c.body.id}`, JSON.stringify(failedTest), h)).status, 422);
  });

  test('delete makes the resource gone (410) but keeps its history; deleting again is fine', async () => {
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Delete'));
    const id = c.body.id!;
    assert.equal((await t.fhir('DELETE', `Patient/${id}`)).status, 204);
    assert.equal((await t.fhir('GET', `Patient/${id}`)).status, 410);
    assert.equal((await t.fhir('DELETE', `Patient/${id}`)).status, 204);
    const h = await t.fhir<Bundle>('GET', `Patient/${id}/_history`);
    assert.equal(h.body.total, 2);
    assert.equal(h.body.entry?.[0]?.request?.method, 'DELETE');
    const s = await t.fhir<Bundle>('GET', `Patient?_id=${id}`);
    assert.equal(s.body.total, 0);
    const again = await t.fhir<Patient>('PUT', `Patient/${id}`, { ...patient('Reborn'), id });
    assert.equal(again.status, 201);
    assert.equal(again.body.meta?.versionId, '3');
  });
});

describe('history', () => {
  test('instance, type and system history, newest first, with _since and _count paging', async () => {
    const start = new Date().toISOString();
    const c = await t.fhir<Patient>('POST', 'Patient', patient('Hist'));
    const id = c.body.id!;
    for (let i = 0; i < 3; i++) await t.fhir('PUT', `Patient/${id}`, { ...patient(`Hist${i}`), id });
    const inst = await t.fhir<Bundle>('GET', `Patient/${id}/_history`);
    assert.equal(inst.body.type, 'history');
    assert.deepEqual(inst.body.entry?.map((e) => e.resource?.meta?.versionId), ['4', '3', '2', '1']);
    const type = await t.fhir<Bundle>('GET', `Patient/_history?_since=${encodeURIComponent(start)}`);
    assert.equal(type.body.total, 4);
    const sys = await t.fhir<Bundle>('GET', `_history?_since=${encodeURIComponent(start)}&_count=3`);
    assert.equal(sys.body.entry?.length, 3);
    const next = sys.body.link?.find((l) => l.relation === 'next')?.url;
    assert.ok(next);
    const page2 = await t.fhir<Bundle>('GET', next!.replace('http://localhost:8080/fhir/R4/', ''));
    assert.equal(page2.body.entry?.length, 1);
    assert.equal((await t.fhir('GET', `Patient/${id}/_history?_since=not-a-date`)).status, 400);
    // Date.parse reads '1' as a date; PostgreSQL would not.
    assert.equal((await t.fhir('GET', '_history?_since=1')).status, 400);
    assert.equal((await t.fhir('GET', `Patient/${id}/$everything?_since=1`)).status, 400);
  });
});

describe('bad input never causes a 500', () => {
  test('malformed JSON', async () => {
    const r = await t.fhir<OperationOutcome>('POST', 'Patient', '{"resourceType": "Patient",', {
      'content-type': 'application/fhir+json',
    });
    assert.equal(r.status, 400);
    assert.match(r.body.issue[0]!.diagnostics!, /Malformed JSON/);
  });

  test('resourceType that does not match the URL', async () => {
    const r = await t.fhir<OperationOutcome>('POST', 'Patient', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
    assert.equal(r.status, 400);
    assert.deepEqual(expression(r.body), ['resourceType']);
  });

  test('unknown resource type in the body', async () => {
    const r = await t.fhir('POST', 'Patient', { resourceType: 'Spaceship' });
    assert.equal(r.status, 400);
  });

  test('structure errors name the element', async () => {
    const r = await t.fhir<OperationOutcome>('POST', 'Patient', { resourceType: 'Patient', gender: 'female', name: { family: 'x' }, colour: 'blue' });
    assert.equal(r.status, 400);
    const exprs = expression(r.body);
    assert.ok(exprs.includes('Patient.name'), exprs.join());
    assert.ok(exprs.includes('Patient.colour'), exprs.join());
  });

  test('unsupported content type is 415; oversized bodies are 413', async () => {
    const r = await t.fhir('POST', 'Patient', '<Patient/>', { 'content-type': 'application/fhir+xml' });
    assert.equal(r.status, 415);
    const huge = { resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(70 * 1024 * 1024)}</div>` } };
    const big = await t.fhir('POST', 'Patient', huge);
    assert.equal(big.status, 413);
  });

  test('invalid ids, methods and paths', async () => {
    assert.equal((await t.fhir('GET', 'Patient/bad id!')).status, 404);
    assert.equal((await t.fhir('PUT', `Patient/${'x'.repeat(65)}`, { ...patient('Long'), id: 'x'.repeat(65) })).status, 400);
    assert.equal((await t.fhir('DELETE', 'Patient')).status, 405);
    assert.equal((await t.fhir('GET', 'Patient/1/_history/x/y')).status, 404);
    assert.equal((await t.fhir('GET', 'Patient/1/$nothing')).status, 404);
  });

  test('numbers beyond what the store holds, and version numbers beyond an integer, are 4xx', async () => {
    const obs = '{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e-99999}}';
    const r = await t.fhir<OperationOutcome>('POST', 'Observation', obs, { 'content-type': 'application/fhir+json' });
    assert.equal(r.status, 400);
    assert.deepEqual(expression(r.body), ['Observation.valueQuantity.value']);
    assert.equal((await t.fhir('GET', 'RiskAssessment?probability=1e-99999')).status, 400);
    await t.fhir('PUT', 'Patient/vbig', { ...patient('Big'), id: 'vbig' });
    assert.equal((await t.fhir('GET', 'Patient/vbig/_history/99999999999999999999')).status, 404);
    assert.equal((await t.fhir('GET', '_history?_cursor=99999999999999999999')).status, 400);
  });

  test('If-Match that is not an ETag is 400', async () => {
    const r = await t.fhir('PUT', 'Patient/etag', { ...patient('E'), id: 'etag' }, { 'if-match': 'banana' });
    assert.equal(r.status, 400);
  });
});

describe('metadata', () => {
  test('CapabilityStatement lists types, interactions, search parameters and $everything', async () => {
    const r = await t.fhir<{ rest: { resource: { type: string; interaction: { code: string }[]; searchParam: { name: string }[]; operation?: { name: string }[] }[] }[]; fhirVersion: string }>('GET', 'metadata');
    assert.equal(r.status, 200);
    assert.equal(r.body.fhirVersion, '4.0.1');
    const p = r.body.rest[0]!.resource.find((x) => x.type === 'Patient')!;
    assert.ok(p.interaction.some((i) => i.code === 'patch'));
    assert.ok(p.searchParam.some((s) => s.name === 'birthdate'));
    // Domains add their own operations on Patient (check-in enrolment); $everything is the core's.
    assert.ok(p.operation?.some((o) => o.name === 'everything'));
    assert.equal(r.body.rest[0]!.resource.length, 146);
  });
});
