import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS_DIR, resourceTypes } from '../definitions.js';
import { PRIMITIVE_CHECKS } from './primitive-types.js';
import { typeInfo } from './structure-index.js';
import { isKnownResourceType, validateResource } from './validate.js';

type Json = Record<string, unknown>;

/** The issues as [code, expression] pairs, the part of an issue that tests pin down exactly. */
function found(resource: unknown): [string, string | undefined][] {
  return validateResource(resource).map((i) => [i.code, i.expression?.[0]]);
}

function assertValid(resource: unknown): void {
  assert.deepEqual(validateResource(resource), []);
}

const patient = (extra: Json): Json => ({ resourceType: 'Patient', ...extra });
const observation = (extra: Json): Json => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Heart rate' },
  ...extra,
});

describe('resource type', () => {
  test('accepts a minimal resource of a known type', () => {
    assertValid({ resourceType: 'Patient' });
  });

  test('rejects input that is not a JSON object', () => {
    assert.deepEqual(found(null), [['structure', '$this']]);
    assert.deepEqual(found([{ resourceType: 'Patient' }]), [['structure', '$this']]);
    assert.deepEqual(found('Patient'), [['structure', '$this']]);
  });

  test('requires resourceType', () => {
    assert.deepEqual(found({ id: 'x' }), [['required', 'resourceType']]);
  });

  test('rejects unknown and abstract resource types', () => {
    assert.deepEqual(found({ resourceType: 'Patinet' }), [['not-supported', 'resourceType']]);
    assert.deepEqual(found({ resourceType: 'DomainResource' }), [['not-supported', 'resourceType']]);
    assert.deepEqual(found({ resourceType: 7 }), [['value', 'resourceType']]);
  });

  test('isKnownResourceType knows the concrete types only', () => {
    assert.equal(isKnownResourceType('Patient'), true);
    assert.equal(isKnownResourceType('Bundle'), true);
    assert.equal(isKnownResourceType('Resource'), false);
    assert.equal(isKnownResourceType('HumanName'), false);
    assert.equal(isKnownResourceType('patient'), false);
  });
});

describe('issues', () => {
  test('are errors with a code, diagnostics and one FHIRPath expression', () => {
    const issues = validateResource(patient({ foo: 1, gender: 5, name: {} }));
    assert.equal(issues.length, 3);
    for (const i of issues) {
      assert.equal(i.severity, 'error');
      assert.ok(['structure', 'required', 'value', 'not-supported'].includes(i.code));
      assert.equal(typeof i.diagnostics, 'string');
      assert.ok(i.diagnostics!.length > 10);
      assert.equal(i.expression?.length, 1);
    }
    assert.match(issues[0].diagnostics!, /Unknown element 'foo' in Patient/);
  });
});

describe('unknown elements', () => {
  test('rejects properties the definition does not have, at any depth', () => {
    assert.deepEqual(found(patient({ foo: 'bar' })), [['structure', 'Patient.foo']]);
    assert.deepEqual(found(patient({ name: [{ family: 'Chalmers', nickname: 'Jim' }] })), [
      ['structure', 'Patient.name[0].nickname'],
    ]);
  });

  test('rejects misspelt or disallowed choice types', () => {
    assertValid(observation({ valueString: 'x' }));
    assert.deepEqual(found(observation({ valueFoo: 'x' })), [['structure', 'Observation.valueFoo']]);
    // Observation.value[x] does not include uri.
    assert.deepEqual(found(observation({ valueUri: 'http://x' })), [['structure', 'Observation.valueUri']]);
    assert.deepEqual(found(observation({ value: 'x' })), [['structure', 'Observation.value']]);
  });

  test('rejects fhir_comments, which R4 JSON does not have', () => {
    assert.deepEqual(found(patient({ fhir_comments: ['note'] })), [['structure', 'Patient.fhir_comments']]);
  });

  test('allows resourceType only where a resource starts', () => {
    assert.deepEqual(found(patient({ name: [{ resourceType: 'HumanName', family: 'X' }] })), [
      ['structure', 'Patient.name[0].resourceType'],
    ]);
  });
});

