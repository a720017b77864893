import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { AccountPage, AdminAccount, LedgerReport } from '../api/admin.js';
import { fakeMe, fakeServer, SignedIn, type FakeAnswer, type FakeCall, type FakeServer } from '../test/fake-server.js';
import { AuditPage, ChainReport } from './audit-page.js';
import { SessionsPage } from './sessions-page.js';
import { StaffPage } from './staff-page.js';

let server: FakeServer | undefined;
afterEach(() => server?.restore());

const ORG = { resourceType: 'Organization', id: 'clinic', name: 'Riverton Clinic' };
const KWAME: AdminAccount = {
  id: 'acc-kwame',
  email: 'kwame@clinic.example',
  displayName: 'Kwame Mensah',
  roles: ['practitioner'],
  status: 'active',
  verified: false,
  organizationIds: ['clinic'],
  fhirUser: 'Practitioner/kwame',
  createdAt: '2026-01-01T00:00:00Z',
};
const GRACE: AdminAccount = { id: 'acc-1', email: 'grace@clinic.example', displayName: 'Grace Whitfield', roles: ['admin'], status: 'active', verified: false, organizationIds: ['clinic'], createdAt: '2026-01-01T00:00:00Z', lastSignInAt: '2026-03-01T08:00:00Z' };
const page = (accounts: AdminAccount[]): AccountPage => ({ accounts, total: accounts.length, limit: 25, offset: 0 });
const searchset = (resources: object[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource: resource as never, search: { mode: 'match' } })) });

/** The admin's fake server: `/auth/me`, their organization, and whatever `more` answers. */
function serve(more: (call: FakeCall) => FakeAnswer): FakeServer {
  return fakeServer((call) => {
    if (call.url === '/auth/me') return { body: fakeMe(['admin'], { organizationIds: ['clinic'], mfaEnrolled: true }) };
    if (call.url.startsWith('/fhir/R4/Organization?')) return { body: searchset([ORG]) };
    return more(call);
  });
}

