import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { DEFINITIONS_DIR, searchParams } from '../definitions.js';
import { extractIndexRows } from './extract.js';
import { type Node, compileDirect, compileWithLibrary } from './extract-fhirpath.js';
import { fhirType } from './extract-model.js';
import type { IndexRows } from './index-rows.js';

/** Rows of one table for one parameter code, without the code (and without group unless present). */
function rows<T extends keyof IndexRows>(all: IndexRows, table: T, code: string): Omit<IndexRows[T][number], 'code'>[] {
  return (all[table] as IndexRows[T][number][]).filter((r) => r.code === code).map(({ code: _, ...rest }) => rest);
}

function extract(resource: Record<string, unknown>, baseUrl?: string): IndexRows {
  return extractIndexRows(resource as unknown as Resource, baseUrl ? { baseUrl } : undefined);
}

describe('string parameters', () => {
  const patient = extract({
    resourceType: 'Patient',
    name: [{ family: 'Müller', given: ['Zoë', 'Ann'], prefix: ['Dr.'], suffix: ['PhD'], text: 'Dr. Zoë Ann Müller' }],
    address: [{ line: ['1 Rue de l’Église', 'Bât. B'], city: 'Genève', district: 'GE', state: 'Genève', postalCode: '1201', country: 'CH', text: 'x' }],
  });

  test('a HumanName indexes family, each given, prefix, suffix and text as separate rows', () => {
    assert.deepEqual(
      rows(patient, 'string', 'name').map((r) => r.exact),
      ['Müller', 'Zoë', 'Ann', 'Dr.', 'PhD', 'Dr. Zoë Ann Müller'],
    );
    assert.deepEqual(rows(patient, 'string', 'family'), [{ value: 'muller', exact: 'Müller' }]);
  });

  test('values are lower-cased and stripped of accents; exact keeps the text as written', () => {
    assert.deepEqual(rows(patient, 'string', 'given'), [
      { value: 'zoe', exact: 'Zoë' },
      { value: 'ann', exact: 'Ann' },
    ]);
  });

  test('an Address indexes each line, city, district, state, postal code, country and text, once each', () => {
    // city and state are both "Genève": one row, since identical rows are deduplicated.
    assert.deepEqual(
      rows(patient, 'string', 'address').map((r) => r.exact),
      ['1 Rue de l’Église', 'Bât. B', 'Genève', 'GE', '1201', 'CH', 'x'],
    );
    assert.deepEqual(rows(patient, 'string', 'address-city'), [{ value: 'geneve', exact: 'Genève' }]);
  });

  test('a parameter on an extension indexes the extension value', () => {
    const r = extract({
      resourceType: 'Patient',
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/patient-extensions-Patient-mothersMaidenName', valueString: 'Perón' },
        { url: 'http://example.org/other', valueString: 'ignored' },
      ],
    });
    assert.deepEqual(rows(r, 'string', 'mothersMaidenName'), [{ value: 'peron', exact: 'Perón' }]);
  });
});

