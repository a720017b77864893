import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, BundleEntry, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { startTestApp, type TestApp } from '../test-support.js';

let t: TestApp;

const LOINC = 'http://loinc.org';
const MRN = 'https://salus.example/mrn';

/** A small world written through a transaction: two organizations, three patients, observations. */
const world: Bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    put({ resourceType: 'Organization', id: 'org-a', name: 'Clínica Aurora', active: true }),
    put({ resourceType: 'Organization', id: 'org-b', name: 'Hospital Boreal', partOf: { reference: 'Organization/org-a' } }),
    put({ resourceType: 'Practitioner', id: 'dr-1', name: [{ family: 'Okafor', given: ['Ngozi'] }] }),
    put({
      resourceType: 'Patient',
      id: 'p-jose',
      meta: { tag: [{ system: 'https://salus.example/tags', code: 'vip' }], profile: ['https://salus.example/StructureDefinition/patient'], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
      identifier: [{ system: MRN, value: 'MRN-001' }],
      name: [{ family: 'Muñoz', given: ['José', 'Luis'] }],
      gender: 'male',
      birthDate: '1961-03-02',
      active: true,
      managingOrganization: { reference: 'Organization/org-a' },
      generalPractitioner: [{ reference: 'Practitioner/dr-1' }],
      telecom: [{ system: 'email', value: 'jose@example.org' }],
    }),
    put({
      resourceType: 'Patient',
      id: 'p-zoe',
      identifier: [{ system: MRN, value: 'MRN-002' }],
      name: [{ family: 'Whitfield', given: ['Zoë'] }],
      gender: 'female',
      birthDate: '1994-11-20',
      managingOrganization: { reference: 'Organization/org-b' },
    }),
    put({
      resourceType: 'Patient',
      id: 'p-kim',
      name: [{ family: 'Kim', given: ['Min-jun'] }],
      gender: 'male',
      birthDate: '2015-07',
      managingOrganization: { reference: 'Organization/org-a', identifier: { system: 'urn:oid:1.2.3', value: 'ORG-A' } },
    }),
    ...[
      ['o1', 'p-jose', '8480-6', 'Systolic blood pressure', 150, '2024-01-10T09:00:00Z'],
      ['o2', 'p-jose', '8480-6', 'Systolic blood pressure', 135, '2024-03-10T09:00:00Z'],
      ['o3', 'p-jose', '8480-6', 'Systolic blood pressure', 122.5, '2024-06-10T09:00:00Z'],
      ['o4', 'p-zoe', '8480-6', 'Systolic blood pressure', 110, '2024-02-01T09:00:00Z'],
      ['o5', 'p-zoe', '29463-7', 'Body weight', 61.2, '2024-02-01T09:05:00Z'],
    ].map(([id, patient, code, display, value, date]) =>
      put({
        resourceType: 'Observation',
        id: id as string,
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: LOINC, code: code as string, display: display as string }], text: display as string },
        subject: { reference: `Patient/${patient}` },
        performer: [{ reference: 'Practitioner/dr-1' }],
        effectiveDateTime: date as string,
        valueQuantity: { value: value as number, unit: code === '29463-7' ? 'kg' : 'mm[Hg]', system: 'http://unitsofmeasure.org', code: code === '29463-7' ? 'kg' : 'mm[Hg]' },
      } as Observation),
    ),
    put({
      resourceType: 'Observation',
      id: 'bp-panel',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '85354-9' }] },
      subject: { reference: 'Patient/p-kim' },
      effectivePeriod: { start: '2024-05-01T10:00:00Z', end: '2024-05-01T10:30:00Z' },
      component: [
        { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 95, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 60, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    }),
    put({ resourceType: 'Provenance', id: 'prov-1', target: [{ reference: 'Observation/o1' }], recorded: '2024-01-10T09:01:00Z', agent: [{ who: { reference: 'Practitioner/dr-1' } }] }),
    put({ resourceType: 'ValueSet', id: 'vs-1', url: 'http://salus.example/fhir/ValueSet/vitals', status: 'active' }),
    put({ resourceType: 'RiskAssessment', id: 'risk-1', status: 'final', subject: { reference: 'Patient/p-jose' }, prediction: [{ probabilityDecimal: 0.125 }] }),
  ],
};

