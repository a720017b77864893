import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearch } from './parse.js';
import { escapeLike, filterSql, sortColumn, SqlBuilder } from './sql.js';

const BASE = 'http://localhost/fhir/R4';

function build(type: string, qs: string): { sql: string; params: unknown[] } {
  const req = parseSearch(type, [...new URLSearchParams(qs)]);
  const b = new SqlBuilder();
  const sql = req.filters.map((f) => filterSql(f, { resourceType: type, idExpr: 'r.id', lastUpdatedExpr: 'r.last_updated' }, b, BASE)).join(' AND ');
  return { sql: sql.replace(/\s+/g, ' '), params: b.params };
}

describe('query building', () => {
  test('string searches normalize and escape the value for LIKE', () => {
    const { sql, params } = build('Patient', 'name=Mu%C3%B1oz_');
    assert.match(sql, /FROM sp_string t\d+ WHERE .* LIKE \$3/);
    assert.deepEqual(params, ['Patient', 'name', 'munoz\\_%']);
    assert.equal(escapeLike('50%_off\\'), '50\\%\\_off\\\\');
  });

  test('tokens: system|code binds both, |code requires no system', () => {
    assert.deepEqual(build('Observation', 'code=http://loinc.org|1234-5').params, ['Observation', 'code', 'http://loinc.org', '1234-5']);
    assert.match(build('Observation', 'code=|1234-5').sql, /system IS NULL/);
    assert.match(build('Patient', 'gender:not=male').sql, /^NOT EXISTS/);
  });

  test('OR values become one EXISTS with alternatives; AND values separate EXISTS', () => {
    const or = build('Patient', 'gender=male,female');
    assert.equal(or.sql.match(/EXISTS/g)?.length, 1);
    const and = build('Patient', 'name=a&name=b');
    assert.equal(and.sql.match(/EXISTS/g)?.length, 2);
  });

  test('references: type/id, a bare id with a single target type, and absolute URLs of this server', () => {
    assert.deepEqual(build('Observation', 'patient=123').params, ['Observation', 'patient', 'Patient/123']);
    assert.deepEqual(build('Observation', `subject=${BASE}/Patient/9`).params, ['Observation', 'subject', 'Patient/9']);
    assert.deepEqual(build('Observation', 'subject=9').params, ['Observation', 'subject', '9']);
    assert.match(build('Observation', 'subject=9').sql, /target_id = \$3/);
  });

  test('date prefixes compare the stored range with the search range', () => {
    const eq = build('Patient', 'birthdate=2000');
    assert.deepEqual(eq.params.slice(2), ['2000-01-01T00:00:00.000Z', '2000-12-31T23:59:59.999Z']);
    assert.match(eq.sql, /low >= \$3::timestamptz AND t\d+\.high <= \$4::timestamptz/);
    const gt = build('Patient', 'birthdate=gt2000');
    assert.deepEqual(gt.params.slice(2), ['2000-12-31T23:59:59.999Z']);
    assert.match(gt.sql, /high > \$3/);
  });

  test('number equality uses the precision of the search value', () => {
    const { params } = build('RiskAssessment', 'probability=0.5');
    assert.deepEqual(params.slice(2), ['0.45', '0.55']);
  });

  test('_lastUpdated uses the row column at the top level', () => {
    assert.match(build('Patient', '_lastUpdated=ge2024').sql, /r\.last_updated >= /);
  });

  test('sort keys: lowest value ascending, highest descending', () => {
    const b = new SqlBuilder();
    const req = parseSearch('Observation', [['_sort', '-date']]);
    const col = sortColumn(req.sort[0]!, 'Observation', b);
    assert.match(col.expr, /max\(s\.high\)/);
    assert.equal(col.cast, 'timestamptz');
  });
});
