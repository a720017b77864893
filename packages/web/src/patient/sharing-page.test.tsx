import './test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Consent, Patient } from '@medplum/fhirtypes';
import { buildConsent } from './consents.js';
import { SharingPage } from './sharing-page.js';
import { bundleOf, me, renderSignedIn, serve } from './test-support.js';

const ana: Patient = { resourceType: 'Patient', id: 'ana', name: [{ given: ['Ana'], family: 'Souza' }] };
const existing: Consent = { ...buildConsent('ana', { effect: 'permit', actor: { reference: 'Practitioner/raman' }, groups: ['results'] }, undefined, new Date('2026-10-01T00:00:00Z')), id: 'c1' };

function server() {
  return serve(me(['ana']), (url, call) => {
    if (url.pathname === '/fhir/R4/Consent' && call.method === 'GET') return { body: bundleOf([existing]) };
    if (url.pathname === '/fhir/R4/Consent' && call.method === 'POST') return { status: 201, body: { ...(call.body as object), id: 'new' } };
    if (url.pathname === '/fhir/R4/Consent/c1' && call.method === 'PUT') return { body: call.body };
    if (url.pathname === '/fhir/R4/Practitioner' && url.searchParams.get('_id')) return { body: bundleOf([{ resourceType: 'Practitioner', id: 'raman', name: [{ prefix: ['Dr.'], given: ['Priya'], family: 'Raman' }] }]) };
    if (url.pathname === '/fhir/R4/Practitioner' && url.searchParams.get('name') === 'cast') return { body: bundleOf([{ resourceType: 'Practitioner', id: 'castillo', name: [{ prefix: ['Dr.'], given: ['Sofía'], family: 'Castillo' }] }]) };
    return undefined;
  });
}

describe('SharingPage', () => {
  test('lists the choices in force in plain words, with the clinician named', async () => {
    server();
    renderSignedIn(<SharingPage patient={ana} whose="your" />, '/patient/ana/sharing');
    assert.ok(await screen.findByText('Dr. Priya Raman can see your results and measurements.'));
    assert.ok(screen.getByRole('heading', { name: 'Who can see your record now', level: 2 }));
  });

  test('refusing a clinician found by name saves the Consent the server enforces', async () => {
    const calls = server();
    renderSignedIn(<SharingPage patient={ana} whose="your" />, '/patient/ana/sharing');
    await screen.findByText(/Dr. Priya Raman can see/);
    const save = screen.getByRole('button', { name: 'Save this choice' });
    assert.equal((save as HTMLButtonElement).disabled, true, 'nobody chosen yet');
    const picker = screen.getByLabelText(/Find the clinician by name/, { selector: 'input' });
    // Mantine takes a change to an unfocused input for autofill, not typing.
    picker.focus();
    fireEvent.change(picker, { target: { value: 'cast' } });
    fireEvent.click(await screen.findByRole('option', { name: 'Dr. Sofía Castillo' }, { timeout: 2000 }));
    fireEvent.click(screen.getByRole('radio', { name: 'Stop them from seeing it' }));
    assert.ok(screen.getByText('Dr. Sofía Castillo cannot see your whole record.'), 'the choice is explained before saving');
    fireEvent.click(save);
    await waitFor(() => assert.ok(calls.some((c) => c.method === 'POST')));
    const posted = calls.find((c) => c.method === 'POST')!.body as Consent;
    assert.equal(posted.resourceType, 'Consent');
    assert.equal(posted.status, 'active');
    assert.deepEqual(posted.patient, { reference: 'Patient/ana' });
    assert.deepEqual(posted.performer, [{ reference: 'Patient/ana' }]);
    assert.equal(posted.provision?.type, 'permit');
    assert.equal(posted.provision?.provision?.[0]?.type, 'deny');
    assert.deepEqual(posted.provision?.provision?.[0]?.actor?.[0]?.reference, { reference: 'Practitioner/castillo', display: 'Dr. Sofía Castillo' });
    assert.equal(posted.provision?.provision?.[0]?.class, undefined);
  });

  test('withdrawing a choice makes its Consent inactive after confirming', async () => {
    const calls = server();
    renderSignedIn(<SharingPage patient={ana} whose="your" />, '/patient/ana/sharing');
    await screen.findByText(/Dr. Priya Raman can see/);
    fireEvent.click(screen.getByRole('button', { name: 'Withdraw' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Withdraw' }));
    await waitFor(() => assert.ok(calls.some((c) => c.method === 'PUT')));
    const put = calls.find((c) => c.method === 'PUT')!;
    assert.equal(put.url, '/fhir/R4/Consent/c1');
    assert.equal((put.body as Consent).status, 'inactive');
    assert.deepEqual((put.body as Consent).provision, existing.provision);
  });
});
