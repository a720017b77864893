import { createEvent } from 'ics';
import { VISIT_MODES, type VisitMode } from '@salus/core';
import type { MailAttachment, MailMessage } from '../notify/notifier.js';
import type { PushMessage } from '../notify/web-push.js';

/**
 * What the patient is told about a visit, by email (with a calendar file) and by Web Push. Pure:
 * the facts are gathered by appointment-notices.ts, so wording and calendar files are tested here.
 */

export type NoticeKind = 'confirmation' | 'update' | 'cancellation' | 'reminder';

/** Reminders before a visit: how long before, and how the visit is then spoken of. */
export const REMINDER_LEADS = {
  '24h': { ms: 24 * 3600_000, when: 'tomorrow' },
  '1h': { ms: 3600_000, when: 'in about an hour' },
} as const;

export type ReminderLead = keyof typeof REMINDER_LEADS;

/** One visit as a notice describes it. */
export interface VisitFacts {
  appointmentId: string;
  /** Increases with every change of the appointment: the calendar file's SEQUENCE. */
  sequence: number;
  start: Date;
  end: Date;
  mode: VisitMode;
  /** The clinician's name, with title ("Dr Amara Okafor"). */
  clinician?: string;
  /** How the patient is greeted ("Maria"). */
  patientName?: string;
  /** In-person visits: the place's name and address. */
  location?: string;
  /** The clinician's IANA time zone, in which times are written. */
  timeZone: string;
  /** Why it was cancelled, when someone said. */
  cancellationReason?: string;
  /** Where a moved visit was before. */
  previousStart?: Date;
}

export interface NoticeContext {
  /** The app's origin, for links. */
  publicUrl: string;
  /** The email address the mail goes to (the calendar file's attendee). */
  to: string;
  /** The reminder's lead, for reminders. */
  lead?: ReminderLead;
}

const SIGNATURE = 'With warm wishes,\nYour care team at Salus';

/**
 * The parts of a date in a zone, put together here rather than by the locale's pattern, whose
 * punctuation changes between ICU versions.
 */
function parts(at: Date, timeZone: string, style: 'long' | 'short'): Record<'weekday' | 'day' | 'month' | 'year' | 'hour' | 'minute', string> {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: style, day: 'numeric', month: style, year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value])) as ReturnType<typeof parts>;
}

/** "Tuesday 8 December 2026 at 06:00" in the zone. */
export function formatWhen(at: Date, timeZone: string): string {
  const p = parts(at, timeZone, 'long');
  return `${p.weekday} ${p.day} ${p.month} ${p.year} at ${p.hour}:${p.minute}`;
}

/** "Tue 8 Dec, 06:00": short enough for a subject line. */
function formatShort(at: Date, timeZone: string): string {
  const p = parts(at, timeZone, 'short');
  return `${p.weekday} ${p.day} ${p.month}, ${p.hour}:${p.minute}`;
}

function formatTime(at: Date, timeZone: string): string {
  const p = parts(at, timeZone, 'short');
  return `${p.hour}:${p.minute}`;
}

/** The zone as people say it: "Los Angeles time, PST"; UTC is just "UTC". */
export function zoneName(at: Date, timeZone: string): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 'UTC';
  const city = timeZone.split('/').pop()!.replace(/_/g, ' ');
  const short = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  return short && short !== city ? `${city} time, ${short}` : `${city} time`;
}

/** The whole of when a visit is: "Tuesday 8 December 2026 at 06:00 to 06:30 (Los Angeles time, PST)". */
function span(f: VisitFacts): string {
  return `${formatWhen(f.start, f.timeZone)} to ${formatTime(f.end, f.timeZone)} (${zoneName(f.start, f.timeZone)})`;
}

/** The web app's page of one's own appointments (it finds the record from the signed-in account). */
const visitsUrl = (publicUrl: string): string => `${publicUrl}/patient/appointments`;

/** "video visit with Dr Amara Okafor". */
function visitPhrase(f: VisitFacts): string {
  const kind = `${VISIT_MODES[f.mode].label.toLowerCase()} visit`;
  return f.clinician ? `${kind} with ${f.clinician}` : kind;
}

