import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badRequest, FhirError, isFhirError, notFound, outcome, issue } from './outcome.js';
import { isValidId, parseReference } from './reference.js';

test('errors carry a status and an OperationOutcome naming the element', () => {
  const e = badRequest('bad date', 'Patient.birthDate');
  assert.ok(isFhirError(e));
  assert.equal(e.status, 400);
  assert.deepEqual(e.outcome, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invalid', diagnostics: 'bad date', expression: ['Patient.birthDate'] }],
  });
  assert.equal(notFound('x').status, 404);
  assert.equal(new FhirError(409, outcome(issue('error', 'conflict', 'a'), issue('error', 'conflict', 'b'))).message, 'a; b');
});

test('ids and references', () => {
  assert.ok(isValidId('a-b.C1'));
  assert.ok(!isValidId('a b'));
  assert.ok(!isValidId('x'.repeat(65)));
  assert.deepEqual(parseReference('Patient/1'), { resourceType: 'Patient', id: '1' });
  assert.deepEqual(parseReference('Patient/1/_history/2'), { resourceType: 'Patient', id: '1', versionId: '2' });
  assert.deepEqual(parseReference('http://h/fhir/R4/Patient/1', 'http://h/fhir/R4'), { resourceType: 'Patient', id: '1' });
  assert.equal(parseReference('#contained'), undefined);
  assert.equal(parseReference('urn:uuid:1'), undefined);
});
