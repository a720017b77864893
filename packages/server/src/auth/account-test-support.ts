import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { startTestApp, type TestApp } from '../test-support.js';
import type { ConfiguredNotifier } from '../notify/notifier.js';
import type { AccountPolicy, Accounts } from './accounts.js';
import type { AuthEvent } from './types.js';

/** A mail received by the in-process SMTP server. */
export interface ReceivedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Attached files, their content decoded as UTF-8 text. */
  attachments: { filename: string; contentType: string; content: string }[];
}

/**
 * A real SMTP server on a free local port that keeps what it receives, so tests read mail the way
 * a person would: off the wire, as sent by the production transport.
 */
export class MailCatcher {
  readonly received: ReceivedMail[] = [];
  private waiters: { to: string; resolve: (m: ReceivedMail) => void }[] = [];
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      // Plain local delivery: no TLS upgrade for the client to verify, no login to make.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const to = [parsed.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''))[0] ?? '';
            const attachments = parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content.toString('utf8') }));
            this.deliver({ from: parsed.from?.text ?? '', to: to.toLowerCase(), subject: parsed.subject ?? '', text: parsed.text ?? '', attachments });
            callback();
          })
          .catch(callback);
      },
    });
  }

  static async start(): Promise<MailCatcher> {
    const catcher = new MailCatcher();
    await new Promise<void>((resolve) => catcher.server.listen(0, '127.0.0.1', resolve));
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  private deliver(mail: ReceivedMail): void {
    const i = this.waiters.findIndex((w) => w.to === mail.to);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(mail);
    else this.received.push(mail);
  }

  /** The oldest unread mail to `to`, waiting for it if none has arrived yet. */
  next(to: string): Promise<ReceivedMail> {
    const address = to.toLowerCase();
    const i = this.received.findIndex((m) => m.to === address);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ to: address, resolve }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The first link to `path` in a mail's text, and its token. */
export function linkIn(mail: ReceivedMail, path: string): { url: URL; token: string } {
  const match = mail.text.match(/https?:\/\/\S+/g)?.map((s) => new URL(s)).find((u) => u.pathname === path);
  if (!match) throw new Error(`No link to ${path} in mail '${mail.subject}':\n${mail.text}`);
  return { url: match, token: match.searchParams.get('token') ?? '' };
}

/** A clock tests move forward instead of sleeping. */
export class TestClock {
  private t = Date.now();
  now = (): Date => new Date(this.t);
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface AccountsTestApp {
  salus: TestApp;
  accounts: Accounts;
  mail: MailCatcher;
  notifier: ConfiguredNotifier;
  clock: TestClock;
  events: AuthEvent[];
  /** Sessions reported through `onSessionsEnded`. */
  endedSessions: string[];
  close(): Promise<void>;
}

export const TEST_PUBLIC_URL = 'http://salus.test';

/** The real app on a fresh database with the account routes, mail going to an in-process SMTP server. */
export async function startAccountsTestApp(options: { policy?: Partial<AccountPolicy> } = {}): Promise<AccountsTestApp> {
  const mail = await MailCatcher.start();
  const clock = new TestClock();
  const events: AuthEvent[] = [];
  const endedSessions: string[] = [];
  const salus = await startTestApp({
    publicUrl: TEST_PUBLIC_URL,
    env: { ...process.env, SALUS_SMTP_URL: mail.url, SALUS_MAIL_FROM: 'Salus <no-reply@salus.test>' },
    now: clock.now,
    onAuthEvent: (e) => events.push(e),
    onSessionsEnded: (ids) => endedSessions.push(...ids),
    ...(options.policy ? { accountPolicy: options.policy } : {}),
  });
  const { accounts, notifier } = salus;
  return {
    salus,
    accounts,
    mail,
    notifier,
    clock,
    events,
    endedSessions,
    async close() {
      await salus.close();
      await mail.close();
    },
  };
}
