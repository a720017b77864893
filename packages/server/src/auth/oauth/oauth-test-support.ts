import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Patient } from '@medplum/fhirtypes';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Role } from '../../access/principal.js';
import { buildApp, defaultConfig, type SalusApp } from '../../app.js';
import type { AuditInput } from '../../audit/types.js';
import { createTestDatabase } from '../../test-support.js';
import { provisionAccount, type Accounts } from '../accounts.js';
import { hashPassword } from '../passwords.js';
import { generateTotpSecret, totpCode } from '../totp.js';
import { createOAuthServer, type OAuthOptions, type OAuthServer } from './server.js';

export const PASSWORD = 'correct horse battery staple';

/** A free TCP port on this machine, so the server can know its public URL before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface OAuthTestApp {
  salus: SalusApp;
  accounts: Accounts;
  oauth: OAuthServer;
  /** Everything handed to the audit ledger. */
  events: AuditInput[];
  /** Where the server listens; also its public URL (issuer). */
  url: string;
  fhirBase: string;
  /** A second authorization server on the same database, as another instance of a deployment has. */
  sibling(options?: Partial<OAuthOptions>): OAuthServer;
  /** Another instance's HTTP server on the same database, with only the OAuth routes (reached with inject). */
  siblingApp(options?: Partial<OAuthOptions>): Promise<{ app: FastifyInstance; oauth: OAuthServer }>;
  close(): Promise<void>;
}

/**
 * The real app on a fresh database (in-memory embedded engine, or a new database on the server
 * DATABASE_URL names), listening on a local port so that real HTTP clients can use it.
 */
export async function startOAuthTestApp(options: Partial<OAuthOptions> = {}): Promise<OAuthTestApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Tests call the token endpoint far more often than the per-address limit allows a person.
  const config = { ...defaultConfig({}), port, host: '127.0.0.1', dataDir: 'memory://', publicUrl: url, authRateLimit: 100_000 };
  let drop: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const created = await createTestDatabase(process.env.DATABASE_URL);
    config.databaseUrl = created.url;
    drop = created.drop;
  }
  const events: AuditInput[] = [];
  const salus = await buildApp(config, { oauthOptions: options, onAudit: (e) => events.push(e) });
  await salus.app.listen({ port, host: '127.0.0.1' });
  const siblings: OAuthServer[] = [];
  const apps: FastifyInstance[] = [];
  const sibling = (o: Partial<OAuthOptions>): OAuthServer => {
    const server = createOAuthServer({
      db: salus.db,
      repo: salus.repo,
      accounts: salus.accounts,
      publicUrl: url,
      onEvent: async (e) => {
        events.push(e);
      },
      options: { ...options, ...o },
    });
    siblings.push(server);
    return server;
  };
  return {
    salus,
    accounts: salus.accounts,
    oauth: salus.oauth,
    events,
    url,
    fhirBase: `${url}/fhir/R4`,
    sibling: (o = {}) => sibling(o),
    async siblingApp(o = {}) {
      const app = Fastify();
      apps.push(app);
      const server = sibling(o);
      await server.register(app);
      return { app, oauth: server };
    },
    async close() {
      await Promise.all(siblings.map((s) => s.close()));
      await Promise.all(apps.map((a) => a.close()));
      await salus.close();
      await drop?.();
    },
  };
}

export interface Person {
  email: string;
  accountId: string;
  patientId?: string;
  totpSecret?: string;
}

/**
 * An active account with a password; patients get their own Patient, caregivers a ward, staff
 * an authenticator (they must use a second factor).
 */
