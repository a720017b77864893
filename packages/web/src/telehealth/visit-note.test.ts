import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { notesByEncounter } from '../record/notes.js';
import { buildRecord } from '../record/use-patient-record.js';
import { base64Utf8, visitNote } from './visit-note.js';

test('the note is a Progress note of the visit\'s Encounter, its text UTF-8 in base64', () => {
  const text = 'Sofía saw Zoë 🙂 — mood better.\nContinue sertraline 50 mg.';
  const doc = visitNote(`  ${text}  `, { patientId: 'malik', encounter: 'Encounter/e1', author: 'Practitioner/castillo', title: 'Video visit with Malik Johnson', now: new Date('2026-03-02T10:30:00Z') });
  assert.deepEqual(doc.type?.coding?.[0], { system: 'http://loinc.org', code: '11506-3', display: 'Progress note' });
  assert.deepEqual(doc.context?.encounter, [{ reference: 'Encounter/e1' }]);
  assert.deepEqual(doc.subject, { reference: 'Patient/malik' });
  assert.deepEqual(doc.author, [{ reference: 'Practitioner/castillo' }]);
  assert.equal(doc.content[0]!.attachment.contentType, 'text/plain; charset=utf-8');
  assert.equal(doc.content[0]!.attachment.data, base64Utf8(text));

  // The patient's Visits page reads it back under the visit, word for word.
  const record = buildRecord([{ resourceType: 'Patient', id: 'malik' }, { ...doc, id: 'd1' }], 'malik');
  assert.equal(notesByEncounter(record).get('Encounter/e1')?.[0]?.text, text);
});

test('base64 of UTF-8, not of Latin-1', () => {
  assert.equal(base64Utf8('é'), 'w6k=');
  assert.equal(base64Utf8('plain'), btoa('plain'));
});
