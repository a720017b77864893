import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { accessibilityProblems, DESKTOP, PHONE, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * Virtual check-ins in real Chromium against the real server: a clinician enrols Ana in PHQ-9;
 * Ana answers on her phone, one question at a time, with thoughts of self-harm; crisis support
 * is on her screen at once; the clinician finds the stat task on the worklist and acknowledges it.
 */

let w: BrowserWorld;
before(async () => {
  w = await startBrowserWorld();
});
after(async () => {
  await w?.close();
});

const PHQ9_ANSWERS = ['More than half the days', 'More than half the days', 'Several days', 'More than half the days', 'Several days', 'Several days', 'Not at all', 'Not at all', 'Several days'];

describe('check-ins in Chromium', () => {
  test('a clinician enrols Ana in PHQ-9; she answers with thoughts of self-harm, sees crisis support, and the clinician sees the urgent task', () =>
    w.journey('check-ins', async (open) => {
      const clinician = await open(DESKTOP);
      await signIn(clinician, 'amara.okafor@riverton-clinic.example', { staff: true });
      await clinician.goto('/clinician/patients/demo-ana-souza/check-ins');
      await clinician.getByRole('tab', { name: 'Check-ins', selected: true }).waitFor();
      const form = clinician.getByRole('form', { name: 'Enrol in check-ins' });
      await form.getByLabel('Questionnaire').selectOption({ label: 'PHQ-9 — how your mood has been' });
      await form.getByLabel('How often').selectOption({ label: 'Every 2 weeks' });
      await form.getByRole('button', { name: 'Enrol' }).click();
      await clinician.getByText('PHQ-9 every 2 weeks').waitFor();
      await clinician.getByText(/enrolled by you/).waitFor();

      const ana = await open(PHONE);
      await signIn(ana, 'ana.souza@example.com');
      await ana.getByRole('button', { name: 'Open navigation' }).click();
      await ana.getByRole('link', { name: 'Check-ins' }).first().click();
      await ana.getByRole('heading', { name: 'Due now' }).waitFor();
      assert.deepEqual(await accessibilityProblems(ana), []);
      await screenshot(ana, 'check-ins-due-phone');

      await ana.getByRole('button', { name: 'Start: PHQ-9' }).click();
      await ana.getByText('Question 1 of 9').waitFor();
      await ana.getByRole('radio', { name: PHQ9_ANSWERS[0] }).click();
      assert.deepEqual(await accessibilityProblems(ana), []);
      await screenshot(ana, 'check-in-question-phone');
      await ana.getByRole('button', { name: 'Next' }).click();
      for (let n = 1; n < PHQ9_ANSWERS.length; n++) {
        await ana.getByText(`Question ${n + 1} of 9`).waitFor();
        await ana.getByRole('radio', { name: PHQ9_ANSWERS[n] }).click();
        if (n === 8) await screenshot(ana, 'check-in-question-9-phone');
        await ana.getByRole('button', { name: n === 8 ? 'Send my answers' : 'Next' }).click();
      }

      // Help comes first, with numbers a phone can call and text straight away.
      const help = ana.getByRole('alert').filter({ has: ana.getByRole('heading', { name: 'Help is here, right now' }) });
      await help.waitFor();
      assert.equal(await help.getByRole('link', { name: 'Call 988' }).getAttribute('href'), 'tel:988');
      assert.equal(await help.getByRole('link', { name: 'Text 988' }).getAttribute('href'), 'sms:988');
      assert.equal(await help.getByRole('link', { name: 'Call 911' }).getAttribute('href'), 'tel:911');
      assert.ok((await help.boundingBox())!.y < PHONE.height, 'the help is on the first screen, not below the fold');
      await ana.getByText('moderate depression').waitFor();
      assert.deepEqual(await accessibilityProblems(ana), []);
      await screenshot(ana, 'check-in-crisis-support-phone');
      await ana.setViewportSize(DESKTOP);
      await screenshot(ana, 'check-in-crisis-support-desktop');

      await ana.getByRole('button', { name: 'Back to check-ins' }).click();
      await ana.getByRole('figure', { name: /PHQ-9 scores from/ }).waitFor();
      // The pointer left over the chart from the last tap would hold its tooltip open.
      await ana.mouse.move(0, 0);
      await screenshot(ana, 'check-ins-history-desktop');
      await ana.setViewportSize(PHONE);
      await screenshot(ana, 'check-ins-history-phone');

      // The clinician's worklist has the stat task, linked to Ana's check-ins.
      await clinician.goto('/clinician');
      const tasks = clinician.getByRole('list', { name: 'Urgent tasks' });
      const task = tasks.getByRole('listitem').filter({ hasText: 'Ana Beatriz Souza' });
      await task.getByText('Stat').waitFor();
      await task.getByText(/Thoughts of being better off dead or of self-harm \(answered “Several days”\)/).waitFor();
      assert.deepEqual(await accessibilityProblems(clinician), []);
      await screenshot(clinician, 'clinician-urgent-tasks-desktop');
      await task.getByRole('button', { name: /Acknowledge/ }).click();
      await task.getByText(/Acknowledged ·/).waitFor();
      await clinician.setViewportSize(PHONE);
      await screenshot(clinician, 'clinician-urgent-tasks-phone');
      await clinician.setViewportSize(DESKTOP);

      await task.getByRole('link', { name: 'Ana Beatriz Souza' }).click();
      await clinician.getByRole('figure', { name: /PHQ-9 scores from/ }).waitFor();
      await clinician.getByRole('button', { name: /PHQ-9.*Score 10/ }).click();
      await clinician.getByRole('table', { name: /PHQ-9 answers of/ }).waitFor();
      assert.deepEqual(await accessibilityProblems(clinician), []);
      // Opening the answers scrolled the page; the header of a full-page picture belongs at its top.
      await clinician.evaluate(() => window.scrollTo(0, 0));
      await screenshot(clinician, 'clinician-check-ins-desktop');
      await clinician.setViewportSize(PHONE);
      await screenshot(clinician, 'clinician-check-ins-phone');
    }),
  );
});
