import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { DocumentReference, Parameters } from '@medplum/fhirtypes';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { noteProblem, VisitNoteForm } from './visit-note-form.js';

let server: FakeServer | undefined;
afterEach(() => server?.restore());

function serve(finish: { status?: number; body?: unknown } = { body: { resourceType: 'Encounter', status: 'finished' } }) {
  server = fakeServer((call) => {
    if (call.url === '/fhir/R4/DocumentReference' && call.method === 'POST') return { status: 201, body: { ...(call.body as object), id: 'd1' } };
    if (call.url === '/fhir/R4/Appointment/a1/$finish') return finish;
    return undefined;
  });
  return server.calls;
}

const form = (mode: 'video' | 'phone', onFinished: () => void = () => undefined) =>
  renderUi(<VisitNoteForm appointmentId="a1" mode={mode} patientId="malik" encounter="Encounter/e1" author="Practitioner/castillo" title="Video visit with Malik Johnson" onFinished={onFinished} />);

describe('VisitNoteForm', () => {
  test('a video visit is finished with its note, saved first as a Progress note of the visit', async () => {
    const calls = serve();
    let finished = false;
    form('video', () => (finished = true));
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    assert.ok(await screen.findByText('Write a note of the visit'));
    assert.equal(calls.length, 0);

    fireEvent.change(screen.getByRole('textbox', { name: 'Visit note' }), { target: { value: 'Mood stable; continue.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    await waitFor(() => assert.ok(finished));
    assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), ['POST /fhir/R4/DocumentReference', 'POST /fhir/R4/Appointment/a1/$finish']);
    const doc = calls[0]!.body as DocumentReference;
    assert.deepEqual(doc.context?.encounter, [{ reference: 'Encounter/e1' }]);
    assert.equal(calls[1]!.body, undefined, 'no outcome for a video visit');
  });

  test('a phone call nobody answered needs its outcome, not a note', async () => {
    const calls = serve();
    form('phone');
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    assert.ok(await screen.findByText('Say how the call went'));
    fireEvent.click(screen.getByRole('radio', { name: 'No answer' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    await waitFor(() => assert.equal(calls.length, 1));
    assert.deepEqual((calls[0]!.body as Parameters).parameter, [{ name: 'outcome', valueCode: 'no-answer' }]);
  });

  test('a refused finish shows the server\'s words; the note saved before it is not saved twice', async () => {
    const calls = serve({ status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Appointment/a1 is already fulfilled' }] } });
    form('video');
    fireEvent.change(screen.getByRole('textbox', { name: 'Visit note' }), { target: { value: 'Seen.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    assert.ok(await screen.findByText('Appointment/a1 is already fulfilled'));
    fireEvent.click(screen.getByRole('button', { name: 'Save note and finish visit' }));
    await waitFor(() => assert.equal(calls.filter((c) => c.url.endsWith('$finish')).length, 2));
    assert.equal(calls.filter((c) => c.url === '/fhir/R4/DocumentReference').length, 1);
  });

  test('what a visit needs before it is finished', () => {
    assert.equal(noteProblem({ text: '', outcome: 'wrong-number' }, 'phone'), undefined);
    assert.equal(noteProblem({ text: '', outcome: 'reached' }, 'phone')?.field, 'text');
    assert.equal(noteProblem({ text: 'x', outcome: '' }, 'video'), undefined);
  });
});