describe('token parameters', () => {
  test('a CodeableConcept gives one row per coding, with its text (else the display) normalized', () => {
    const r = extract({
      resourceType: 'Condition',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes' }, { system: 'http://x', code: 'd' }], text: 'Type 2 Diabètes' },
      category: [{ coding: [{ system: 'http://c', code: 'problem', display: 'Problem List' }] }],
      subject: { reference: 'Patient/p' },
    });
    assert.deepEqual(rows(r, 'token', 'code'), [
      { system: 'http://snomed.info/sct', value: '44054006', text: 'type 2 diabetes' },
      { system: 'http://x', value: 'd', text: 'type 2 diabetes' },
    ]);
    assert.deepEqual(rows(r, 'token', 'category'), [{ system: 'http://c', value: 'problem', text: 'problem list' }]);
  });

  test('a CodeableConcept with text but no coding gives a text-only row', () => {
    const r = extract({ resourceType: 'Condition', code: { text: 'Headache' }, subject: { reference: 'Patient/p' } });
    assert.deepEqual(rows(r, 'token', 'code'), [{ system: null, value: null, text: 'headache' }]);
  });

  test('an Identifier gives system, value and its type text', () => {
    const r = extract({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:1.2.3', value: '42', type: { text: 'Medical Record Number' } }, { value: 'loose' }],
    });
    assert.deepEqual(rows(r, 'token', 'identifier'), [
      { system: 'urn:oid:1.2.3', value: '42', text: 'medical record number' },
      { system: null, value: 'loose', text: null },
    ]);
  });

  test('codes, booleans and Codings (meta.tag) are tokens', () => {
    const r = extract({
      resourceType: 'Patient',
      meta: { tag: [{ system: 'http://tags', code: 'vip', display: 'VIP' }] },
      gender: 'female',
      active: false,
    });
    assert.deepEqual(rows(r, 'token', 'gender'), [{ system: null, value: 'female', text: null }]);
    assert.deepEqual(rows(r, 'token', 'active'), [{ system: null, value: 'false', text: null }]);
    assert.deepEqual(rows(r, 'token', '_tag'), [{ system: 'http://tags', value: 'vip', text: 'vip' }]);
  });

  test('ContactPoints are tokens on their value, and where(system=...) filters them', () => {
    const r = extract({
      resourceType: 'Patient',
      telecom: [
        { system: 'phone', value: '+1 555 0100' },
        { system: 'email', value: 'a@example.org' },
      ],
    });
    assert.deepEqual(rows(r, 'token', 'phone'), [{ system: 'phone', value: '+1 555 0100', text: null }]);
    assert.deepEqual(rows(r, 'token', 'email'), [{ system: 'email', value: 'a@example.org', text: null }]);
    assert.equal(rows(r, 'token', 'telecom').length, 2);
  });

  test('an expression fhirpath.js evaluates (Patient.deceased.exists() and ...) yields a boolean token', () => {
    const dead = extract({ resourceType: 'Patient', deceasedDateTime: '2020-01-01' });
    assert.deepEqual(rows(dead, 'token', 'deceased'), [{ system: null, value: 'true', text: null }]);
    const alive = extract({ resourceType: 'Patient', deceasedBoolean: false });
    assert.deepEqual(rows(alive, 'token', 'deceased'), [{ system: null, value: 'false', text: null }]);
  });

  test('identical rows from several paths are stored once', () => {
    const coding = { system: 'http://loinc.org', code: '8867-4' };
    const r = extract({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [coding, coding] },
      component: [{ code: { coding: [coding] }, valueQuantity: { value: 60 } }],
    });
    // combo-code is `Observation.code | Observation.component.code`: three codings, one row.
    assert.deepEqual(rows(r, 'token', 'combo-code'), [{ system: 'http://loinc.org', value: '8867-4', text: null }]);
  });
});

