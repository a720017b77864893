import './test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import type { AuditEvent, Patient } from '@medplum/fhirtypes';
import { AccessLogPage } from './access-log-page.js';
import { bundleOf, me, renderSignedIn, serve } from './test-support.js';

const ana: Patient = { resourceType: 'Patient', id: 'ana', name: [{ given: ['Ana'], family: 'Souza' }] };
const ROLE = 'https://salus.example/fhir/CodeSystem/role';
const ACCOUNT = 'https://salus.example/fhir/sid/account';

function entry(id: string, who: string, account: string, role: string, subtype: string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { code: 'rest' },
    subtype: [{ code: subtype }],
    recorded: '2026-11-20T10:00:00Z',
    outcome: '0',
    agent: [{ role: [{ coding: [{ system: ROLE, code: role }] }], who: { reference: who, identifier: { system: ACCOUNT, value: account } }, requestor: true }],
    source: { observer: { display: 'Salus' } },
    entity: [{ what: { reference: 'Patient/ana' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } }],
    ...extra,
  };
}

const firstPage = [
  entry('9', 'Practitioner/lindqvist', 'acc-l', 'practitioner', 'break-glass', {
    meta: { tag: [{ system: 'https://salus.example/fhir/CodeSystem/audit-flag', code: 'flagged' }] },
    purposeOfEvent: [{ coding: [{ code: 'ETREAT' }], text: 'Unconscious in the emergency department' }],
  }),
  entry('8', 'Patient/ana', 'acc-1', 'patient', 'read'),
  entry('7', 'Practitioner/okafor', 'acc-o', 'practitioner', 'search-type', { entity: [{ what: { reference: 'Observation/o1' } }, { what: { reference: 'Observation/o2' } }] }),
];

describe('AccessLogPage', () => {
  test('shows who did what, names looked up together, emergency access highlighted with its reason', async () => {
    const calls = serve(me(['ana']), (url) => {
      if (url.pathname === '/me/access-log') return { body: { ...bundleOf(firstPage), link: [] } };
      if (url.pathname === '/fhir/R4/Practitioner') {
        return { body: bundleOf([{ resourceType: 'Practitioner', id: 'lindqvist', name: [{ prefix: ['Dr.'], given: ['Henrik'], family: 'Lindqvist' }] }, { resourceType: 'Practitioner', id: 'okafor', name: [{ prefix: ['Dr.'], given: ['Amara'], family: 'Okafor' }] }]) };
      }
      return undefined;
    });
    renderSignedIn(<AccessLogPage patient={ana} whose="your" />, '/patient/ana/access-log');
    assert.ok(await screen.findByText('Took emergency access to your record'));
    assert.ok(screen.getByText('Dr. Henrik Lindqvist'));
    assert.ok(screen.getByText('Unconscious in the emergency department'));
    assert.ok(screen.getByText('Emergency access'));
    assert.ok(screen.getByText('Looked through 2 results'));
    assert.equal(screen.queryByText('Opened your details'), null, 'one’s own activity is hidden at first');
    fireEvent.click(screen.getByRole('switch', { name: 'Show my own activity too' }));
    assert.ok(screen.getByText('You'));
    assert.ok(screen.getByText('Opened your details'));
    const log = calls.find((c) => c.url.startsWith('/me/access-log'))!;
    assert.equal(new URL(log.url, 'http://x').searchParams.get('patient'), 'ana');
    assert.equal(calls.filter((c) => c.url.startsWith('/fhir/R4/Practitioner')).length, 1);
  });

  test('a page mostly of one’s own views reads on, and "show older" continues from the next link', async () => {
    const others = Array.from({ length: 20 }, (_, i) => entry(`o${i}`, `Practitioner/p${i}`, `acc-p${i}`, 'practitioner', 'read'));
    serve(me(['ana']), (url) => {
      const before = url.searchParams.get('before');
      const next = (b: string) => [{ relation: 'next', url: `/me/access-log?patient=ana&_count=100&before=${b}` }];
      if (url.pathname !== '/me/access-log') return { status: 500, body: {} };
      if (before === null) return { body: { ...bundleOf([entry('8', 'Patient/ana', 'acc-1', 'patient', 'read')]), link: next('8') } };
      if (before === '8') return { body: { ...bundleOf(others), link: next('5') } };
      return { body: { ...bundleOf([entry('3', 'Practitioner/mensah', 'acc-m', 'practitioner', 'read')]), link: [] } };
    });
    renderSignedIn(<AccessLogPage patient={ana} whose="your" />, '/patient/ana/access-log');
    // Names that cannot be looked up fall back to the role.
    await waitFor(() => assert.equal(screen.getAllByText('A clinician').length, 20));
    fireEvent.click(screen.getByRole('button', { name: 'Show older entries' }));
    await waitFor(() => assert.equal(screen.getAllByText('A clinician').length, 21));
    assert.equal(screen.queryByRole('button', { name: 'Show older entries' }), null);
  });
});
