import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MailCatcher } from '../packages/server/src/auth/account-test-support.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../packages/server/src/auth/demo-accounts.js';
import { totpCode } from '../packages/server/src/auth/totp.js';
import { buildDemoWorld } from '../packages/server/src/seed/demo-world.js';
import { startTestApp, type TestApp } from '../packages/server/src/test-support.js';

/**
 * Browser tests drive Debian's Chromium through playwright-core against the real server on a
 * real port, serving the built web app, on a fresh database with the demo world. Mail goes to a
 * real SMTP server in the test, so links are followed as a person would follow them.
 */

const ROOT = new URL('..', import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export { DEMO_PASSWORD };

/** Screen sizes screenshots are taken at: a common phone and a laptop. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export interface BrowserWorld {
  salus: TestApp;
  url: string;
  mail: MailCatcher;
  browser: Browser;
  /** A fresh browser profile (no cookies) at a screen size. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /**
   * Runs one journey with fresh browser profiles opened by `open`; when it fails, every page is
   * saved as `failed-<name>-<n>.png` under e2e/artifacts before the error is passed on.
   */
  journey(name: string, fn: (open: (viewport?: { width: number; height: number }) => Promise<Page>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Debian's Chromium, headless; `extraArgs` for more switches (fake camera and microphone, say). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without these Chromium reaches for Google's services at start, which a closed network refuses.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/** A fresh browser profile (no cookies) on the server at `baseURL`, at a screen size. */
export async function openContext(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<BrowserContext> {
  // bypassCSP lets the accessibility checker's script into pages that allow only their own.
  const ctx = await browser.newContext({ viewport, baseURL, locale: 'en-GB', timezoneId: 'Europe/London', bypassCSP: true });
  ctx.setDefaultTimeout(20_000);
  return ctx;
}

/** `env`: settings for the server beyond the test's own (TURN servers, say). */
export async function startBrowserWorld(options: { env?: NodeJS.ProcessEnv } = {}): Promise<BrowserWorld> {
  // The server serves packages/web/dist; build it when the sources changed since the last build.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
  const mail = await MailCatcher.start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const salus = await startTestApp({
    seed: true,
    publicUrl: url,
    demoPeople: buildDemoWorld().people,
    env: { ...process.env, ...options.env, SALUS_SMTP_URL: mail.url, SALUS_MAIL_FROM: 'Salus <no-reply@salus.test>' },
  });
  await salus.app.listen({ port, host: '127.0.0.1' });
  const browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const context = (viewport = DESKTOP): Promise<BrowserContext> => openContext(browser, url, viewport);
  return {
    salus,
    url,
    mail,
    browser,
    context,
    async journey(name, fn) {
      const contexts: BrowserContext[] = [];
      const pages: Page[] = [];
      try {
        await fn(async (viewport) => {
          const ctx = await context(viewport);
          contexts.push(ctx);
          const page = await ctx.newPage();
          pages.push(page);
          return page;
        });
      } catch (e) {
        await Promise.all(pages.map((p, i) => p.screenshot({ path: join(ARTIFACTS, `failed-${name}-${i + 1}.png`), fullPage: true }).catch(() => undefined)));
        throw e;
      } finally {
        await Promise.all(contexts.map((c) => c.close()));
      }
    },
    async close() {
      await browser.close();
      await salus.close();
      await mail.close();
    },
  };
}

/** The demo staff authenticator's code now. */
export function demoCode(): string {
  return totpCode(DEMO_TOTP_SECRET, new Date());
}

/** The last authenticator code typed: the server takes each code once, so the next sign-in waits for a new one. */
let lastCode: string | undefined;

/** The demo authenticator's code, once it differs from the one used last. */
async function freshCode(): Promise<string> {
  while (demoCode() === lastCode) await new Promise((r) => setTimeout(r, 500));
  lastCode = demoCode();
  return lastCode;
}

/** Signs in through the sign-in page; staff also pass the authenticator step. */
export async function signIn(page: Page, email: string, options: { password?: string; staff?: boolean } = {}): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(options.password ?? DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (options.staff) {
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByLabel('Authenticator code').fill(await freshCode());
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.getByRole('banner').waitFor();
}

/** Saves a full-page screenshot under e2e/artifacts for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core (the accessibility rules engine) finds against WCAG 2.1 A and AA on the page as it
 * stands, limited to serious and critical problems; each as "rule: what, where".
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.targets.join(', ')})`);
}
