import type { Patient, Task } from '@medplum/fhirtypes';
import {
  describeRule,
  formatReading,
  news2Observation,
  observationFromReading,
  READING_KINDS,
  READING_KIND_LIST,
  ruleKey,
  scoreNews2,
  thresholdBreaches,
  trendBreach,
  type Acvpu,
  type AlertSeverity,
  type MonitoringPlan,
  type News2Band,
  type News2Result,
  type News2Summary,
  type ReadingKind,
  type TrendRule,
} from '@salus/core';
import type { Db, Queryable } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { readMany, writeVersions } from '../fhir/store.js';
import type { JobQueue } from '../jobs/queue.js';
import { escalateAlert, ESCALATE_AFTER_MINUTES, openAlert, readingForAlert, type NewAlert } from './alerts.js';
import { latestReadings, readingsById, recentValues, type StoredReading } from './readings-store.js';

/**
 * The watching: every new reading is checked against the patient's plan (thresholds, trends),
 * NEWS2 is scored when a full set of observations is at hand, and missing data is looked for on
 * a timer. Alerts open in one transaction with the FHIR Observations they rest on.
 */

/** NOTIFY channel of monitoring events between nodes: alerts, plan changes, new scores, readings. */
export const MONITORING_CHANNEL = 'salus_monitoring';

export type { News2Summary };

export type MonitoringEvent =
  | { t: 'alert'; id: string; p: string }
  | { t: 'plan'; p: string }
  | { t: 'news2'; p: string; n: News2Summary }
  | { t: 'readings'; p: string; r: { kind: ReadingKind; time: string; value: number; value2?: number }[] };

/** Observations of a full NEWS2 set must fall within this span before the newest of them. */
const NEWS2_WINDOW_MS = 60 * 60_000;
/** Streamed readings (pulse, SpO2) rescore at most this often; spot measurements always do. */
const NEWS2_STREAM_INTERVAL_MS = 5 * 60_000;
/** A score equal to the last one is stored again only after this long, so the record shows it still holds. */
const NEWS2_RESTATE_MS = 60 * 60_000;
const NEWS2_KINDS: readonly ReadingKind[] = ['respiratory-rate', 'oxygen-saturation', 'supplemental-oxygen', 'blood-pressure', 'heart-rate', 'consciousness', 'body-temperature'];
const NEWS2_SPOT_KINDS = new Set<ReadingKind>(['respiratory-rate', 'supplemental-oxygen', 'blood-pressure', 'consciousness', 'body-temperature']);
const ACVPU_BY_INDEX: readonly Acvpu[] = ['A', 'C', 'V', 'P', 'U'];
const NEWS2_SEVERITY: Partial<Record<News2Band, AlertSeverity>> = { high: 'high', medium: 'medium', 'low-medium': 'medium' };
const NEWS2_TITLE: Partial<Record<News2Band, string>> = {
  high: 'NEWS2 high (7 or more): emergency assessment',
  medium: 'NEWS2 medium (5–6): urgent review',
  'low-medium': 'NEWS2: one parameter scores 3, urgent review',
};

export interface WatchDeps {
  db: Db;
  /** The server's own repository (no caller): the device's right was checked when it sent the readings. */
  repo: FhirRepository;
  jobs: JobQueue;
  now: () => Date;
}

export interface Watcher {
  /** Checks a batch of new readings of one patient; resolves to the ids of the alerts it opened. */
  check(patientId: string, fresh: StoredReading[]): Promise<string[]>;
  /** Forgets a patient's cached plan (their plan changed, here or on another node). */
  forget(patientId: string): void;
  /** Opens missing-data alerts for every monitored patient whose readings stopped; resolves to their count. */
  checkMissing(): Promise<number>;
}

