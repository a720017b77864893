import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Communication, Observation } from '@medplum/fhirtypes';
import { FhirRepository } from '../fhir/repository.js';
import { startTestApp, type TestApp } from '../test-support.js';
import { AesGcmCipher } from './cipher.js';
import { Keyring, loadKeyring } from './keyring.js';
import { keysRotateCommand, reencryptAll, type ReencryptProgress } from './reencrypt.js';
import { recordAad } from './stored-content.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => {
  await t.close();
});

const message = (text: string): Communication => ({ resourceType: 'Communication', status: 'completed', payload: [{ contentString: text }] });

interface Row {
  table: string;
  res_type: string;
  id: string;
  version_id: number;
  content: string;
}

async function rows(): Promise<Row[]> {
  const r = await t.db.query<Row>(
    `SELECT 'resources' AS table, res_type, id, version_id, content FROM resources
     UNION ALL SELECT 'resource_history', res_type, id, version_id, content FROM resource_history
     ORDER BY 1, 2, 3, 4`,
  );
  return r.rows;
}

describe('re-encryption after a key change', () => {
  const newKey = randomBytes(32).toString('base64');
  const env = { SALUS_ENCRYPTION_KEYS: `2025-01:${newKey}` };
  let messages: string[];
  let legacy: string;
  let observation: string;

  before(async () => {
    // Three messages under the demo key, one with a second version.
    messages = [];
    for (const text of ['one', 'two', 'three']) messages.push((await t.fhir<Communication>('POST', 'Communication', message(text))).body.id!);
    await t.fhir('PUT', `Communication/${messages[0]}`, { ...message('one, edited'), id: messages[0] });
    // A message stored in plaintext before encryption existed.
    legacy = (await t.fhir<Communication>('POST', 'Communication', message('legacy'))).body.id!;
    const plaintext = JSON.stringify((await t.fhir('GET', `Communication/${legacy}`)).body);
    for (const table of ['resources', 'resource_history']) {
      await t.db.query(`UPDATE ${table} SET content = $2 WHERE res_type = 'Communication' AND id = $1`, [legacy, plaintext]);
    }
    // Labelled, but not sensitive: stays plaintext.
    const labelled: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }] },
    };
    observation = (await t.fhir<Observation>('POST', 'Observation', labelled)).body.id!;
  });

  test('a keyring lacking a key that sealed rows stops with that key named', async () => {
    const without = new Keyring([['2025-01', Buffer.from(newKey, 'base64')]], '2025-01');
    await assert.rejects(reencryptAll(t.db, without), /encrypted with key 'demo-1', which is not configured/);
  });

  test('every sensitive row, current and historical, moves to the active key in batches', async () => {
    const keyring = await loadKeyring(t.db, env);
    assert.deepEqual(keyring.kids, ['2025-01', 'demo-1']);
    const progress: ReencryptProgress[] = [];
    const result = await reencryptAll(t.db, keyring, { batchSize: 2, onProgress: (p) => progress.push(p) });
    // Current: 4 messages. History: 5 message versions (one message has two).
    assert.deepEqual(result, { resources: 4, history: 5 });
    assert.deepEqual(
      progress.map((p) => [p.table, p.examined, p.total, p.resealed]),
      [
        ['resources', 2, 5, 2],
        ['resources', 4, 5, 4],
        ['resources', 5, 5, 4],
        ['resource_history', 2, 6, 2],
        ['resource_history', 4, 6, 4],
        ['resource_history', 6, 6, 5],
      ],
    );
    const cipher = new AesGcmCipher(keyring);
    for (const row of await rows()) {
      if (row.res_type !== 'Communication') {
        assert.ok(row.content.startsWith('{'), `${row.table} ${row.res_type}/${row.id}`);
        continue;
      }
      assert.match(row.content, /^enc:1:2025-01:/);
      const opened = JSON.parse(cipher.open(row.content, recordAad(row.res_type, row.id, row.version_id))) as Communication;
      assert.equal(opened.id, row.id);
    }
    assert.ok((await rows()).some((r) => r.id === observation));
    const again = await reencryptAll(t.db, keyring);
    assert.deepEqual(again, { resources: 0, history: 0 });
  });

  test('with the old key gone, a repository on the new key reads everything', async () => {
    await t.db.query(`DELETE FROM server_secrets WHERE name = 'encryption-key-demo'`);
    const repo = new FhirRepository(t.db, { baseUrl: t.repo.config.baseUrl, cipher: new AesGcmCipher(await loadKeyring(t.db, env)) });
    const payload = (content: string): string | undefined => (JSON.parse(content) as Communication).payload?.[0]?.contentString;
    assert.equal(payload((await repo.read('Communication', messages[0]!)).content), 'one, edited');
    assert.equal(payload((await repo.vread('Communication', messages[0]!, '1')).content), 'one');
    assert.equal(payload((await repo.read('Communication', legacy)).content), 'legacy');
    const { stored } = await repo.create(message('new'));
    const row = await t.db.query<{ content: string }>(`SELECT content FROM resources WHERE res_type = 'Communication' AND id = $1`, [stored.id]);
    assert.match(row.rows[0]!.content, /^enc:1:2025-01:/);
  });

  test('the command prints its progress and what it did', async () => {
    const newer = randomBytes(32).toString('base64');
    let output = '';
    const result = await keysRotateCommand(t.db, { SALUS_ENCRYPTION_KEYS: `2025-01:${newKey},2026-01:${newer}` }, {
      write: (text: string) => (output += text),
    });
    assert.deepEqual(result, { resources: 5, history: 6 });
    assert.match(output, /^Encrypting stored content with key '2026-01'\n/);
    assert.match(output, /resources: 6\/6 rows examined, 5 encrypted\n/);
    assert.match(output, /resource_history: 7\/7 rows examined, 6 encrypted\n/);
    assert.match(output, /Encrypted 5 current and 6 historical resource versions with key '2026-01'\.\n$/);
  });
});
