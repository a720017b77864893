import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import {
  dayKey,
  formatAge,
  formatBytes,
  formatConcept,
  formatDate,
  formatDateTime,
  formatName,
  formatNumber,
  formatPeriod,
  formatQuantity,
  humanUnit,
  relativeDay,
} from './format.js';

const GB = { locale: 'en-GB', timeZone: 'UTC' };

describe('dates', () => {
  test('partial FHIR dates keep only the precision they have', () => {
    assert.equal(formatDate('2024', GB), '2024');
    assert.equal(formatDate('2024-03', GB), 'Mar 2024');
    assert.equal(formatDate('2024-03-12', GB), '12 Mar 2024');
  });

  test('a calendar date is never moved to another day by the time zone', () => {
    assert.equal(formatDate('2024-03-12', { locale: 'en-GB', timeZone: 'America/Los_Angeles' }), '12 Mar 2024');
    assert.equal(dayKey('2024-03-12', { timeZone: 'Pacific/Kiritimati' }), '2024-03-12');
  });

  test('a dateTime falls on the reader’s own day', () => {
    assert.equal(formatDate('2024-03-12T23:30:00Z', GB), '12 Mar 2024');
    assert.equal(formatDate('2024-03-12T23:30:00Z', { locale: 'en-GB', timeZone: 'Europe/Berlin' }), '13 Mar 2024');
    assert.equal(dayKey('2024-03-12T23:30:00Z', { timeZone: 'Europe/Berlin' }), '2024-03-13');
  });

  test('date and time together, and visits within one day as one span', () => {
    assert.equal(formatDateTime('2025-02-01T09:30:00Z', GB), '1 Feb 2025, 9:30');
    assert.equal(formatDateTime('2025-02-01', GB), '1 Feb 2025');
    assert.equal(formatPeriod({ start: '2025-02-01T09:30:00Z', end: '2025-02-01T10:00:00Z' }, GB), '1 Feb 2025, 9:30–10:00');
    assert.equal(formatPeriod({ start: '2025-02-01', end: '2025-05-01' }, GB), '1 Feb 2025 – 1 May 2025');
    assert.equal(formatPeriod({ start: '2025-02-01' }, GB), 'from 1 Feb 2025');
    assert.equal(formatPeriod(undefined, GB), '');
  });

  test('the days around today have names', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    assert.equal(relativeDay('2026-11-23T01:00:00Z', now, GB), 'today');
    assert.equal(relativeDay('2026-11-22', now, GB), 'yesterday');
    assert.equal(relativeDay('2026-11-24T18:00:00Z', now, GB), 'tomorrow');
    assert.equal(relativeDay('2026-11-20', now, GB), undefined);
  });

  test('text that is not a date is shown as it is rather than dropped', () => {
    assert.equal(formatDate('sometime in spring', GB), 'sometime in spring');
    assert.equal(formatDate(undefined), '');
  });
});

describe('quantities', () => {
  test('UCUM codes read as people write units', () => {
    assert.equal(humanUnit('mm[Hg]'), 'mmHg');
    assert.equal(humanUnit('Cel'), '°C');
    assert.equal(humanUnit('/min'), '/min');
    assert.equal(humanUnit('%'), '%');
    assert.equal(humanUnit('kg'), 'kg');
    assert.equal(humanUnit('mmol/L'), 'mmol/L');
    assert.equal(humanUnit('10*3/uL'), '×10³/µL');
    assert.equal(humanUnit('10*9/L'), '×10⁹/L');
    assert.equal(humanUnit('umol/L'), 'µmol/L');
    assert.equal(humanUnit('kg/m2'), 'kg/m²');
    assert.equal(humanUnit('mL/min/{1.73_m2}'), 'mL/min/1.73 m²');
    assert.equal(humanUnit('[iU]/L'), 'IU/L');
    assert.equal(humanUnit('{beats}/min'), 'beats/min');
    assert.equal(humanUnit('{score}'), '');
  });

  test('a quantity shows its value with the readable unit', () => {
    const ucum = 'http://unitsofmeasure.org';
    assert.equal(formatQuantity({ value: 146, unit: 'mmHg', system: ucum, code: 'mm[Hg]' }, GB), '146 mmHg');
    assert.equal(formatQuantity({ value: 37, system: ucum, code: 'Cel' }, GB), '37 °C');
    assert.equal(formatQuantity({ value: 6.8, system: ucum, code: '%' }, GB), '6.8%');
    assert.equal(formatQuantity({ value: 83, system: ucum, code: '/min' }, GB), '83/min');
    assert.equal(formatQuantity({ value: 5, comparator: '<', system: ucum, code: 'mg/L' }, GB), '<5 mg/L');
    assert.equal(formatQuantity({ value: 12, system: ucum, code: '{score}' }, GB), '12');
    assert.equal(formatQuantity({ value: 1, unit: 'tablet', system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm', code: 'TAB' }, GB), '1 tablet');
    assert.equal(formatQuantity(undefined), '');
  });

  test('numbers keep about four significant digits and no trailing zeros', () => {
    assert.equal(formatNumber(4.43, GB), '4.43');
    assert.equal(formatNumber(139.5, GB), '139.5');
    assert.equal(formatNumber(32.0987, GB), '32.1');
    assert.equal(formatNumber(0.0125, GB), '0.0125');
    assert.equal(formatNumber(0.1 + 0.2, GB), '0.3');
    assert.equal(formatNumber(1234.5, GB), '1,235');
    assert.equal(formatNumber(0, GB), '0');
    assert.equal(formatNumber(-2.5, GB), '-2.5');
  });
});

describe('names, concepts and ages', () => {
  test('names read "Given Family", with a title when there is one', () => {
    assert.equal(formatName([{ use: 'official', family: 'Souza', given: ['Ana', 'Beatriz'], text: 'Ana B. Souza' }]), 'Ana Beatriz Souza');
    assert.equal(formatName({ family: 'Okafor', given: ['Amara'], prefix: ['Dr.'], suffix: ['MD'] }), 'Dr. Amara Okafor');
    assert.equal(formatName([{ use: 'old', family: 'Silva', given: ['Ana'] }, { use: 'usual', given: ['Bia'], family: 'Souza' }]), 'Bia Souza');
    assert.equal(formatName([{ text: 'Zoë' }]), 'Zoë');
    assert.equal(formatName(undefined), '');
  });

  test('a concept reads as its text, else its first display, else its code', () => {
    assert.equal(formatConcept({ text: 'High blood pressure', coding: [{ display: 'Hypertensive disorder' }] }), 'High blood pressure');
    assert.equal(formatConcept({ coding: [{ code: 'x' }, { code: 'y', display: 'Why' }] }), 'Why');
    assert.equal(formatConcept({ coding: [{ system: 's', code: '123' }] }), '123');
    assert.equal(formatConcept(undefined), '');
  });

  test('age in whole years, and in months for small children', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    assert.equal(formatAge('1968-04-12', now), '58 years');
    assert.equal(formatAge('1968-11-24', now), '57 years');
    assert.equal(formatAge('2025-09-30', now), '13 months');
    assert.equal(formatAge('2026-10-23', now), '1 month');
    assert.equal(formatAge('2030-01-01', now), '');
    assert.equal(formatAge(undefined, now), '');
  });

  test('file sizes in the unit that fits', () => {
    assert.equal(formatBytes(812, GB), '812 bytes');
    assert.equal(formatBytes(14_500, GB), '14 KB');
    assert.equal(formatBytes(1_300_000, GB), '1.2 MB');
  });
});
