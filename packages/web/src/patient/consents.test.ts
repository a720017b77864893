import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { buildConsent, consentRules, describeRule, inForce, typesInWords } from './consents.js';

const now = new Date('2026-11-23T10:00:00Z');

describe('buildConsent', () => {
  test('refusing someone everything is an opt-out Consent with one nested deny for that actor', () => {
    const c = buildConsent('ana', { effect: 'deny', actor: { reference: 'Practitioner/castillo', display: 'Dr. Sofía Castillo' } }, { reference: 'Patient/ana' }, now);
    assert.equal(c.status, 'active');
    assert.equal(c.scope.coding?.[0]?.code, 'patient-privacy');
    assert.equal(c.category[0]?.coding?.[0]?.code, '59284-0');
    assert.deepEqual(c.patient, { reference: 'Patient/ana' });
    assert.deepEqual(c.performer, [{ reference: 'Patient/ana' }]);
    assert.equal(c.dateTime, '2026-11-23T10:00:00.000Z');
    assert.equal(c.policyRule?.coding?.[0]?.code, 'OPTOUT');
    assert.equal(c.provision?.type, 'permit');
    const [nested] = c.provision?.provision ?? [];
    assert.equal(nested?.type, 'deny');
    assert.deepEqual(nested?.actor?.[0]?.reference, { reference: 'Practitioner/castillo', display: 'Dr. Sofía Castillo' });
    assert.equal(nested?.actor?.[0]?.role.coding?.[0]?.code, 'PRCP');
    assert.equal(nested?.class, undefined, 'no class means the whole record');
  });

  test('permitting some kinds of data lists their resource types, with the patient so the record can be opened', () => {
    const c = buildConsent('ana', { effect: 'permit', actor: { reference: 'Practitioner/raman' }, groups: ['results', 'allergies'] }, undefined, now);
    assert.equal(c.provision?.type, 'deny');
    assert.equal(c.policyRule?.coding?.[0]?.code, 'OPTIN');
    const nested = c.provision?.provision?.[0];
    assert.equal(nested?.type, 'permit');
    assert.deepEqual(nested?.class?.map((x) => [x.system, x.code]), [
      ['http://hl7.org/fhir/resource-types', 'Patient'],
      ['http://hl7.org/fhir/resource-types', 'Observation'],
      ['http://hl7.org/fhir/resource-types', 'DiagnosticReport'],
      ['http://hl7.org/fhir/resource-types', 'AllergyIntolerance'],
    ]);
    assert.equal(c.performer, undefined);
  });

  test('refusing some kinds of data does not hide the rest of the record', () => {
    const c = buildConsent('ana', { effect: 'deny', actor: { reference: 'Organization/clinic' }, groups: ['notes'] }, undefined, now);
    assert.deepEqual(c.provision?.provision?.[0]?.class?.map((x) => x.code), ['DocumentReference', 'Composition', 'ClinicalImpression']);
  });

  test('a choice with an end date stops at the end of that day', () => {
    const c = buildConsent('ana', { effect: 'permit', actor: { reference: 'Practitioner/raman' }, until: '2027-01-31' }, undefined, now);
    const end = c.provision?.provision?.[0]?.period?.end;
    assert.ok(end && Date.parse(end) > Date.parse('2027-01-31T00:00:00Z') - 14 * 3600_000 && Date.parse(end) < Date.parse('2027-02-01T14:00:00Z'));
    assert.ok(inForce(c, now));
    assert.ok(!inForce(c, new Date('2027-02-02T12:00:00Z')));
  });
});

describe('reading consents', () => {
  test('rules come back as the server reads them', () => {
    const c = buildConsent('ana', { effect: 'permit', actor: { reference: 'Practitioner/raman' }, groups: ['results'] }, undefined, now);
    assert.deepEqual(consentRules(c), [{ effect: 'permit', actor: { reference: 'Practitioner/raman' }, types: ['Patient', 'Observation', 'DiagnosticReport'] }]);
    assert.ok(!inForce({ ...c, status: 'inactive' }, now), 'a withdrawn choice is not in force');
  });

  test('nested provisions without a type take the base provision’s', () => {
    const rules = consentRules({
      resourceType: 'Consent',
      status: 'active',
      scope: {},
      category: [],
      provision: { type: 'deny', provision: [{ actor: [{ role: {}, reference: { reference: 'Organization/x' } }] }] },
    });
    assert.equal(rules[0]?.effect, 'deny');
  });

  test('each rule reads as a sentence in plain words', () => {
    assert.equal(describeRule({ effect: 'permit', actor: {}, types: ['Patient', 'Observation', 'DiagnosticReport', 'AllergyIntolerance'] }, 'Dr. Priya Raman'), 'Dr. Priya Raman can see your results and measurements and allergies.');
    assert.equal(describeRule({ effect: 'deny', actor: {}, types: [] }, 'Riverton Clinic'), 'Riverton Clinic cannot see your whole record.');
    assert.equal(typesInWords(['Patient'], "Zoë's"), "Zoë's name and personal details");
    assert.equal(typesInWords(['Condition', 'Goal']), 'your problems and diagnoses and goal');
  });
});
