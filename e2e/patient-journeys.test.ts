import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { linkIn } from '../packages/server/src/auth/account-test-support.js';
import { totpCode } from '../packages/server/src/auth/totp.js';
import { DEMO_PASSWORD, DESKTOP, PHONE, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * The journeys the web app exists for, in real Chromium against the real server: a new patient
 * registers and reads their record; a clinician records vital signs that the patient then sees
 * charted; and a patient is kept out of everyone else's record however the address is edited.
 */

let w: BrowserWorld;
before(async () => {
  w = await startBrowserWorld();
});
after(async () => {
  await w?.close();
});

describe('web app in Chromium', () => {
  test('a new patient registers, confirms the email, signs in and sees their record', () =>
    w.journey('register', async (open) => {
      const page = await open(PHONE);
      await page.goto('/');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('First name').fill('Nadia');
      await page.getByLabel('Last name').fill('Okonkwo-Berg');
      await page.getByLabel('Date of birth').fill('1988-04-17');
      await page.getByLabel('Email').fill('nadia@example.org');
      await page.locator('input[autocomplete="new-password"]').fill('quiet harbour lantern 42');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await screenshot(page, 'register-done-phone');

      // Before the email is confirmed the account cannot sign in.
      const mail = await w.mail.next('nadia@example.org');
      const { url } = linkIn(mail, '/verify-email');
      assert.equal(url.origin, w.url);
      await page.goto(url.toString());
      await page.getByRole('heading', { name: 'Email confirmed' }).waitFor();
      await page.getByRole('link', { name: 'Sign in' }).click();

      await page.getByLabel('Email').fill('nadia@example.org');
      await page.locator('input[autocomplete="current-password"]').fill('quiet harbour lantern 42');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/patient\/[^/]+$/);
      await page.getByRole('heading', { name: 'Summary' }).waitFor();
      await page.getByText(/Nadia Okonkwo-Berg · \d+ years, born 17 Apr 1988/).waitFor();
      await screenshot(page, 'new-patient-summary-phone');
    }),
  );

  test('a clinician signs in with MFA, finds a patient and records vitals; the patient sees them charted', () =>
    w.journey('vitals', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, 'amara.okafor@riverton-clinic.example', { staff: true });
      await page.waitForURL(/\/clinician$/);
      await page.getByRole('heading', { name: 'My patients' }).waitFor();
      await page.getByRole('link', { name: /Ana Beatriz Souza/ }).waitFor();
      await screenshot(page, 'clinician-worklist-desktop');

      await page.getByRole('link', { name: 'Find a patient' }).first().click();
      await page.getByLabel('Name').fill('Souza');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: /Ana Beatriz Souza/ }).click();
      await page.getByRole('heading', { level: 1, name: /Ana Beatriz Souza/ }).waitFor();

      await page.getByRole('button', { name: 'Record vital signs' }).click();
      const form = page.getByRole('form', { name: 'Vital signs' });
      // A slip is refused before anything is written, with the field named.
      await form.getByLabel('Temperature').fill('98.6');
      await form.getByRole('button', { name: 'Save vital signs' }).click();
      await form.getByText(/Temperature of 98.6 °C is outside/).waitFor();
      await form.getByLabel('Temperature').fill('37.1');
      await form.getByLabel('Systolic').fill('163');
      await form.getByLabel('Diastolic').fill('101');
      await form.getByLabel('Heart rate').fill('88');
      await screenshot(page, 'clinician-vitals-entry-desktop');
      await form.getByRole('button', { name: 'Save vital signs' }).click();
      await page.getByText('3 measurements added to the record.').waitFor();
      await page.getByRole('tab', { name: 'Results' }).click();
      await screenshot(page, 'clinician-chart-results-desktop');

      const ana = await open(PHONE);
      await signIn(ana, 'ana.souza@example.com');
      // On a phone the navigation folds behind the menu button.
      await ana.getByRole('button', { name: 'Open navigation' }).click();
      await ana.getByRole('link', { name: 'Results' }).first().click();
      await ana.getByRole('link', { name: /Blood pressure/ }).first().click();
      const chart = ana.getByRole('figure', { name: /Blood pressure from/ });
      await chart.waitFor();
      assert.ok((await chart.locator('path.recharts-curve').count()) >= 2, 'the trend chart draws the systolic and diastolic lines');
      const values = ana.getByRole('table', { name: 'All values' });
      await values.getByText('163').first().waitFor();
      await values.getByText('101').first().waitFor();
      await screenshot(ana, 'patient-results-trend-phone');
    }),
  );

  test('a patient cannot reach another patient\'s record through the app or by editing the address', () =>
    w.journey('keep-out', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, 'ana.souza@example.com');
      await page.waitForURL(/\/patient\/demo-ana-souza$/);
      await screenshot(page, 'patient-summary-desktop');

      for (const path of ['/patient/demo-jose-martinez', '/patient/demo-jose-martinez/results', '/patient/demo-jose-martinez/visits']) {
        await page.goto(path);
        await page.getByText(/No record here/).waitFor();
        assert.equal(await page.getByText(/Martínez/).count(), 0, `${path} shows nothing of José`);
      }
      await page.goto('/clinician/patients/demo-jose-martinez');
      await page.getByRole('heading', { name: 'Not part of your account' }).waitFor();
      await page.goto('/administration/audit');
      await page.getByRole('heading', { name: 'Not part of your account' }).waitFor();

      // The app's own session cannot fetch it either: the server decides, not the screens.
      const status = await page.evaluate(async () => (await fetch('/fhir/R4/Patient/demo-jose-martinez')).status);
      assert.equal(status, 404);
      const everything = await page.evaluate(async () => (await fetch('/fhir/R4/Patient/demo-jose-martinez/$everything')).status);
      assert.equal(everything, 404);
    }),
  );

  test('a forgotten password is reset from the emailed link, which ends the sessions open elsewhere', () =>
    w.journey('password-reset', async (open) => {
      const laptop = await open(DESKTOP);
      await signIn(laptop, 'malik.johnson@example.org');
      await laptop.waitForURL(/\/patient\/demo-malik-johnson$/);

      const phone = await open(PHONE);
      await phone.goto('/sign-in');
      await phone.getByRole('link', { name: 'Forgot your password?' }).click();
      await phone.getByLabel('Email').fill('malik.johnson@example.org');
      await phone.getByRole('button', { name: 'Send the link' }).click();
      await phone.getByText(/a link to choose a new password is on its way/).waitFor();
      const { url } = linkIn(await w.mail.next('malik.johnson@example.org'), '/reset-password');
      await phone.goto(url.toString());
      await phone.getByLabel('New password').fill('copper kettle morning 7');
      await phone.getByLabel('Type it again').fill('copper kettle morning 7');
      await screenshot(phone, 'password-reset-phone');
      await phone.getByRole('button', { name: 'Save the password' }).click();
      await phone.getByText('Your password is changed.').waitFor();

      // The laptop's session ended with the reset: its next request sends Malik to sign in, saying why.
      await laptop.getByRole('link', { name: 'Who has seen my record' }).click();
      await laptop.getByText('Your session ended. Sign in again to carry on.').waitFor();
      await signIn(laptop, 'malik.johnson@example.org', { password: 'copper kettle morning 7' });
      await laptop.waitForURL(/\/patient\/demo-malik-johnson/);
    }),
  );

  test('a patient turns on an authenticator by scanning its QR code; sign-in then asks for its code', () =>
    w.journey('authenticator', async (open) => {
      const page = await open(PHONE);
      await signIn(page, 'lan.nguyen@example.com');
      await page.goto('/account');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const qr = page.getByRole('img', { name: /QR code to scan with your authenticator app/ });
      await qr.waitFor();
      assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      // The key written beside the QR code is what an app would read from it.
      const key = (await page.locator('code').first().textContent())!.trim();
      assert.match(key, /^[A-Z2-7]{32}$/);
      await screenshot(page, 'authenticator-setup-phone');
      await page.getByLabel('Code from the app').fill(totpCode(key, new Date()));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByText(/Keep these recovery codes somewhere safe/).waitFor();
      const codes = (await page.locator('pre').first().textContent())!.trim().split('\n');
      assert.equal(codes.length, 10);
      await page.getByRole('button', { name: 'I have saved them' }).click();

      // The next sign-in needs the second step; a recovery code works once in place of the app.
      const again = await open(DESKTOP);
      await again.goto('/sign-in');
      await again.getByLabel('Email').fill('lan.nguyen@example.com');
      await again.locator('input[autocomplete="current-password"]').fill(DEMO_PASSWORD);
      await again.getByRole('button', { name: 'Sign in' }).click();
      await again.getByRole('heading', { name: 'Enter your code' }).waitFor();
      await again.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await again.getByLabel('Recovery code').fill(codes[0]!);
      await again.getByRole('button', { name: 'Continue' }).click();
      await again.waitForURL(/\/patient\/demo-lan-nguyen$/);
    }),
  );

  test('signing out ends the session; signed-in pages then ask to sign in again', () =>
    w.journey('sign-out', async (open) => {
      const page = await open(DESKTOP);
      await signIn(page, 'jose.martinez@example.net');
      await page.getByRole('button', { name: /Account menu/ }).click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      await page.goto('/patient');
      await page.waitForURL(/\/sign-in\?next=/);
      const status = await page.evaluate(async () => (await fetch('/fhir/R4/Patient/demo-jose-martinez')).status);
      assert.equal(status, 401);
    }),
  );
});
