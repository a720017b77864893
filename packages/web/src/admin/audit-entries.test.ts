import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditQuery, auditRow, DEFAULT_AUDIT_FILTERS, nextBefore } from './audit-entries.js';

const base64 = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

describe('audit ledger filters', () => {
  test('only the filters set go into the query, trimmed, a patient reference reduced to its id', () => {
    assert.equal(auditQuery(DEFAULT_AUDIT_FILTERS), '?_count=50');
    assert.equal(
      auditQuery({ account: ' acc-7 ', patient: 'Patient/demo-ana-souza', subtype: 'break-glass', count: 100 }),
      '?account=acc-7&patient=demo-ana-souza&subtype=break-glass&_count=100',
    );
    assert.equal(auditQuery({ ...DEFAULT_AUDIT_FILTERS, patient: '  ' }, '981'), '?_count=50&before=981');
  });

  test('the next page starts before the seq the next link names', () => {
    assert.equal(nextBefore({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'self', url: '/admin/audit?_count=2' }, { relation: 'next', url: '/admin/audit?_count=2&before=41' }] }), '41');
    assert.equal(nextBefore({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'self', url: '/admin/audit' }] }), undefined);
  });
});

describe('audit rows', () => {
  test('an emergency access is flagged, with who, from where, which patient, why and the request', () => {
    const entry: AuditEvent = {
      resourceType: 'AuditEvent',
      id: '57',
      meta: { tag: [{ system: 'https://salus.example/fhir/CodeSystem/audit-flag', code: 'flagged' }] },
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search-type' }],
      action: 'R',
      recorded: '2026-03-02T10:15:00Z',
      outcome: '0',
      purposeOfEvent: [{ text: 'Emergency access: unconscious in the emergency department' }],
      agent: [
        {
          requestor: true,
          who: { reference: 'Practitioner/demo-dr-lindqvist', identifier: { system: 'https://salus.example/fhir/sid/account', value: 'acc-lindqvist' } },
          role: [{ coding: [{ system: 'https://salus.example/fhir/CodeSystem/role', code: 'practitioner' }] }],
          network: { address: '10.1.2.3', type: '2' },
        },
      ],
      source: { observer: { display: 'Salus' } },
      entity: [
        { what: { reference: 'Patient/demo-ana-souza' }, role: { code: '1' } },
        { what: { reference: 'Observation/o1' } },
        { query: base64('Observation?patient=demo-ana-souza&code=8480-6 · São') },
      ],
    };
    assert.deepEqual(auditRow(entry), {
      id: '57',
      recorded: '2026-03-02T10:15:00Z',
      subtype: 'search-type',
      action: 'Search',
      outcome: 'success',
      accountId: 'acc-lindqvist',
      reference: 'Practitioner/demo-dr-lindqvist',
      roles: ['practitioner'],
      ip: '10.1.2.3',
      patientIds: ['demo-ana-souza'],
      query: 'Observation?patient=demo-ana-souza&code=8480-6 · São',
      flagged: true,
      purpose: 'Emergency access: unconscious in the emergency department',
    });
  });

  test('a refused sign-in of an unknown address has no account and reads as denied with its reason', () => {
    const row = auditRow({
      resourceType: 'AuditEvent',
      id: '3',
      type: { code: '110114' },
      subtype: [{ code: 'login-failed' }],
      recorded: '2026-03-02T10:00:00Z',
      outcome: '4',
      outcomeDesc: 'unknown email address (x@example.test)',
      agent: [{ requestor: true, who: { display: 'anonymous' } }],
      source: { observer: { display: 'Salus' } },
    });
    assert.equal(row.action, 'Failed sign-in');
    assert.equal(row.outcome, 'denied');
    assert.equal(row.detail, 'unknown email address (x@example.test)');
    assert.equal(row.accountId, undefined);
    assert.deepEqual(row.patientIds, []);
    assert.equal(row.flagged, false);
  });
});