function put(resource: Resource): BundleEntry {
  return { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
}

async function ids(query: string): Promise<string[]> {
  const r = await t.fhir<Bundle>('GET', query);
  assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
  return (r.body.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!).sort();
}

before(async () => {
  t = await startTestApp();
  const r = await t.fhir('POST', '', world);
  assert.equal(r.status, 200, JSON.stringify(r.body));
});
after(async () => {
  await t.close();
});

describe('string', () => {
  test('default is case- and accent-insensitive starts-with on any name part', async () => {
    assert.deepEqual(await ids('Patient?name=munoz'), ['p-jose']);
    assert.deepEqual(await ids('Patient?name=ZOE'), ['p-zoe']);
    assert.deepEqual(await ids('Patient?family=Whit'), ['p-zoe']);
    assert.deepEqual(await ids('Patient?given=luis'), ['p-jose']);
  });
  test(':exact and :contains', async () => {
    assert.deepEqual(await ids('Patient?family:exact=Muñoz'), ['p-jose']);
    assert.deepEqual(await ids('Patient?family:exact=munoz'), []);
    assert.deepEqual(await ids('Patient?family:contains=tfie'), ['p-zoe']);
  });
  test('comma is OR, repeated parameter is AND', async () => {
    assert.deepEqual(await ids('Patient?name=kim,zoe'), ['p-kim', 'p-zoe']);
    assert.deepEqual(await ids('Patient?name=jose&name=munoz'), ['p-jose']);
    assert.deepEqual(await ids('Patient?name=jose&name=kim'), []);
  });
});

describe('token', () => {
  test('system|code, code, |code, system|', async () => {
    assert.deepEqual(await ids(`Observation?code=${LOINC}|29463-7`), ['o5']);
    assert.deepEqual(await ids('Observation?code=29463-7'), ['o5']);
    assert.deepEqual(await ids('Observation?code=|29463-7'), []);
    assert.deepEqual(await ids(`Patient?identifier=${MRN}|`), ['p-jose', 'p-zoe']);
    assert.deepEqual(await ids('Patient?gender=female'), ['p-zoe']);
    assert.deepEqual(await ids('Patient?active=true'), ['p-jose']);
    assert.deepEqual(await ids('Patient?email=jose@example.org'), ['p-jose']);
  });
  test(':not, :text and :missing', async () => {
    assert.deepEqual(await ids('Patient?gender:not=male'), ['p-zoe']);
    assert.deepEqual(await ids('Observation?code:text=body'), ['o5']);
    assert.deepEqual(await ids('Patient?active:missing=true'), ['p-kim', 'p-zoe']);
    assert.deepEqual(await ids('Patient?active:missing=false'), ['p-jose']);
  });
  test('terminology modifiers are reported as unsupported', async () => {
    const r = await t.fhir<OperationOutcome>('GET', 'Observation?code:in=http://x/vs', undefined, { prefer: 'handling=strict' });
    assert.equal(r.status, 400);
    assert.equal(r.body.issue[0]!.code, 'not-supported');
  });
});

describe('reference', () => {
  test('Type/id, plain id, absolute URL, :Type and :identifier', async () => {
    assert.deepEqual(await ids('Observation?subject=Patient/p-zoe'), ['o4', 'o5']);
    assert.deepEqual(await ids('Observation?patient=p-zoe'), ['o4', 'o5']);
    assert.deepEqual(await ids('Observation?subject:Patient=p-zoe'), ['o4', 'o5']);
    assert.deepEqual(await ids('Observation?subject=http://localhost:8080/fhir/R4/Patient/p-zoe'), ['o4', 'o5']);
    assert.deepEqual(await ids('Patient?organization:identifier=urn:oid:1.2.3|ORG-A'), ['p-kim']);
  });
  test('one level of chaining', async () => {
    assert.deepEqual(await ids('Observation?subject:Patient.name=whitfield'), ['o4', 'o5']);
    assert.deepEqual(await ids('Observation?patient.identifier=MRN-001'), ['o1', 'o2', 'o3']);
    assert.deepEqual(await ids('Patient?organization.name=hospital'), ['p-zoe']);
  });
  test('_has (reverse chaining)', async () => {
    assert.deepEqual(await ids(`Patient?_has:Observation:patient:code=${LOINC}|29463-7`), ['p-zoe']);
    assert.deepEqual(await ids('Patient?_has:Observation:subject:value-quantity=gt140'), ['p-jose']);
  });
  test('chaining on a multi-type reference without a type is a clear error', async () => {
    const r = await t.fhir<OperationOutcome>('GET', 'Observation?subject.name=x');
    assert.equal(r.status, 400);
    assert.match(r.body.issue[0]!.diagnostics!, /several types/);
  });
});

describe('date', () => {
  test('precision and prefixes', async () => {
    assert.deepEqual(await ids('Patient?birthdate=1961'), ['p-jose']);
    assert.deepEqual(await ids('Patient?birthdate=1961-03-02'), ['p-jose']);
    assert.deepEqual(await ids('Patient?birthdate=gt1990'), ['p-kim', 'p-zoe']);
    assert.deepEqual(await ids('Patient?birthdate=lt1990-01-01'), ['p-jose']);
    assert.deepEqual(await ids('Patient?birthdate=ge2015-07-01'), ['p-kim']);
    assert.deepEqual(await ids('Patient?birthdate=le1961-03-02'), ['p-jose']);
    assert.deepEqual(await ids('Patient?birthdate=ne1961'), ['p-kim', 'p-zoe']);
    assert.deepEqual(await ids('Patient?birthdate=sa2000'), ['p-kim']);
    assert.deepEqual(await ids('Patient?birthdate=eb1970'), ['p-jose']);
    assert.deepEqual(await ids('Patient?birthdate=ap1961-03-05'), ['p-jose']);
  });
  test('ranges: ge and le together, periods', async () => {
    assert.deepEqual(await ids('Observation?date=ge2024-02-01&date=le2024-03-31'), ['o2', 'o4', 'o5']);
    assert.deepEqual(await ids('Observation?date=2024-05-01T10:15:00Z'), []);
    assert.deepEqual(await ids('Observation?date=2024-05-01'), ['bp-panel']);
    assert.deepEqual(await ids('Observation?date=gt2024-05-01T10:15:00Z&date=lt2024-05-02'), ['bp-panel']);
  });
  test('_lastUpdated', async () => {
    assert.equal((await ids('Patient?_lastUpdated=gt2000-01-01')).length, 3);
    assert.deepEqual(await ids('Patient?_lastUpdated=lt2000-01-01'), []);
  });
  test('invalid dates are 400 with the parameter named', async () => {
    const r = await t.fhir<OperationOutcome>('GET', 'Patient?birthdate=gtsoon');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.issue[0]!.expression, ['birthdate']);
  });
});

