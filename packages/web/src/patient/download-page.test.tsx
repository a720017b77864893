import './test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { fireEvent, screen } from '@testing-library/react';
import type { Patient } from '@medplum/fhirtypes';
import { recordResources } from '../record/test-fixtures.js';
import { DownloadPage } from './download-page.js';
import { bundleOf, me, renderSignedIn, serve } from './test-support.js';

const ana: Patient = { resourceType: 'Patient', id: 'ana', name: [{ given: ['Ana'], family: 'Souza' }] };

describe('DownloadPage', () => {
  test('prepares the whole record and offers it as a named JSON file with its size', async () => {
    const calls = serve(me(['ana']), (url) => (url.pathname === '/fhir/R4/Patient/ana/$everything' ? { body: bundleOf(recordResources()) } : undefined));
    renderSignedIn(<DownloadPage patient={ana} whose="your" />, '/patient/ana/download');
    fireEvent.click(await screen.findByRole('button', { name: 'Prepare the file' }));
    const link = await screen.findByRole('link', { name: 'Save the file' });
    assert.match(link.getAttribute('href') ?? '', /^blob:/);
    assert.match(link.getAttribute('download') ?? '', /^salus-record-ana-souza-\d{4}-\d{2}-\d{2}\.json$/);
    assert.match(screen.getByRole('status').textContent ?? '', new RegExp(`Ready: ${recordResources().length} items, [\\d.]+ KB`));
    assert.ok(calls.some((c) => c.url.includes('/Patient/ana/$everything')));
  });
});