describe('reference parameters', () => {
  const obs = (subject: Record<string, unknown>, baseUrl?: string) =>
    extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject }, baseUrl);

  test('Type/id and Type/id/_history/n both index Type/id', () => {
    const expected = [{ ref: 'Patient/p1', targetType: 'Patient', targetId: 'p1', identifierSystem: null, identifierValue: null }];
    assert.deepEqual(rows(obs({ reference: 'Patient/p1' }), 'reference', 'subject'), expected);
    assert.deepEqual(rows(obs({ reference: 'Patient/p1/_history/3' }), 'reference', 'subject'), expected);
  });

  test('absolute references to this server become relative; others keep their URL and parse its tail', () => {
    assert.deepEqual(rows(obs({ reference: 'https://salus.example/fhir/Patient/p1' }, 'https://salus.example/fhir'), 'reference', 'subject'), [
      { ref: 'Patient/p1', targetType: 'Patient', targetId: 'p1', identifierSystem: null, identifierValue: null },
    ]);
    assert.deepEqual(rows(obs({ reference: 'https://other.example/r4/Patient/9/_history/2' }, 'https://salus.example/fhir'), 'reference', 'subject'), [
      { ref: 'https://other.example/r4/Patient/9', targetType: 'Patient', targetId: '9', identifierSystem: null, identifierValue: null },
    ]);
    assert.deepEqual(rows(obs({ reference: 'https://other.example/docs/readme' }), 'reference', 'subject'), [
      { ref: 'https://other.example/docs/readme', targetType: null, targetId: null, identifierSystem: null, identifierValue: null },
    ]);
  });

  test('contained references are skipped; urn:uuid references are kept as written', () => {
    assert.deepEqual(rows(obs({ reference: '#p' }), 'reference', 'subject'), []);
    assert.deepEqual(rows(obs({ reference: 'urn:uuid:0b8a6ef0-07c8-48ca-804d-1e64f6e44b95' }), 'reference', 'subject'), [
      { ref: 'urn:uuid:0b8a6ef0-07c8-48ca-804d-1e64f6e44b95', targetType: null, targetId: null, identifierSystem: null, identifierValue: null },
    ]);
  });

  test('Reference.identifier is indexed, also without a literal reference', () => {
    assert.deepEqual(rows(obs({ type: 'Patient', identifier: { system: 'urn:mrn', value: '7' } }), 'reference', 'subject'), [
      { ref: null, targetType: 'Patient', targetId: null, identifierSystem: 'urn:mrn', identifierValue: '7' },
    ]);
  });

  test('where(resolve() is Patient) keeps references whose literal or type names a Patient', () => {
    assert.equal(rows(obs({ reference: 'Patient/p1' }), 'reference', 'patient').length, 1);
    assert.equal(rows(obs({ reference: 'Group/g1' }), 'reference', 'patient').length, 0);
    assert.equal(rows(obs({ reference: 'Group/g1' }), 'reference', 'subject').length, 1);
    assert.equal(rows(obs({ reference: 'https://other.example/Patient/9' }), 'reference', 'patient').length, 1);
    const typed = rows(obs({ reference: 'urn:uuid:1e5f4f1c-0000-4000-8000-000000000001', type: 'Patient' }), 'reference', 'patient');
    assert.deepEqual(typed.map((r) => [r.ref, r.targetType]), [['urn:uuid:1e5f4f1c-0000-4000-8000-000000000001', 'Patient']]);
  });

  test('a versioned canonical is indexed as written and without its version', () => {
    const r = extract({ resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: 'http://example.org/Questionnaire/phq9|2.0' });
    assert.deepEqual(rows(r, 'reference', 'questionnaire'), [
      { ref: 'http://example.org/Questionnaire/phq9|2.0', targetType: 'Questionnaire', targetId: null, identifierSystem: null, identifierValue: null },
      { ref: 'http://example.org/Questionnaire/phq9', targetType: 'Questionnaire', targetId: null, identifierSystem: null, identifierValue: null },
    ]);
  });

  test('ofType(Reference) after where(hasExtension(...)) selects answers of flagged items', () => {
    const r = extract({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      item: [
        {
          linkId: '1',
          extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaireresponse-isSubject', valueBoolean: true }],
          answer: [{ valueReference: { reference: 'Patient/s' } }, { valueString: 'no' }],
        },
        { linkId: '2', answer: [{ valueReference: { reference: 'Patient/other' } }] },
      ],
    });
    assert.deepEqual(rows(r, 'reference', 'item-subject').map((x) => x.ref), ['Patient/s']);
  });

  test("a document Bundle's first entry is its composition only when it is a Composition", () => {
    const doc = extract({ resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }] });
    assert.deepEqual(rows(doc, 'reference', 'composition').map((x) => x.ref), ['Composition/c1']);
    const other = extract({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] });
    assert.deepEqual(rows(other, 'reference', 'composition'), []);
  });
});

