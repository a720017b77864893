import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { screen, waitFor } from '@testing-library/react';
import type { Resource } from '@medplum/fhirtypes';
import { DocumentsView } from './documents-view.js';
import { NOTE_TEXT, recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';

describe('DocumentsView', () => {
  test('an inline document can be opened, downloaded under its title, and read in place', async () => {
    renderUi(<DocumentsView record={buildRecord(recordResources(), 'ana')} />);
    assert.ok(screen.getByRole('heading', { name: 'Visit note - Ana Souza', level: 2 }));
    const download = await waitFor(() => screen.getByRole('link', { name: 'Download Visit note - Ana Souza' }));
    assert.match(download.getAttribute('href') ?? '', /^blob:/);
    assert.equal(download.getAttribute('download'), 'Visit note - Ana Souza.txt');
    const open = screen.getByRole('link', { name: 'Open Visit note - Ana Souza in a new tab' });
    assert.equal(open.getAttribute('target'), '_blank');
    assert.ok(screen.getByRole('article').querySelector('details')?.textContent?.includes(NOTE_TEXT));
  });

  test('a document held elsewhere links to its address, never to a script', () => {
    const docs: Resource[] = [
      { resourceType: 'Patient', id: 'p' },
      { resourceType: 'DocumentReference', id: 'a', status: 'current', date: '2026-01-02', content: [{ attachment: { title: 'Scan', contentType: 'application/pdf', url: 'Binary/scan' } }] },
      { resourceType: 'DocumentReference', id: 'b', status: 'current', date: '2026-01-01', content: [{ attachment: { title: 'Trap', url: 'javascript:alert(1)' } }] },
    ] as Resource[];
    renderUi(<DocumentsView record={buildRecord(docs, 'p')} />);
    assert.equal(screen.getByRole('link', { name: 'Open Scan in a new tab' }).getAttribute('href'), '/fhir/R4/Binary/scan');
    assert.equal(screen.queryByRole('link', { name: /Trap/ }), null);
    assert.ok(screen.getByText('This file cannot be opened here.'));
  });

  test('a record without documents says so', () => {
    renderUi(<DocumentsView record={buildRecord([{ resourceType: 'Patient', id: 'p' }], 'p')} />);
    assert.ok(screen.getByText('No documents are in this record.'));
  });
});
