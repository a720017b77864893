import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasContext, narrowScopes, parseScope, scopeAllows, splitScope, unknownScopes } from './scopes.js';

test('v2 scopes parse into their context, type and letters', () => {
  const p = parseScope('patient/Observation.rs');
  assert.ok(p?.kind === 'resource');
  assert.equal(p.context, 'patient');
  assert.equal(p.resourceType, 'Observation');
  assert.deepEqual([...p.interactions], ['r', 's']);
  const all = parseScope('user/*.cruds');
  assert.ok(all?.kind === 'resource');
  assert.deepEqual([...all.interactions].sort(), ['c', 'd', 'r', 's', 'u']);
});

test('v1 read, write and * map onto the v2 letters', () => {
  const letters = (s: string): string[] => {
    const p = parseScope(s);
    assert.ok(p?.kind === 'resource');
    return [...p.interactions].sort();
  };
  assert.deepEqual(letters('patient/*.read'), ['r', 's']);
  assert.deepEqual(letters('user/Observation.write'), ['c', 'd', 'u']);
  assert.deepEqual(letters('system/*.*'), ['c', 'd', 'r', 's', 'u']);
});

test('letters out of order, repeated or unknown, and malformed scopes are not scopes', () => {
  for (const s of ['patient/Observation.sr', 'patient/Observation.rr', 'patient/Observation.x', 'patient/observation.rs', 'nurse/*.rs', 'patient/*', 'patient/*.', 'launch/encounter']) {
    assert.equal(parseScope(s), undefined, s);
  }
  assert.deepEqual(unknownScopes(['openid', 'patient/*.rs', 'bogus']), ['bogus']);
});

test('special scopes are recognised', () => {
  for (const s of ['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'offline_access', 'online_access']) {
    assert.deepEqual(parseScope(s), { kind: 'special', text: s });
  }
});

test('granular scopes parse with their query but never allow anything', () => {
  const p = parseScope('patient/Observation.rs?category=laboratory');
  assert.ok(p?.kind === 'resource');
  assert.equal(p.query, 'category=laboratory');
  assert.equal(scopeAllows(['patient/Observation.rs?category=laboratory'], 'Observation', 'r', 'patient'), false);
});

test('scopeAllows matches context, type (or *) and letter', () => {
  const scopes = ['patient/Observation.rs', 'user/*.r', 'system/Patient.read'];
  assert.equal(scopeAllows(scopes, 'Observation', 'r', 'patient'), true);
  assert.equal(scopeAllows(scopes, 'Observation', 's', 'patient'), true);
  assert.equal(scopeAllows(scopes, 'Observation', 'c', 'patient'), false);
  assert.equal(scopeAllows(scopes, 'Condition', 'r', 'patient'), false);
  assert.equal(scopeAllows(scopes, 'Condition', 'r', 'user'), true);
  assert.equal(scopeAllows(scopes, 'Condition', 's', 'user'), false);
  assert.equal(scopeAllows(scopes, 'Patient', 's', 'system'), true);
  assert.equal(scopeAllows(scopes, 'Patient', 'u', 'system'), false);
  assert.equal(scopeAllows(['openid', 'launch/patient'], 'Patient', 'r', 'patient'), false);
});

test('narrowScopes keeps what the registration covers, narrows letters, drops the rest', () => {
  const allowed = ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'patient/*.rs', 'user/Observation.cruds'];
  assert.deepEqual(
    narrowScopes(
      ['openid', 'profile', 'launch/patient', 'patient/Observation.read', 'patient/*.cruds', 'user/Observation.write', 'user/Condition.rs', 'system/*.rs', 'patient/Observation.rs?category=vital-signs', 'nonsense'],
      allowed,
      ['patient', 'user'],
    ),
    ['openid', 'launch/patient', 'patient/Observation.read', 'patient/*.rs', 'user/Observation.write'],
  );
  assert.deepEqual(narrowScopes(['system/*.rs', 'patient/*.rs'], ['system/*.cruds', 'patient/*.rs'], ['system']), ['system/*.rs']);
});

test('splitScope drops empty and repeated tokens; hasContext finds resource scopes of a context', () => {
  assert.deepEqual(splitScope('  openid  openid patient/*.rs\n'), ['openid', 'patient/*.rs']);
  assert.deepEqual(splitScope(undefined), []);
  assert.equal(hasContext(['openid', 'patient/*.rs'], 'patient'), true);
  assert.equal(hasContext(['openid', 'user/*.rs'], 'patient'), false);
});
