import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { screen } from '@testing-library/react';
import { NOTE_TEXT, recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';
import { VisitsView } from './visits-view.js';

describe('VisitsView', () => {
  test('visits come newest first with when, how, who, where and why', () => {
    renderUi(<VisitsView record={buildRecord(recordResources(), 'ana')} />);
    const visits = screen.getAllByRole('article');
    assert.equal(visits.length, 2);
    assert.match(visits[0]!.textContent ?? '', /Video consultation.*Video or phone/);
    assert.match(visits[1]!.textContent ?? '', /Follow-up encounter.*In person.*With Dr\. Amara Okafor · Alder Street surgery.*Reason: High blood pressure/);
  });

  test('the note written about a visit is there to read, decoded from the attachment', () => {
    renderUi(<VisitsView record={buildRecord(recordResources(), 'ana')} />);
    const [, first] = screen.getAllByRole('article');
    const note = first!.querySelector('details');
    assert.match(note?.querySelector('summary')?.textContent ?? '', /Visit note · Dr\. Amara Okafor/);
    assert.ok(note?.textContent?.includes(NOTE_TEXT));
  });

  test('a record without visits says so', () => {
    renderUi(<VisitsView record={buildRecord([{ resourceType: 'Patient', id: 'p' }], 'p')} />);
    assert.ok(screen.getByText('No visits are recorded.'));
  });
});
