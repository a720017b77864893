import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { screen, within } from '@testing-library/react';
import { SummaryView } from './summary-view.js';
import { recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';

const now = new Date('2026-11-23T10:00:00Z');

function section(name: string): HTMLElement {
  return screen.getByRole('region', { name: new RegExp(`^${name}`) });
}

describe('SummaryView', () => {
  test('current problems come first; resolved ones wait behind a disclosure', () => {
    renderUi(<SummaryView record={buildRecord(recordResources(), 'ana')} now={now} />);
    const problems = section('Problems');
    const items = within(problems).getAllByRole('listitem');
    assert.match(items[0]!.textContent ?? '', /Type 2 diabetes.*Since/);
    const past = problems.querySelector('details');
    assert.match(past?.querySelector('summary')?.textContent ?? '', /Past problems \(1\)/);
    assert.match(past?.textContent ?? '', /Sinus infection.*Resolved/);
  });

  test('current medicines show how to take them; past ones are named from their Medication', () => {
    renderUi(<SummaryView record={buildRecord(recordResources(), 'ana')} now={now} />);
    const medicines = section('Medicines');
    assert.match(medicines.textContent ?? '', /Metformin ER 1000 mg tablet.*Take 1 tablet with the evening meal\..*by Dr\. Amara Okafor/);
    assert.match(medicines.textContent ?? '', /Vitamin D 1000 IU.*One each morning/);
    assert.match(medicines.querySelector('details')?.textContent ?? '', /Metformin ER 500 mg tablet.*stopped/);
  });

  test('allergies show their risk in words and the reaction', () => {
    renderUi(<SummaryView record={buildRecord(recordResources(), 'ana')} now={now} />);
    const allergies = section('Allergies and intolerances');
    assert.match(allergies.textContent ?? '', /Peanut.*High risk.*Reaction: Anaphylaxis \(severe\)/);
  });

  test('booked visits ahead are listed with whom and where, recent visits below', () => {
    renderUi(<SummaryView record={buildRecord(recordResources(), 'ana')} now={now} />);
    const visits = section('Visits');
    assert.match(visits.textContent ?? '', /Coming up.*2099.*Diabetes review.*with Dr\. Amara Okafor · Alder Street surgery/);
    assert.match(visits.textContent ?? '', /Recent visits.*Video consultation.*Follow-up encounter/);
    assert.match(section('Vaccinations').textContent ?? '', /Flu vaccine/);
  });

  test('an empty record says so in every card rather than showing blanks', () => {
    renderUi(<SummaryView record={buildRecord([{ resourceType: 'Patient', id: 'p' }], 'p')} now={now} />);
    assert.ok(screen.getByText('No current problems are recorded.'));
    assert.ok(screen.getByText('No current medicines are recorded.'));
    assert.ok(screen.getByText('No allergies or intolerances are recorded.'));
    assert.ok(screen.getByText('No visits are booked.'));
    assert.ok(screen.getByText('No vaccinations are recorded.'));
  });
});
