import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { CountPage, DashboardPage } from './public-health-space.js';

let server: FakeServer | undefined;
afterEach(() => server?.restore());

/** Counts as the server gives them: only `_summary=count` searches, answered with a total. */
function serveCounts(total: (type: string, q: URLSearchParams) => number): FakeServer {
  return fakeServer(({ url }) => {
    const u = new URL(url, 'http://x');
    if (u.searchParams.get('_summary') !== 'count') return { status: 403, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'only counts' }] } };
    return { body: { resourceType: 'Bundle', type: 'searchset', total: total(u.pathname.split('/').pop()!, u.searchParams) } };
  });
}

describe('public health', () => {
  test('the dashboard counts encounters month by month and tracked conditions, shown as numbers too', async () => {
    server = serveCounts((type, q) => (type === 'Encounter' ? (q.getAll('date').length === 2 ? Number(q.getAll('date')[0]!.slice(7, 9)) : 0) : type === 'Condition' && q.get('code') === 'http://snomed.info/sct|44054006' ? 17 : 3));
    renderUi(<DashboardPage />);
    const months = await screen.findByRole('table', { name: 'Encounters per month' });
    const rows = within(months).getAllByRole('row').slice(1);
    assert.equal(rows.length, 12);
    const now = new Date();
    assert.equal(rows[11]!.lastChild?.textContent, String(now.getMonth() + 1), 'the current month, asked as ge its first day and lt the next month');
    const conditions = await screen.findByRole('table', { name: 'Conditions (SNOMED CT)' });
    assert.equal(within(conditions).getByText('Type 2 diabetes').nextSibling?.textContent, '17');
    assert.ok(server.calls.every((c) => c.url.includes('_summary=count')), 'nothing but counts is asked');
  });

  test('any type can be counted by code and period', async () => {
    server = serveCounts(() => 1234);
    renderUi(<CountPage />);
    const form = screen.getByRole('form', { name: 'Count records' });
    fireEvent.change(within(form).getByLabelText('What to count'), { target: { value: 'Observation' } });
    fireEvent.change(within(form).getByLabelText('Code'), { target: { value: 'http://loinc.org|4548-4' } });
    fireEvent.change(within(form).getByLabelText('From (optional)'), { target: { value: '2026-01-01' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Count' }));
    await screen.findByText('1,234');
    assert.deepEqual(server.calls.map((c) => c.url), ['/fhir/R4/Observation?code=http%3A%2F%2Floinc.org%7C4548-4&date=ge2026-01-01&_summary=count']);
  });

  test('a count that cannot be asked is explained at its field instead of sent', async () => {
    server = serveCounts(() => 0);
    renderUi(<CountPage />);
    const form = screen.getByRole('form', { name: 'Count records' });
    fireEvent.change(within(form).getByLabelText('Code'), { target: { value: 'type 2 diabetes' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Count' }));
    assert.ok(within(form).getByText('Write a code, or system|code, without spaces'));
    fireEvent.change(within(form).getByLabelText('What to count'), { target: { value: 'Patient' } });
    assert.equal(within(form).queryByLabelText('Code'), null, 'patients have no code to count by');
    await waitFor(() => assert.equal(server!.calls.length, 0));
  });
});