describe('date parameters', () => {
  test('a date covers its whole precision: year, month, day, minute, second', () => {
    const at = (effectiveDateTime: string) =>
      rows(extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime }), 'date', 'date');
    assert.deepEqual(at('2020'), [{ low: '2020-01-01T00:00:00.000Z', high: '2020-12-31T23:59:59.999Z' }]);
    assert.deepEqual(at('2020-02'), [{ low: '2020-02-01T00:00:00.000Z', high: '2020-02-29T23:59:59.999Z' }]);
    assert.deepEqual(at('2020-02-03'), [{ low: '2020-02-03T00:00:00.000Z', high: '2020-02-03T23:59:59.999Z' }]);
    assert.deepEqual(at('2020-02-03T10:15+02:00'), [{ low: '2020-02-03T08:15:00.000Z', high: '2020-02-03T08:15:59.999Z' }]);
    assert.deepEqual(at('2020-02-03T10:15:30Z'), [{ low: '2020-02-03T10:15:30.000Z', high: '2020-02-03T10:15:30.999Z' }]);
  });

  test('a choice element is read under each of its types (effective[x] as dateTime, Period, instant)', () => {
    const r = extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectivePeriod: { start: '2021-05-01', end: '2021-05-03' } });
    assert.deepEqual(rows(r, 'date', 'date'), [{ low: '2021-05-01T00:00:00.000Z', high: '2021-05-03T23:59:59.999Z' }]);
    const i = extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveInstant: '2021-05-01T12:00:00.5Z' });
    assert.deepEqual(rows(i, 'date', 'date'), [{ low: '2021-05-01T12:00:00.500Z', high: '2021-05-01T12:00:00.500Z' }]);
  });

  test('a Period without start or end is open on that side', () => {
    const enc = (period: Record<string, string>) => rows(extract({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, period }), 'date', 'date');
    assert.deepEqual(enc({ start: '2022-01-01T09:00:00Z' }), [{ low: '2022-01-01T09:00:00.000Z', high: 'infinity' }]);
    assert.deepEqual(enc({ end: '2022-01-01' }), [{ low: '-infinity', high: '2022-01-01T23:59:59.999Z' }]);
    assert.deepEqual(enc({}), []);
  });

  test('a Timing indexes each event and its bounding Period', () => {
    const r = extract({
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      subject: { reference: 'Patient/p' },
      activity: [{ detail: { status: 'scheduled', scheduledTiming: { event: ['2023-03-01T08:00:00Z'], repeat: { boundsPeriod: { start: '2023-03-01' } } } } }],
    });
    assert.deepEqual(rows(r, 'date', 'activity-date'), [
      { low: '2023-03-01T08:00:00.000Z', high: '2023-03-01T08:00:00.999Z' },
      { low: '2023-03-01T00:00:00.000Z', high: 'infinity' },
    ]);
  });

  test('as(dateTime) keeps only that choice: a string onset is no date', () => {
    const r = extract({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetString: 'childhood' });
    assert.deepEqual(rows(r, 'date', 'onset-date'), []);
    assert.deepEqual(rows(r, 'string', 'onset-info'), [{ value: 'childhood', exact: 'childhood' }]);
  });
});

describe('number, quantity and uri parameters', () => {
  test('a decimal is stored with the range its precision implies', () => {
    const r = extract({ resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/p' }, prediction: [{ probabilityDecimal: 0.25 }, { probabilityRange: { low: { value: 1 } } }] });
    assert.deepEqual(rows(r, 'number', 'probability'), [{ value: '0.25', low: '0.245', high: '0.255' }]);
  });

  test('(Observation.value as Quantity) gives a quantity with code as unit; other value types give none', () => {
    const q = extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 7.5, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' } });
    assert.deepEqual(rows(q, 'quantity', 'value-quantity'), [{ value: '7.5', low: '7.45', high: '7.55', system: 'http://unitsofmeasure.org', unit: 'mmol/L' }]);
    const s = extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'Positive' });
    assert.deepEqual(rows(s, 'quantity', 'value-quantity'), []);
    assert.deepEqual(rows(s, 'string', 'value-string'), [{ value: 'positive', exact: 'Positive' }]);
  });

  test('(X as CodeableConcept).text reaches into the selected choice', () => {
    const r = extract({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueCodeableConcept: { text: 'Négatif' } });
    assert.deepEqual(rows(r, 'string', 'value-string'), [{ value: 'negatif', exact: 'Négatif' }]);
  });

  test('a quantity without code falls back to its unit; an Age is a quantity', () => {
    const r = extract({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetAge: { value: 40, unit: 'years' } });
    assert.deepEqual(rows(r, 'quantity', 'onset-age'), [{ value: '40', low: '39.5', high: '40.5', system: null, unit: 'years' }]);
  });

  test('Money is a quantity in ISO 4217 currency', () => {
    const r = extract({ resourceType: 'Invoice', status: 'issued', totalGross: { value: 12.5, currency: 'EUR' } });
    assert.deepEqual(rows(r, 'quantity', 'totalgross'), [{ value: '12.5', low: '12.45', high: '12.55', system: 'urn:iso:std:iso:4217', unit: 'EUR' }]);
  });

  test('a Range spans from its low to its high bound, open where a bound is missing', () => {
    const r = extract({ resourceType: 'Condition', subject: { reference: 'Patient/p' }, onsetRange: { low: { value: 10, code: 'a', system: 'http://unitsofmeasure.org' } } });
    assert.deepEqual(rows(r, 'quantity', 'onset-age'), [{ value: '10', low: '9.5', high: 'Infinity', system: 'http://unitsofmeasure.org', unit: 'a' }]);
  });

  test('uri, url and canonical values are uris', () => {
    const r = extract({ resourceType: 'Questionnaire', status: 'active', url: 'http://example.org/Questionnaire/phq9', meta: { profile: ['http://example.org/StructureDefinition/q'] } });
    assert.deepEqual(rows(r, 'uri', 'url'), [{ value: 'http://example.org/Questionnaire/phq9' }]);
    assert.deepEqual(rows(r, 'uri', '_profile'), [{ value: 'http://example.org/StructureDefinition/q' }]);
  });
});

