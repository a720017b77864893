import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { DEMO_EMAIL, startTestApp, type Caller, type TestApp } from '../test-support.js';

/**
 * The authorization matrix, against the running server with the demo world and its people signed
 * in: each role × representative resource types × interactions, including attempts across
 * patients and organizations and searches that would leak through _include, _revinclude, chains
 * and _has.
 */

const ANA = 'demo-ana-souza';
const JOSE = 'demo-jose-martinez';
const ZOE = 'demo-zoe-brennan';
const FATIMA = 'demo-fatima-haddad';
const ANA_OBS = 'demo-obs-ana-01-blood-pressure';
const ANA_RX = 'demo-rx-ana-metformin-500';
const JOSE_OBS = 'demo-obs-jose-01-blood-pressure';
const ANA_APPT = 'demo-appt-ana-diabetes-review';

const PEOPLE = DEMO_EMAIL;
type Who = keyof typeof PEOPLE | 'system' | 'anonymous';

const bp = (patient: string): Resource => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: `Patient/${patient}` },
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

const rx = (patient: string): Resource => ({
  resourceType: 'MedicationRequest',
  status: 'active',
  intent: 'order',
  medicationCodeableConcept: { text: 'Amoxicillin 500 mg capsule' },
  subject: { reference: `Patient/${patient}` },
});

const dispense = (patient: string): Resource => ({
  resourceType: 'MedicationDispense',
  status: 'completed',
  medicationCodeableConcept: { text: 'Metformin 500 mg tablet' },
  subject: { reference: `Patient/${patient}` },
  authorizingPrescription: [{ reference: `MedicationRequest/${ANA_RX}` }],
});