export async function addPerson(
  t: OAuthTestApp,
  input: { name: string; role: Role; wardId?: string; organizationId?: string; verified?: boolean },
): Promise<Person> {
  const email = `${input.name.toLowerCase().replace(/\W+/g, '.')}.${randomBytes(3).toString('hex')}@example.org`;
  const [given, family] = input.name.split(' ');
  let patientId: string | undefined;
  if (input.role === 'patient') {
    const created = await t.salus.repo.create({ resourceType: 'Patient', name: [{ given: [given!], family: family! }], birthDate: '1980-04-02' } as Patient);
    patientId = created.stored.id;
  }
  const staff = !['patient', 'caregiver'].includes(input.role);
  const totpSecret = staff ? generateTotpSecret() : undefined;
  const accountId = await provisionAccount(t.salus.db, {
    email,
    displayName: input.name,
    passwordHash: await hashPassword(PASSWORD),
    status: 'active',
    ...(patientId ? { fhirUser: `Patient/${patientId}` } : {}),
    roles: [{ role: input.role, ...(input.organizationId ? { organizationId: input.organizationId } : {}), verified: input.verified ?? true }],
    patients: [...(patientId ? [{ patientId, relation: 'self' as const }] : []), ...(input.wardId ? [{ patientId: input.wardId, relation: 'proxy' as const }] : [])],
    ...(totpSecret ? { totpSecret } : {}),
  });
  return { email, accountId: accountId!, ...(patientId ? { patientId } : {}), ...(totpSecret ? { totpSecret } : {}) };
}

export function currentTotp(p: Person): string {
  return totpCode(p.totpSecret!, new Date());
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Form {
  action: string;
  fields: [string, string][];
}

/** The forms of one of the server's pages, with their hidden and pre-filled fields. */
export function formsIn(html: string): Form[] {
  const out: Form[] = [];
  for (const m of html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)) {
    const fields: [string, string][] = [];
    for (const input of m[2]!.matchAll(/<input ([^>]*)>/g)) {
      const attr = (name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(input[1]!)?.[1];
      const name = attr('name');
      const type = attr('type');
      if (!name || input[1]!.includes(' disabled')) continue;
      if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/.test(input[1]!)) continue;
      if (type === 'email' || type === 'password' || (type === 'text' && name === 'code')) continue;
      fields.push([name, unescape(attr('value') ?? '')]);
    }
    out.push({ action: unescape(m[1]!), fields });
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
}

/**
 * A browser without a window: fetch with a cookie jar per host, redirects followed by hand so
 * that each hop's cookies are kept, stopping when a redirect leaves the hosts it should follow.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(host, cookies);
  }

  async request(url: string, init: { method?: string; form?: [string, string][]; headers?: Record<string, string> } = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...(cookies ? { cookie: cookies } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.jar.get(host)?.delete(name);
      else this.setCookie(url, name, value);
    }
    return res;
  }

  /**
   * Requests `url` and follows redirects while they stay on `hosts` (all hosts when omitted).
   * Returns the last response read, or the first redirect that leaves, unread.
   */
  async navigate(
    url: string,
    init: { form?: [string, string][] } = {},
    hosts?: string[],
  ): Promise<{ url: string; status: number; html: string; left?: string }> {
    let res = await this.request(url, init);
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 20) throw new Error('Too many redirects');
      const next = new URL(res.headers.get('location')!, at).toString();
      if (hosts && !hosts.includes(new URL(next).host)) return { url: at, status: res.status, html: '', left: next };
      at = next;
      res = await this.request(next);
    }
    return { url: at, status: res.status, html: await res.text() };
  }

  /** Submits the page's form whose action ends with `action`, with `extra` fields set (replacing the form's own). */
  async submit(
    page: { url: string; html: string },
    action: string,
    extra: [string, string][] = [],
    hosts?: string[],
  ): Promise<{ url: string; status: number; html: string; left?: string }> {
    const form = formsIn(page.html).find((f) => f.action.endsWith(action));
    if (!form) throw new Error(`No form posting to ${action} on ${page.url}:\n${page.html}`);
    const replaced = new Set(extra.map(([k]) => k));
    return this.navigate(new URL(form.action, page.url).toString(), { form: [...form.fields.filter(([k]) => !replaced.has(k)), ...extra] }, hosts);
  }
}