describe('staff', () => {
  test('an unverified clinician stands out, and verifying shows their licence before it is sent', async () => {
    let verified = false;
    server = serve(({ method, url }) => {
      if (url.startsWith('/admin/accounts?verified=false')) return { body: page(verified ? [] : [KWAME]) };
      if (url.startsWith('/admin/accounts')) return { body: page([GRACE, { ...KWAME, verified }]) };
      if (url === '/fhir/R4/Practitioner/kwame') {
        return { body: { resourceType: 'Practitioner', id: 'kwame', qualification: [{ code: { text: 'Registered Nurse' }, identifier: [{ value: 'RN-77102' }], issuer: { display: 'State Board of Nursing' } }] } };
      }
      if (method === 'POST' && url === '/admin/practitioners/acc-kwame/verify') {
        verified = true;
        return {};
      }
      return undefined;
    });
    renderUi(<SignedIn><StaffPage /></SignedIn>);
    const queue = await screen.findByRole('region', { name: '1 licence to verify' });
    fireEvent.click(within(queue).getByRole('button', { name: "Check and verify Kwame Mensah's licence" }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('RN-77102');
    assert.ok(within(dialog).getByText(/State Board of Nursing/));
    assert.equal(server.calls.some((c) => c.url.endsWith('/verify')), false, 'nothing is sent before the administrator confirms');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Licence checked: verify' }));
    await screen.findByText("Kwame Mensah's licence is verified.");
    await waitFor(() => assert.equal(screen.queryByRole('region', { name: /licences? to verify/ }), null));
  });

  test('the invitation form checks itself, asks for a licence for clinicians, and shows the server refusal at its field', async () => {
    server = serve(({ method, url }) => {
      if (url.startsWith('/admin/accounts')) return { body: page([GRACE]) };
      if (method === 'POST' && url === '/admin/invitations') {
        return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Licence numbers of this register are 5 digits', expression: ['qualification.licence'] }] } };
      }
      return undefined;
    });
    renderUi(<SignedIn><StaffPage /></SignedIn>);
    fireEvent.click(await screen.findByRole('button', { name: 'Invite staff' }));
    const form = await screen.findByRole('form', { name: 'Invite staff' });
    await waitFor(() => assert.equal((within(form).getByLabelText(/^Organization/) as HTMLSelectElement).value, 'clinic', 'their only organization is chosen'));
    fireEvent.click(within(form).getByRole('button', { name: 'Send the invitation' }));
    assert.ok(within(form).getByText('Type an email address such as name@clinic.example'));
    assert.ok(within(form).getByText('Choose at least one role'));
    assert.equal(within(form).queryByLabelText(/^Licence number/), null, 'no licence asked of someone without a licensed role');

    fireEvent.change(within(form).getByLabelText(/^Email/), { target: { value: 'noor@clinic.example' } });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: 'Dr. Noor Haddad' } });
    fireEvent.click(within(form).getByRole('checkbox', { name: 'Clinician' }));
    assert.ok(within(form).getByText('Clinicians and pharmacists need their licence number'));
    fireEvent.change(within(form).getByLabelText(/^Licence number/), { target: { value: 'MD-1' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Send the invitation' }));
    await within(form).findByText('Licence numbers of this register are 5 digits');
    assert.deepEqual(server.calls.find((c) => c.url === '/admin/invitations')?.body, {
      email: 'noor@clinic.example',
      displayName: 'Dr. Noor Haddad',
      roles: ['practitioner'],
      organizationId: 'clinic',
      qualification: { licence: 'MD-1' },
    });
  });

  test('disabling asks first, then disables', async () => {
    server = serve(({ method, url }) => {
      if (url.startsWith('/admin/accounts?verified=false')) return { body: page([]) };
      if (url.startsWith('/admin/accounts')) return { body: page([GRACE, { ...KWAME, verified: true }]) };
      if (method === 'POST' && url === '/admin/accounts/acc-kwame/disable') return {};
      return undefined;
    });
    renderUi(<SignedIn><StaffPage /></SignedIn>);
    fireEvent.click(await screen.findByRole('button', { name: 'Disable Kwame Mensah' }));
    assert.equal(screen.queryByRole('button', { name: 'Disable Grace Whitfield' }), null, 'administrators cannot disable themselves');
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disable the account' }));
    await screen.findByText("Kwame Mensah's account is disabled.");
    assert.ok(server.calls.some((c) => c.method === 'POST' && c.url === '/admin/accounts/acc-kwame/disable'));
  });
});

describe('sessions', () => {
  test("an administrator ends one of a person's sessions, then all of them after confirming", async () => {
    let sessions = [
      { id: 's1', createdAt: '2026-03-01T08:00:00Z', lastSeenAt: '2026-03-01T09:00:00Z', expiresAt: '2026-03-01T20:00:00Z', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/128.0 Safari/537.36' },
      { id: 's2', createdAt: '2026-03-01T07:00:00Z', lastSeenAt: '2026-03-01T07:30:00Z', expiresAt: '2026-03-01T19:00:00Z', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1' },
      { id: 's3', createdAt: '2026-03-01T06:00:00Z', lastSeenAt: '2026-03-01T06:30:00Z', expiresAt: '2026-03-01T18:00:00Z', userAgent: 'curl/8.5.0' },
    ];
    server = serve(({ method, url }) => {
      if (url.startsWith('/admin/accounts?')) return { body: page([KWAME]) };
      if (url === '/admin/accounts/acc-kwame/sessions' && method === 'GET') return { body: { sessions } };
      if (url === '/admin/accounts/acc-kwame/sessions/s2' && method === 'DELETE') {
        sessions = sessions.filter((s) => s.id !== 's2');
        return {};
      }
      if (url === '/admin/accounts/acc-kwame/sessions' && method === 'DELETE') {
        const ended = sessions.length;
        sessions = [];
        return { body: { ended } };
      }
      return undefined;
    });
    renderUi(<SignedIn><SessionsPage /></SignedIn>, { path: '/administration/sessions?account=acc-kwame' });
    await screen.findByRole('heading', { name: 'Sessions of Kwame Mensah' });
    fireEvent.click(await screen.findByRole('button', { name: /Sign out Safari on iPhone/ }));
    await screen.findByText('The session was ended.');
    await waitFor(() => assert.equal(screen.queryByText('Safari on iPhone'), null));

    fireEvent.click(screen.getByRole('button', { name: 'Sign Kwame Mensah out everywhere' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'End every session' }));
    await screen.findByText('2 sessions were ended.');
    await screen.findByText('Kwame Mensah is not signed in anywhere.');
  });
});

describe('audit ledger', () => {
  const breakGlass: AuditEvent = {
    resourceType: 'AuditEvent',
    id: '90',
    meta: { tag: [{ system: 'https://salus.example/fhir/CodeSystem/audit-flag', code: 'flagged' }] },
    type: { code: '110113' },
    subtype: [{ code: 'break-glass' }],
    recorded: '2026-03-02T10:15:00Z',
    outcome: '0',
    purposeOfEvent: [{ text: 'Unconscious in the emergency department' }],
    agent: [{ requestor: true, who: { reference: 'Practitioner/kwame', identifier: { system: 'https://salus.example/fhir/sid/account', value: 'acc-kwame' } } }],
    source: { observer: { display: 'Salus' } },
    entity: [{ what: { reference: 'Patient/ana' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } }],
  };

  test('filters become the ledger query, flagged entries stand out, and paging follows the next link', async () => {
    server = serve(({ url }) => {
      if (url.startsWith('/admin/accounts')) return { body: page([KWAME]) };
      if (url.startsWith('/admin/audit?')) {
        const bundle = searchset([breakGlass]) as Bundle;
        if (!url.includes('before=')) bundle.link = [{ relation: 'next', url: `${url}&before=90` }];
        return { body: bundle };
      }
      return undefined;
    });
    renderUi(<SignedIn><AuditPage /></SignedIn>);
    const form = await screen.findByRole('form', { name: 'Filter the ledger' });
    fireEvent.change(within(form).getByLabelText('Patient id'), { target: { value: 'Patient/ana' } });
    fireEvent.change(within(form).getByLabelText('Kind of entry'), { target: { value: 'break-glass' } });
    fireEvent.change(within(form).getByLabelText('Entries per page'), { target: { value: '100' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Show entries' }));
    await waitFor(() => assert.ok(server!.calls.some((c) => c.url === '/admin/audit?patient=ana&subtype=break-glass&_count=100')));
    const table = await screen.findByRole('table', { name: 'Ledger entries' });
    assert.ok(within(table).getAllByText('Flagged').length > 0);
    assert.ok(within(table).getByText('Unconscious in the emergency department'));
    assert.ok(within(table).getByRole('button', { name: 'Only entries of Kwame Mensah' }), 'account ids read as names');

    fireEvent.click(screen.getByRole('button', { name: 'Older entries' }));
    await waitFor(() => assert.ok(server!.calls.some((c) => c.url === '/admin/audit?patient=ana&subtype=break-glass&_count=100&before=90')));
    await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Older entries' }) as HTMLButtonElement).disabled, true));
    fireEvent.click(screen.getByRole('button', { name: 'Newer entries' }));
    await waitFor(() => assert.equal((screen.getByRole('button', { name: 'Newer entries' }) as HTMLButtonElement).disabled, true));

    // Each page is a new table: a new search shows loading rather than the previous answer.
    fireEvent.click(within(await screen.findByRole('table', { name: 'Ledger entries' })).getByRole('button', { name: 'Only entries of Kwame Mensah' }));
    await waitFor(() => assert.ok(server!.calls.some((c) => c.url === '/admin/audit?account=acc-kwame&patient=ana&subtype=break-glass&_count=100')));
  });

  test('a verification report names what was tampered with', () => {
    const report: LedgerReport = {
      ok: false,
      entries: 120,
      head: { seq: '121', hash: 'abc' },
      checkpoints: 1,
      latestCheckpoint: { seq: '100', hash: 'def', created: '2026-03-01T00:00:00Z' },
      problems: [
        { kind: 'modified', in: 'ledger', seq: '57', detail: 'the entry does not match its seal' },
        { kind: 'deleted', in: 'ledger', seq: '80', lastSeq: '81', detail: 'entries are missing' },
      ],
      complete: true,
    };
    renderUi(<ChainReport report={report} />);
    assert.ok(screen.getByText('The ledger was tampered with: 2 problems'));
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    assert.deepEqual(items, ['modified in ledger, seq 57: the entry does not match its seal', 'deleted in ledger, seq 80–81: entries are missing']);
  });
});