export function createWatcher(deps: WatchDeps): Watcher {
  const { db, repo, jobs, now } = deps;
  const plans = new Map<string, { plan: MonitoringPlan; carePlanId: string; owner?: string; at: number } | null>();
  const lastScored = new Map<string, number>();

  async function planOf(patientId: string): Promise<{ plan: MonitoringPlan; carePlanId: string; owner?: string } | undefined> {
    const t = Date.now();
    const hit = plans.get(patientId);
    if (hit !== undefined && (hit === null || t - hit.at < 60_000)) return hit ?? undefined;
    const r = await db.query<{ plan: MonitoringPlan; care_plan_id: string }>('SELECT plan, care_plan_id FROM monitoring_patients WHERE patient_id = $1 AND active', [patientId], { prepare: true });
    const row = r.rows[0];
    if (!row) {
      plans.set(patientId, null);
      return undefined;
    }
    // Alerts go to whoever set the plan up, or the patient's own doctor.
    const [cp, patient] = await readMany(db, [{ resType: 'CarePlan', id: row.care_plan_id }, { resType: 'Patient', id: patientId }], { ...(repo.config.cipher ? { cipher: repo.config.cipher } : {}) }).then((rows) => [
      rows.find((x) => x.resType === 'CarePlan'),
      rows.find((x) => x.resType === 'Patient'),
    ]);
    const author = cp?.content ? (JSON.parse(cp.content) as { author?: { reference?: string } }).author?.reference : undefined;
    const gp = patient?.content ? (JSON.parse(patient.content) as Patient).generalPractitioner?.find((g) => g.reference?.startsWith('Practitioner/'))?.reference : undefined;
    const owner = author?.startsWith('Practitioner/') ? author : gp;
    const entry = { plan: row.plan, carePlanId: row.care_plan_id, ...(owner ? { owner } : {}), at: t };
    plans.set(patientId, entry);
    return entry;
  }

  /** Writes the readings as FHIR Observations (same ids), skipping those already written. */
  async function materialize(tx: Queryable, readings: StoredReading[]): Promise<void> {
    if (readings.length === 0) return;
    const existing = new Set((await readMany(tx, readings.map((r) => ({ resType: 'Observation', id: r.id })))).map((s) => s.id));
    const at = now().toISOString();
    const writes = readings
      .filter((r) => !existing.has(r.id))
      .map((r) =>
        repo.prepare(
          observationFromReading(r, { id: r.id, patientId: r.patientId, ...(r.deviceId.startsWith('manual:') ? {} : { deviceId: r.deviceId }) }),
          r.id,
          1,
          at,
          'PUT',
        ),
      );
    await writeVersions(tx, writes);
  }

  async function open(tx: Queryable, alert: NewAlert, readings: StoredReading[]): Promise<string | undefined> {
    await materialize(tx, readings);
    const id = await openAlert(repo, tx, alert, now());
    if (!id) return undefined;
    const runAt = new Date(now().getTime() + ESCALATE_AFTER_MINUTES[alert.severity] * 60_000);
    await jobs.enqueue(tx, { kind: 'monitoring.escalate', payload: { taskId: id }, runAt, key: `monitoring.escalate|${id}` });
    await notify(tx, { t: 'alert', id, p: alert.patientId });
    return id;
  }

  async function news2(patientId: string, fresh: StoredReading[], plan: MonitoringPlan): Promise<{ result: News2Result; time: string; used: StoredReading[] } | undefined> {
    const touched = fresh.filter((r) => NEWS2_KINDS.includes(r.kind));
    if (touched.length === 0) return undefined;
    const t = Date.now();
    const spot = touched.some((r) => NEWS2_SPOT_KINDS.has(r.kind));
    if (!spot && t - (lastScored.get(patientId) ?? 0) < NEWS2_STREAM_INTERVAL_MS) return undefined;
    lastScored.set(patientId, t);
    const newest = touched.reduce((a, r) => (r.time > a ? r.time : a), touched[0]!.time);
    const since = new Date(new Date(newest).getTime() - NEWS2_WINDOW_MS).toISOString();
    const latest = await latestReadings(db, [patientId], NEWS2_KINDS, since);
    const of = (k: ReadingKind) => latest.find((r) => r.kind === k && r.time <= newest);
    const rr = of('respiratory-rate');
    const spo2 = of('oxygen-saturation');
    const bp = of('blood-pressure');
    const hr = of('heart-rate');
    const temp = of('body-temperature');
    if (!rr || !spo2 || !bp || !hr || !temp) return undefined;
    // Devices at home rarely report these two; unreported means on air and alert, as the patient is at home answering their devices.
    const acvpu = of('consciousness');
    const oxygen = of('supplemental-oxygen');
    const result = scoreNews2({
      respiratoryRate: rr.value,
      oxygenSaturation: spo2.value,
      onOxygen: (oxygen?.value ?? 0) > 0,
      systolic: bp.value,
      heartRate: hr.value,
      consciousness: ACVPU_BY_INDEX[acvpu?.value ?? 0] ?? 'A',
      temperature: temp.value,
      scale2: plan.spo2Scale2,
    });
    return { result, time: newest, used: [rr, spo2, bp, hr, temp, ...(acvpu ? [acvpu] : []), ...(oxygen ? [oxygen] : [])] };
  }

  async function notify(q: Queryable, e: MonitoringEvent): Promise<void> {
    await q.query('SELECT pg_notify($1, $2)', [MONITORING_CHANNEL, JSON.stringify(e)]);
  }

  jobs.register<{ taskId: string }>('monitoring.escalate', async ({ taskId }) => {
    const r = await db.query<{ patient_id: string; status: string }>('SELECT patient_id, status FROM monitoring_alerts WHERE task_id = $1', [taskId]);
    const row = r.rows[0];
    if (!row || row.status !== 'open') return;
    const task = JSON.parse((await repo.read('Task', taskId)).content) as Task;
    const to = await secondClinician(repo, row.patient_id, task.owner?.reference);
    if (!to) return;
    if (await escalateAlert(repo, taskId, to, now())) await notify(db, { t: 'alert', id: taskId, p: row.patient_id });
  });

  return {
    forget(patientId) {
      plans.delete(patientId);
    },

    async check(patientId, fresh) {
      if (fresh.length === 0) return [];
      const p = await planOf(patientId);
      if (!p) return [];
      const { plan } = p;
      const candidates: { alert: NewAlert; readings: StoredReading[] }[] = [];
      const seen = new Set<string>();
      // Newest first: of a run of high readings the alert shows the latest.
      const ordered = [...fresh].sort((a, b) => (a.time < b.time ? 1 : -1));
      for (const reading of ordered) {
        for (const rule of thresholdBreaches(plan, reading)) {
          const key = ruleKey(rule);
          if (seen.has(key)) continue;
          seen.add(key);
          candidates.push({
            alert: {
              patientId,
              ruleKey: key,
              severity: rule.severity,
              title: describeRule(rule),
              detail: `${READING_KINDS[reading.kind].text} ${formatReading(reading)} at ${reading.time}`,
              focus: `Observation/${reading.id}`,
              reading: readingForAlert(reading),
              carePlanId: p.carePlanId,
              ...(p.owner ? { owner: p.owner } : {}),
            },
            readings: [reading],
          });
        }
      }
      for (const rule of plan.rules) {
        if (rule.type !== 'trend') continue;
        const newest = ordered.find((r) => r.kind === rule.kind);
        if (!newest) continue;
        const trend = await trendAlert(rule, newest);
        if (trend) candidates.push(trend);
      }
      const scored = await news2(patientId, fresh, plan);
      if (candidates.length > 0) {
        // A run of high readings keeps one alert open; skip the work for rules already alerting.
        const r = await db.query<{ rule_key: string }>(`SELECT rule_key FROM monitoring_alerts WHERE patient_id = $1 AND status <> 'resolved'`, [patientId], { prepare: true });
        const unresolved = new Set(r.rows.map((row) => row.rule_key));
        for (let i = candidates.length - 1; i >= 0; i--) if (unresolved.has(candidates[i]!.alert.ruleKey)) candidates.splice(i, 1);
      }
      if (candidates.length === 0 && !scored) return [];
      const ids: string[] = [];
      await db.transaction(async (tx) => {
        if (scored) {
          const summary: News2Summary = { total: scored.result.total, band: scored.result.band, time: scored.time, scale: scored.result.scale, parameters: scored.result.parameters };
          const last = await tx.query<{ news2: News2Summary | null; news2_at: Date | null }>('SELECT news2, news2_at FROM monitoring_patients WHERE patient_id = $1 FOR UPDATE', [patientId]);
          const prev = last.rows[0];
          const changed = !prev?.news2 || prev.news2.total !== summary.total || prev.news2.band !== summary.band;
          const stale = !prev?.news2_at || now().getTime() - new Date(prev.news2_at).getTime() > NEWS2_RESTATE_MS;
          if (changed || stale) {
            await materialize(tx, scored.used);
            const obs = news2Observation(scored.result, { patientId, time: scored.time, derivedFrom: scored.used.map((r) => `Observation/${r.id}`) });
            const stored = (await repo.within(tx).create(obs)).stored;
            await tx.query('UPDATE monitoring_patients SET news2 = $2::jsonb, news2_at = $3 WHERE patient_id = $1', [patientId, JSON.stringify(summary), scored.time]);
            await notify(tx, { t: 'news2', p: patientId, n: summary });
            const severity = NEWS2_SEVERITY[summary.band];
            if (severity) {
              candidates.push({
                alert: {
                  patientId,
                  ruleKey: `news2:${summary.band}`,
                  severity,
                  title: NEWS2_TITLE[summary.band]!,
                  detail: `NEWS2 ${summary.total} at ${summary.time}: ${scored.result.response}`,
                  focus: `Observation/${stored.id}`,
                  carePlanId: p.carePlanId,
                  ...(p.owner ? { owner: p.owner } : {}),
                },
                readings: [],
              });
            }
          }
        }
        for (const c of candidates) {
          const id = await open(tx, c.alert, c.readings);
          if (id) ids.push(id);
        }
      });
      return ids;
    },

    async checkMissing() {
      const r = await db.query<{ patient_id: string; plan: MonitoringPlan; care_plan_id: string; enrolled_at: Date }>(
        'SELECT patient_id, plan, care_plan_id, enrolled_at FROM monitoring_patients WHERE active',
      );
      const watched = r.rows.filter((row) => row.plan.rules.some((rule) => rule.type === 'missing'));
      if (watched.length === 0) return 0;
      // Every monitored patient's newest reading of each kind, in one statement.
      const newest = new Map<string, number>();
      for (const x of await latestReadings(db, watched.map((w) => w.patient_id), READING_KIND_LIST)) {
        newest.set(`${x.patientId}|${x.kind}`, new Date(x.time).getTime());
      }
      const t = now().getTime();
      let opened = 0;
      for (const row of watched) {
        for (const rule of row.plan.rules) {
          if (rule.type !== 'missing') continue;
          const kinds = rule.kind ? [rule.kind] : (READING_KIND_LIST);
          const times = kinds.map((k) => newest.get(`${row.patient_id}|${k}`)).filter((x): x is number => x !== undefined);
          const last = Math.max(new Date(row.enrolled_at).getTime(), ...times);
          if (t - last < rule.hours * 3600_000) continue;
          const p = await planOf(row.patient_id);
          const id = await db.transaction((tx) =>
            open(
              tx,
              {
                patientId: row.patient_id,
                ruleKey: ruleKey(rule),
                severity: rule.severity,
                title: describeRule(rule),
                detail: `The last ${rule.kind ? READING_KINDS[rule.kind].text.toLowerCase() : 'reading'} arrived ${times.length ? new Date(last).toISOString() : 'never (since enrolment)'}`,
                carePlanId: row.care_plan_id,
                ...(p?.owner ? { owner: p.owner } : {}),
              },
              [],
            ),
          );
          if (id) opened++;
        }
      }
      return opened;
    },
  };

  async function trendAlert(rule: TrendRule, newest: StoredReading): Promise<{ alert: NewAlert; readings: StoredReading[] } | undefined> {
    const from = new Date(new Date(newest.time).getTime() - rule.withinHours * 3600_000).toISOString();
    const series = await recentValues(db, newest.patientId, rule.kind, from, newest.time);
    const breach = trendBreach(rule, series);
    if (!breach) return undefined;
    const first = series.find((s) => s.time === breach.from.time)!;
    const used = await readingsById(db, [first.id, newest.id]);
    const info = READING_KINDS[rule.kind];
    const p = await planOf(newest.patientId);
    const hours = Math.round((breach.to.time - breach.from.time) / 3600_000);
    return {
      alert: {
        patientId: newest.patientId,
        ruleKey: ruleKey(rule),
        severity: rule.severity,
        title: describeRule(rule),
        detail: `${info.text} ${breach.change > 0 ? 'up' : 'down'} ${Math.abs(Math.round(breach.change * 100) / 100)} ${info.unitText} in ${hours} h (${breach.from.value} → ${breach.to.value} ${info.unitText})`,
        focus: `Observation/${newest.id}`,
        reading: readingForAlert(newest),
        ...(p ? { carePlanId: p.carePlanId } : {}),
        ...(p?.owner ? { owner: p.owner } : {}),
      },
      readings: used,
    };
  }
}

