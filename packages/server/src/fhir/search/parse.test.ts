import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FhirError } from '@salus/core';
import { parseSearch, splitEscaped, splitPrefix, unescape } from './parse.js';

const parse = (type: string, qs: string, strict = false) => parseSearch(type, [...new URLSearchParams(qs)], { strict });

function rejects(fn: () => unknown, status: number, expression?: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FhirError);
    assert.equal(e.status, status);
    if (expression) assert.deepEqual(e.outcome.issue?.[0]?.expression, [expression]);
    return;
  }
  assert.fail('expected an error');
}

describe('value syntax', () => {
  test('escaped separators stay in the value', () => {
    assert.deepEqual(splitEscaped('a\\,b,c', ','), ['a\\,b', 'c']);
    assert.equal(unescape('a\\,b\\|c\\$d\\\\'), 'a,b|c$d\\');
    assert.deepEqual(splitEscaped('http://x|8480-6$gt5', '$'), ['http://x|8480-6', 'gt5']);
  });
  test('prefixes are recognized only before a value', () => {
    assert.deepEqual(splitPrefix('ge2020'), { prefix: 'ge', rest: '2020' });
    assert.deepEqual(splitPrefix('2020'), { prefix: 'eq', rest: '2020' });
    // A token that merely starts with letters of a prefix is not a prefix.
    assert.deepEqual(splitPrefix('general'), { prefix: 'eq', rest: 'general' });
  });
});

describe('parseSearch', () => {
  test('filters, OR values and AND repetition', () => {
    const r = parse('Patient', 'name=a,b&name=c&gender=female');
    assert.equal(r.filters.length, 3);
    const [first] = r.filters;
    assert.ok(first?.kind === 'param');
    assert.deepEqual(first.values, ['a', 'b']);
  });
  test('result parameters', () => {
    const r = parse('Observation', '_count=5&_sort=-date,code&_total=none&_summary=count&_elements=code,status');
    assert.equal(r.count, 5);
    assert.deepEqual(r.sort.map((s) => [s.def.code, s.descending]), [['date', true], ['code', false]]);
    assert.equal(r.total, 'none');
    assert.equal(r.summary, 'count');
    assert.deepEqual(r.elements, ['code', 'status']);
  });
  test('_count is capped', () => {
    assert.equal(parse('Patient', '_count=100000').count, 1000);
  });
  test('chains, type modifiers and _has', () => {
    const r = parse('Observation', 'subject:Patient.name=x&_has:Provenance:target:agent=Practitioner/1');
    const [chain, has] = r.filters;
    assert.ok(chain?.kind === 'param' && chain.chain?.targetType === 'Patient');
    assert.ok(has?.kind === 'has' && has.sourceType === 'Provenance');
  });
  test('includes with :iterate', () => {
    const r = parse('Patient', '_include=Patient:organization&_revinclude:iterate=Observation:subject');
    assert.equal(r.include[0]?.param.code, 'organization');
    assert.equal(r.revinclude[0]?.iterate, true);
  });
  test('unknown parameters are ignored when lenient and refused when strict', () => {
    assert.deepEqual(parse('Patient', 'shoe-size=42').ignored.map((i) => i.name), ['shoe-size']);
    rejects(() => parse('Patient', 'shoe-size=42', true), 400, 'shoe-size');
  });
  test('bad values of known parameters are always refused, naming the parameter', () => {
    rejects(() => parse('Patient', 'birthdate=tomorrow'), 400, 'birthdate');
    rejects(() => parse('RiskAssessment', 'probability=high'), 400, 'probability');
    rejects(() => parse('Observation', 'value-quantity=lots'), 400, 'value-quantity');
    rejects(() => parse('Patient', 'name:missing=perhaps'), 400, 'name:missing');
    rejects(() => parse('Patient', 'birthdate:contains=1'), 400, 'birthdate:contains');
    rejects(() => parse('Patient', '_count=-1'), 400, '_count');
    rejects(() => parse('Patient', '_sort=shoe-size'), 400, '_sort');
    rejects(() => parse('Patient', 'name.family=x'), 400, 'name.family');
    rejects(() => parse('Observation', 'subject:Patient.organization.name=x'), 400);
    rejects(() => parse('Observation', '_include=Observation:code'), 400, '_include');
  });
});
