import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchParam } from '../definitions.js';
import { dateWindows, isSingleValued } from './date-window.js';
import { parseSearch } from './parse.js';

test('single-valued date parameters are recognized from the R4 definitions', () => {
  assert.equal(isSingleValued(searchParam('Encounter', 'date')!), true);
  assert.equal(isSingleValued(searchParam('Observation', 'date')!), true);
  assert.equal(isSingleValued(searchParam('Patient', 'birthdate')!), true);
  // Several values per resource: both bounds may be met by different values.
  assert.equal(isSingleValued(searchParam('Patient', 'name')!), false);
  assert.equal(isSingleValued(searchParam('Immunization', 'reaction-date')!), false);
});

test('a lower and an upper bound on one single-valued parameter form a window; others stay apart', () => {
  const req = parseSearch('Encounter', [...new URLSearchParams('date=ge2020-01-01&date=lt2020-02-01&status=finished')]);
  const { windows, rest } = dateWindows(req.filters);
  assert.equal(windows.length, 1);
  assert.equal(rest.length, 1);
  const two = parseSearch('Encounter', [...new URLSearchParams('date=ge2020&date=ge2021')]);
  assert.equal(dateWindows(two.filters).windows.length, 0);
  const multi = parseSearch('Immunization', [...new URLSearchParams('reaction-date=ge2020&reaction-date=le2021')]);
  assert.equal(dateWindows(multi.filters).windows.length, 0);
});
