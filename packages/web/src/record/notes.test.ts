import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { attachmentFileName, attachmentText, attachmentUrl, narrativeText, notesByEncounter, recordNotes } from './notes.js';
import { base64Text, NOTE_TEXT, recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';

describe('attachments', () => {
  test('inline text is decoded from base64 with its charset', () => {
    assert.equal(attachmentText({ contentType: 'text/plain; charset=utf-8', data: base64Text('Café ☕') }), 'Café ☕');
    assert.equal(attachmentText({ contentType: 'text/plain; charset=iso-8859-1', data: Buffer.from([0x43, 0x61, 0x66, 0xe9]).toString('base64') }), 'Café');
    assert.equal(attachmentText({ contentType: 'text/plain', data: base64Text('no charset given') }), 'no charset given');
  });

  test('files that are not text, not inline or not base64 give no text', () => {
    assert.equal(attachmentText({ contentType: 'application/pdf', data: base64Text('%PDF') }), undefined);
    assert.equal(attachmentText({ contentType: 'text/plain', url: 'https://x.example/n.txt' }), undefined);
    assert.equal(attachmentText({ contentType: 'text/plain', data: '***not base64***' }), undefined);
  });

  test('attachments elsewhere open only from web addresses or this server', () => {
    assert.equal(attachmentUrl({ url: 'Binary/scan-1' }), '/fhir/R4/Binary/scan-1');
    assert.equal(attachmentUrl({ url: 'https://lab.example/r/1.pdf' }), 'https://lab.example/r/1.pdf');
    assert.equal(attachmentUrl({ url: 'javascript:alert(1)' }), undefined);
    assert.equal(attachmentUrl({ url: 'data:text/html,<script>' }), undefined);
    assert.equal(attachmentUrl({}), undefined);
  });

  test('saved files get a safe name with an extension for their type', () => {
    assert.equal(attachmentFileName({ title: 'Visit note - Ana Souza', contentType: 'text/plain; charset=utf-8' }), 'Visit note - Ana Souza.txt');
    assert.equal(attachmentFileName({ title: 'scan: 1/2', contentType: 'application/pdf' }), 'scan 1 2.pdf');
    assert.equal(attachmentFileName({ title: 'letter.pdf', contentType: 'application/pdf' }), 'letter.pdf');
    assert.equal(attachmentFileName({}, 'note'), 'note');
  });

  test('narrative markup becomes plain text, so nothing in a note can run', () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>BP &lt; 130 &amp; stable</p><script>alert(1)</script><ul><li>One</li><li>Two&#x2713;</li></ul></div>';
    assert.equal(narrativeText(div), 'BP < 130 & stable\nalert(1)One\nTwo✓');
    assert.equal(narrativeText(undefined), '');
  });
});

describe('notes', () => {
  test('notes from documents, assessments and compositions read alike, tied to their visits', () => {
    const extra: Resource[] = [
      {
        resourceType: 'ClinicalImpression',
        id: 'ci',
        status: 'completed',
        subject: { reference: 'Patient/ana' },
        encounter: { reference: 'Encounter/visit-2' },
        date: '2026-10-24T10:00:00Z',
        assessor: { reference: 'Practitioner/okafor' },
        summary: 'Diabetes well controlled.',
        finding: [{ itemCodeableConcept: { text: 'Type 2 diabetes' } }],
      },
      {
        resourceType: 'Composition',
        id: 'comp',
        status: 'final',
        type: { text: 'Discharge summary' },
        title: 'Discharge summary',
        date: '2026-10-25',
        author: [{ reference: 'Practitioner/okafor' }],
        encounter: { reference: 'Encounter/visit-2' },
        section: [{ title: 'Plan', text: { status: 'generated', div: '<div><p>Rest.</p></div>' } }],
      },
      { resourceType: 'DocumentReference', id: 'wrong', status: 'entered-in-error', content: [{ attachment: { data: base64Text('x'), contentType: 'text/plain' } }] },
    ] as Resource[];
    const record = buildRecord([...recordResources(), ...extra], 'ana');
    const notes = recordNotes(record);
    assert.deepEqual(notes.map((n) => n.key), ['Composition/comp', 'ClinicalImpression/ci', 'DocumentReference/note-1']);
    const [comp, ci, doc] = notes;
    assert.equal(comp!.text, 'Plan\nRest.');
    assert.equal(ci!.text, 'Diabetes well controlled.\n\nFindings: Type 2 diabetes');
    assert.equal(ci!.author, 'Dr. Amara Okafor');
    assert.equal(doc!.text, NOTE_TEXT);
    assert.equal(doc!.title, 'Visit note');
    assert.deepEqual(doc!.files, []);
    const byVisit = notesByEncounter(record);
    assert.deepEqual(byVisit.get('Encounter/visit-1')?.map((n) => n.key), ['DocumentReference/note-1']);
    assert.deepEqual(byVisit.get('Encounter/visit-2')?.map((n) => n.key), ['Composition/comp', 'ClinicalImpression/ci']);
  });
});
