import { randomUUID } from 'node:crypto';
import type { Extension, Patient, Practitioner, Reference, Task } from '@medplum/fhirtypes';
import { conflict, formatName, notFound, READING_KINDS, type AlertSeverity, type MonitoringAlert, type ReadingKind } from '@salus/core';

export type { MonitoringAlert };
import type { Queryable } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { readMany } from '../fhir/store.js';

/**
 * Alerts are FHIR Tasks for the care team (like the check-in concerns), so they are in the
 * patient's record, under the same access checks and audit, and on the clinicians' worklist.
 * Their life: open (Task requested) → acknowledged (accepted) → resolved (completed), who and
 * when kept as extensions; escalation hands the Task to a second clinician.
 */

export const ALERT_CODE = { system: 'https://salus.health/fhir/CodeSystem/task-code', code: 'monitoring-alert', display: 'Remote monitoring alert' };
export const RULE_SYSTEM = 'https://salus.health/fhir/CodeSystem/monitoring-rule';
const ACK_EXTENSION = 'https://salus.health/fhir/StructureDefinition/alert-acknowledged';
const RESOLVED_EXTENSION = 'https://salus.health/fhir/StructureDefinition/alert-resolved';
const ESCALATED_EXTENSION = 'https://salus.health/fhir/StructureDefinition/alert-escalated';
const READING_EXTENSION = 'https://salus.health/fhir/StructureDefinition/alert-reading';

/** Minutes an alert may stay unacknowledged before it goes to a second clinician. */
export const ESCALATE_AFTER_MINUTES: Record<AlertSeverity, number> = { high: 15, medium: 60, low: 240 };

export type AlertStatus = MonitoringAlert['status'];

const PRIORITY: Record<AlertSeverity, Task['priority']> = { high: 'stat', medium: 'urgent', low: 'routine' };
const SEVERITY: Record<string, AlertSeverity> = { stat: 'high', asap: 'high', urgent: 'medium', routine: 'low' };
const STATUS: Record<string, AlertStatus> = { requested: 'open', accepted: 'acknowledged', completed: 'resolved', cancelled: 'resolved' };

export interface NewAlert {
  patientId: string;
  ruleKey: string;
  severity: AlertSeverity;
  title: string;
  detail: string;
  /** The Observation the alert is about (a reading or a NEWS2 score). */
  focus?: string;
  reading?: MonitoringAlert['reading'];
  carePlanId?: string;
  owner?: string;
}

function stamp(url: string, who: string | undefined, at: string, extra: Extension[] = []): Extension {
  return { url, extension: [...(who ? [{ url: 'by', valueReference: { reference: who } }] : []), { url: 'at', valueDateTime: at }, ...extra] };
}

/**
 * Opens an alert unless one for the same patient and rule is still unresolved (the partial unique
 * index decides, so two nodes seeing the same deterioration open one alert). Runs in `tx` with
 * the server's repository. Resolves to the new Task's id, or undefined.
 */
export async function openAlert(repo: FhirRepository, tx: Queryable, a: NewAlert, now: Date): Promise<string | undefined> {
  const id = randomUUID();
  const at = now.toISOString();
  const r = await tx.query(
    `INSERT INTO monitoring_alerts (task_id, patient_id, rule_key, severity, status, opened_at) VALUES ($1, $2, $3, $4, 'open', $5)
     ON CONFLICT (patient_id, rule_key) WHERE status <> 'resolved' DO NOTHING RETURNING task_id`,
    [id, a.patientId, a.ruleKey, a.severity, at],
  );
  if (r.rows.length === 0) return undefined;
  const task: Task = {
    resourceType: 'Task',
    id,
    status: 'requested',
    intent: 'order',
    priority: PRIORITY[a.severity],
    code: { coding: [ALERT_CODE], text: a.title },
    description: a.detail,
    for: { reference: `Patient/${a.patientId}` },
    ...(a.focus ? { focus: { reference: a.focus } } : {}),
    ...(a.carePlanId ? { basedOn: [{ reference: `CarePlan/${a.carePlanId}` }] } : {}),
    ...(a.owner ? { owner: { reference: a.owner } } : {}),
    authoredOn: at,
    lastModified: at,
    reasonCode: { coding: [{ system: RULE_SYSTEM, code: a.ruleKey }], text: a.title },
    ...(a.reading ? { extension: [{ url: READING_EXTENSION, valueString: JSON.stringify(a.reading) }] } : {}),
  };
  await repo.within(tx).update('Task', id, task);
  return id;
}

async function loadTask(repo: FhirRepository, tx: Queryable, id: string): Promise<Task> {
  const task = JSON.parse((await repo.within(tx).read('Task', id)).content) as Task;
  if (task.code?.coding?.[0]?.code !== ALERT_CODE.code) throw notFound(`No monitoring alert ${id}`);
  return task;
}

/**
 * Acknowledges or resolves an alert as the caller (`repo` checks that they may update the
 * patient's Tasks). A second click, or resolving what is resolved, is a 409 naming who did it.
 */