describe('cardinality', () => {
  test('requires elements with min 1', () => {
    assertValid(observation({}));
    assert.deepEqual(found({ resourceType: 'Observation', code: { text: 'x' } }), [['required', 'Observation.status']]);
    assert.deepEqual(found({ resourceType: 'Observation' }), [
      ['required', 'Observation.status'],
      ['required', 'Observation.code'],
    ]);
  });

  test('counts a primitive present through its extensions alone', () => {
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    assertValid({ resourceType: 'Observation', _status: absent, code: { text: 'x' } });
  });

  test('requires a required choice element in one of its types', () => {
    const item = (enableWhen: Json): Json => ({
      resourceType: 'Questionnaire',
      status: 'draft',
      item: [{ linkId: '1', type: 'boolean', enableWhen: [{ question: '0', operator: 'exists', ...enableWhen }] }],
    });
    assertValid(item({ answerBoolean: true }));
    assert.deepEqual(found(item({})), [['required', 'Questionnaire.item[0].enableWhen[0].answer']]);
  });

  test('rejects an array where at most one value is allowed', () => {
    assertValid(patient({ birthDate: '1974-12-25' }));
    assert.deepEqual(found(patient({ birthDate: ['1974-12-25'] })), [['structure', 'Patient.birthDate']]);
  });

  test('rejects a single value where FHIR JSON uses an array', () => {
    assertValid(patient({ name: [{ family: 'Chalmers' }] }));
    assert.deepEqual(found(patient({ name: { family: 'Chalmers' } })), [['structure', 'Patient.name']]);
    assert.deepEqual(found(patient({ name: [{ given: 'Peter' }] })), [['structure', 'Patient.name[0].given']]);
  });

  test('applies constrained datatypes: SimpleQuantity has no comparator', () => {
    const range = (low: Json): Json => observation({ referenceRange: [{ low }] });
    assertValid(range({ value: 60, unit: '/min' }));
    assert.deepEqual(found(range({ value: 60, comparator: '>' })), [['structure', 'Observation.referenceRange[0].low.comparator']]);
    // Plain Quantity elements keep it.
    assertValid(observation({ valueQuantity: { value: 60, comparator: '>' } }));
  });
});

describe('choice types', () => {
  test('allow only one of the alternatives', () => {
    assertValid(observation({ valueQuantity: { value: 72, unit: '/min' } }));
    assert.deepEqual(found(observation({ valueQuantity: { value: 72 }, valueString: '72' })), [['structure', 'Observation.value']]);
  });

  test('validate the chosen type', () => {
    assert.deepEqual(found(observation({ valueBoolean: 'yes' })), [['value', 'Observation.valueBoolean']]);
    assert.deepEqual(found(observation({ valuePeriod: { start: 'today' } })), [['value', 'Observation.valuePeriod.start']]);
  });
});

