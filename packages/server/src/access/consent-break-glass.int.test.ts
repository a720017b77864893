import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, Consent, Resource } from '@medplum/fhirtypes';
import { listOutbox } from '../notify/notifier.js';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';

const ANA = 'demo-ana-souza';
const ANA_OBS = 'demo-obs-ana-01-blood-pressure';
const ANA_CONDITION = 'demo-cond-ana-hypertension';

let t: TestApp;
let ana: Caller;
let okafor: Caller;
let castillo: Caller;
let mensah: Caller;
let raman: Caller;
let lindqvist: Caller;

before(async () => {
  t = await startTestApp({ seed: true });
  ana = await t.signIn('ana.souza@example.com');
  okafor = await t.signIn('amara.okafor@riverton-clinic.example');
  castillo = await t.signIn('sofia.castillo@riverton-clinic.example');
  mensah = await t.signIn('kwame.mensah@riverton-clinic.example');
  raman = await t.signIn('priya.raman@harborview.example');
  lindqvist = await t.signIn('henrik.lindqvist@harborview.example');
});
after(() => t.close());

/** A privacy consent of Ana's: one provision for `actor`, of `type`, optionally for some data types. */
function consent(type: 'permit' | 'deny', actor: string, classes: string[] = []): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${ANA}` },
    dateTime: new Date().toISOString(),
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: type === 'deny' ? 'permit' : 'deny',
      provision: [
        {
          type,
          actor: [
            {
              role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] },
              reference: { reference: actor },
            },
          ],
          ...(classes.length ? { class: classes.map((code) => ({ system: 'http://hl7.org/fhir/resource-types', code })) } : {}),
        },
      ],
    },
  };
}

async function give(c: Consent): Promise<string> {
  const res = await ana.fhir<Consent>('POST', 'Consent', c);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id!;
}

describe('patients decide with Consent', () => {
  test('refusing a colleague of the clinic hides the whole record from them only', async () => {
    assert.equal((await castillo.fhir('GET', `Patient/${ANA}`)).status, 200);
    const id = await give(consent('deny', 'Practitioner/demo-dr-castillo'));
    assert.equal((await castillo.fhir('GET', `Patient/${ANA}`)).status, 404);
    assert.equal((await castillo.fhir('GET', `Observation/${ANA_OBS}`)).status, 404);
    const search = await castillo.fhir<Bundle>('GET', `Observation?patient=${ANA}&_summary=count`);
    assert.equal(search.body.total, 0);
    assert.equal((await okafor.fhir('GET', `Patient/${ANA}`)).status, 200, 'her GP is not affected');
    assert.equal((await castillo.fhir('POST', 'Observation', heartRate())).status, 403, 'nor can they write into it');

    assert.equal((await ana.fhir('DELETE', `Consent/${id}`)).status, 204);
    assert.equal((await castillo.fhir('GET', `Patient/${ANA}`)).status, 200, 'withdrawing the refusal restores access');
  });

  test('refusing one kind of data keeps the rest visible', async () => {
    const id = await give(consent('deny', 'Practitioner/demo-nurse-mensah', ['Observation']));
    assert.equal((await mensah.fhir('GET', `Patient/${ANA}`)).status, 200);
    assert.equal((await mensah.fhir('GET', `Condition/${ANA_CONDITION}`)).status, 200);
    assert.equal((await mensah.fhir('GET', `Observation/${ANA_OBS}`)).status, 404);
    const everything = await mensah.fhir<Bundle>('GET', `Patient/${ANA}/$everything`);
    const types = new Set((everything.body.entry ?? []).map((e) => e.resource!.resourceType));
    assert.ok(types.has('Condition') && !types.has('Observation'), [...types].join());
    assert.equal((await ana.fhir('DELETE', `Consent/${id}`)).status, 204);
  });

  test('permitting a clinician elsewhere opens the record, or the part named, to them', async () => {
    assert.equal((await raman.fhir('GET', `Patient/${ANA}`)).status, 404);
    const partial = await give(consent('permit', 'Practitioner/demo-dr-raman', ['Observation', 'Patient']));
    assert.equal((await raman.fhir('GET', `Patient/${ANA}`)).status, 200);
    assert.equal((await raman.fhir('GET', `Observation/${ANA_OBS}`)).status, 200);
    assert.equal((await raman.fhir('GET', `Condition/${ANA_CONDITION}`)).status, 404);
    assert.equal((await raman.fhir('GET', 'Patient/demo-jose-martinez')).status, 404, 'other patients stay closed');
    assert.equal((await ana.fhir('DELETE', `Consent/${partial}`)).status, 204);
    assert.equal((await raman.fhir('GET', `Patient/${ANA}`)).status, 404);
  });

  test('a patient cannot write consents for someone else', async () => {
    const other = { ...consent('permit', 'Practitioner/demo-dr-raman'), patient: { reference: 'Patient/demo-jose-martinez' } };
    assert.equal((await ana.fhir('POST', 'Consent', other)).status, 403);
  });
});

describe('break-the-glass', () => {
  test('a clinician without a relationship states a reason, gains time-limited access, and the patient is told', async () => {
    assert.equal((await lindqvist.fhir('GET', `Patient/${ANA}`)).status, 404);

    const noReason = await lindqvist.post('/access/break-glass', { patient: `Patient/${ANA}` });
    assert.equal(noReason.status, 400);
    assert.match(JSON.stringify(noReason.body), /reason/);
    const tooLong = await lindqvist.post('/access/break-glass', { patient: ANA, reason: 'Unconscious in the emergency department', minutes: 600 });
    assert.equal(tooLong.status, 400);

    const granted = await lindqvist.post('/access/break-glass', { patient: `Patient/${ANA}`, reason: 'Unconscious in the emergency department' });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    assert.equal((await lindqvist.fhir('GET', `Patient/${ANA}`)).status, 200);
    assert.equal((await lindqvist.fhir('GET', `Observation/${ANA_OBS}`)).status, 200);
    assert.equal((await lindqvist.fhir('GET', 'Patient/demo-jose-martinez')).status, 404, 'only the patient named');

    const mail = await listOutbox(t.db, { to: 'ana.souza@example.com' });
    assert.ok(mail.some((m) => /emergency access/i.test(m.subject) && m.text.includes('Unconscious in the emergency department')));

    const log = await ana.get<Bundle>('/me/access-log');
    assert.equal(log.status, 200);
    const flagged = (log.body.entry ?? []).map((e) => e.resource as Resource & { purposeOfEvent?: unknown; meta?: { tag?: { code?: string }[] } });
    assert.ok(flagged.some((e) => JSON.stringify(e).includes('Unconscious in the emergency department')), 'the access log shows the emergency access and its reason');
    const reads = await t.ledger.list({ count: 5, subtype: 'access-log' });
    assert.ok(reads.entries.length > 0, 'reading the access log is itself recorded');

    // When the grant runs out, so does the access.
    await t.db.query("UPDATE break_glass_grants SET expires_at = now() - interval '1 second' WHERE patient_id = $1", [ANA]);
    assert.equal((await lindqvist.fhir('GET', `Patient/${ANA}`)).status, 404);
  });

  test('emergency access overrides a refusal, and only clinicians may take it', async () => {
    const id = await give(consent('deny', 'Practitioner/demo-dr-lindqvist'));
    const granted = await lindqvist.post('/access/break-glass', { patient: ANA, reason: 'Cardiac arrest, no history available', minutes: 5 });
    assert.equal(granted.status, 201);
    assert.equal((await lindqvist.fhir('GET', `Patient/${ANA}`)).status, 200);
    assert.equal((await ana.post('/access/break-glass', { patient: 'demo-jose-martinez', reason: 'I would like to see his record' })).status, 403);
    assert.equal((await t.anonymous.post('/access/break-glass', { patient: ANA, reason: 'Nobody in particular' })).status, 401);
    assert.equal((await ana.fhir('DELETE', `Consent/${id}`)).status, 204);
  });
});

function heartRate(): Resource {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: `Patient/${ANA}` },
    valueQuantity: { value: 70, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  } as Resource;
}
