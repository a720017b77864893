import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Appointment, Bundle, Encounter, Patient, Practitioner } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { applyPresence, changesList, joinableToday, phoneLinks, visitDetails, waitingRoomQuery, waitingRows } from './visit-info.js';

const appointment = (id: string, o: Partial<Appointment> = {}): Appointment => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  serviceType: [visitModeConcept('video')],
  start: '2026-03-02T10:00:00Z',
  participant: [
    { actor: { reference: 'Patient/malik' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/castillo' }, status: 'accepted' },
  ],
  ...o,
});
const malik: Patient = {
  resourceType: 'Patient',
  id: 'malik',
  name: [{ given: ['Malik'], family: 'Johnson' }],
  telecom: [
    { system: 'email', value: 'malik@example.org' },
    { system: 'phone', value: '+1 (541) 555-0154', use: 'mobile', rank: 2 },
    { system: 'phone', value: '541-555-0199', use: 'home', rank: 1 },
    { system: 'phone', value: '541-555-0100', use: 'old', period: { end: '2020-01-01' } },
  ],
};
const castillo: Practitioner = { resourceType: 'Practitioner', id: 'castillo', name: [{ prefix: ['Dr.'], given: ['Sofía'], family: 'Castillo' }] };
const bundle = (...resources: (Appointment | Patient | Practitioner | Encounter)[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });

describe('a visit read from its search', () => {
  test('the appointment, its mode, both people and the Encounter that follows it', () => {
    const encounter: Encounter = { resourceType: 'Encounter', id: 'e1', status: 'arrived', class: { code: 'VR' }, appointment: [{ reference: 'Appointment/a1' }] };
    const v = visitDetails(bundle(appointment('a1'), malik, castillo, encounter), 'a1')!;
    assert.equal(v.mode, 'video');
    assert.equal(v.patientId, 'malik');
    assert.equal(v.practitionerRef, 'Practitioner/castillo');
    assert.equal(v.patient?.id, 'malik');
    assert.equal(v.practitioner?.id, 'castillo');
    assert.equal(v.encounter?.id, 'e1');
    assert.equal(visitDetails(bundle(appointment('a1')), 'other'), undefined);
  });

  test('phone numbers to call, best first, as tel: links of digits only', () => {
    assert.deepEqual(phoneLinks(malik), [
      { label: 'Home', number: '541-555-0199', href: 'tel:5415550199' },
      { label: 'Mobile', number: '+1 (541) 555-0154', href: 'tel:+15415550154' },
    ]);
    assert.deepEqual(phoneLinks({ resourceType: 'Patient', telecom: [{ system: 'phone', value: 'javascript:alert(1)' }] }), [], 'nothing that is not a number');
  });

  test('a visit can be joined on its day while booked or checked in', () => {
    const now = new Date('2026-03-02T08:00:00Z');
    assert.ok(joinableToday(appointment('a'), now));
    assert.ok(joinableToday(appointment('a', { status: 'arrived' }), now));
    assert.ok(!joinableToday(appointment('a', { status: 'cancelled' }), now));
    assert.ok(!joinableToday(appointment('a', { start: '2026-03-05T10:00:00Z' }), now));
  });
});

describe('the waiting room', () => {
  const rows = (online: Set<string>) =>
    waitingRows(
      bundle(
        appointment('late', { start: '2026-03-02T11:00:00Z', serviceType: [visitModeConcept('phone')] }),
        appointment('early', { status: 'arrived' }),
        { resourceType: 'Encounter', id: 'e', status: 'in-progress', class: { code: 'VR' }, appointment: [{ reference: 'Appointment/early' }] },
        malik,
      ),
      online,
    );

  test('today\'s visits earliest first, with who, how, whether they arrived and whether they are on the page', () => {
    const [first, second] = rows(new Set(['early']));
    assert.equal(first!.appointment.id, 'early');
    assert.equal(first!.patient?.id, 'malik');
    assert.equal(first!.encounter?.status, 'in-progress');
    assert.deepEqual([first!.arrived, first!.online, first!.mode], [true, true, 'video']);
    assert.deepEqual([second!.arrived, second!.online, second!.mode], [false, false, 'phone']);
  });

  test('presence follows the events; the list is read again when an appointment changed', () => {
    let online = applyPresence(new Set(), { type: 'visit', appointment: 'a', event: 'patient-joined' });
    assert.deepEqual([...online], ['a']);
    online = applyPresence(online, { type: 'visit', appointment: 'a', event: 'patient-left' });
    assert.deepEqual([...online], []);
    assert.ok(changesList({ type: 'visit', appointment: 'a', event: 'checked-in' }));
    assert.ok(!changesList({ type: 'visit', appointment: 'a', event: 'patient-joined' }));
  });

  test('the search asks for one clinician\'s video and phone visits of the reader\'s day, with patients and encounters', () => {
    const q = waitingRoomQuery('Practitioner/castillo', new Date(2026, 2, 2, 15, 30));
    assert.equal(q.get('practitioner'), 'Practitioner/castillo');
    assert.deepEqual(q.getAll('date'), [`ge${new Date(2026, 2, 2).toISOString()}`, `lt${new Date(2026, 2, 3).toISOString()}`]);
    assert.equal(q.get('service-type'), 'http://snomed.info/sct|448337001,http://snomed.info/sct|185317003');
    assert.deepEqual(q.getAll('_include'), ['Appointment:patient']);
    assert.deepEqual(q.getAll('_revinclude'), ['Encounter:appointment']);
  });
});
