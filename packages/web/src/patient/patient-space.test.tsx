import './test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { screen, waitFor, within } from '@testing-library/react';
import type { Resource } from '@medplum/fhirtypes';
import { recordResources } from '../record/test-fixtures.js';
import { PatientSpace } from './patient-space.js';
import { bundleOf, me, notFound, renderSignedIn, serve } from './test-support.js';

const everything = (id: string) => `/fhir/R4/Patient/${id}/$everything`;

describe('PatientSpace', () => {
  test('opens on the person’s own record, with every part of it in the menu', async () => {
    serve(me(['ana']), (url) => (url.pathname === everything('ana') ? { body: bundleOf(recordResources()) } : undefined));
    renderSignedIn(<PatientSpace />, '/patient');
    assert.ok(await screen.findByRole('heading', { name: 'Summary', level: 1 }));
    assert.ok(screen.getByText(/Ana Beatriz Souza · \d+ years/));
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    assert.deepEqual(
      within(nav).getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')]),
      [
        ['Summary', '/patient/ana'],
        ['Results', '/patient/ana/results'],
        ['My readings', '/patient/ana/readings'],
        ['Check-ins', '/patient/ana/check-ins'],
        ['Appointments', '/patient/ana/appointments'],
        ['Visits', '/patient/ana/visits'],
        ['Documents', '/patient/ana/documents'],
        ['Who has seen my record', '/patient/ana/access-log'],
        ['Sharing', '/patient/ana/sharing'],
        ['Download my record', '/patient/ana/download'],
      ],
    );
  });

  test('someone else’s record address shows only that there is no record here', async () => {
    const calls = serve(me(['ana']), (url) => (url.pathname === everything('jose') ? notFound : undefined));
    renderSignedIn(<PatientSpace />, '/patient/jose/results');
    assert.ok(await screen.findByRole('heading', { name: 'No record here', level: 1 }));
    assert.equal(screen.getByRole('link', { name: 'Go to my record' }).getAttribute('href'), '/patient/ana');
    assert.equal(screen.queryByRole('table'), null);
    assert.equal(screen.getByRole('link', { name: 'Results' }).getAttribute('href'), '/patient/ana/results', 'the menu leads back to their own record');
    assert.ok(calls.every((c) => !c.url.includes('access-log')));
  });

  test('a server failure other than "not found" is shown with a way to retry', async () => {
    serve(me(['ana']), () => ({ status: 500, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'Database unavailable' }] } }));
    renderSignedIn(<PatientSpace />, '/patient/ana');
    const alert = await screen.findByRole('alert');
    assert.match(alert.textContent ?? '', /Database unavailable/);
    assert.ok(within(alert).getByRole('button', { name: 'Try again' }));
  });

  test('a caregiver chooses whose record, named from one search of their patients', async () => {
    const zoe: Resource = { resourceType: 'Patient', id: 'zoe', name: [{ given: ['Zoë'], family: 'Brennan' }] };
    const own: Resource = { resourceType: 'Patient', id: 'siobhan', name: [{ given: ['Siobhán'], family: 'Brennan' }] };
    const calls = serve(me(['siobhan', 'zoe'], ['patient', 'caregiver'], 'Patient/siobhan'), (url) => {
      if (url.pathname === everything('zoe')) return { body: bundleOf([zoe]) };
      if (url.pathname === '/fhir/R4/Patient') return { body: bundleOf([own, zoe]) };
      return undefined;
    });
    renderSignedIn(<PatientSpace />, '/patient/zoe/visits');
    assert.ok(await screen.findByRole('heading', { name: 'Visits', level: 1 }));
    const select = screen.getByLabelText('Whose record', { selector: 'input' }) as HTMLInputElement;
    await waitFor(() => assert.equal(select.value, 'Zoë Brennan'));
    const searches = calls.filter((c) => c.url.startsWith('/fhir/R4/Patient?'));
    assert.equal(searches.length, 1);
    assert.equal(new URL(searches[0]!.url, 'http://x').searchParams.get('_id'), 'siobhan,zoe');
  });
});
