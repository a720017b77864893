import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen } from '@testing-library/react';
import { recordResources } from './test-fixtures.js';
import { TimelineView } from './timeline-view.js';
import { buildRecord } from './use-patient-record.js';

describe('TimelineView', () => {
  test('days are headed newest first, and unticking a kind hides its entries', () => {
    renderUi(<TimelineView record={buildRecord(recordResources(), 'ana')} />);
    const days = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    assert.match(days[0]!, /2099/);
    assert.ok(screen.getAllByText('Follow-up encounter').length > 0);
    fireEvent.click(screen.getByRole('checkbox', { name: /^Visits/ }));
    assert.equal(screen.queryByText('Follow-up encounter'), null);
    assert.ok(screen.getByText('Diabetes panel'), 'other kinds stay');
    fireEvent.click(screen.getByRole('checkbox', { name: /^Visits/ }));
    assert.ok(screen.getAllByText('Follow-up encounter').length > 0);
  });
});
