import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_SYSTEM, auditIndex, buildAuditEvent, isFlagged, patientView } from './audit-event.js';
import type { AuditInput } from './types.js';

const when = new Date('2025-03-04T05:06:07.089Z');

const read: AuditInput = {
  action: 'R',
  subtype: 'search-type',
  outcome: 'success',
  agent: { accountId: 'acc-1', fhirUser: 'Practitioner/pr1', roles: ['practitioner'], ip: '10.0.0.7', userAgent: 'Firefox' },
  entities: ['Observation/o1', 'Observation/o2', 'Patient/p1'],
  patientIds: ['p1', 'p2'],
  query: 'Observation?code=8867-4',
};

test('a FHIR interaction is a rest event with its restful-interaction subtype', () => {
  const e = buildAuditEvent(read, when);
  assert.equal(e.resourceType, 'AuditEvent');
  assert.equal(e.id, undefined);
  assert.deepEqual(e.type, { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' });
  assert.deepEqual(e.subtype, [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' }]);
  assert.equal(e.action, 'R');
  assert.equal(e.recorded, '2025-03-04T05:06:07.089Z');
  assert.equal(e.outcome, '0');
  assert.equal(e.source.observer.display, 'Salus');
  const [agent] = e.agent;
  assert.equal(e.agent.length, 1);
  assert.deepEqual(agent!.who, { reference: 'Practitioner/pr1', identifier: { system: AUDIT_SYSTEM.account, value: 'acc-1' } });
  assert.equal(agent!.requestor, true);
  assert.deepEqual(agent!.network, { address: '10.0.0.7', type: '2' });
  assert.deepEqual(agent!.role, [{ coding: [{ system: AUDIT_SYSTEM.role, code: 'practitioner' }] }]);
  assert.deepEqual(agent!.extension, [{ url: AUDIT_SYSTEM.userAgent, valueString: 'Firefox' }]);
  // Patients first (with the Patient role), each resource once, then the query.
  assert.deepEqual(
    e.entity?.map((x) => [x.what?.reference, x.role?.code]),
    [['Patient/p1', '1'], ['Patient/p2', '1'], ['Observation/o1', undefined], ['Observation/o2', undefined], [undefined, '24']],
  );
  assert.equal(Buffer.from(e.entity![4]!.query!, 'base64').toString(), 'Observation?code=8867-4');
  assert.equal(isFlagged(e), false);
  assert.deepEqual(auditIndex(e), { recorded: '2025-03-04T05:06:07.089Z', subtype: 'search-type', accountId: 'acc-1', patientIds: ['p1', 'p2'] });
});

test('sign-in events are DICOM user authentication; outcomes map to 0, 4 and 8', () => {
  const failed = buildAuditEvent({ action: 'E', subtype: 'login-failed', outcome: 'failure', outcomeDesc: 'wrong password', agent: { ip: '::1' }, entities: [], patientIds: [] }, when);
  assert.equal(failed.type.code, '110114');
  assert.deepEqual(failed.subtype?.map((c) => c.code), ['login-failed', '110122']);
  assert.equal(failed.subtype?.[0]?.system, AUDIT_SYSTEM.event);
  assert.equal(failed.outcome, '8');
  assert.equal(failed.outcomeDesc, 'wrong password');
  // Nobody identified: still the one agent AuditEvent requires.
  assert.deepEqual(failed.agent, [{ who: { display: 'anonymous' }, requestor: true, network: { address: '::1', type: '2' } }]);
  assert.equal(failed.entity, undefined);
  assert.equal(auditIndex(failed).accountId, null);

  const denied = buildAuditEvent({ ...read, outcome: 'denied' }, when);
  assert.equal(denied.outcome, '4');
  assert.equal(buildAuditEvent({ ...read, subtype: 'logout', action: 'E' }, when).subtype?.[1]?.code, '110123');
  assert.equal(buildAuditEvent({ ...read, subtype: 'export', action: 'E' }, when).type.code, '110106');
  assert.equal(buildAuditEvent({ ...read, subtype: 'something-new', action: 'E' }, when).type.code, '110100');
});

test('break-the-glass carries emergency treatment as purpose and is flagged', () => {
  const input: AuditInput = { ...read, subtype: 'read', flagged: true, purpose: 'Unconscious in the emergency department' };
  const e = buildAuditEvent(input, when);
  assert.deepEqual(e.purposeOfEvent, [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency Treatment' }], text: 'Unconscious in the emergency department' },
  ]);
  assert.equal(isFlagged(e), true);
  const start = buildAuditEvent({ ...input, subtype: 'break-glass', action: 'E' }, when);
  assert.deepEqual([start.type.code, start.subtype?.[1]?.code], ['110113', '110127']);
  // A purpose without emergency is just text.
  assert.deepEqual(buildAuditEvent({ ...read, purpose: 'care coordination' }, when).purposeOfEvent, [{ text: 'care coordination' }]);
});

test('an app acting for a person is a second agent; an app alone is the requestor', () => {
  const both = buildAuditEvent({ ...read, agent: { accountId: 'acc-1', clientId: 'growth-chart', ip: '10.0.0.7' } }, when);
  assert.deepEqual(both.agent.map((a) => [a.who?.identifier?.value, a.requestor, a.network?.address]), [['acc-1', true, '10.0.0.7'], ['growth-chart', false, undefined]]);
  const alone = buildAuditEvent({ ...read, agent: { clientId: 'lab-feed', ip: '10.0.0.9' } }, when);
  assert.deepEqual(alone.agent.map((a) => [a.who?.identifier?.system, a.requestor, a.network?.address]), [[AUDIT_SYSTEM.client, true, '10.0.0.9']]);
  assert.equal(auditIndex(alone).accountId, null);
});

test("a patient's view keeps their own record and drops other patients, the query and the staff's network details", () => {
  const e = buildAuditEvent(read, when);
  const p1 = patientView(e, ['p1']);
  assert.deepEqual(p1.entity?.map((x) => x.what?.reference), ['Patient/p1']);
  assert.equal(p1.agent[0]!.network, undefined);
  assert.equal(p1.agent[0]!.extension, undefined);
  assert.deepEqual(p1.agent[0]!.who, e.agent[0]!.who);
  // A caregiver of both sees the resources too, since the entry touched no one else.
  const both = patientView(e, ['p1', 'p2']);
  assert.deepEqual(both.entity?.map((x) => x.what?.reference), ['Patient/p1', 'Patient/p2', 'Observation/o1', 'Observation/o2']);
  // The original is left as it was.
  assert.equal(e.entity?.length, 5);
});