describe('primitive types', () => {
  // Every primitive except xhtml is a type of Extension.value[x], which gives each a home.
  const cases: [type: string, good: unknown[], bad: unknown[]][] = [
    ['boolean', [true, false], ['true', 1, null]],
    ['integer', [0, -5, 2147483647], [1.5, '1', 2147483648]],
    ['positiveInt', [1, 300], [0, -1, '1']],
    ['unsignedInt', [0, 7], [-1, 1.2]],
    ['decimal', [0, -1.25, 1e3], ['1.0', true, Infinity]],
    ['string', ['a', ' padded ', 'line\nbreak', 'caf\u00e9\u00a0'], ['', 5, 'form\ffeed']],
    ['markdown', ['# Title\n\n*emphasis*'], ['', 5]],
    ['uri', ['http://example.org/a', 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520'], ['has space', '']],
    ['url', ['https://example.org/x?y=1'], ['https://example.org/a b']],
    ['canonical', ['http://hl7.org/fhir/ValueSet/x|4.0.1'], ['x y']],
    ['code', ['final', 'two words'], [' final', 'final ', 'double  space', '', 1]],
    ['id', ['a-B.1', 'x'.repeat(64)], ['a_b', 'x'.repeat(65), '']],
    ['oid', ['urn:oid:1.2.840.113619'], ['1.2.3', 'urn:oid:3.1', 'urn:oid:1.02']],
    ['uuid', ['urn:uuid:c757873d-ec9a-4326-a141-556f43239520'], ['c757873d-ec9a-4326-a141-556f43239520', 'urn:uuid:C757873D-EC9A-4326-A141-556F43239520']],
    ['date', ['2024', '2024-02', '2024-02-29', '0001'], ['2024-2-1', '2023-02-29', '2024-04-31', '2024-01-01T10:00:00Z', '0000']],
    [
      'dateTime',
      ['2024', '2024-05', '2024-05-06', '2024-05-06T10:20:30Z', '2024-05-06T10:20:30.123+02:00', '2016-12-31T23:59:60Z'],
      ['2024-05-06T10:20Z', '2024-05-06T10:20:30', '2024-13-01', '2024-05-06 10:20:30Z', '2024-05-06T10:20:30+15:00'],
    ],
    ['instant', ['2024-05-06T10:20:30.5Z', '2024-05-06T10:20:30-05:00'], ['2024-05-06', '2024-05-06T10:20:30']],
    ['time', ['10:20:30', '23:59:60.5', '00:00:00'], ['24:00:00', '10:20', '10:20:30Z']],
    ['base64Binary', ['aGVsbG8=', 'aGVs\nbG8=', ' aGVsbG8= '], ['aGVsbG8', 'aG Vs', 'aGVs!G8=', '']],
  ];
  for (const [type, good, bad] of cases) {
    const name = `value${type[0].toUpperCase()}${type.slice(1)}`;
    const withValue = (value: unknown): Json => patient({ extension: [{ url: 'http://example.org/x', [name]: value }] });
    test(`${type}: accepts valid values, rejects invalid ones`, () => {
      for (const value of good) assert.deepEqual(validateResource(withValue(value)), [], `${type} ${JSON.stringify(value)}`);
      for (const value of bad) {
        const expected = value === null ? 'structure' : 'value';
        assert.deepEqual(found(withValue(value)), [[expected, `Patient.extension[0].${name}`]], `${type} ${JSON.stringify(value)}`);
      }
    });
  }

  test('xhtml: a div element, checked loosely', () => {
    const withDiv = (div: unknown): Json => patient({ text: { status: 'generated', div } });
    assertValid(withDiv('<div xmlns="http://www.w3.org/1999/xhtml"><p>Peter</p></div>'));
    assert.deepEqual(found(withDiv('<p>Peter</p>')), [['value', 'Patient.text.div']]);
    assert.deepEqual(found(withDiv(['<div/>'])), [['structure', 'Patient.text.div']]);
  });

  test('check the JSON type: numbers, strings and booleans are not interchangeable', () => {
    assert.deepEqual(found(patient({ active: 'true' })), [['value', 'Patient.active']]);
    assert.deepEqual(found(patient({ gender: 1 })), [['value', 'Patient.gender']]);
    assert.deepEqual(found(patient({ multipleBirthInteger: '2' })), [['value', 'Patient.multipleBirthInteger']]);
    assert.deepEqual(found(patient({ birthDate: { value: '1974-12-25' } })), [['value', 'Patient.birthDate']]);
  });

  test('check Resource.id against the id pattern', () => {
    assertValid(patient({ id: 'example-1.a' }));
    assert.deepEqual(found(patient({ id: 'has space' })), [['value', 'Patient.id']]);
    assert.deepEqual(found(patient({ id: 'x'.repeat(65) })), [['value', 'Patient.id']]);
  });

  test('report the element inside arrays and nested datatypes', () => {
    assert.deepEqual(found(patient({ name: [{ given: ['Peter', 5] }] })), [['value', 'Patient.name[0].given[1]']]);
    const component = (value: unknown): Json => ({ code: { text: 'c' }, valueQuantity: { value } });
    assert.deepEqual(
      found(observation({ component: [component(1), component(2), component('3')] })),
      [['value', 'Observation.component[2].valueQuantity.value']],
    );
    assert.deepEqual(found(observation({ subject: { reference: 5 } })), [['value', 'Observation.subject.reference']]);
  });
});

describe('primitive extensions', () => {
  const ext = { extension: [{ url: 'http://example.org/x', valueString: 'y' }] };

  test('accept an object sibling for a single primitive, with or without the value', () => {
    assertValid(patient({ birthDate: '1974-12-25', _birthDate: ext }));
    assertValid(patient({ _birthDate: ext }));
    assertValid(patient({ id: 'a', _id: { id: 'x' } }));
  });

  test('validate the sibling as the primitive type\'s id and extensions', () => {
    assert.deepEqual(found(patient({ birthDate: '1974-12-25', _birthDate: { extension: [{ valueString: 'y' }] } })), [
      ['required', 'Patient.birthDate.extension[0].url'],
    ]);
    assert.deepEqual(found(patient({ birthDate: '1974-12-25', _birthDate: { value: 'x' } })), [['structure', 'Patient.birthDate.value']]);
    assert.deepEqual(found(patient({ birthDate: '1974-12-25', _birthDate: 'x' })), [['structure', 'Patient.birthDate']]);
    assert.deepEqual(found(patient({ birthDate: '1974-12-25', _birthDate: [ext] })), [['structure', 'Patient.birthDate']]);
  });

  test('accept arrays aligned with the values, null where one side is missing', () => {
    assertValid(patient({ name: [{ given: ['Peter', 'James'], _given: [null, ext] }] }));
    assertValid(patient({ name: [{ given: ['Peter', null], _given: [null, ext] }] }));
    assertValid(patient({ name: [{ _given: [ext] }] }));
  });

  test('reject misaligned arrays and positions with neither value nor extensions', () => {
    assert.deepEqual(found(patient({ name: [{ given: ['Peter', 'James'], _given: [ext] }] })), [['structure', 'Patient.name[0].given']]);
    assert.deepEqual(found(patient({ name: [{ given: ['Peter', null], _given: [ext, null] }] })), [
      ['structure', 'Patient.name[0].given[1]'],
    ]);
    assert.deepEqual(found(patient({ name: [{ given: ['Peter'], _given: ext }] })), [['structure', 'Patient.name[0].given']]);
  });

  test('exist only for primitives that are elements', () => {
    assert.deepEqual(found(patient({ _foo: ext })), [['structure', 'Patient._foo']]);
    assert.deepEqual(found(patient({ name: [{ family: 'X' }], _name: [ext] })), [['structure', 'Patient._name']]);
    // Extension.url and Element.id are XML attributes: they cannot be extended.
    assert.deepEqual(found(patient({ extension: [{ url: 'http://example.org/x', _url: ext, valueString: 'y' }] })), [
      ['structure', 'Patient.extension[0]._url'],
    ]);
    assert.deepEqual(found(patient({ name: [{ id: 'n1', _id: ext }] })), [['structure', 'Patient.name[0]._id']]);
  });
});

describe('extensions', () => {
  test('need a url, at every level', () => {
    assertValid(patient({ extension: [{ url: 'http://example.org/x', extension: [{ url: 'part', valueCode: 'a' }] }] }));
    assert.deepEqual(found(patient({ extension: [{ valueString: 'x' }] })), [['required', 'Patient.extension[0].url']]);
    assert.deepEqual(found(patient({ modifierExtension: [{ valueString: 'x' }] })), [['required', 'Patient.modifierExtension[0].url']]);
    assert.deepEqual(found(patient({ name: [{ extension: [{ url: 'http://example.org/x', extension: [{ valueBoolean: true }] }] }] })), [
      ['required', 'Patient.name[0].extension[0].extension[0].url'],
    ]);
  });
});

describe('embedded resources', () => {
  test('validate contained resources by their own type', () => {
    assertValid(patient({ contained: [{ resourceType: 'Practitioner', id: 'p1', name: [{ family: 'Careful' }] }] }));
    assert.deepEqual(found(patient({ contained: [{ resourceType: 'Practitioner', id: 'p1', gender: 'unknown', birthDate: 'x' }] })), [
      ['value', 'Patient.contained[0].birthDate'],
    ]);
    assert.deepEqual(found(patient({ contained: [{ id: 'p1' }] })), [['required', 'Patient.contained[0].resourceType']]);
    assert.deepEqual(found(patient({ contained: [{ resourceType: 'Nobody' }] })), [['not-supported', 'Patient.contained[0].resourceType']]);
  });

  test('validate Bundle entries by their own type', () => {
    const bundle = (resource: Json): Json => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Patient' } }, { fullUrl: 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520', resource }],
    });
    assertValid(bundle(observation({})));
    assert.deepEqual(found(bundle(patient({ birthDate: '25/12/1974' }))), [['value', 'Bundle.entry[1].resource.birthDate']]);
    assert.deepEqual(found(bundle(observation({ status: undefined }))), [['required', 'Bundle.entry[1].resource.status']]);
  });

  test('validate Parameters resources and nested parts', () => {
    const parameters = (parameter: Json[]): Json => ({ resourceType: 'Parameters', parameter });
    assertValid(parameters([{ name: 'p', resource: patient({}) }, { name: 'q', part: [{ name: 'r', valueInteger: 1 }] }]));
    assert.deepEqual(found(parameters([{ name: 'p', resource: patient({ gender: 'x y ' }) }])), [
      ['value', 'Parameters.parameter[0].resource.gender'],
    ]);
    assert.deepEqual(found(parameters([{ name: 'q', part: [{ valueFoo: 1 }] }])), [
      ['structure', 'Parameters.parameter[0].part[0].valueFoo'],
      ['required', 'Parameters.parameter[0].part[0].name'],
    ]);
  });
});