/** How the visit happens, told as the patient needs it. */
function howLines(f: VisitFacts, publicUrl: string): string[] {
  switch (f.mode) {
    case 'video':
      return [`How: by video. A few minutes before the start, open ${visitsUrl(publicUrl)} and choose the visit to join; a quiet spot and headphones help.`];
    case 'phone':
      return [`How: by phone. ${f.clinician ?? 'Your clinician'} will call you on the number in your record; please keep your phone nearby.`];
    case 'in-person':
      return [`Where: ${f.location ?? 'at the clinic'}. Please arrive a few minutes early and bring a list of the medicines you take.`];
  }
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The mail for a notice, with its calendar file. */
export function noticeEmail(kind: NoticeKind, f: VisitFacts, ctx: NoticeContext): MailMessage {
  const greeting = f.patientName ? `Dear ${f.patientName},` : 'Hello,';
  const visit = visitPhrase(f);
  const at = formatShort(f.start, f.timeZone);
  const manage = `To see your visits, or to move or cancel this one, go to ${visitsUrl(ctx.publicUrl)}.`;
  const calendar = 'The attached calendar file adds it to your calendar.';
  let subject: string;
  let lines: string[];
  switch (kind) {
    case 'confirmation':
      subject = `Booked: your ${visit}, ${at}`;
      lines = [`Your ${visit} is booked. We look forward to seeing you.`, '', `When: ${span(f)}`, ...howLines(f, ctx.publicUrl), '', `${calendar} ${manage}`];
      break;
    case 'update':
      subject = `Moved: your ${visit} is now ${at}`;
      lines = [
        `Your ${visit} has a new time.`,
        '',
        `When: ${span(f)}`,
        ...(f.previousStart ? [`(It was ${formatWhen(f.previousStart, f.timeZone)}.)`] : []),
        ...howLines(f, ctx.publicUrl),
        '',
        `The attached calendar file updates the visit in your calendar. ${manage}`,
      ];
      break;
    case 'cancellation':
      subject = `Cancelled: your ${visit}, ${at}`;
      lines = [
        `Your ${visit} on ${formatWhen(f.start, f.timeZone)} (${zoneName(f.start, f.timeZone)}) is cancelled.`,
        ...(f.cancellationReason ? [`Reason given: ${f.cancellationReason}`] : []),
        '',
        `The attached calendar file removes it from your calendar. Whenever you would like another time, you can book one at ${visitsUrl(ctx.publicUrl)}.`,
      ];
      break;
    case 'reminder': {
      const when = REMINDER_LEADS[ctx.lead ?? '24h'].when;
      subject = `Reminder: your ${visit} ${when}, ${at}`;
      lines = [`A friendly reminder: your ${visit} is ${when}.`, '', `When: ${span(f)}`, ...howLines(f, ctx.publicUrl), '', manage];
      break;
    }
  }
  const text = [greeting, '', ...lines, '', SIGNATURE, ''].join('\n');
  return { to: ctx.to, subject, text, attachments: [calendarFile(kind, f, ctx)] };
}

/** The short notification for a notice. */
export function noticePush(kind: NoticeKind, f: VisitFacts, ctx: Pick<NoticeContext, 'publicUrl' | 'lead'>): PushMessage {
  const when = `${formatWhen(f.start, f.timeZone)} (${zoneName(f.start, f.timeZone)})`;
  const visit = capitalized(visitPhrase(f));
  const [title, body] = ((): [string, string] => {
    switch (kind) {
      case 'confirmation':
        return ['Visit booked', `${visit}, ${when}.`];
      case 'update':
        return ['Visit moved', `${visit} is now ${when}.`];
      case 'cancellation':
        return ['Visit cancelled', `${visit}, ${when}, is cancelled.`];
      case 'reminder':
        return [`Visit ${REMINDER_LEADS[ctx.lead ?? '24h'].when}`, `${visit}, ${when}.`];
    }
  })();
  return { title, body, url: visitsUrl(ctx.publicUrl), tag: `appointment-${f.appointmentId}` };
}

/**
 * The iCalendar file (RFC 5545 / iTIP): REQUEST to add or update the visit, CANCEL to remove it.
 * One UID per appointment and its version as SEQUENCE, so calendars apply the latest change.
 */
export function calendarFile(kind: NoticeKind, f: VisitFacts, ctx: NoticeContext): MailAttachment {
  const method = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
  const host = new URL(ctx.publicUrl).hostname;
  const utc = { startInputType: 'utc', startOutputType: 'utc', endInputType: 'utc', endOutputType: 'utc' } as const;
  const description = [
    `${capitalized(visitPhrase(f))}.`,
    `When: ${span(f)}`,
    ...howLines(f, ctx.publicUrl),
    `Your visits: ${visitsUrl(ctx.publicUrl)}`,
  ].join('\n');
  const { error, value } = createEvent({
    productId: 'Salus//Appointments//EN',
    method,
    uid: `appointment-${f.appointmentId}@${host}`,
    sequence: f.sequence,
    status: kind === 'cancellation' ? 'CANCELLED' : 'CONFIRMED',
    start: f.start.getTime(),
    end: f.end.getTime(),
    ...utc,
    title: capitalized(visitPhrase(f)),
    description,
    location: f.mode === 'video' ? visitsUrl(ctx.publicUrl) : f.mode === 'phone' ? 'By phone' : (f.location ?? 'At the clinic'),
    url: visitsUrl(ctx.publicUrl),
    // iTIP requires an organizer; replies are not expected, so it is the server's own address.
    organizer: { name: f.clinician ?? 'Salus', email: `no-reply@${host}` },
    attendees: [{ ...(f.patientName ? { name: f.patientName } : {}), email: ctx.to, rsvp: false, partstat: 'ACCEPTED', role: 'REQ-PARTICIPANT' }],
  });
  if (error || !value) throw error ?? new Error('The calendar file could not be made');
  return {
    filename: kind === 'cancellation' ? 'cancelled-visit.ics' : 'visit.ics',
    contentType: `text/calendar; charset=utf-8; method=${method}`,
    content: value,
  };
}
