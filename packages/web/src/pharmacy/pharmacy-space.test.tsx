import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { fakeMe, fakeServer, SignedIn, type FakeServer } from '../test/fake-server.js';
import { QueuePage } from './pharmacy-space.js';

let server: FakeServer | undefined;
afterEach(() => server?.restore());

const rx = (id: string, text: string, status: MedicationRequest['status'] = 'active'): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent: 'order',
  subject: { reference: 'Patient/ana', display: 'Ana Souza' },
  medicationCodeableConcept: { text },
  authoredOn: '2026-10-29T16:30:00Z',
  requester: { display: 'Dr. Amara Okafor' },
});

describe('the prescription queue', () => {
  test("shows what was sent to the pharmacist's pharmacy, filters by status and loads older pages", async () => {
    server = fakeServer(({ url }) => {
      if (url === '/auth/me') return { body: fakeMe(['pharmacist'], { organizationIds: ['alder'] }) };
      if (!url.startsWith('/fhir/R4/MedicationRequest?')) return undefined;
      const q = new URL(url, 'http://x').searchParams;
      if (q.get('_cursor') === 'p2') return { body: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: rx('rx3', 'Lisinopril 10 mg tablet') }] } satisfies Bundle };
      if (q.get('status') === 'completed') return { body: { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] } satisfies Bundle };
      return {
        body: {
          resourceType: 'Bundle',
          type: 'searchset',
          total: 3,
          link: [{ relation: 'next', url: `https://salus.example${url}&_cursor=p2` }],
          entry: [{ resource: rx('rx1', 'Epinephrine 0.3 mg auto-injector') }, { resource: rx('rx2', 'Metformin 500 mg tablet') }],
        } satisfies Bundle,
      };
    });
    renderUi(<SignedIn><QueuePage /></SignedIn>);
    const list = await screen.findByRole('table', { name: 'Prescriptions' });
    assert.equal(within(list).getAllByRole('row').length, 3, 'a header and two prescriptions');
    assert.ok(within(list).getByText('Epinephrine 0.3 mg auto-injector'));
    assert.ok(screen.getByText('3 prescriptions, 2 shown'));
    const first = new URL(server.calls.find((c) => c.url.startsWith('/fhir/R4/MedicationRequest'))!.url, 'http://x').searchParams;
    assert.equal(first.get('intended-dispenser'), 'Organization/alder');
    assert.equal(first.get('status'), 'active');

    fireEvent.click(screen.getByRole('button', { name: 'Show older prescriptions' }));
    await screen.findByText('Lisinopril 10 mg tablet');
    assert.ok(server.calls.some((c) => c.url.startsWith('/fhir/R4/MedicationRequest?') && c.url.includes('_cursor=p2')), 'the next page is asked of this origin');

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'completed' } });
    await screen.findByText('No prescriptions with this status.');
    await waitFor(() => assert.equal(screen.queryByText('Lisinopril 10 mg tablet'), null));
  });

  test('a pharmacist not yet linked to a pharmacy is told so instead of searching', async () => {
    server = fakeServer(({ url }) => (url === '/auth/me' ? { body: fakeMe(['pharmacist']) } : undefined));
    renderUi(<SignedIn><QueuePage /></SignedIn>);
    await screen.findByText(/not linked to a pharmacy/);
    assert.equal(server.calls.some((c) => c.url.startsWith('/fhir/')), false);
  });
});
