import '../patient/test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { Schedule } from '@medplum/fhirtypes';
import { readAvailability } from '@salus/core';
import { Route, Routes } from 'react-router';
import { fakeMe, fakeServer, SignedIn } from '../test/fake-server.js';
import { renderUi } from '../test/render.js';
import { AvailabilityPage } from './availability-page.js';

function render(existing: Schedule[], refuse?: { expression: string; diagnostics: string }) {
  const server = fakeServer((call) => {
    const url = new URL(call.url, 'http://localhost');
    if (url.pathname === '/auth/me') return { body: fakeMe(['practitioner'], { fhirUser: 'Practitioner/okafor', mfaEnrolled: true }) };
    if (url.pathname === '/fhir/R4/Schedule' && call.method === 'GET') return { body: { resourceType: 'Bundle', type: 'searchset', entry: existing.map((resource) => ({ resource })) } };
    if (url.pathname === '/fhir/R4/Schedule' && call.method === 'POST' && refuse) {
      return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: refuse.diagnostics, expression: [refuse.expression] }] } };
    }
    if (url.pathname === '/fhir/R4/Schedule' && call.method === 'POST') return { status: 201, body: { ...(call.body as object), id: 'new' } };
    return undefined;
  });
  renderUi(
    <Routes>
      <Route path="/clinician/*" element={<SignedIn><AvailabilityPage /></SignedIn>} />
    </Routes>,
    { path: '/clinician/availability' },
  );
  return server;
}

describe('opening hours', () => {
  test('a clinician without a schedule starts from weekday hours; a slip is named under its field and nothing is sent', async () => {
    const server = render([]);
    try {
      const until = await screen.findByLabelText('Until');
      assert.equal((until as HTMLInputElement).value, '17:00');
      fireEvent.change(until, { target: { value: '08:00' } });
      fireEvent.click(screen.getByRole('button', { name: 'Save opening hours' }));
      assert.ok(await screen.findByText('Some entries need fixing; they are marked below.'));
      assert.equal(until.getAttribute('aria-invalid'), 'true');
      assert.equal(server.calls.filter((c) => c.method !== 'GET').length, 0);
    } finally {
      server.restore();
    }
  });

  test('saved hours are a FHIR Schedule for the clinician carrying the availability', async () => {
    const server = render([]);
    try {
      fireEvent.change(await screen.findByLabelText('Until'), { target: { value: '16:30' } });
      fireEvent.click(screen.getByRole('button', { name: 'Save opening hours' }));
      await waitFor(() => assert.ok(server.calls.some((c) => c.method === 'POST')));
      const saved = server.calls.find((c) => c.method === 'POST')!.body as Schedule;
      assert.deepEqual(saved.actor, [{ reference: 'Practitioner/okafor' }]);
      const a = readAvailability(saved);
      assert.equal(a?.weekly[0]?.end, '16:30');
      assert.deepEqual(a?.weekly[0]?.days, ['mon', 'tue', 'wed', 'thu', 'fri']);
      assert.deepEqual(a?.visitTypes.map((t) => t.mode).sort(), ['in-person', 'phone', 'video']);
    } finally {
      server.restore();
    }
  });

  test('a field the server refuses is marked under its input', async () => {
    const server = render([], { expression: "Schedule.extension('https://salus.health/fhir/StructureDefinition/availability').weekly[0].end", diagnostics: 'Hours may not end after midnight' });
    try {
      const until = await screen.findByLabelText('Until');
      fireEvent.click(screen.getByRole('button', { name: 'Save opening hours' }));
      assert.ok(await screen.findAllByText('Hours may not end after midnight'));
      assert.equal(until.getAttribute('aria-invalid'), 'true');
    } finally {
      server.restore();
    }
  });
});