export async function moveAlert(
  repo: FhirRepository,
  id: string,
  to: 'acknowledged' | 'resolved',
  who: string | undefined,
  note: string | undefined,
  now: Date,
): Promise<Task> {
  return repo.db.transaction(async (tx) => {
    const row = await tx.query<{ status: AlertStatus }>('SELECT status FROM monitoring_alerts WHERE task_id = $1 FOR UPDATE', [id]);
    const task = await loadTask(repo, tx, id);
    const current = row.rows[0]?.status;
    if (!current) throw notFound(`No monitoring alert ${id}`);
    if (current === 'resolved' || (current === 'acknowledged' && to === 'acknowledged')) {
      throw conflict(`The alert is already ${current}`);
    }
    const at = now.toISOString();
    const extension = [...(task.extension ?? [])];
    if (to === 'acknowledged') extension.push(stamp(ACK_EXTENSION, who, at));
    else extension.push(stamp(RESOLVED_EXTENSION, who, at));
    const next: Task = {
      ...task,
      status: to === 'acknowledged' ? 'accepted' : 'completed',
      lastModified: at,
      extension,
      ...(to === 'acknowledged' && who?.startsWith('Practitioner/') ? { owner: { reference: who } } : {}),
      ...(note ? { note: [...(task.note ?? []), { text: note, time: at, ...(who ? { authorReference: { reference: who } } : {}) }] } : {}),
    };
    await repo.within(tx).update('Task', id, next);
    await tx.query(
      `UPDATE monitoring_alerts SET status = $2, ${to === 'acknowledged' ? 'acknowledged_at' : 'resolved_at'} = $3 WHERE task_id = $1`,
      [id, to, at],
    );
    return next;
  });
}

/** Hands an unacknowledged alert to `to`; false when it was acknowledged or resolved meanwhile. */
export async function escalateAlert(repo: FhirRepository, id: string, to: string, now: Date): Promise<boolean> {
  return repo.db.transaction(async (tx) => {
    const row = await tx.query<{ status: AlertStatus }>('SELECT status FROM monitoring_alerts WHERE task_id = $1 FOR UPDATE', [id]);
    if (row.rows[0]?.status !== 'open') return false;
    const task = await loadTask(repo, tx, id);
    const at = now.toISOString();
    const from = task.owner?.reference;
    const next: Task = {
      ...task,
      owner: { reference: to },
      lastModified: at,
      extension: [...(task.extension ?? []), stamp(ESCALATED_EXTENSION, undefined, at, [{ url: 'to', valueReference: { reference: to } }, ...(from ? [{ url: 'from', valueReference: { reference: from } }] : [])])],
    };
    await repo.within(tx).update('Task', id, next);
    await tx.query('UPDATE monitoring_alerts SET escalated_at = $2 WHERE task_id = $1', [id, at]);
    return true;
  });
}

function nameOf(content: string | undefined): string | undefined {
  return content ? formatName((JSON.parse(content) as Patient | Practitioner).name) || undefined : undefined;
}

function sub(ext: Extension | undefined, url: string): Extension | undefined {
  return ext?.extension?.find((e) => e.url === url);
}

/** Tasks as the alerts the screens show, with the people named (one read for all names). */
export async function alertsFromTasks(repo: FhirRepository, tasks: Task[]): Promise<MonitoringAlert[]> {
  const refs = new Set<string>();
  const extOf = (t: Task, url: string) => t.extension?.find((e) => e.url === url);
  for (const t of tasks) {
    for (const r of [t.for?.reference, t.owner?.reference, sub(extOf(t, ACK_EXTENSION), 'by')?.valueReference?.reference, sub(extOf(t, RESOLVED_EXTENSION), 'by')?.valueReference?.reference]) {
      if (r && /^(Patient|Practitioner)\//.test(r)) refs.add(r);
    }
  }
  const keys = [...refs].map((r) => ({ resType: r.split('/')[0]!, id: r.split('/')[1]! }));
  const names = new Map<string, string | undefined>();
  for (const s of await readMany(repo.db, keys, { cipher: repo.config.cipher })) names.set(`${s.resType}/${s.id}`, nameOf(s.content));
  const named = (r: Reference | undefined): string | undefined => (r?.reference ? (names.get(r.reference) ?? r.reference) : undefined);
  return tasks.map((t) => {
    const ack = extOf(t, ACK_EXTENSION);
    const res = extOf(t, RESOLVED_EXTENSION);
    const esc = t.extension?.filter((e) => e.url === ESCALATED_EXTENSION).at(-1);
    const reading = extOf(t, READING_EXTENSION)?.valueString;
    const alert: MonitoringAlert = {
      id: t.id!,
      patientId: t.for!.reference!.slice('Patient/'.length),
      patientName: named(t.for) ?? '',
      status: STATUS[t.status] ?? 'open',
      severity: SEVERITY[t.priority ?? 'routine'] ?? 'low',
      rule: t.reasonCode?.coding?.[0]?.code ?? '',
      title: t.code?.text ?? ALERT_CODE.display,
      detail: t.description ?? '',
      openedAt: t.authoredOn!,
    };
    if (reading) alert.reading = JSON.parse(reading) as MonitoringAlert['reading'];
    const at = (e: Extension | undefined) => sub(e, 'at')?.valueDateTime;
    if (ack) {
      alert.acknowledgedAt = at(ack)!;
      const by = named(sub(ack, 'by')?.valueReference);
      if (by) alert.acknowledgedBy = by;
    }
    if (res) {
      alert.resolvedAt = at(res)!;
      const by = named(sub(res, 'by')?.valueReference);
      alert.resolvedBy = by ?? 'Salus';
    }
    if (esc) {
      alert.escalatedAt = at(esc)!;
      const to = named(sub(esc, 'to')?.valueReference);
      if (to) alert.escalatedTo = to;
    }
    const owner = named(t.owner);
    if (owner) alert.owner = owner;
    return alert;
  });
}

export function readingForAlert(r: { kind: ReadingKind; time: string; value: number; value2?: number }): NonNullable<MonitoringAlert['reading']> {
  return { kind: r.kind, time: r.time, value: r.value, ...(r.value2 !== undefined ? { value2: r.value2 } : {}), unit: READING_KINDS[r.kind].unit };
}
