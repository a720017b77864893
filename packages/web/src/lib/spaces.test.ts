import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { landingPath, spaceOfPath, spacesFor } from './spaces.js';

describe('spaces', () => {
  test('a person sees one space per audience they belong to, care first', () => {
    assert.deepEqual(spacesFor(['admin', 'patient', 'practitioner']).map((s) => s.id), ['patient', 'clinician', 'admin']);
    assert.deepEqual(spacesFor(['caregiver', 'patient']).map((s) => s.id), ['patient']);
    assert.deepEqual(spacesFor(['researcher']).map((s) => s.id), ['public-health']);
  });

  test('after sign-in a person returns to the page they wanted only when it is theirs', () => {
    assert.equal(landingPath(['patient'], '/patient/p1/results'), '/patient/p1/results');
    assert.equal(landingPath(['patient'], '/administration/audit'), '/patient');
    assert.equal(landingPath(['patient'], '//evil.example/patient'), '/patient');
    assert.equal(landingPath(['practitioner'], null), '/clinician');
    assert.equal(landingPath([], null), '/account');
  });

  test('paths belong to the space they start with', () => {
    assert.equal(spaceOfPath('/clinician/patients/x'), 'clinician');
    assert.equal(spaceOfPath('/patientish'), undefined);
  });
});
