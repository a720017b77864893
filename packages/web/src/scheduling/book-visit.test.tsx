import '../patient/test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { Appointment, Parameters, Resource } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { me, renderSignedIn, serve } from '../patient/test-support.js';
import { BookVisit } from './book-visit.js';

const schedule: Resource = {
  resourceType: 'Schedule',
  id: 'okafor',
  actor: [{ reference: 'Practitioner/okafor' }],
  extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: 'America/Los_Angeles' }],
};
const okafor: Resource = { resourceType: 'Practitioner', id: 'okafor', name: [{ prefix: ['Dr.'], given: ['Amara'], family: 'Okafor' }] };
const slot = (id: string, start: string): Resource => ({
  resourceType: 'Slot',
  id,
  schedule: { reference: 'Schedule/okafor' },
  status: 'free',
  start,
  end: new Date(Date.parse(start) + 20 * 60_000).toISOString(),
  serviceType: [visitModeConcept('video')],
});
const found = (slots: Resource[]) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [...slots.map((resource) => ({ resource, search: { mode: 'match' } })), { resource: schedule, search: { mode: 'include' } }, { resource: okafor, search: { mode: 'include' } }],
});

describe('booking a visit', () => {
  test('free times are shown where the patient is, with the clinician’s own clock beside the chosen one, and booked with $book', async () => {
    let booked: Appointment | undefined;
    const calls = serve(me(['ana']), (url, call) => {
      if (url.pathname === '/fhir/R4/Schedule/$find') return { body: found([slot('s1', '2026-12-08T14:00:00Z'), slot('s2', '2026-12-09T17:30:00Z')]) };
      if (url.pathname === '/fhir/R4/Appointment/$book' && call.method === 'POST') {
        return { status: 201, body: { resourceType: 'Appointment', id: 'a1', status: 'booked', start: '2026-12-08T14:00:00Z', participant: [] } };
      }
      return undefined;
    });
    renderSignedIn(<BookVisit patientId="ana" timeZone="America/New_York" onDone={(a) => (booked = a)} />, '/patient/ana/appointments/book');
    // 14:00 UTC is 9:00 in New York (and 6:00 in Oregon).
    const nine = await screen.findByRole('button', { name: /9:00.*Dr\. Amara Okafor/ });
    assert.ok(screen.getByRole('heading', { name: /Tue, (8 Dec|Dec 8)/ }));
    assert.ok(screen.getByText(/Times are shown in your time zone \(Eastern Standard Time\)/));
    const find = new URL(calls.find((c) => c.url.startsWith('/fhir/R4/Schedule/$find'))!.url, 'http://x');
    assert.equal(find.searchParams.get('visit-type'), 'video');
    fireEvent.click(nine);
    assert.equal(nine.getAttribute('aria-pressed'), 'true');
    assert.ok(await screen.findByText(/That is 6:00.*for Dr\. Amara Okafor \(Pacific Standard Time\)/));
    fireEvent.change(screen.getByLabelText(/What would you like to talk about/), { target: { value: 'Blood pressure readings' } });
    fireEvent.click(screen.getByRole('button', { name: 'Book visit' }));
    await waitFor(() => assert.equal(booked?.id, 'a1'));
    const sent = calls.find((c) => c.url === '/fhir/R4/Appointment/$book')!.body as Parameters;
    assert.deepEqual(sent, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: 'Slot/s1' } },
        { name: 'patient', valueReference: { reference: 'Patient/ana' } },
        { name: 'reason', valueString: 'Blood pressure readings' },
      ],
    });
  });

  test('a time someone else took first is explained and the week is loaded again without it', async () => {
    let finds = 0;
    serve(me(['ana']), (url) => {
      if (url.pathname === '/fhir/R4/Schedule/$find') {
        finds += 1;
        return { body: found(finds === 1 ? [slot('s1', '2026-12-08T14:00:00Z'), slot('s2', '2026-12-08T15:00:00Z')] : [slot('s2', '2026-12-08T15:00:00Z')]) };
      }
      if (url.pathname === '/fhir/R4/Appointment/$book') {
        return { status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'That time was just taken' }] } };
      }
      return undefined;
    });
    renderSignedIn(<BookVisit patientId="ana" timeZone="UTC" onDone={() => assert.fail('nothing was booked')} />, '/patient/ana/appointments/book');
    fireEvent.click(await screen.findByRole('button', { name: /14:00|2:00/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Book visit' }));
    assert.ok(await screen.findByText('Someone else has just booked that time. Please choose another.'));
    await waitFor(() => assert.equal(screen.queryByRole('button', { name: /14:00|2:00 PM/ }), null));
    assert.ok(screen.getByRole('button', { name: /15:00|3:00/ }));
    assert.equal(screen.queryByRole('button', { name: 'Book visit' }), null, 'the confirmation went with the time');
  });
});
