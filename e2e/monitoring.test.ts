import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Parameters } from '@medplum/fhirtypes';
import { seedDemoMonitoring } from '../packages/server/src/seed/demo-monitoring.js';
import { accessibilityProblems, DESKTOP, PHONE, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * Remote monitoring in real Chromium against the real server, with two weeks of demo readings:
 * Dr. Okafor's dashboard sorted by risk; a reading from Ana's cuff raises an alert that appears
 * on it live and is acknowledged; José's chart tab with zoomable charts and NEWS2; Björn's ECG
 * strip; Ana enters a reading on her phone and reads what it means.
 */

let w: BrowserWorld;
before(async () => {
  w = await startBrowserWorld();
  await seedDemoMonitoring(w.salus);
});
after(async () => {
  await w?.close();
});

const OKAFOR = 'amara.okafor@riverton-clinic.example';

async function cuffToken(): Promise<string> {
  const r = await w.salus.fhir<Parameters>('POST', 'Patient/demo-ana-souza/$enrol-device', { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'blood-pressure-monitor' }] });
  return r.body.parameter!.find((p) => p.name === 'token')!.valueString!;
}

describe('remote monitoring in Chromium', () => {
  test('the dashboard shows patients by risk; an alert arrives live and is acknowledged', () =>
    w.journey('monitoring-dashboard', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, OKAFOR, { staff: true });
      await page.getByRole('link', { name: 'Monitoring' }).first().click();
      // A table on a wide screen, a list of cards on a phone: found by its name either way.
      const rows = page.getByLabel('Monitored patients, most at risk first');
      await rows.getByText('José Luis Martínez').waitFor();
      const order = await rows.getByRole('link').allTextContents();
      assert.equal(order[0], 'José Luis Martínez', `most at risk first: ${order.join(', ')}`);
      await page.getByText(/Body weight up 2 kg/).first().waitFor();
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, 'monitoring-dashboard-desktop');

      // Ana's cuff, at home, now: the alert reaches the open dashboard without a reload.
      const token = await cuffToken();
      const sent = await fetch(`${w.url}/monitoring/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ readings: [{ kind: 'blood-pressure', time: new Date(Date.now() - 60_000).toISOString(), systolic: 196, diastolic: 104 }] }),
      });
      assert.equal(sent.status, 200);
      const feed = page.getByRole('list', { name: 'Monitoring alerts' });
      const acknowledge = feed.getByRole('button', { name: /^Acknowledge: .*Ana Beatriz Souza/ });
      await acknowledge.waitFor();
      await screenshot(page, 'monitoring-alert-live-desktop');
      await acknowledge.click();
      await feed.getByText(/Acknowledged by Dr\. Amara Okafor/).waitFor();
      await screenshot(page, 'monitoring-alert-acknowledged-desktop');

      const phone = await open(PHONE);
      await signIn(phone, OKAFOR, { staff: true });
      await phone.goto('/clinician/monitoring');
      await phone.getByRole('list', { name: 'Monitored patients, most at risk first' }).getByText('José Luis Martínez').waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `nothing scrolls sideways on a phone (${overflow}px)`);
      await screenshot(phone, 'monitoring-dashboard-phone');
    }));

  test('a patient\'s Monitoring tab: NEWS2, zoomable charts, the ECG strip', () =>
    w.journey('monitoring-chart', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, OKAFOR, { staff: true });
      await page.goto('/clinician/patients/demo-jose-martinez/monitoring');
      await page.getByRole('table', { name: 'NEWS2 parameters' }).waitFor();
      // uPlot draws on a canvas and takes the mouse on the plot area laid over it.
      const plot = page.locator('.u-over').first();
      await plot.waitFor();
      await screenshot(page, 'monitoring-patient-desktop');
      // Drag across the first chart to zoom into part of it.
      await plot.scrollIntoViewIfNeeded();
      const box = (await plot.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      await page.getByRole('button', { name: 'Reset zoom' }).first().waitFor();
      await screenshot(page, 'monitoring-chart-zoomed-desktop');
      assert.deepEqual(await accessibilityProblems(page), []);

      await page.goto('/clinician/patients/demo-bjorn-eriksson/monitoring');
      await page.getByText(/ECG/).first().waitFor();
      await page.locator('canvas').nth(1).waitFor();
      await screenshot(page, 'monitoring-ecg-desktop');
    }));

  test('Ana enters a reading on her phone and reads what it means for her', () =>
    w.journey('monitoring-readings', async (open) => {
      const ana = await open(PHONE);
      await signIn(ana, 'ana.souza@example.com');
      await ana.goto('/patient/demo-ana-souza/readings');
      await ana.getByText(/Your goal/).first().waitFor();
      const form = ana.getByRole('form', { name: 'Add a reading' });
      await form.getByLabel('Top number (systolic)').fill('128');
      await form.getByLabel('Bottom number (diastolic)').fill('79');
      await form.getByRole('button', { name: 'Save reading' }).click();
      await form.getByText(/128\/79/).first().waitFor();
      assert.deepEqual(await accessibilityProblems(ana), []);
      await screenshot(ana, 'monitoring-readings-phone');
      // A reading that cannot be right is refused, with the field named.
      await form.getByLabel('Top number (systolic)').fill('420');
      await form.getByLabel('Bottom number (diastolic)').fill('80');
      await form.getByRole('button', { name: 'Save reading' }).click();
      await form.getByText(/outside what can be measured/).waitFor();
      await screenshot(ana, 'monitoring-reading-refused-phone');
    }));
});
