import nodemailer from 'nodemailer';
import type { Db, Queryable } from '../db/db.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

/** A text file sent with a mail, such as a calendar invitation (`text/calendar; method=REQUEST`). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

/** The one way the server sends email. */
export interface Notifier {
  send(msg: MailMessage): Promise<void>;
}

export interface ConfiguredNotifier extends Notifier {
  /** `smtp` when SALUS_SMTP_URL is set; otherwise mail is kept in the `outbox` table. */
  readonly kind: 'smtp' | 'outbox';
  close(): Promise<void>;
}

export const DEFAULT_MAIL_FROM = 'Salus <no-reply@salus.localhost>';

/**
 * SMTP when SALUS_SMTP_URL (smtp://user:pass@host:port, or smtps://) is set, with SALUS_MAIL_FROM
 * as the sender; otherwise the outbox table, so a demo installation works without a mail server
 * and still shows what it would have sent.
 */
export function createNotifier(db: Db, env: NodeJS.ProcessEnv = process.env): ConfiguredNotifier {
  const url = env.SALUS_SMTP_URL;
  if (!url) return createOutboxNotifier(db);
  const from = env.SALUS_MAIL_FROM ?? DEFAULT_MAIL_FROM;
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(msg) {
      await transport.sendMail({
        from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        ...(msg.html ? { html: msg.html } : {}),
        ...(msg.attachments?.length ? { attachments: msg.attachments } : {}),
      });
    },
    async close() {
      transport.close();
    },
  };
}

function createOutboxNotifier(db: Db): ConfiguredNotifier {
  return {
    kind: 'outbox',
    async send(msg) {
      await db.query('INSERT INTO outbox (to_address, subject, text_body, html_body, attachments) VALUES ($1, $2, $3, $4, $5::jsonb)', [
        msg.to,
        msg.subject,
        msg.text,
        msg.html ?? null,
        msg.attachments?.length ? JSON.stringify(msg.attachments) : null,
      ]);
    },
    async close() {},
  };
}

export interface OutboxEntry extends MailMessage {
  id: string;
  createdAt: string;
}

/** The newest mail in the outbox first, optionally only that sent to one address. */
export async function listOutbox(db: Queryable, options: { to?: string; limit?: number } = {}): Promise<OutboxEntry[]> {
  const r = await db.query<{
    id: string;
    to_address: string;
    subject: string;
    text_body: string;
    html_body: string | null;
    attachments: MailAttachment[] | null;
    created_at: string;
  }>(
    `SELECT id, to_address, subject, text_body, html_body, attachments, created_at FROM outbox
     WHERE ($1::text IS NULL OR lower(to_address) = lower($1)) ORDER BY id DESC LIMIT $2`,
    [options.to ?? null, options.limit ?? 50],
  );
  return r.rows.map((row) => ({
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    ...(row.html_body === null ? {} : { html: row.html_body }),
    ...(row.attachments === null ? {} : { attachments: row.attachments }),
    createdAt: row.created_at,
  }));
}
