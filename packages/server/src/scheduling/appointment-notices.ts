import type { Appointment, Location, Patient, Practitioner, Schedule, Slot } from '@medplum/fhirtypes';
import { FhirError, formatName, isTimeZone, preferredName, TIMEZONE_URL, visitModeOf } from '@salus/core';
import type { Db, Queryable } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { parseJson } from '../fhir/repository.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Notifier } from '../notify/notifier.js';
import type { WebPush } from '../notify/web-push.js';
import type { AppointmentChange, AppointmentChangeHook } from './events.js';
import { noticeEmail, noticePush, REMINDER_LEADS, type NoticeKind, type ReminderLead, type VisitFacts } from './notice-content.js';

/**
 * Tells patients about their visits: a confirmation when booked, an update when moved, a
 * cancellation when cancelled (each by email with a calendar file, and by Web Push), and reminders
 * 24 hours and 1 hour before. The booking operations call `onAppointmentChange` inside their
 * transaction; it only writes jobs, so the notices exist if and only if the change committed, and
 * the slow part (mail, push services) runs later in the job worker, each channel retried on its own.
 */

export const APPOINTMENT_NOTICE_JOB = 'appointment-notice';

export interface AppointmentNoticesDeps {
  db: Db;
  repo: FhirRepository;
  notifier: Notifier;
  push: WebPush;
  /** The app's origin, for links and calendar UIDs. */
  publicUrl: string;
  jobs: JobQueue;
  /** The clock reminders are planned and checked by. */
  now?: () => Date;
}

type Channel = 'email' | 'push';
const CHANNELS: Channel[] = ['email', 'push'];

/** A job's payload: which version of which appointment, what to say, and how. */
interface NoticeJob {
  appointmentId: string;
  /** The Appointment version the notice is about (its SEQUENCE); reminders read the current one. */
  version?: number;
  notice: NoticeKind;
  channel: Channel;
  /** Reminders: the start they were planned for, and how long before it. */
  start?: string;
  lead?: ReminderLead;
  /** Updates: when the visit was before it moved. */
  previousStart?: string;
}

const appointmentKey = (id: string): string => `appointment/${id}`;
const remindersKey = (id: string): string => `${appointmentKey(id)}/reminder/`;