/** A booking written directly, as if no slot had to be free: only clinicians may. */
const appointment = (patient: string): Resource => ({
  resourceType: 'Appointment',
  status: 'booked',
  start: '2030-01-07T17:00:00Z',
  end: '2030-01-07T17:30:00Z',
  participant: [
    { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
    { actor: { reference: 'Practitioner/demo-dr-okafor' }, status: 'accepted' },
  ],
});

let t: TestApp;
const callers = new Map<Who, Caller>();
const as = (who: Who): Caller => callers.get(who)!;

before(async () => {
  t = await startTestApp({ seed: true });
  for (const who of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) callers.set(who, await t.signIn(PEOPLE[who]));
  callers.set('system', t.system);
  callers.set('anonymous', t.anonymous);
});
after(() => t.close());

const ids = (b: Bundle): string[] => (b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

/** [who, method, path, body, expected status] */
type Row = [Who, string, string, Resource | undefined, number];

const matrix: Row[] = [
  // Anonymous callers reach only the CapabilityStatement.
  ['anonymous', 'GET', 'metadata', undefined, 200],
  ['anonymous', 'GET', `Patient/${ANA}`, undefined, 401],
  ['anonymous', 'GET', 'Observation', undefined, 401],
  ['anonymous', 'POST', 'Observation', bp(ANA), 401],

  // A patient: their own record, read-mostly; nobody else's.
  ['ana', 'GET', `Patient/${ANA}`, undefined, 200],
  ['ana', 'GET', `Observation/${ANA_OBS}`, undefined, 200],
  ['ana', 'GET', `Observation/${ANA_OBS}/_history`, undefined, 200],
  ['ana', 'GET', `Observation/${ANA_OBS}/_history/1`, undefined, 200],
  ['ana', 'GET', `Patient/${ANA}/$everything`, undefined, 200],
  ['ana', 'POST', 'Observation', bp(ANA), 201],
  ['ana', 'PUT', `Observation/${ANA_OBS}`, { ...bp(ANA), id: ANA_OBS }, 403],
  ['ana', 'DELETE', `Observation/${ANA_OBS}`, undefined, 403],
  ['ana', 'POST', 'MedicationRequest', rx(ANA), 403],
  ['ana', 'GET', `Patient/${JOSE}`, undefined, 404],
  ['ana', 'GET', `Observation/${JOSE_OBS}`, undefined, 404],
  ['ana', 'GET', `Patient/${JOSE}/$everything`, undefined, 404],
  ['ana', 'GET', `Observation/${JOSE_OBS}/_history`, undefined, 404],
  ['ana', 'POST', 'Observation', bp(JOSE), 403],
  ['ana', 'DELETE', `Observation/${JOSE_OBS}`, undefined, 403],
  ['ana', 'GET', 'Observation/_history', undefined, 403],
  ['ana', 'GET', '_history', undefined, 403],
  ['ana', 'GET', 'Practitioner/demo-dr-okafor', undefined, 200],
  ['ana', 'PUT', 'Practitioner/demo-dr-okafor', { resourceType: 'Practitioner', id: 'demo-dr-okafor' }, 403],
  // Bookings go through Appointment/$book, $reschedule and $cancel, never a plain write.
  ['ana', 'GET', `Appointment/${ANA_APPT}`, undefined, 200],
  ['ana', 'POST', 'Appointment', appointment(ANA), 403],
  ['ana', 'PUT', `Appointment/${ANA_APPT}`, undefined, 403],

  // A caregiver: her child's record, not other patients'.
  ['siobhan', 'GET', `Patient/${ZOE}`, undefined, 200],
  ['siobhan', 'GET', `AllergyIntolerance/demo-allergy-zoe-peanut`, undefined, 200],
  ['siobhan', 'GET', `Patient/${ZOE}/$everything`, undefined, 200],
  ['siobhan', 'GET', `Patient/${ANA}`, undefined, 404],
  ['siobhan', 'GET', 'AllergyIntolerance/demo-allergy-ana-penicillin', undefined, 404],

  // The patients' GP, at their clinic: everything in their records, prescribing included.
  ['okafor', 'GET', `Patient/${ANA}`, undefined, 200],
  ['okafor', 'GET', `Patient/${ANA}/$everything`, undefined, 200],
  ['okafor', 'POST', 'Observation', bp(ANA), 201],
  ['okafor', 'POST', 'MedicationRequest', rx(ANA), 201],
  ['okafor', 'POST', 'Appointment', appointment(ANA), 201],
  ['okafor', 'PUT', `Appointment/${ANA_APPT}`, undefined, 200],
  ['okafor', 'GET', `MedicationRequest/${ANA_RX}/_history`, undefined, 200],
  ['okafor', 'GET', 'Observation/_history', undefined, 403],

  // A clinician of another organization, without a care relationship: nothing.
  ['lindqvist', 'GET', `Patient/${ANA}`, undefined, 404],
  ['lindqvist', 'GET', `Observation/${ANA_OBS}`, undefined, 404],
  ['lindqvist', 'GET', `Patient/${ANA}/$everything`, undefined, 404],
  ['lindqvist', 'POST', 'Observation', bp(ANA), 403],
  ['lindqvist', 'PUT', `Observation/${ANA_OBS}`, { ...bp(ANA), id: ANA_OBS }, 403],
  ['lindqvist', 'DELETE', `Observation/${ANA_OBS}`, undefined, 403],
  ['lindqvist', 'GET', 'Practitioner/demo-dr-okafor', undefined, 200],

  // The pharmacy: the prescriptions sent to it and what dispensing needs, not the whole record.
  ['chen', 'GET', `MedicationRequest/${ANA_RX}`, undefined, 200],
  ['chen', 'GET', `Patient/${ANA}`, undefined, 200],
  ['chen', 'GET', 'AllergyIntolerance/demo-allergy-ana-penicillin', undefined, 200],
  ['chen', 'POST', 'MedicationDispense', dispense(ANA), 201],
  ['chen', 'GET', `Observation/${ANA_OBS}`, undefined, 403],
  ['chen', 'GET', `Patient/${FATIMA}`, undefined, 404],
  ['chen', 'POST', 'MedicationRequest', rx(ANA), 403],
  ['chen', 'DELETE', `MedicationRequest/${ANA_RX}`, undefined, 403],

  // Public health: counts, never a record.
  ['wojcik', 'GET', 'Observation?code=http://loinc.org|4548-4&_summary=count', undefined, 200],
  ['wojcik', 'GET', 'Observation?code=http://loinc.org|4548-4', undefined, 403],
  ['wojcik', 'GET', `Patient/${ANA}`, undefined, 403],
  ['wojcik', 'GET', `Patient/${ANA}/$everything`, undefined, 403],
  ['wojcik', 'POST', 'Observation', bp(ANA), 403],

  // The clinic's administrator: the directory, not clinical data.
  ['whitfield', 'GET', `Patient/${ANA}`, undefined, 403],
  ['whitfield', 'GET', 'Observation', undefined, 403],
  ['whitfield', 'PUT', 'Location/demo-riverton-clinic-main', undefined, 200],
  ['whitfield', 'GET', 'Organization/demo-riverton-community-clinic', undefined, 200],

  // A Backend Services client with system/*.cruds.
  ['system', 'GET', `Patient/${ANA}`, undefined, 200],
  ['system', 'GET', 'Observation/_history', undefined, 200],
  ['system', 'POST', 'Observation', bp(JOSE), 201],
];

describe('authorization matrix', () => {
  for (const [who, method, path, body, expected] of matrix) {
    test(`${who} ${method} ${path} → ${expected}`, async () => {
      let payload = body;
      if (method === 'PUT' && body === undefined) {
        // An unchanged copy of the current version.
        payload = (await as('system').fhir('GET', path)).body as Resource;
      }
      const res = await as(who).fhir(method, path, payload);
      assert.equal(res.status, expected, JSON.stringify(res.body));
      if (expected === 403 || expected === 401) assert.equal((res.body as { resourceType: string }).resourceType, 'OperationOutcome');
    });
  }
});

describe('searches return only what the caller may see', () => {
  test('a patient searching everyone gets only herself', async () => {
    const res = await as('ana').fhir<Bundle>('GET', 'Patient?_count=100');
    assert.deepEqual(ids(res.body), [`Patient/${ANA}`]);
    assert.equal(res.body.total, 1);
  });

  test('a patient asking for another patient’s data by parameter gets nothing', async () => {
    const res = await as('ana').fhir<Bundle>('GET', `Observation?patient=${JOSE}`);
    assert.equal(res.body.total, 0);
  });

  test('_include and _revinclude do not pull in other patients’ resources', async () => {
    const res = await as('ana').fhir<Bundle>('GET', `Observation?_revinclude=Provenance:target&_include=Observation:subject&_count=500`);
    for (const e of res.body.entry ?? []) {
      const r = e.resource as Resource & { subject?: { reference?: string } };
      if (r.resourceType === 'Patient') assert.equal(r.id, ANA);
      else if (r.resourceType === 'Observation') assert.equal(r.subject?.reference, `Patient/${ANA}`);
    }
    const rev = await as('siobhan').fhir<Bundle>('GET', `Patient?_revinclude=AllergyIntolerance:patient&_revinclude=Observation:subject`);
    assert.ok(ids(rev.body).includes('AllergyIntolerance/demo-allergy-zoe-peanut'));
    assert.ok(!ids(rev.body).includes('AllergyIntolerance/demo-allergy-ana-penicillin'));
    assert.ok(ids(rev.body).every((id) => !id.includes('ana')), ids(rev.body).join());
  });

  test('an untyped _include returns the directory but no foreign records', async () => {
    const res = await as('chen').fhir<Bundle>('GET', `MedicationRequest?patient=${ANA}&_include=MedicationRequest:requester&_include=MedicationRequest:encounter`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const found = ids(res.body);
    assert.ok(found.includes(`MedicationRequest/${ANA_RX}`));
    assert.ok(found.includes('Practitioner/demo-dr-okafor'), found.join());
    assert.ok(found.every((id) => !id.startsWith('Encounter/')), found.join());
  });

  test('chains and _has cannot probe records the caller may not see', async () => {
    const chained = await as('ana').fhir<Bundle>('GET', 'Observation?subject:Patient.family=Martinez');
    assert.equal(chained.body.total, 0);
    const has = await as('lindqvist').fhir<Bundle>('GET', `Practitioner?_has:MedicationRequest:requester:patient=${ANA}`);
    assert.equal(has.body.total, 0, 'the prescriptions behind the _has are not the caller’s to see');
    const visible = await as('okafor').fhir<Bundle>('GET', `Practitioner?_has:MedicationRequest:requester:patient=${ANA}`);
    assert.ok((visible.body.total ?? 0) > 0);
  });

  test('a clinician of another organization finds none of the clinic’s patients', async () => {
    const res = await as('lindqvist').fhir<Bundle>('GET', 'Patient?_total=accurate');
    assert.equal(res.body.total, 0);
    const obs = await as('lindqvist').fhir<Bundle>('GET', 'Observation?_summary=count');
    assert.equal(obs.body.total, 0);
  });

  test('public health counts every record, but not by criteria that single out a person', async () => {
    const system = await as('system').fhir<Bundle>('GET', 'Observation?code=http://loinc.org|4548-4&_summary=count');
    const counted = await as('wojcik').fhir<Bundle>('GET', 'Observation?code=http://loinc.org|4548-4&_summary=count');
    assert.ok((system.body.total ?? 0) > 0);
    assert.equal(counted.body.total, system.body.total, 'the count is over the whole population');
    assert.equal(counted.body.entry?.length ?? 0, 0, 'no record leaves, only the number');
    const patients = await as('wojcik').fhir<Bundle>('GET', 'Patient?gender=female&birthdate=ge1950&_summary=count');
    assert.ok((patients.body.total ?? 0) > 0);
    for (const narrowed of [
      `Observation?patient=${ANA}&_summary=count`,
      'Observation?subject:Patient.family=Souza&_summary=count',
      'Patient?family=Souza&_summary=count',
      'Patient?identifier=RCH-004182&_summary=count',
      `Patient?_id=${ANA}&_summary=count`,
      'Patient?_has:Observation:patient:code=4548-4&_summary=count',
    ]) {
      const r = await as('wojcik').fhir<OperationOutcome>('GET', narrowed);
      assert.equal(r.status, 403, narrowed);
      assert.match(r.body.issue[0]!.diagnostics!, /can single out a person/);
    }
  });

  test('paging and totals count only visible rows', async () => {
    const all = await as('okafor').fhir<Bundle>('GET', 'Patient?_count=2&_total=accurate');
    assert.equal(all.body.total, 7);
    const pharmacy = await as('chen').fhir<Bundle>('GET', 'Patient?_total=accurate');
    // Everyone with a prescription sent to the pharmacy; Fatima has none.
    assert.equal(pharmacy.body.total, 6);
    assert.ok(!ids(pharmacy.body).includes(`Patient/${FATIMA}`));
  });

  test('a pharmacist’s $everything holds only what dispensing needs', async () => {
    const res = await as('chen').fhir<Bundle>('GET', `Patient/${ANA}/$everything`);
    const types = new Set((res.body.entry ?? []).map((e) => e.resource!.resourceType));
    assert.ok(types.has('MedicationRequest'));
    assert.ok(!types.has('Observation') && !types.has('Encounter') && !types.has('DocumentReference'), [...types].join());
  });

  test('a transaction writing into a foreign record is refused as a whole', async () => {
    const res = await as('lindqvist').fhir<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'POST', url: 'Observation' }, resource: bp(ANA) },
      ],
    } as Resource);
    assert.equal(res.status, 403);
    const batch = await as('ana').fhir<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Patient/${ANA}` } },
        { request: { method: 'GET', url: `Patient/${JOSE}` } },
      ],
    } as Resource);
    assert.equal(batch.status, 200);
    assert.deepEqual(batch.body.entry!.map((e) => e.response!.status.slice(0, 3)), ['200', '404']);
  });
});
