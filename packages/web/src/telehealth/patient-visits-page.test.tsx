import '../patient/test-support.js';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { screen } from '@testing-library/react';
import type { Appointment, Patient, Practitioner } from '@medplum/fhirtypes';
import { visitModeConcept } from '@salus/core';
import { bundleOf, me, renderSignedIn, serve } from '../patient/test-support.js';
import { PatientVisitsPage } from './patient-visits-page.js';

const malik: Patient = { resourceType: 'Patient', id: 'malik', name: [{ given: ['Malik'], family: 'Johnson' }], telecom: [{ system: 'phone', value: '+1-541-555-0154', use: 'mobile' }] };
const castillo: Practitioner = { resourceType: 'Practitioner', id: 'castillo', name: [{ prefix: ['Dr.'], given: ['Sofía'], family: 'Castillo' }] };
const now = new Date();
const at = (days: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 15).toISOString();
const appt = (id: string, mode: 'video' | 'phone', days: number): Appointment => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  serviceType: [visitModeConcept(mode)],
  start: at(days),
  description: `${mode} ${id}`,
  participant: [{ actor: { reference: 'Patient/malik' }, status: 'accepted' }, { actor: { reference: 'Practitioner/castillo' }, status: 'accepted' }],
});

describe('PatientVisitsPage', () => {
  test("today's video visit is joined from here; later ones on their day; for a phone visit, the number they will call", async () => {
    const calls = serve(me(['malik']), (url) => {
      if (url.pathname === '/fhir/R4/Appointment') return { body: { ...bundleOf([appt('today', 'video', 0), appt('later', 'video', 3), appt('call', 'phone', 1)]), entry: [...bundleOf([appt('today', 'video', 0), appt('later', 'video', 3), appt('call', 'phone', 1)]).entry, { resource: castillo, search: { mode: 'include' } }] } };
      return undefined;
    });
    renderSignedIn(<PatientVisitsPage patient={malik} />, '/patient/malik/video');
    const join = await screen.findByRole('link', { name: 'Join the video visit with Dr. Sofía Castillo' });
    assert.equal(join.getAttribute('href'), '/patient/malik/video/today');
    assert.equal(screen.getAllByRole('article').length, 3);
    assert.ok(screen.getByText('You can join from this page on the day of the visit.'));
    assert.ok(screen.getByText(/Dr\. Sofía Castillo will call you on \+1-541-555-0154/));
    const search = new URL(calls.find((c) => c.url.startsWith('/fhir/R4/Appointment'))!.url, 'http://localhost').searchParams;
    assert.equal(search.get('patient'), 'Patient/malik');
    assert.equal(search.get('status'), 'booked,arrived,checked-in');
  });
});