describe('content references', () => {
  test('validate Questionnaire.item.item as an item', () => {
    const q = (child: Json): Json => ({
      resourceType: 'Questionnaire',
      status: 'active',
      item: [{ linkId: '1', type: 'group', item: [child] }],
    });
    assertValid(q({ linkId: '1.1', type: 'string', item: [{ linkId: '1.1.1', type: 'display' }] }));
    assert.deepEqual(found(q({ type: 'string' })), [['required', 'Questionnaire.item[0].item[0].linkId']]);
    assert.deepEqual(found(q({ linkId: '1.1', type: 'string', item: [{ linkId: '1.1.1', type: 'display', text: 3 }] })), [
      ['value', 'Questionnaire.item[0].item[0].item[0].text'],
    ]);
  });

  test('validate Bundle.entry.link as a Bundle link', () => {
    const bundle = (link: Json): Json => ({ resourceType: 'Bundle', type: 'searchset', entry: [{ link: [link] }] });
    assertValid(bundle({ relation: 'self', url: 'http://example.org/Patient/1' }));
    assert.deepEqual(found(bundle({ relation: 'self' })), [['required', 'Bundle.entry[0].link[0].url']]);
  });
});

describe('empty values', () => {
  test('reject empty objects, arrays and strings and nulls', () => {
    assert.deepEqual(found(patient({ name: [] })), [['structure', 'Patient.name']]);
    assert.deepEqual(found(patient({ name: [{}] })), [['structure', 'Patient.name[0]']]);
    assert.deepEqual(found(patient({ meta: {} })), [['structure', 'Patient.meta']]);
    assert.deepEqual(found(patient({ gender: '' })), [['value', 'Patient.gender']]);
    assert.deepEqual(found(patient({ birthDate: null })), [['structure', 'Patient.birthDate']]);
    assert.deepEqual(found(patient({ name: [null] })), [['structure', 'Patient.name[0]']]);
    assert.deepEqual(found(patient({ name: [{ given: [null] }] })), [['structure', 'Patient.name[0].given[0]']]);
  });

  test('treat properties set to undefined as absent, as JSON.stringify does', () => {
    assertValid(patient({ birthDate: undefined }));
    assert.deepEqual(found(patient({ name: [{ family: undefined }] })), [['structure', 'Patient.name[0]']]);
  });
});