describe('composite parameters', () => {
  const bp = extract({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8478-0' }] } },
    ],
  });

  test('component-code-value-quantity pairs each component code with that component value by group', () => {
    const codes = rows(bp, 'token', 'component-code-value-quantity$0').map((r) => [r.group, r.value]);
    const values = rows(bp, 'quantity', 'component-code-value-quantity$1').map((r) => [r.group, r.value]);
    // The third component has no value, so it could never match and forms no group.
    assert.deepEqual(codes, [[0, '8480-6'], [1, '8462-4']]);
    assert.deepEqual(values, [[0, '120'], [1, '80']]);
  });

  test('code-value-quantity on an Observation without a value has no group', () => {
    assert.deepEqual(rows(bp, 'token', 'code-value-quantity$0'), []);
    const weight = extract({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, valueQuantity: { value: 70, code: 'kg' } });
    assert.deepEqual(rows(weight, 'token', 'code-value-quantity$0').map((r) => [r.group, r.value]), [[0, '29463-7']]);
    assert.deepEqual(rows(weight, 'quantity', 'code-value-quantity$1').map((r) => [r.group, r.value, r.unit]), [[0, '70', 'kg']]);
  });

  test('combo-code-value-quantity numbers the Observation and its components as separate groups', () => {
    assert.deepEqual(rows(bp, 'quantity', 'combo-code-value-quantity$1').map((r) => [r.group, r.value]), [[1, '120'], [2, '80']]);
  });

  test('code-value-date reads value.as(DateTime) as the dateTime choice', () => {
    const r = extract({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '21112-8' }] }, valueDateTime: '1990-04-01' });
    assert.deepEqual(rows(r, 'date', 'code-value-date$1'), [{ group: 0, low: '1990-04-01T00:00:00.000Z', high: '1990-04-01T23:59:59.999Z' }]);
  });
});

describe('over whole resources', () => {
  test('a resource type without search parameters yields no rows, and extraction leaves the resource unchanged', () => {
    const none = extract({ resourceType: 'NotAType', id: 'x' });
    assert.deepEqual(Object.values(none).flat(), []);
    const patient = { resourceType: 'Patient', name: [{ family: 'Doe' }], deceasedBoolean: true };
    const before = structuredClone(patient);
    extract(patient);
    assert.deepEqual(patient, before);
  });
});

const DEFINITION_FILES = /^(SearchParameter|StructureDefinition|ValueSet|CodeSystem|ConceptMap)-/;

function officialExamples(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const types = searchParams();
  for (const f of readdirSync(DEFINITIONS_DIR)) {
    if (!f.endsWith('.json') || DEFINITION_FILES.test(f) || !types.has(f.slice(0, f.indexOf('-')))) continue;
    out.push(JSON.parse(readFileSync(join(DEFINITIONS_DIR, f), 'utf8')) as Record<string, unknown>);
  }
  return out;
}