describe('number, quantity, uri and composite', () => {
  test('number with precision', async () => {
    assert.deepEqual(await ids('RiskAssessment?probability=0.125'), ['risk-1']);
    assert.deepEqual(await ids('RiskAssessment?probability=gt0.1'), ['risk-1']);
    assert.deepEqual(await ids('RiskAssessment?probability=lt0.1'), []);
  });
  test('quantity prefixes, system and unit', async () => {
    assert.deepEqual(await ids('Observation?value-quantity=gt130'), ['o1', 'o2']);
    assert.deepEqual(await ids('Observation?value-quantity=122.5|http://unitsofmeasure.org|mm[Hg]'), ['o3']);
    assert.deepEqual(await ids('Observation?value-quantity=61.2||kg'), ['o5']);
    assert.deepEqual(await ids('Observation?value-quantity=ap120'), ['o3', 'o4']);
    assert.deepEqual(await ids('Observation?value-quantity=le110'), ['o4', 'o5']);
  });
  test('uri exact, :below and :above', async () => {
    assert.deepEqual(await ids('ValueSet?url=http://salus.example/fhir/ValueSet/vitals'), ['vs-1']);
    assert.deepEqual(await ids('ValueSet?url:below=http://salus.example/fhir'), ['vs-1']);
    assert.deepEqual(await ids('ValueSet?url:above=http://salus.example/fhir/ValueSet/vitals/v2'), ['vs-1']);
  });
  test('composite matches the components of the same element only', async () => {
    assert.deepEqual(await ids(`Observation?component-code-value-quantity=${LOINC}|8480-6$lt100`), ['bp-panel']);
    assert.deepEqual(await ids(`Observation?component-code-value-quantity=${LOINC}|8462-4$gt90`), []);
    assert.deepEqual(await ids(`Observation?code-value-quantity=${LOINC}|8480-6$gt140`), ['o1']);
  });
});

describe('_id, _tag, _profile, _security', () => {
  test('meta-based parameters', async () => {
    assert.deepEqual(await ids('Patient?_id=p-zoe,p-kim'), ['p-kim', 'p-zoe']);
    assert.deepEqual(await ids('Patient?_tag=https://salus.example/tags|vip'), ['p-jose']);
    assert.deepEqual(await ids('Patient?_profile=https://salus.example/StructureDefinition/patient'), ['p-jose']);
    assert.deepEqual(await ids('Patient?_security=R'), ['p-jose']);
  });
});