describe('definitions index', () => {
  test('resolves every type reachable from every resource type', () => {
    const seen = new Set<string>();
    const visit = (key: string): void => {
      if (seen.has(key) || key === 'Resource') return;
      seen.add(key);
      for (const el of typeInfo(key).elements.values()) visit(el.type);
    };
    for (const type of resourceTypes()) visit(type);
    visit('MoneyQuantity');
    for (const type of ['SimpleQuantity', 'Duration', 'Age', 'Count', 'Distance', 'Questionnaire.item', 'Bundle.link']) {
      assert.ok(seen.has(type), type);
    }
    // Loading a primitive type without a value check throws, so reaching all of them proves the table complete.
    for (const type of PRIMITIVE_CHECKS.keys()) assert.ok(seen.has(type), type);
  });
});

describe('official R4 examples', () => {
  // These examples break their own definitions; each is listed with what is wrong.
  const knownInvalid = new Map<string, string>([
    // ImplementationGuide.name and .status are 1..1; the package manifest has neither.
    ['ImplementationGuide-fhir.json', 'missing name and status'],
    // 32 nested display items (help texts) have no linkId; Questionnaire.item.linkId is 1..1.
    ['Questionnaire-qs1.json', 'items without linkId'],
    // SearchParameter.base is 1..*; these extension search parameters leave it out.
    ...[
      'codesystem-extensions-CodeSystem-author',
      'codesystem-extensions-CodeSystem-effective',
      'codesystem-extensions-CodeSystem-end',
      'codesystem-extensions-CodeSystem-keyword',
      'codesystem-extensions-CodeSystem-workflow',
      'valueset-extensions-ValueSet-author',
      'valueset-extensions-ValueSet-effective',
      'valueset-extensions-ValueSet-end',
      'valueset-extensions-ValueSet-keyword',
      'valueset-extensions-ValueSet-workflow',
    ].map((id): [string, string] => [`SearchParameter-${id}.json`, 'missing base']),
    // Its id has 67 characters; ids are limited to 64.
    ['SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json', 'id too long'],
  ]);

  const types = new Set(resourceTypes());
  const files = readdirSync(DEFINITIONS_DIR).filter((f) => f.endsWith('.json') && types.has(f.slice(0, f.indexOf('-'))));

  test('the package holds the examples and the definition resources', () => {
    assert.ok(files.length > 5000);
    assert.ok(files.filter((f) => !/^(StructureDefinition|SearchParameter|ValueSet|CodeSystem|ConceptMap|OperationDefinition)-/.test(f)).length > 700);
  });

  test('every example validates, except the known invalid ones', () => {
    const failures: string[] = [];
    for (const f of files) {
      const issues = validateResource(JSON.parse(readFileSync(join(DEFINITIONS_DIR, f), 'utf8')));
      if (knownInvalid.has(f)) {
        assert.ok(issues.length > 0, `${f} is listed as invalid (${knownInvalid.get(f)}) but validates`);
        continue;
      }
      for (const i of issues) failures.push(`${f}: ${i.expression?.[0]}: ${i.diagnostics}`);
    }
    assert.deepEqual(failures, []);
  });

  test('the known invalid examples fail for the stated reason', () => {
    const expressions = (f: string): string[] =>
      validateResource(JSON.parse(readFileSync(join(DEFINITIONS_DIR, f), 'utf8'))).map((i) => i.expression![0]);
    assert.deepEqual(expressions('ImplementationGuide-fhir.json'), ['ImplementationGuide.name', 'ImplementationGuide.status']);
    const missingLinkIds = expressions('Questionnaire-qs1.json');
    assert.equal(missingLinkIds.length, 32);
    for (const e of missingLinkIds) assert.match(e, /^Questionnaire\.item\[0\](\.item\[\d+\])+\.linkId$/);
    assert.deepEqual(expressions('SearchParameter-valueset-extensions-ValueSet-author.json'), ['SearchParameter.base']);
    assert.deepEqual(expressions('SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json'), [
      'SearchParameter.id',
    ]);
  });
});
