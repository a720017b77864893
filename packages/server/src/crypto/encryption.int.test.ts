import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, Communication, DocumentReference, Observation, Patient } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../test-support.js';

let t: TestApp;
let patientId: string;
before(async () => {
  t = await startTestApp();
  patientId = (await t.fhir<Patient>('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Ferreira' }] })).body.id!;
});
after(async () => {
  await t.close();
});

const SECRET = 'I have been feeling hopeless since March';
const message = (text: string): Communication => ({
  resourceType: 'Communication',
  status: 'completed',
  subject: { reference: `Patient/${patientId}` },
  payload: [{ contentString: text }],
});

/** The content columns as stored, current version first, then each history version in order. */
async function stored(type: string, id: string): Promise<{ current: string; history: string[] }> {
  const cur = await t.db.query<{ content: string }>('SELECT content FROM resources WHERE res_type = $1 AND id = $2', [type, id]);
  const hist = await t.db.query<{ content: string }>(
    'SELECT content FROM resource_history WHERE res_type = $1 AND id = $2 ORDER BY version_id',
    [type, id],
  );
  return { current: cur.rows[0]!.content, history: hist.rows.map((r) => r.content) };
}

const payloadOf = (c: Communication | undefined): string | undefined => c?.payload?.[0]?.contentString;

