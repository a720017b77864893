import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { fakeMe, fakeServer, SignedIn, type FakeServer } from '../test/fake-server.js';
import { FakeWebSocket } from './fake-websocket.js';
import { WaitingRoomPage } from './waiting-room-page.js';

const today = new Date();
const at = (h: number) => new Date(today.getFullYear(), today.getMonth(), today.getDate(), h).toISOString();
const visit = (id: string, o: Partial<Appointment>): Appointment => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  serviceType: [visitModeConcept('video')],
  start: at(10),
  participant: [{ actor: { reference: 'Patient/malik' }, status: 'accepted' }, { actor: { reference: 'Practitioner/castillo' }, status: 'accepted' }],
  ...o,
});
const malik: Patient = { resourceType: 'Patient', id: 'malik', name: [{ given: ['Malik'], family: 'Johnson' }] };

describe('WaitingRoomPage', () => {
  let server: FakeServer;
  let restore: () => void;
  let status: Appointment['status'];
  beforeEach(() => {
    restore = FakeWebSocket.install();
    status = 'booked';
    server = fakeServer((call) => {
      const url = new URL(call.url, 'http://localhost');
      if (url.pathname === '/auth/me') return { body: fakeMe(['practitioner'], { fhirUser: 'Practitioner/castillo', displayName: 'Dr. Sofía Castillo' }) };
      if (url.pathname === '/fhir/R4/Appointment' && call.method === 'GET') {
        const entry = [visit('v1', { status }), visit('p1', { start: at(11), serviceType: [visitModeConcept('phone')] }), malik].map((resource) => ({ resource }));
        return { body: { resourceType: 'Bundle', type: 'searchset', entry } };
      }
      if (url.pathname === '/fhir/R4/Appointment/v1/$admit') return { body: { resourceType: 'Encounter', id: 'e1', status: 'in-progress' } };
      return undefined;
    });
  });
  afterEach(() => {
    server.restore();
    restore();
  });

  test('a patient checking in and opening the visit shows up live; the clinician admits them', async () => {
    renderUi(
      <SignedIn>
        <WaitingRoomPage />
      </SignedIn>,
      { path: '/clinician/waiting-room' },
    );
    await screen.findAllByText('Malik Johnson');
    const search = new URL(server.calls.find((c) => c.url.startsWith('/fhir/R4/Appointment?'))!.url, 'http://localhost').searchParams;
    assert.equal(search.get('practitioner'), 'Practitioner/castillo');
    assert.ok(screen.getByText('Not arrived'));
    assert.ok(screen.getByText('To call'), 'the phone visit is there to call');
    const admit = screen.getByRole('button', { name: 'Admit Malik Johnson' }) as HTMLButtonElement;
    assert.equal(admit.disabled, true, 'not before they check in');

    const socket = FakeWebSocket.latest();
    assert.match(socket.url, /\/telehealth\/waiting-room$/);
    act(() => socket.open());
    await screen.findByText('Live');
    // The check-in changes the appointment: the list is read again. Then the patient opens the page.
    status = 'arrived';
    act(() => socket.receive({ type: 'visit', appointment: 'v1', event: 'checked-in' }));
    await screen.findByText('Checked in, page closed');
    act(() => socket.receive({ type: 'visit', appointment: 'v1', event: 'patient-joined' }));
    await screen.findByText('Waiting now');

    fireEvent.click(screen.getByRole('button', { name: 'Admit Malik Johnson' }));
    await waitFor(() => assert.ok(server.calls.some((c) => c.method === 'POST' && c.url === '/fhir/R4/Appointment/v1/$admit')));
    act(() => socket.receive({ type: 'visit', appointment: 'v1', event: 'patient-left' }));
    await waitFor(() => assert.equal(screen.queryByText('Waiting now'), null));
    assert.ok(within(document.body).getAllByText('Video visit').length > 0);
  });
});
