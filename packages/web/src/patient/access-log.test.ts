import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { AuditEvent } from '@medplum/fhirtypes';
import { nextPage, readAccessEvent, whoLabel } from './access-log.js';

const ROLE = 'https://salus.example/fhir/CodeSystem/role';
const ACCOUNT = 'https://salus.example/fhir/sid/account';
const PATIENT_ENTITY = { what: { reference: 'Patient/ana' }, type: { code: '1' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } };

/** An entry as /me/access-log returns it (network and browser already removed by the server). */
function event(subtype: string, extra: Partial<AuditEvent> = {}, who = 'Practitioner/okafor', role = 'practitioner', account = 'acc-okafor'): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: '27',
    type: { code: 'rest' },
    subtype: [{ code: subtype }],
    action: 'R',
    recorded: '2026-11-23T02:37:55.711Z',
    outcome: '0',
    agent: [{ type: { coding: [{ code: 'humanuser' }] }, role: [{ coding: [{ system: ROLE, code: role }] }], who: { reference: who, identifier: { system: ACCOUNT, value: account } }, requestor: true }],
    source: { observer: { display: 'Salus' } },
    entity: [PATIENT_ENTITY],
    ...extra,
  };
}

describe('reading access-log entries', () => {
  test('a search says how much of which kinds of data came back', () => {
    const e = readAccessEvent(event('search-type', { entity: [PATIENT_ENTITY, ...['a', 'b', 'c'].map((id) => ({ what: { reference: `Observation/${id}` } })), { what: { reference: 'DiagnosticReport/r' } }, { what: { reference: 'Practitioner/okafor' } }] }));
    assert.equal(e.what, 'Looked through 3 results and 1 report');
    assert.equal(e.who, 'Practitioner/okafor');
    assert.deepEqual(e.roles, ['practitioner']);
    assert.equal(e.outcome, 'done');
    assert.equal(e.emergency, false);
  });

  test('reading the patient resource alone is reading their details', () => {
    assert.equal(readAccessEvent(event('read')).what, 'Opened your details');
    assert.equal(readAccessEvent(event('read'), "Zoë's").what, "Opened Zoë's details");
    assert.equal(readAccessEvent(event('operation', { entity: [PATIENT_ENTITY, { what: { reference: 'Condition/c' } }] })).what, 'Opened your record: 1 problem');
  });

  test('emergency access is flagged with the reason the clinician gave', () => {
    const e = readAccessEvent(
      event('read', {
        meta: { tag: [{ system: 'https://salus.example/fhir/CodeSystem/audit-flag', code: 'flagged' }] },
        purposeOfEvent: [{ coding: [{ code: 'ETREAT' }], text: 'Emergency access: Unconscious in the emergency department' }],
      }),
    );
    assert.equal(e.emergency, true);
    assert.equal(e.reason, 'Unconscious in the emergency department');
    const glass = readAccessEvent(event('break-glass', { action: 'E', purposeOfEvent: [{ coding: [{ code: 'ETREAT' }], text: 'Cardiac arrest' }] }));
    assert.equal(glass.what, 'Took emergency access to your record');
    assert.equal(glass.tookEmergencyAccess, true);
    assert.equal(e.tookEmergencyAccess, false);
    assert.equal(glass.reason, 'Cardiac arrest');
  });

  test('refused attempts are told apart from what was done', () => {
    assert.equal(readAccessEvent(event('read', { outcome: '4' })).outcome, 'refused');
    assert.equal(readAccessEvent(event('read', { outcome: '8' })).outcome, 'failed');
  });
});

describe('who it was', () => {
  const me = { accountId: 'acc-ana' };
  test('yourself, a known name, or the role when the name cannot be found', () => {
    const names = new Map([['Practitioner/okafor', 'Dr. Amara Okafor']]);
    assert.deepEqual(whoLabel(readAccessEvent(event('read', {}, 'Patient/ana', 'patient', 'acc-ana')), names, me), { who: 'You', role: '' });
    assert.deepEqual(whoLabel(readAccessEvent(event('read')), names, me), { who: 'Dr. Amara Okafor', role: 'Clinician' });
    assert.deepEqual(whoLabel(readAccessEvent(event('read', {}, 'Practitioner/gone')), names, me), { who: 'A clinician', role: '' });
    assert.deepEqual(whoLabel(readAccessEvent(event('read', {}, 'Organization/x', 'admin', 'acc-x')), names, me), { who: 'An administrator', role: '' });
  });
});

describe('paging', () => {
  test('the next page is asked of this app’s own origin', () => {
    assert.equal(nextPage([{ relation: 'self', url: '/me/access-log' }, { relation: 'next', url: '/me/access-log?_count=50&before=18' }]), '/me/access-log?_count=50&before=18');
    assert.equal(nextPage([{ relation: 'next', url: 'https://salus.example/me/access-log?before=3' }]), '/me/access-log?before=3');
    assert.equal(nextPage(undefined), undefined);
  });
});