describe('sensitive content at rest', () => {
  test('a message is stored encrypted under the demo key, current version and history alike', async () => {
    const created = await t.fhir<Communication>('POST', 'Communication', message(SECRET));
    assert.equal(created.status, 201);
    assert.equal(payloadOf(created.body), SECRET);
    const { current, history } = await stored('Communication', created.body.id!);
    for (const value of [current, ...history]) {
      assert.match(value, /^enc:1:demo-1:/);
      assert.ok(!value.includes(SECRET) && !value.includes('hopeless'));
    }
    assert.equal(history.length, 1);
  });

  test('read, vread, search, history, _include, _revinclude and $everything give the plaintext', async () => {
    const id = (await t.fhir<Communication>('POST', 'Communication', message(SECRET))).body.id!;
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${id}`)).body), SECRET);
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${id}/_history/1`)).body), SECRET);

    const search = await t.fhir<Bundle>('GET', `Communication?_id=${id}&_include=Communication:subject`);
    assert.equal(search.status, 200);
    const [match, included] = search.body.entry!;
    assert.equal(payloadOf(match!.resource as Communication), SECRET);
    assert.equal(included!.resource!.id, patientId);

    const rev = await t.fhir<Bundle>('GET', `Patient?_id=${patientId}&_revinclude=Communication:subject`);
    const revIncluded = rev.body.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource as Communication);
    assert.ok(revIncluded.some((c) => c.id === id && payloadOf(c) === SECRET));

    const history = await t.fhir<Bundle>('GET', `Communication/${id}/_history`);
    assert.equal(payloadOf(history.body.entry![0]!.resource as Communication), SECRET);
    const typeHistory = await t.fhir<Bundle>('GET', 'Communication/_history');
    assert.ok(typeHistory.body.entry!.some((e) => payloadOf(e.resource as Communication) === SECRET));

    const everything = await t.fhir<Bundle>('GET', `Patient/${patientId}/$everything`);
    assert.equal(everything.status, 200);
    assert.ok(everything.body.entry!.some((e) => e.resource!.id === id && payloadOf(e.resource as Communication) === SECRET));
  });

  test('updates, patches and conditional creates work on encrypted resources; every version stays encrypted', async () => {
    const id = (await t.fhir<Communication>('POST', 'Communication', message(SECRET))).body.id!;
    const put = await t.fhir<Communication>('PUT', `Communication/${id}`, { ...message('Feeling better now'), id });
    assert.equal(put.status, 200);
    const patched = await t.fhir<Communication>(
      'PATCH',
      `Communication/${id}`,
      [{ op: 'replace', path: '/payload/0/contentString', value: 'Much better' }],
      { 'content-type': 'application/json-patch+json' },
    );
    assert.equal(patched.status, 200);
    assert.equal(patched.body.meta?.versionId, '3');
    const { current, history } = await stored('Communication', id);
    assert.equal(history.length, 3);
    for (const value of [current, ...history]) assert.match(value, /^enc:1:demo-1:/);
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${id}/_history/1`)).body), SECRET);
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${id}/_history/2`)).body), 'Feeling better now');
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${id}`)).body), 'Much better');

    const again = await t.fhir<Communication>('POST', 'Communication', message('other'), { 'if-none-exist': `_id=${id}` });
    assert.equal(again.status, 200);
    assert.equal(payloadOf(again.body), 'Much better');
  });

  test('transactions encrypt what they write and patch encrypted resources', async () => {
    const doc: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: `Patient/${patientId}` },
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Visit note: anxiety discussed').toString('base64') } }],
    };
    const tx = await t.fhir<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: doc, request: { method: 'POST', url: 'DocumentReference' } }],
    });
    assert.equal(tx.status, 200);
    const id = /DocumentReference\/([^/]+)\//.exec(tx.body.entry![0]!.response!.location!)![1]!;
    const { current } = await stored('DocumentReference', id);
    assert.match(current, /^enc:1:demo-1:/);
    assert.ok(!current.includes(doc.content[0]!.attachment.data!));

    const patch = [{ op: 'add', path: '/description', value: 'Anxiety follow-up' }];
    const tx2 = await t.fhir<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(patch)).toString('base64') },
          request: { method: 'PATCH', url: `DocumentReference/${id}` },
        },
      ],
    });
    assert.equal(tx2.status, 200);
    const read = await t.fhir<DocumentReference>('GET', `DocumentReference/${id}`);
    assert.equal(read.body.description, 'Anxiety follow-up');
    assert.equal(read.body.content[0]!.attachment.data, doc.content[0]!.attachment.data);
    // The index is built from the plaintext, so searching still finds it.
    const found = await t.fhir<Bundle>('GET', `DocumentReference?description=anxiety&subject=Patient/${patientId}`);
    assert.deepEqual(
      found.body.entry!.map((e) => e.resource!.id),
      [id],
    );
  });

  test('an ordinary Observation stays plaintext; one labelled restricted is encrypted', async () => {
    const obs = (extra: Partial<Observation> = {}): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'PHQ-9 total' },
      subject: { reference: `Patient/${patientId}` },
      valueInteger: 19,
      ...extra,
    });
    const plain = (await t.fhir<Observation>('POST', 'Observation', obs())).body.id!;
    const plainStored = await stored('Observation', plain);
    assert.ok(plainStored.current.startsWith('{') && plainStored.current.includes('PHQ-9 total'));
    assert.ok(plainStored.history[0]!.startsWith('{'));

    const restricted = obs({ meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } });
    const sealedId = (await t.fhir<Observation>('POST', 'Observation', restricted)).body.id!;
    const sealedStored = await stored('Observation', sealedId);
    assert.match(sealedStored.current, /^enc:1:demo-1:/);
    assert.match(sealedStored.history[0]!, /^enc:1:demo-1:/);
    assert.equal((await t.fhir<Observation>('GET', `Observation/${sealedId}`)).body.valueInteger, 19);
    const searched = await t.fhir<Bundle>('GET', `Observation?subject=Patient/${patientId}&code:text=PHQ`);
    assert.deepEqual(new Set(searched.body.entry!.map((e) => e.resource!.id)), new Set([plain, sealedId]));
  });

  test('content stored before encryption existed still reads', async () => {
    const id = (await t.fhir<Communication>('POST', 'Communication', message(SECRET))).body.id!;
    const read = await t.fhir<Communication>('GET', `Communication/${id}`);
    const plaintext = JSON.stringify(read.body);
    await t.db.query('UPDATE resources SET content = $3 WHERE res_type = $1 AND id = $2', ['Communication', id, plaintext]);
    await t.db.query('UPDATE resource_history SET content = $3 WHERE res_type = $1 AND id = $2', ['Communication', id, plaintext]);
    assert.deepEqual((await t.fhir<Communication>('GET', `Communication/${id}`)).body, read.body);
    assert.deepEqual((await t.fhir<Communication>('GET', `Communication/${id}/_history/1`)).body, read.body);
  });

  test('encrypted content moved to another resource does not open', async () => {
    const a = (await t.fhir<Communication>('POST', 'Communication', message('meant for A'))).body.id!;
    const b = (await t.fhir<Communication>('POST', 'Communication', message('meant for B'))).body.id!;
    await t.db.query(
      `UPDATE resources SET content = (SELECT content FROM resources WHERE res_type = 'Communication' AND id = $1)
       WHERE res_type = 'Communication' AND id = $2`,
      [a, b],
    );
    const logged: unknown[] = [];
    const log = console.error;
    console.error = (e: unknown) => logged.push(e);
    try {
      assert.equal((await t.fhir('GET', `Communication/${b}`)).status, 500);
    } finally {
      console.error = log;
    }
    assert.match(String(logged[0]), new RegExp(`Communication/${b}/_history/1 failed authentication with key 'demo-1'`));
    assert.equal(payloadOf((await t.fhir<Communication>('GET', `Communication/${a}`)).body), 'meant for A');
  });
});
