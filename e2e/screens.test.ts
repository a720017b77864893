import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { accessibilityProblems, DESKTOP, PHONE, screenshot, signIn, startBrowserWorld, type BrowserWorld } from './browser-test-support.js';

/**
 * Every main screen of every space, opened by the person it is for, at phone and desktop widths:
 * each must render its heading without a script error or a failed request, pass axe-core's WCAG
 * 2.1 AA rules (serious and critical findings), and is saved as a screenshot in e2e/artifacts
 * for people to look at.
 */

const TOUR: { who: string; staff?: boolean; name: string; screens: [path: string, heading: RegExp][] }[] = [
  {
    who: 'ana.souza@example.com',
    name: 'patient',
    screens: [
      ['/patient/demo-ana-souza', /Summary/],
      ['/patient/demo-ana-souza/results', /Results/],
      ['/patient/demo-ana-souza/visits', /Visits/],
      ['/patient/demo-ana-souza/documents', /Documents/],
      ['/patient/demo-ana-souza/access-log', /Who has seen my record/],
      ['/patient/demo-ana-souza/sharing', /Sharing/],
      ['/patient/demo-ana-souza/download', /Download/],
      ['/account', /Sign-in and security/],
    ],
  },
  { who: 'siobhan.brennan@example.com', name: 'caregiver', screens: [['/patient', /Summary/]] },
  {
    who: 'amara.okafor@riverton-clinic.example',
    staff: true,
    name: 'clinician',
    screens: [
      ['/clinician', /My patients/],
      ['/clinician/search?name=Mart', /Find a patient/],
      ['/clinician/patients/demo-jose-martinez', /José/],
      ['/clinician/patients/demo-jose-martinez/timeline', /José/],
    ],
  },
  { who: 'meiling.chen@alderpharmacy.example', staff: true, name: 'pharmacist', screens: [['/pharmacy', /Prescription/]] },
  { who: 'tomasz.wojcik@valley-health.example', staff: true, name: 'public-health', screens: [['/public-health', /.+/]] },
  {
    who: 'grace.whitfield@riverton-clinic.example',
    staff: true,
    name: 'admin',
    screens: [
      ['/administration', /.+/],
      ['/administration/sessions', /Sessions/],
      ['/administration/audit', /Audit/],
    ],
  },
];

let w: BrowserWorld;
before(async () => {
  w = await startBrowserWorld();
});
after(async () => {
  await w?.close();
});

describe('main screens', () => {
  test('the sign-in page lists the demo people in demo mode', () =>
    w.journey('sign-in', async (open) => {
      for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
        const page = await open(viewport);
        await page.goto('/sign-in');
        await page.getByRole('heading', { name: 'Demo sign-ins' }).waitFor();
        await page.getByRole('button', { name: /Use Dr. Amara Okafor/ }).click();
        assert.equal(await page.getByLabel('Email').inputValue(), 'amara.okafor@riverton-clinic.example');
        await screenshot(page, `sign-in-${size}`);
        assert.deepEqual(await accessibilityProblems(page), []);
      }
    }),
  );

  for (const person of TOUR) {
    test(`${person.name} screens render at phone and desktop widths`, () =>
      w.journey(person.name, async (open) => {
        // One sign-in for both widths: an authenticator code is accepted once only.
        const page = await open(PHONE);
        const problems: string[] = [];
        page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
        page.on('response', (r) => {
          // /auth/me answers 401 before sign-in, by design; nothing else may fail.
          if (r.status() >= 400 && !r.url().endsWith('/auth/me')) problems.push(`${r.status()} ${r.url()}`);
        });
        await signIn(page, person.who, person.staff ? { staff: true } : {});
        for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
          await page.setViewportSize(viewport);
          for (const [path, heading] of person.screens) {
            await page.goto(path);
            await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
            await page.getByRole('status').filter({ hasText: /Loading|Opening/ }).waitFor({ state: 'detached' }).catch(() => undefined);
            await page.waitForLoadState('networkidle');
            await screenshot(page, `${person.name}${path.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}-${size}`);
            if (size === 'desktop') for (const a of await accessibilityProblems(page)) problems.push(`${path}: ${a}`);
          }
        }
        assert.deepEqual(problems, [], person.name);
      }),
    );
  }
});