/**
 * Who an unacknowledged alert goes to next: the patient's own doctor, then the clinicians on
 * their active care teams, whoever is not already holding it.
 */
async function secondClinician(repo: FhirRepository, patientId: string, current: string | undefined): Promise<string | undefined> {
  const patient = JSON.parse((await repo.read('Patient', patientId)).content) as Patient;
  const candidates = (patient.generalPractitioner ?? []).map((g) => g.reference).filter((r): r is string => !!r?.startsWith('Practitioner/'));
  const { page } = await repo.search('CareTeam', [
    ['patient', patientId],
    ['status', 'active'],
  ]);
  for (const e of page.entries) {
    const team = JSON.parse(e.content) as { participant?: { member?: { reference?: string } }[] };
    for (const m of team.participant ?? []) if (m.member?.reference?.startsWith('Practitioner/')) candidates.push(m.member.reference);
  }
  // Then the other clinicians of the patient's own practice.
  const org = patient.managingOrganization?.reference;
  if (org?.startsWith('Organization/')) {
    const roles = await repo.search('PractitionerRole', [
      ['organization', org],
      ['active', 'true'],
    ]);
    for (const e of roles.page.entries) {
      const who = (JSON.parse(e.content) as { practitioner?: { reference?: string } }).practitioner?.reference;
      if (who?.startsWith('Practitioner/')) candidates.push(who);
    }
  }
  return candidates.find((c) => c !== current);
}
