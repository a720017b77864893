import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { ResultsView } from './results-view.js';
import { recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';

function renderAt(path: string) {
  const record = buildRecord(recordResources(), 'ana');
  return renderUi(
    <Routes>
      <Route path="/patient/:patientId/results/:test?" element={<ResultsView record={record} />} />
    </Routes>,
    { path },
  );
}

describe('ResultsView', () => {
  test('lists each test under its category with the latest value, its flag in words and the normal range', () => {
    renderAt('/patient/ana/results');
    const vitals = screen.getByRole('table', { name: 'Vital signs' });
    assert.match(vitals.textContent ?? '', /Blood pressure.*128\/78 mmHg/);
    const labs = screen.getByRole('table', { name: 'Lab results' });
    const row = within(labs).getByRole('link', { name: 'HbA1c' }).closest('tr')!;
    assert.match(row.textContent ?? '', /5\.4%.*Normal: 4–5\.6%/);
    assert.match(row.textContent ?? '', /3 results/);
  });

  test('choosing a test opens its trend at a linkable address, with every value in a table', async () => {
    renderAt('/patient/ana/results');
    fireEvent.click(screen.getByRole('link', { name: 'HbA1c' }));
    assert.ok(screen.getByRole('heading', { name: 'HbA1c', level: 2 }));
    // The chart's code arrives on demand.
    assert.ok(await screen.findByRole('figure', {}, { timeout: 10_000 }));
    const table = screen.getByRole('table', { name: 'All values' });
    const rows = within(table).getAllByRole('row').slice(1);
    assert.deepEqual(rows.map((r) => within(r).getAllByRole('cell')[1]!.textContent), ['5.4%', '7.2%', '8.9%']);
    assert.match(rows[2]!.textContent ?? '', /High/);
    assert.equal(screen.getByRole('link', { name: 'All results' }).getAttribute('href'), '/patient/ana/results');
  });

  test('blood pressure shows systolic and diastolic side by side', () => {
    renderAt('/patient/ana/results/85354-9');
    const table = screen.getByRole('table', { name: 'All values' });
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    assert.deepEqual(headers, ['Date', 'Systolic (mmHg)', 'Diastolic (mmHg)'], 'no flag column when nothing could be flagged');
    assert.match(within(table).getAllByRole('row')[1]!.textContent ?? '', /128.*78/);
  });

  test('a test that is not in the record says so and leads back', () => {
    renderAt('/patient/ana/results/0000-0');
    assert.ok(screen.getByText('This result is not in the record.'));
    assert.equal(screen.getByRole('link', { name: 'See all results' }).getAttribute('href'), '/patient/ana/results');
  });
});
