import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visitModeConcept, visitModeOf, VISIT_MODE_LIST } from './visit-modes.js';

test('an appointment reads back the mode it was given', () => {
  for (const mode of VISIT_MODE_LIST) assert.equal(visitModeOf({ serviceType: [visitModeConcept(mode)] }), mode);
});

test('an appointment with no mode coded is an in-person visit', () => {
  assert.equal(visitModeOf({}), 'in-person');
  assert.equal(visitModeOf({ serviceType: [{ text: 'Check-up' }] }), 'in-person');
});
