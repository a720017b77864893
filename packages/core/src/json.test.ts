import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalText, FhirDecimal, isFhirDecimal, parseFhirJson, stringifyFhirJson } from './json.js';

test('decimals a double would alter keep their text through a parse and stringify', () => {
  const text = '{"a":6.0,"b":[0.40,1,2.5,1.000000000000000000E-245,66.899999999999991],"c":"version 1.0","d":{"e":100}}';
  const value = parseFhirJson<{ a: unknown; b: unknown[]; d: { e: unknown } }>(text);
  assert.ok(isFhirDecimal(value.a));
  assert.equal(value.b[1], 1);
  assert.equal(value.d.e, 100);
  assert.equal(stringifyFhirJson(value), text);
});

test('documents without such numbers parse to plain values', () => {
  assert.deepEqual(parseFhirJson('{"a":1.5,"b":[1,2]}'), { a: 1.5, b: [1, 2] });
});

test('a plain JSON.stringify of a kept decimal still gives valid JSON', () => {
  assert.equal(JSON.stringify({ v: new FhirDecimal('6.0') }), '{"v":6}');
});

test('decimalText reads numbers and kept decimals alike', () => {
  assert.equal(decimalText(2.5), '2.5');
  assert.equal(decimalText(new FhirDecimal('2.50')), '2.50');
  assert.equal(decimalText('2.5'), undefined);
  assert.equal(decimalText(Number.NaN), undefined);
  assert.equal(Number(new FhirDecimal('2.50')) + 1, 3.5);
});
