import assert from 'node:assert/strict';
import type { Appointment, Bundle, OperationOutcome, Parameters, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { withAvailability, type Availability } from '@salus/core';
import type { Caller, TestApp, TestResponse } from '../test-support.js';

/** Helpers the scheduling tests share: schedules of their own, and the operations called as the web app does. */

/** Weekday hours 09:00–12:00 in `timeZone`, video 30 min and in person 20 + 5 min, no notice, a year ahead. */
export function availability(timeZone: string, patch: Partial<Availability> = {}): Availability {
  return {
    timeZone,
    weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '12:00' }],
    exceptions: [],
    visitTypes: [
      { mode: 'video', minutes: 30, bufferMinutes: 0 },
      { mode: 'in-person', minutes: 20, bufferMinutes: 5 },
    ],
    minNoticeHours: 0,
    horizonDays: 365,
    ...patch,
  };
}

/**
 * Stores Schedule/`id` with the availability, as the system client. Its actor is a Practitioner
 * of the same id, created here, unless `actor` names another (a demo clinician, say).
 */
export async function putSchedule(t: TestApp, id: string, a: Availability, extra: Partial<Schedule> & { actors?: string[] } = {}): Promise<Schedule> {
  const { actors, ...rest } = extra;
  if (!actors) {
    const p = await t.fhir('PUT', `Practitioner/${id}`, { resourceType: 'Practitioner', id, name: [{ family: id }] });
    assert.ok(p.status < 300, JSON.stringify(p.body));
  }
  const schedule = withAvailability({ resourceType: 'Schedule', id, active: true, actor: (actors ?? [`Practitioner/${id}`]).map((reference) => ({ reference })), ...rest }, a);
  const res = await t.fhir<Schedule>('PUT', `Schedule/${id}`, schedule);
  assert.ok(res.status < 300, JSON.stringify(res.body));
  return res.body;
}

export function parameters(parts: Record<string, string | { reference: string } | undefined>): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(parts)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => (typeof v === 'string' ? { name, valueString: v } : { name, valueReference: v! })),
  };
}

export interface Found {
  status: number;
  bundle: Bundle;
  slots: Slot[];
  included: Resource[];
}

export async function find(caller: Caller, query: Record<string, string>): Promise<Found> {
  const res = await caller.fhir<Bundle>('GET', `Schedule/$find?${new URLSearchParams(query)}`);
  const entries = res.body.entry ?? [];
  return {
    status: res.status,
    bundle: res.body,
    slots: entries.filter((e) => e.search?.mode === 'match').map((e) => e.resource as Slot),
    included: entries.filter((e) => e.search?.mode === 'include').map((e) => e.resource!),
  };
}

export function book(caller: Caller, slot: string, patient: string, extra: { reason?: string; comment?: string } = {}): Promise<TestResponse<Appointment>> {
  return caller.fhir('POST', 'Appointment/$book', parameters({ slot: { reference: `Slot/${slot}` }, patient: { reference: `Patient/${patient}` }, ...extra }));
}

export function cancel(caller: Caller, id: string, reason?: string): Promise<TestResponse<Appointment>> {
  return caller.fhir('POST', `Appointment/${id}/$cancel`, parameters({ reason }));
}

export function reschedule(caller: Caller, id: string, slot: string): Promise<TestResponse<Appointment>> {
  return caller.fhir('POST', `Appointment/${id}/$reschedule`, parameters({ slot: { reference: `Slot/${slot}` } }));
}

export function noShow(caller: Caller, id: string): Promise<TestResponse<Appointment>> {
  return caller.fhir('POST', `Appointment/${id}/$no-show`, parameters({}));
}

/** The body of a refusal: the booking operations answer an Appointment, or an OperationOutcome saying why not. */
export function outcomeOf(body: unknown): OperationOutcome {
  const o = body as OperationOutcome;
  assert.equal(o.resourceType, 'OperationOutcome');
  return o;
}

/** The expressions of an OperationOutcome's issues. */
export function expressions(body: unknown): string[] {
  return (outcomeOf(body).issue ?? []).flatMap((i) => i.expression ?? []);
}

/** Stored versions of bookings: any write, even one rolled back, would change these. */
export async function bookingRows(t: TestApp): Promise<{ current: number; history: number }> {
  const r = await t.db.query<{ current: string; history: string }>(
    `SELECT (SELECT count(*) FROM resources WHERE res_type IN ('Appointment', 'Slot')) AS current,
            (SELECT count(*) FROM resource_history WHERE res_type IN ('Appointment', 'Slot')) AS history`,
  );
  return { current: Number(r.rows[0]!.current), history: Number(r.rows[0]!.history) };
}