describe('_include and _revinclude', () => {
  test('_include adds referenced resources marked include', async () => {
    const r = await t.fhir<Bundle>('GET', 'Observation?subject=Patient/p-zoe&_include=Observation:subject&_include=Observation:performer');
    const modes = (r.body.entry ?? []).map((e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}`).sort();
    assert.deepEqual(modes, ['include:Patient/p-zoe', 'include:Practitioner/dr-1', 'match:Observation/o4', 'match:Observation/o5']);
    assert.equal(r.body.total, 2);
  });
  test('_include with a target type only adds that type', async () => {
    const r = await t.fhir<Bundle>('GET', 'Observation?_id=o4&_include=Observation:subject:Group');
    assert.equal(r.body.entry?.length, 1);
  });
  test('_revinclude and :iterate', async () => {
    const r = await t.fhir<Bundle>('GET', 'Patient?_id=p-jose&_revinclude=Observation:subject&_revinclude:iterate=Provenance:target');
    const got = (r.body.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
    assert.deepEqual(got, ['Observation/o1', 'Observation/o2', 'Observation/o3', 'Patient/p-jose', 'Provenance/prov-1']);
    const it = await t.fhir<Bundle>('GET', 'Patient?_id=p-zoe&_include=Patient:organization&_include:iterate=Organization:partof');
    const orgs = (it.body.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id).sort();
    assert.deepEqual(orgs, ['org-a', 'org-b']);
  });
  test('bad _include is 400', async () => {
    assert.equal((await t.fhir('GET', 'Observation?_include=Observation:nothing')).status, 400);
    assert.equal((await t.fhir('GET', 'Observation?_include=subject')).status, 400);
  });
});

describe('sorting, paging and totals', () => {
  test('_sort with several keys and descending', async () => {
    const r = await t.fhir<Bundle>('GET', 'Observation?code=8480-6&_sort=-date');
    assert.deepEqual(r.body.entry?.map((e) => e.resource?.id), ['o3', 'o2', 'o4', 'o1']);
    const s = await t.fhir<Bundle>('GET', 'Observation?code=8480-6&_sort=patient,-value-quantity');
    assert.deepEqual(s.body.entry?.map((e) => e.resource?.id), ['o1', 'o2', 'o3', 'o4']);
    const n = await t.fhir<Bundle>('GET', 'Patient?_sort=birthdate');
    assert.deepEqual(n.body.entry?.map((e) => e.resource?.id), ['p-jose', 'p-zoe', 'p-kim']);
    assert.equal((await t.fhir('GET', 'Patient?_sort=nonsense')).status, 400);
  });

  test('paging follows next and previous links and survives concurrent inserts', async () => {
    const first = await t.fhir<Bundle>('GET', 'Observation?_sort=date&_count=2');
    assert.equal(first.body.total, 6);
    const seen = first.body.entry!.map((e) => e.resource!.id!);
    assert.equal(first.body.link?.some((l) => l.relation === 'previous'), false);
    // A new observation dated before everything must not shift the pages already being read.
    await t.fhir('PUT', 'Observation/early', {
      resourceType: 'Observation',
      id: 'early',
      status: 'final',
      code: { text: 'early' },
      effectiveDateTime: '2000-01-01',
    });
    let link = first.body.link?.find((l) => l.relation === 'next')?.url;
    let page: Bundle | undefined;
    while (link) {
      page = (await t.fhir<Bundle>('GET', link.replace('http://localhost:8080/fhir/R4/', ''))).body;
      seen.push(...page.entry!.map((e) => e.resource!.id!));
      link = page.link?.find((l) => l.relation === 'next')?.url;
    }
    assert.deepEqual(seen, ['o1', 'o4', 'o5', 'o2', 'bp-panel', 'o3']);
    const prev = page!.link?.find((l) => l.relation === 'previous')?.url;
    assert.ok(prev);
    const back = await t.fhir<Bundle>('GET', prev!.replace('http://localhost:8080/fhir/R4/', ''));
    assert.deepEqual(back.body.entry?.map((e) => e.resource?.id), ['o5', 'o2']);
    await t.fhir('DELETE', 'Observation/early');
  });

  test('paging forward and back over a descending key with missing values visits every row once', async () => {
    const walk = async (start: string, rel: 'next' | 'previous'): Promise<{ ids: string[]; last: Bundle }> => {
      const out: string[] = [];
      let link: string | undefined = start;
      let last: Bundle | undefined;
      while (link) {
        last = (await t.fhir<Bundle>('GET', link.replace('http://localhost:8080/fhir/R4/', ''))).body;
        const page = last.entry!.map((e) => e.resource!.id!);
        if (rel === 'previous') out.unshift(...page);
        else out.push(...page);
        link = last.link?.find((l) => l.relation === rel)?.url;
      }
      return { ids: out, last: last! };
    };
    // Only p-jose has `active`; the others sort after it (missing values last).
    const forward = await walk('Patient?_sort=-active,-birthdate&_count=1', 'next');
    // Then by birth date, newest first: Kim (2015) before Zoë (1994).
    assert.deepEqual(forward.ids, ['p-jose', 'p-kim', 'p-zoe']);
    const prev = forward.last.link?.find((l) => l.relation === 'previous')?.url;
    const backward = await walk(prev!, 'previous');
    assert.deepEqual([...backward.ids, forward.ids[2]], forward.ids);
  });

  test('_total, _summary=count, _count=0 and _elements', async () => {
    const none = await t.fhir<Bundle>('GET', 'Patient?_total=none');
    assert.equal(none.body.total, undefined);
    const count = await t.fhir<Bundle>('GET', 'Patient?_summary=count');
    assert.equal(count.body.total, 3);
    assert.equal(count.body.entry?.length ?? 0, 0);
    const el = await t.fhir<Bundle>('GET', 'Patient?_id=p-zoe&_elements=gender');
    const p = el.body.entry![0]!.resource as unknown as Record<string, unknown>;
    assert.equal(p.gender, 'female');
    assert.equal(p.name, undefined);
    assert.equal((await t.fhir('GET', 'Patient?_count=abc')).status, 400);
  });

  test('POST _search with a form body', async () => {
    const r = await t.fhir<Bundle>('POST', 'Patient/_search', 'name=kim', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.entry?.map((e) => e.resource?.id), ['p-kim']);
  });

  test('unknown parameters: ignored and reported when lenient, 400 when strict', async () => {
    const lenient = await t.fhir<Bundle>('GET', 'Patient?nickname=x&gender=female');
    assert.equal(lenient.status, 200);
    assert.equal(lenient.body.total, 1);
    const oo = lenient.body.entry?.find((e) => e.search?.mode === 'outcome');
    assert.ok(oo);
    assert.ok(!lenient.body.link?.[0]?.url.includes('nickname'));
    const strict = await t.fhir<OperationOutcome>('GET', 'Patient?nickname=x', undefined, { prefer: 'handling=strict' });
    assert.equal(strict.status, 400);
    assert.deepEqual(strict.body.issue[0]!.expression, ['nickname']);
  });

  test('an altered cursor is 400, not a server error', async () => {
    const forged = Buffer.from(JSON.stringify({ d: 'n', v: ['not-a-date'], r: '1' })).toString('base64url');
    const r = await t.fhir<OperationOutcome>('GET', `Patient?_sort=birthdate&_cursor=${forged}`);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.issue[0]!.expression, ['_cursor']);
  });

  test('bad modifiers and cursors are 400', async () => {
    assert.equal((await t.fhir('GET', 'Patient?birthdate:exact=2000')).status, 400);
    assert.equal((await t.fhir('GET', 'Patient?name:missing=maybe')).status, 400);
    assert.equal((await t.fhir('GET', 'Patient?_cursor=garbage')).status, 400);
    assert.equal((await t.fhir('GET', 'Observation?component-code-value-quantity=8480-6')).status, 400);
  });
});

describe('Patient/$everything', () => {
  test('returns the patient, their compartment and what it references', async () => {
    const r = await t.fhir<Bundle>('GET', 'Patient/p-jose/$everything');
    assert.equal(r.status, 200);
    const got = (r.body.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
    assert.deepEqual(got, [
      'Observation/o1',
      'Observation/o2',
      'Observation/o3',
      'Organization/org-a',
      'Patient/p-jose',
      'Practitioner/dr-1',
      'RiskAssessment/risk-1',
    ]);
    const typed = await t.fhir<Bundle>('GET', 'Patient/p-jose/$everything?_type=Observation');
    assert.equal(typed.body.entry?.length, 3);
    assert.equal((await t.fhir('GET', 'Patient/nobody/$everything')).status, 404);
  });
});
