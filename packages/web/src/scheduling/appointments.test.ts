import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { Appointment } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { canJoin, JOIN_EARLY_MS, splitAppointments } from './appointments.js';

const at = (status: Appointment['status'], start: string, mode: 'video' | 'phone' = 'video'): Appointment => ({
  resourceType: 'Appointment',
  id: `${status}-${start}`,
  status,
  start,
  end: new Date(Date.parse(start) + 20 * 60_000).toISOString(),
  serviceType: [visitModeConcept(mode)],
  participant: [],
});

describe('the patient’s appointments', () => {
  const now = new Date('2026-12-01T10:00:00Z');

  test('booked visits still to come are upcoming; the rest, newest first, are past', () => {
    const list = [at('fulfilled', '2026-11-20T10:00:00Z'), at('cancelled', '2026-11-25T10:00:00Z'), at('booked', '2026-12-01T09:50:00Z'), at('booked', '2026-12-03T10:00:00Z'), at('cancelled', '2026-12-04T10:00:00Z')];
    const { upcoming, past } = splitAppointments(list, now);
    // A visit in progress (started 10 minutes ago) is still "coming up": it can be joined.
    assert.deepEqual(upcoming.map((a) => a.start), ['2026-12-01T09:50:00Z', '2026-12-03T10:00:00Z']);
    assert.deepEqual(past.map((a) => a.status), ['cancelled', 'cancelled', 'fulfilled']);
  });

  test('a video visit opens for joining a little before it starts and closes when it ends', () => {
    const visit = at('booked', '2026-12-01T10:30:00Z');
    assert.equal(canJoin(visit, new Date(Date.parse(visit.start!) - JOIN_EARLY_MS - 1000)), false);
    assert.equal(canJoin(visit, new Date(Date.parse(visit.start!) - JOIN_EARLY_MS + 1000)), true);
    assert.equal(canJoin(visit, new Date(Date.parse(visit.end!) + 1000)), false);
    assert.equal(canJoin(at('booked', '2026-12-01T10:05:00Z', 'phone'), now), false, 'the clinician calls for a phone visit');
    assert.equal(canJoin(at('cancelled', '2026-12-01T10:05:00Z'), now), false);
  });
});
