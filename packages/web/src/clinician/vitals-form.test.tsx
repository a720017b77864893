import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { VitalsForm } from './vitals-form.js';

describe('VitalsForm', () => {
  test('a value outside the believable range is named under its field and nothing is saved', async () => {
    let saved = 0;
    renderUi(<VitalsForm patientId="p1" onSaved={() => saved++} />);
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '98.6' } });
    fireEvent.change(screen.getByLabelText('Systolic'), { target: { value: '120' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save vital signs' }));
    await waitFor(() => assert.ok(screen.getByText(/Temperature of 98.6 °C is outside 30–45 °C/)));
    assert.ok(screen.getByText('Enter the diastolic pressure too'));
    assert.equal(saved, 0);
    // Correcting the value clears its message at once.
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '37' } });
    assert.equal(screen.queryByText(/Temperature of 98.6/), null);
  });

  test('an empty form asks for a measurement', async () => {
    renderUi(<VitalsForm patientId="p1" onSaved={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save vital signs' }));
    await waitFor(() => assert.equal(screen.getByRole('alert').textContent, 'Enter at least one measurement'));
  });
});
