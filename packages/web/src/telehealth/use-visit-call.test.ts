import '../test/dom.js';
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isPeerId } from '@salus/core';
import { chatLines, mergeChat, newPeerId } from './use-visit-call.js';

test('chat kept in the record reads back as lines of the call, in order, from each side', () => {
  const lines = chatLines([
    { resourceType: 'Communication', id: 'b', status: 'completed', sent: '2026-03-02T10:02:00Z', sender: { reference: 'Practitioner/castillo' }, payload: [{ contentString: 'Yes, clearly.' }] },
    { resourceType: 'Communication', id: 'a', status: 'completed', sent: '2026-03-02T10:01:00Z', sender: { reference: 'Patient/malik' }, payload: [{ contentString: 'Can you hear me?' }] },
    { resourceType: 'Communication', id: 'c', status: 'completed', sent: '2026-03-02T10:03:00Z', sender: { reference: 'RelatedPerson/mum' }, payload: [{ contentAttachment: {} }] },
  ]);
  assert.deepEqual(lines.map((l) => [l.id, l.from]), [['a', 'patient'], ['b', 'practitioner']]);
});

test('a line heard on the socket and read from the record is shown once', () => {
  const a = { id: 'a', from: 'patient' as const, text: 'Hi', sent: '2026-03-02T10:01:00Z' };
  const b = { id: 'b', from: 'practitioner' as const, text: 'Hello', sent: '2026-03-02T10:00:00Z' };
  assert.deepEqual(mergeChat([a], [a, b]), [b, a]);
});

test('each page names itself with an id the server accepts', () => {
  const id = newPeerId();
  assert.ok(isPeerId(id), id);
  assert.notEqual(newPeerId(), id);
});