export function appointmentNotices(deps: AppointmentNoticesDeps): { onAppointmentChange: AppointmentChangeHook } {
  const { jobs, repo } = deps;
  const now = deps.now ?? (() => new Date());

  const notify = async (tx: Queryable, a: Appointment, notice: NoticeKind, extra: Partial<NoticeJob> = {}): Promise<void> => {
    const version = Number(a.meta?.versionId);
    // The version pins what the notice says and orders the calendar's updates.
    if (!Number.isInteger(version)) throw new Error(`Appointment/${a.id} has no version; notices are planned for stored appointments`);
    for (const channel of CHANNELS) {
      const payload: NoticeJob = { appointmentId: a.id!, version, notice, channel, ...extra };
      await jobs.enqueue(tx, { kind: APPOINTMENT_NOTICE_JOB, payload, key: `${appointmentKey(a.id!)}/v${version}/${notice}/${channel}` });
    }
  };

  const planReminders = async (tx: Queryable, a: Appointment): Promise<void> => {
    if (!a.start) return;
    const start = Date.parse(a.start);
    for (const lead of Object.keys(REMINDER_LEADS) as ReminderLead[]) {
      const runAt = new Date(start - REMINDER_LEADS[lead].ms);
      if (runAt <= now()) continue;
      for (const channel of CHANNELS) {
        const payload: NoticeJob = { appointmentId: a.id!, notice: 'reminder', channel, start: a.start, lead };
        await jobs.enqueue(tx, { kind: APPOINTMENT_NOTICE_JOB, payload, runAt, key: `${remindersKey(a.id!)}${a.start}/${lead}/${channel}` });
      }
    }
  };

  const onAppointmentChange = async (tx: Queryable, change: AppointmentChange): Promise<void> => {
    const a = change.appointment;
    switch (change.kind) {
      case 'booked':
        await notify(tx, a, 'confirmation');
        await planReminders(tx, a);
        break;
      case 'rescheduled':
        await jobs.cancel(tx, `${remindersKey(a.id!)}*`);
        await notify(tx, a, 'update', change.previous?.start ? { previousStart: change.previous.start } : {});
        await planReminders(tx, a);
        break;
      case 'cancelled':
        await jobs.cancel(tx, `${remindersKey(a.id!)}*`);
        await notify(tx, a, 'cancellation');
        break;
      case 'no-show':
        // Recorded on the Appointment; the patient is not messaged about a missed visit.
        break;
    }
  };

  const read = async <T>(reference: string | undefined): Promise<T | undefined> => {
    const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '');
    if (!m) return undefined;
    try {
      return parseJson<T>((await repo.read(m[1]!, m[2]!)).content);
    } catch (e) {
      // A clinician or place since deleted still leaves a notice worth sending.
      if (e instanceof FhirError && (e.status === 404 || e.status === 410)) return undefined;
      throw e;
    }
  };

  const participant = (a: Appointment, type: string): string | undefined =>
    a.participant?.map((p) => p.actor?.reference).find((r): r is string => !!r && r.startsWith(`${type}/`));

  /** The clinician's zone: the standard extension on the Schedule the visit's slot belongs to. */
  const timeZoneOf = async (a: Appointment): Promise<string> => {
    const slot = await read<Slot>(a.slot?.[0]?.reference);
    const schedule = await read<Schedule>(slot?.schedule.reference);
    const zone = schedule?.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode;
    return zone && isTimeZone(zone) ? zone : 'UTC';
  };

  /** Where the patient hears from us: their own active account, else the email in their record. */
  const recipients = async (patientId: string, patient: Patient | undefined): Promise<{ email?: string; name?: string; accountIds: string[] }> => {
    const r = await deps.db.query<{ id: string; email: string; display_name: string }>(
      `SELECT a.id, a.email, a.display_name FROM account_patients ap JOIN accounts a ON a.id = ap.account_id
       WHERE ap.patient_id = $1 AND ap.relation = 'self' AND a.status = 'active' ORDER BY a.created_at`,
      [patientId],
    );
    const account = r.rows[0];
    const given = preferredName(patient?.name)?.given?.[0];
    const email = account?.email ?? patient?.telecom?.find((t) => t.system === 'email' && t.value && !t.period?.end)?.value;
    const name = given ?? account?.display_name;
    return { ...(email ? { email } : {}), ...(name ? { name } : {}), accountIds: r.rows.map((row) => row.id) };
  };

  const deliver = async (job: NoticeJob): Promise<void> => {
    const current = await read<Appointment>(`Appointment/${job.appointmentId}`);
    // Deleted since (entered in error): there is nothing left to tell.
    if (!current) return;
    let a: Appointment;
    let lead: ReminderLead | undefined;
    if (job.notice === 'reminder') {
      // Only for the visit as planned: moved or cancelled visits had these cancelled, and a
      // reminder that comes too late to help (less than half its lead left) is dropped.
      const start = Date.parse(job.start ?? '');
      lead = job.lead ?? '24h';
      if (current.status !== 'booked' || current.start !== job.start || start - now().getTime() < REMINDER_LEADS[lead].ms / 2) return;
      a = current;
    } else {
      // A confirmation or update for a visit cancelled since would only confuse.
      if (job.notice !== 'cancellation' && current.status === 'cancelled') return;
      a = parseJson<Appointment>((await repo.vread('Appointment', job.appointmentId, String(job.version))).content);
    }
    if (!a.start || !a.end) return;
    const patientId = participant(a, 'Patient')?.slice('Patient/'.length);
    if (!patientId) return;
    const patient = await read<Patient>(`Patient/${patientId}`);
    const to = await recipients(patientId, patient);
    const mode = visitModeOf(a);
    const clinician = await read<Practitioner>(participant(a, 'Practitioner'));
    const location = mode === 'in-person' ? await read<Location>(participant(a, 'Location')) : undefined;
    const facts: VisitFacts = {
      appointmentId: a.id!,
      sequence: Number(a.meta?.versionId ?? 0),
      start: new Date(a.start),
      end: new Date(a.end),
      mode,
      timeZone: await timeZoneOf(a),
      ...optional('clinician', formatName(clinician?.name) || undefined),
      ...optional('patientName', to.name),
      ...optional('location', location && placeName(location)),
      ...optional('cancellationReason', a.cancelationReason?.text ?? a.cancelationReason?.coding?.[0]?.display),
      ...(job.previousStart ? { previousStart: new Date(job.previousStart) } : {}),
    };
    const ctx = { publicUrl: deps.publicUrl, ...(lead ? { lead } : {}) };
    if (job.channel === 'email') {
      if (to.email) await deps.notifier.send(noticeEmail(job.notice, facts, { ...ctx, to: to.email }));
    } else if (to.accountIds.length > 0) {
      // A push service need not keep a reminder past the start of the visit.
      const ttlSeconds = job.notice === 'reminder' ? Math.max(60, Math.round((facts.start.getTime() - now().getTime()) / 1000)) : undefined;
      await deps.push.send(to.accountIds, noticePush(job.notice, facts, ctx), ttlSeconds ? { ttlSeconds } : {});
    }
  };

  jobs.register<NoticeJob>(APPOINTMENT_NOTICE_JOB, deliver);
  return { onAppointmentChange };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

/** "Harbour Clinic, 12 Quay Street, Portsmouth". */
function placeName(l: Location): string | undefined {
  const address = l.address && [...(l.address.line ?? []), l.address.city].filter(Boolean).join(', ');
  return [l.name, address].filter(Boolean).join(', ') || undefined;
}
