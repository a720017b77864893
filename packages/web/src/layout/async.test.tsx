import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen } from '@testing-library/react';
import { ErrorState } from './async.js';

describe('ErrorState', () => {
  test('shows the server message and retries on request', () => {
    let retried = 0;
    renderUi(<ErrorState error={new Error('Patient/x is not known')} onRetry={() => retried++} />);
    assert.ok(screen.getByRole('alert').textContent?.includes('Patient/x is not known'));
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    assert.equal(retried, 1);
  });
});
