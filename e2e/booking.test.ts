import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Appointment } from '@medplum/fhirtypes';
import { DESKTOP, PHONE, accessibilityProblems, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * Booking in Chromium against the real server and the demo clinic's opening hours: a patient
 * books a video visit, moves it and cancels it; a clinician books a phone visit for a patient,
 * finds it on the day's schedule with the number to call, and edits their opening hours.
 * The browser is in London while the clinic is in Oregon, so times cross zones as they would.
 */

let w: BrowserWorld;
before(async () => {
  w = await startBrowserWorld();
});
after(async () => {
  await w?.close();
});

const ANA = 'demo-ana-souza';

async function anasAppointments(): Promise<Appointment[]> {
  const r = await w.salus.fhir<{ entry?: { resource: Appointment }[] }>('GET', `Appointment?patient=Patient/${ANA}&_count=100`);
  return (r.body.entry ?? []).map((e) => e.resource);
}

describe('booking in Chromium', () => {
  test('a patient books a video visit on her phone, moves it to another time, then cancels it', () =>
    w.journey('booking-patient', async (open) => {
      const before = (await anasAppointments()).filter((a) => a.status === 'booked').length;
      const page = await open(PHONE);
      await signIn(page, 'ana.souza@example.com');
      await page.goto(`/patient/${ANA}/appointments`);
      await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
      await screenshot(page, 'appointments-phone');
      await page.getByRole('link', { name: 'Book a visit' }).click();
      await page.getByRole('heading', { name: 'Book a visit', level: 1 }).waitFor();
      await page.getByText(/Times are shown in your time zone \(Greenwich Mean Time\)/).waitFor();
      const times = page.locator('.slot-button');
      await times.first().waitFor();
      await screenshot(page, 'booking-free-times-phone');
      assert.deepEqual(await accessibilityProblems(page), []);

      await times.first().click();
      const confirm = page.getByRole('region', { name: 'Book this visit?' });
      // The clinic is in Oregon: its own clock is shown beside the patient's.
      await confirm.getByText(/Pacific (Standard|Daylight) Time/).waitFor();
      await confirm.getByLabel(/What would you like to talk about/).fill('My home blood pressure readings');
      await screenshot(page, 'booking-confirm-phone');
      await confirm.getByRole('button', { name: 'Book visit' }).click();
      await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
      await page.getByText('Visit booked').first().waitFor();
      const booked = (await anasAppointments()).filter((a) => a.status === 'booked');
      assert.equal(booked.length, before + 1);
      const mine = booked.find((a) => a.description === 'My home blood pressure readings' || a.comment === 'My home blood pressure readings' || a.reasonCode?.[0]?.text === 'My home blood pressure readings');
      assert.ok(mine, 'the reason given is kept with the booking');

      // Move the new visit: its card is the one whose "Change time" link names it.
      await page.locator(`a[href$="reschedule=${mine.id}"]`).click();
      await page.getByRole('heading', { name: 'Change the time of a visit', level: 1 }).waitFor();
      await times.nth(1).click();
      await page.getByRole('button', { name: 'Move my visit' }).click();
      await page.getByText('Visit moved').first().waitFor();
      const moved = (await anasAppointments()).find((a) => a.id === mine.id)!;
      assert.equal(moved.status, 'booked');
      assert.notEqual(moved.start, mine.start);

      const movedCard = page.getByRole('article').filter({ has: page.locator(`a[href$="reschedule=${mine.id}"]`) });
      await movedCard.getByRole('button', { name: 'Cancel' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this visit?' });
      await dialog.getByLabel('Reason (optional)').fill('Feeling better');
      await dialog.getByRole('button', { name: 'Cancel visit' }).click();
      await page.getByText('Visit cancelled').first().waitFor();
      const cancelled = (await anasAppointments()).find((a) => a.id === mine.id)!;
      assert.equal(cancelled.status, 'cancelled');
      await page.getByRole('heading', { name: 'Past and cancelled' }).waitFor();
      await screenshot(page, 'appointments-after-cancel-phone');
    }));

  test('on a desktop the week of free times reads as a grid', () =>
    w.journey('booking-desktop', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, 'jose.martinez@example.net');
      await page.goto('/patient/demo-jose-martinez/appointments/book');
      await page.locator('.slot-button').first().waitFor();
      await page.locator('.mantine-SegmentedControl-root').getByText('Phone', { exact: true }).click();
      await page.locator('.slot-button').first().waitFor();
      await screenshot(page, 'booking-free-times-desktop');
      assert.deepEqual(await accessibilityProblems(page), []);
    }));

  test('a clinician books a phone visit for a patient, sees it on the day with the number to call, and edits opening hours', () =>
    w.journey('booking-clinician', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, 'amara.okafor@riverton-clinic.example', { staff: true });
      await page.goto(`/clinician/patients/${ANA}`);
      await page.getByRole('link', { name: 'Book a visit' }).click();
      await page.getByRole('heading', { name: /Book a visit for Ana/, level: 1 }).waitFor();
      await page.locator('.mantine-SegmentedControl-root').getByText('Phone', { exact: true }).click();
      await page.getByPlaceholder('Any clinician').click();
      await page.getByRole('option', { name: /Okafor/ }).click();
      await page.locator('.slot-button').first().click();
      await page.getByRole('button', { name: 'Book visit' }).click();
      await page.getByRole('heading', { name: 'Schedule', level: 1 }).waitFor();
      const visit = page.getByRole('article').filter({ hasText: 'Ana Beatriz Souza' }).filter({ hasText: 'Phone visit' });
      await visit.getByRole('link', { name: /Call .*0151/ }).waitFor();
      await screenshot(page, 'clinician-schedule-desktop');
      assert.deepEqual(await accessibilityProblems(page), []);

      await page.getByRole('link', { name: 'Opening hours' }).first().click();
      await page.getByRole('heading', { name: 'Opening hours', level: 1 }).waitFor();
      await page.getByRole('textbox', { name: 'Time zone' }).or(page.getByLabel('Time zone').first()).first().waitFor();
      await screenshot(page, 'clinician-opening-hours-desktop');
      // An end before the start is refused with the field named, and nothing is saved.
      const until = page.getByLabel('Until').first();
      const kept = await until.inputValue();
      await until.fill('08:00');
      await page.getByRole('button', { name: 'Save opening hours' }).click();
      await page.getByText('Some entries need fixing; they are marked below.').waitFor();
      await until.fill(kept);
      await page.getByRole('button', { name: 'Save opening hours' }).click();
      await page.getByText('Opening hours saved').waitFor();
      assert.deepEqual(await accessibilityProblems(page), []);
    }));
});