describe('official R4 examples', () => {
  const examples = officialExamples();
  const byId = (type: string, id: string) => examples.find((e) => e.resourceType === type && e.id === id)!;

  test('every example extracts without throwing', () => {
    assert.ok(examples.length > 500);
    for (const e of examples) assert.doesNotThrow(() => extract(e), `${e.resourceType}/${e.id}`);
  });

  test('Patient/example: family and birthdate', () => {
    const r = extract(byId('Patient', 'example'));
    assert.ok(rows(r, 'string', 'family').some((x) => x.value === 'chalmers'));
    assert.deepEqual(rows(r, 'date', 'birthdate'), [{ low: '1974-12-25T00:00:00.000Z', high: '1974-12-25T23:59:59.999Z' }]);
    assert.deepEqual(rows(r, 'reference', 'organization').map((x) => x.ref), ['Organization/1']);
  });

  test('Observation/example: code, subject, patient and value-quantity', () => {
    const r = extract(byId('Observation', 'example'));
    assert.ok(rows(r, 'token', 'code').some((x) => x.system === 'http://loinc.org' && x.value === '29463-7'));
    assert.deepEqual(rows(r, 'reference', 'subject').map((x) => x.ref), ['Patient/example']);
    assert.deepEqual(rows(r, 'reference', 'patient').map((x) => x.ref), ['Patient/example']);
    assert.deepEqual(rows(r, 'quantity', 'value-quantity'), [{ value: '185', low: '184.5', high: '185.5', system: 'http://unitsofmeasure.org', unit: '[lb_av]' }]);
  });

  test('Observation/blood-pressure: systolic and diastolic in separate component groups', () => {
    const r = extract(byId('Observation', 'blood-pressure'));
    const group = (code: string) => rows(r, 'token', 'component-code-value-quantity$0').find((x) => x.value === code)?.group;
    const valueIn = (g: number | undefined) => rows(r, 'quantity', 'component-code-value-quantity$1').filter((x) => x.group === g).map((x) => x.value);
    assert.deepEqual(valueIn(group('8480-6')), ['107']);
    assert.deepEqual(valueIn(group('8462-4')), ['60']);
  });

  test('the direct evaluator agrees with fhirpath.js on every example wherever fhirpath.js gives values', () => {
    // fhirpath.js throws "Expected singleton" for `x as T` on repeating elements (where the direct
    // evaluator filters each item), so an empty library result is only accepted for such expressions.
    // Composite bases are left out: fhirpath.js's `|` merges components it deems equal (it compares
    // 1e-22 and 1e-245 as equal decimals), while each base node is its own group here.
    const key = (nodes: Node[]) => [...new Set(nodes.map((n) => `${n.type.name} ${JSON.stringify(n.value)}`))].sort();
    let compared = 0;
    for (const e of examples) {
      const type = e.resourceType as string;
      const root: Node = { value: e, type: fhirType(type) };
      for (const def of searchParams().get(type)!.values()) {
        const direct = def.expression && def.type !== 'composite' ? compileDirect(def.expression) : undefined;
        if (!direct) continue;
        const fast = key(direct([root], root));
        const lib = key(compileWithLibrary(def.expression)([root], root));
        if (lib.length === 0 && fast.length > 0) assert.match(def.expression, / as /, `${type}/${e.id} ${def.code}`);
        else assert.deepEqual(fast, lib, `${type}/${e.id} ${def.code}: ${def.expression}`);
        compared++;
      }
    }
    assert.ok(compared > 10000);
  });
});

const SYNTHEA_DIR = new URL('../../../../../../shared/testdata/synthea/', import.meta.url).pathname;

describe('Synthea bundles', { skip: !existsSync(SYNTHEA_DIR) && 'no ../shared/testdata/synthea' }, () => {
  test('every entry extracts, and every Observation indexes its code and date', () => {
    let count = 0;
    for (const f of readdirSync(SYNTHEA_DIR).filter((n) => n.endsWith('.json'))) {
      const bundle = JSON.parse(readFileSync(join(SYNTHEA_DIR, f), 'utf8')) as { entry?: { resource: Record<string, unknown> }[] };
      for (const { resource } of bundle.entry ?? []) {
        const r = extract(resource);
        if (resource.resourceType === 'Observation') {
          assert.ok(rows(r, 'token', 'code').length > 0, String(resource.id));
          assert.ok(rows(r, 'date', 'date').length > 0, String(resource.id));
        }
        count++;
      }
    }
    assert.ok(count > 1000);
  });
});
