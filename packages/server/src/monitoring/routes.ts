import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Patient, Task } from '@medplum/fhirtypes';
import {
  adviceFor,
  formatName,
  badRequest,
  FhirError,
  forbidden,
  isValidId,
  planIssues,
  READING_KINDS,
  READING_KIND_LIST,
  unauthorized,
  outcome,
  issue,
  type LatestReading,
  type MonitoringPlan,
  type ReadingKind,
} from '@salus/core';
import { AccessGuard } from '../access/guard.js';
import { auditAgent, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { AuditInput } from '../audit/types.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { readMany } from '../fhir/store.js';
import { ALERT_CODE, alertsFromTasks, moveAlert, type MonitoringAlert } from './alerts.js';
import { DEVICE_TYPE_SYSTEM, enrolDevice, readDeviceDetails } from './devices.js';
import { pairingPatient, redeemPairingCode, type DeviceTokens } from './device-tokens.js';
import { ingestAudit, type Ingestor, type IngestResult } from './ingest.js';
import { MONITORING_CATEGORY, readPlan, savePlan } from './plans.js';
import { ecgStrips, latestReadings, readSeries, sparklines, type StoredReading } from './readings-store.js';
import { MONITORING_CHANNEL, type News2Summary } from './watch.js';

export interface MonitoringRouteDeps {
  db: Db;
  repo: FhirRepository;
  auth: Authenticator;
  audit: AuditSink;
  tokens: DeviceTokens;
  ingestor: Ingestor;
  now: () => Date;
  /** Tells every node a patient's plan changed. */
  planChanged(patientId: string): Promise<void>;
  /** MQTT topic prefix devices publish to, for the pairing answer. */
  mqttTopic(deviceId: string): string;
}

type Meta = { ip?: string; userAgent?: string };
const metaOf = (req: FastifyRequest): Meta => ({ ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) });

const DAY = 86_400_000;
const SHOWN_KINDS = READING_KIND_LIST.filter((k) => k !== 'ecg');
const RISK_ORDER = { high: 0, medium: 1, 'low-medium': 2, low: 3 } as const;
type Risk = keyof typeof RISK_ORDER;

function latestView(r: StoredReading, plan: MonitoringPlan | undefined): LatestReading {
  const info = READING_KINDS[r.kind];
  const out: LatestReading = { kind: r.kind, time: r.time, value: r.value, unit: info.unit, unitText: info.unitText, text: info.text };
  if (r.value2 !== undefined) out.value2 = r.value2;
  if (plan) {
    const a = adviceFor(r, plan);
    out.advice = { level: a.level, text: a.text };
  }
  return out;
}

export function registerMonitoringRoutes(app: FastifyInstance, deps: MonitoringRouteDeps): void {
  const { db, repo, auth, audit, now } = deps;

  /**
   * Runs a request about one patient's monitoring as the caller: signed in, the patient within
   * their reach (404 otherwise, as everywhere), `need` granted, and the ledger told either way.
   */
  async function asCaller<T>(
    req: FastifyRequest,
    entry: { action: AuditInput['action']; subtype: string; patientId?: string },
    need: (guard: AccessGuard) => void | Promise<void>,
    fn: (ctx: { principal: Principal; guard: AccessGuard; shown: Set<string> }) => Promise<T>,
  ): Promise<T> {
    const principal = await auth.principal(req);
    if (!principal) throw unauthorized('Sign in to see monitoring');
    const guard = new AccessGuard(principal);
    // Patients a list showed (the dashboard, the alert feed): each one's access log says so.
    const shown = new Set<string>(entry.patientId ? [entry.patientId] : []);
    const record = (status: number, error?: string) =>
      audit.append({
        action: entry.action,
        subtype: entry.subtype,
        outcome: status === 401 || status === 403 || (status === 404 && guard.denials.length > 0) ? 'denied' : status >= 400 ? 'failure' : 'success',
        ...(error ? { outcomeDesc: error } : {}),
        agent: auditAgent(principal, metaOf(req)),
        entities: [...shown].map((id) => `Patient/${id}`),
        patientIds: [...shown],
        query: req.url,
      });
    try {
      if (entry.patientId !== undefined) {
        if (!isValidId(entry.patientId)) throw badRequest('Not a patient id', 'patient');
        await guard.checkStored(db, 'Patient', entry.patientId, 'r');
      }
      await need(guard);
      const out = await fn({ principal, guard, shown });
      await record(200);
      return out;
    } catch (e) {
      await record(e instanceof FhirError ? e.status : 500, e instanceof FhirError ? e.outcome.issue?.[0]?.diagnostics : undefined);
      throw e;
    }
  }

  const requireClinician = (guard: AccessGuard): void => {
    const p = guard.principal;
    if (!p.roles.includes('practitioner') || !p.fhirUser?.startsWith('Practitioner/')) throw forbidden('The monitoring dashboard is for clinicians');
  };

  async function openAlerts(patientIds: string[]): Promise<Map<string, MonitoringAlert[]>> {
    const r = await db.query<{ task_id: string }>(
      `SELECT task_id FROM monitoring_alerts WHERE patient_id = ANY($1::text[]) AND status <> 'resolved' ORDER BY opened_at DESC`,
      [patientIds],
    );
    const tasks = (await readMany(db, r.rows.map((x) => ({ resType: 'Task', id: x.task_id })), repo.config.cipher ? { cipher: repo.config.cipher } : {})).map((s) => JSON.parse(s.content) as Task);
    const alerts = await alertsFromTasks(repo, tasks);
    const out = new Map<string, MonitoringAlert[]>();
    for (const a of alerts) out.set(a.patientId, [...(out.get(a.patientId) ?? []), a]);
    return out;
  }

  async function summaries(patientIds: string[]) {
    const t = now();
    const [rows, latest, lines, alerts] = await Promise.all([
      db.query<{ patient_id: string; plan: MonitoringPlan; news2: News2Summary | null; last_reading_at: Date | null }>(
        'SELECT patient_id, plan, news2, last_reading_at FROM monitoring_patients WHERE patient_id = ANY($1::text[]) AND active',
        [patientIds],
      ),
      latestReadings(db, patientIds, READING_KIND_LIST),
      sparklines(db, patientIds, new Date(t.getTime() - 7 * DAY), t, 60),
      openAlerts(patientIds),
    ]);
    const byPatient = new Map(rows.rows.map((r) => [r.patient_id, r]));
    return { byPatient, latest, lines, alerts };
  }

  // --- Devices: pairing by code (the code is the credential) -------------------------------
  app.post('/monitoring/pair', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const meta = metaOf(req);
    if (typeof body.code !== 'string' || body.code.trim() === '') throw badRequest('Send the pairing code shown in Salus', 'code');
    const details = readDeviceDetails(body);
    const at = now();
    const result = await db.transaction(async (tx) => {
      // The Device is written before the code is spent, so its id can be recorded with it; a
      // wrong code rolls both back.
      const patientId = await pairingPatient(tx, body.code as string, at);
      if (!patientId) return undefined;
      const enrolled = await enrolDevice(repo, tx, patientId, details, 'pairing-code');
      const redeemed = await redeemPairingCode(tx, body.code as string, enrolled.device.id, at);
      if (redeemed !== patientId) throw new FhirError(409, outcome(issue('error', 'conflict', 'The code was used at the same moment; ask for a new one', 'code')));
      return { ...enrolled, patientId };
    });
    await audit.append({
      action: 'C',
      subtype: 'device-pairing',
      outcome: result ? 'success' : 'denied',
      outcomeDesc: result ? `Device/${result.device.id} paired` : 'wrong, used or expired pairing code',
      agent: { ...meta, clientId: 'device-pairing' },
      entities: result ? [`Device/${result.device.id}`] : [],
      patientIds: result ? [result.patientId] : [],
      query: req.url,
    });
    if (!result) throw new FhirError(404, outcome(issue('error', 'not-found', 'That pairing code is wrong, used or expired; ask for a new one in Salus', 'code')));
    void reply.code(201).header('cache-control', 'no-store');
    return { device: result.device, token: result.token, topic: deps.mqttTopic(result.device.id) };
  });

  // --- Readings in -------------------------------------------------------------------------
  app.post('/monitoring/readings', async (req) => {
    const h = req.headers.authorization;
    const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    const identity = token ? await deps.tokens.verify(token) : undefined;
    if (!identity) {
      await audit.append({ action: 'C', subtype: 'monitoring-readings', outcome: 'denied', outcomeDesc: 'unknown or revoked device token (https)', agent: metaOf(req), entities: [], patientIds: [] });
      throw unauthorized('Send the device token as Authorization: Bearer <token>');
    }
    const source = { patientId: identity.patientId, deviceId: identity.deviceId };
    const agent = { ...metaOf(req), clientId: `Device/${identity.deviceId}` };
    let result: IngestResult;
    try {
      result = await deps.ingestor.ingest(source, req.body);
    } catch (e) {
      await audit.append(ingestAudit(source, agent, 'https', undefined, e instanceof FhirError ? e : undefined));
      throw e;
    }
    await audit.append(ingestAudit(source, agent, 'https', result, undefined));
    return result;
  });

  app.post<{ Params: { id: string } }>('/monitoring/patients/:id/readings', async (req) =>
    asCaller(
      req,
      { action: 'C', subtype: 'monitoring-readings', patientId: req.params.id },
      (g) => void g.require('Observation', 'c', `Patient/${req.params.id}`),
      async () => deps.ingestor.ingest({ patientId: req.params.id, deviceId: `manual:${req.params.id}` }, req.body, { advice: true }),
    ),
  );

  // --- Reading and watching ---------------------------------------------------------------
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/monitoring/patients/:id/readings', async (req) =>
    asCaller(req, { action: 'R', subtype: 'monitoring-series', patientId: req.params.id }, () => undefined, async () => {
      const q = req.query;
      const kind = q.kind as ReadingKind;
      if (!kind || !Object.hasOwn(READING_KINDS, kind) || kind === 'ecg') throw badRequest(`kind must be one of ${SHOWN_KINDS.join(', ')}`, 'kind');
      const to = q.to ? new Date(q.to) : now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY);
      if (Number.isNaN(from.getTime())) throw badRequest('from must be an ISO date-time', 'from');
      if (Number.isNaN(to.getTime())) throw badRequest('to must be an ISO date-time', 'to');
      if (from > to) throw badRequest('from must come before to', 'from');
      const max = q.max ? Number(q.max) : 20_000;
      if (!Number.isInteger(max) || max < 2 || max > 200_000) throw badRequest('max must be a whole number from 2 to 200000', 'max');
      const series = await readSeries(db, req.params.id, kind, from, to, max);
      const info = READING_KINDS[kind];
      return { kind, unit: info.unit, unitText: info.unitText, ...series };
    }),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/monitoring/patients/:id/ecg', async (req) =>
    asCaller(req, { action: 'R', subtype: 'monitoring-ecg', patientId: req.params.id }, () => undefined, async () => {
      const limit = req.query.limit ? Number(req.query.limit) : 5;
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badRequest('limit must be from 1 to 50', 'limit');
      return { strips: await ecgStrips(db, req.params.id, limit) };
    }),
  );

  app.get<{ Params: { id: string } }>('/monitoring/patients/:id', async (req) =>
    asCaller(req, { action: 'R', subtype: 'monitoring-summary', patientId: req.params.id }, () => undefined, async ({ guard }) => {
      const id = req.params.id;
      const { byPatient, latest, lines, alerts } = await summaries([id]);
      const row = byPatient.get(id);
      const stored = await readPlan(db, id);
      const patient = JSON.parse((await repo.as(guard).read('Patient', id)).content) as Pick<Patient, 'name' | 'birthDate'>;
      const { page } = await repo.as(guard).search('Device', [['patient', id], ['_count', '50']]);
      const tokens = await db.query<{ device_id: string; last_seen: Date | null }>('SELECT device_id, max(last_seen) AS last_seen FROM device_tokens WHERE patient_id = $1 GROUP BY device_id', [id]);
      const seen = new Map(tokens.rows.map((r) => [r.device_id, r.last_seen]));
      return {
        patient: { id, name: formatName(patient.name), ...(patient.birthDate ? { birthDate: patient.birthDate } : {}) },
        enrolled: !!stored,
        plan: stored?.plan ?? { conditions: [], spo2Scale2: false, goals: [], rules: [] },
        latest: latest.map((r) => latestView(r, stored?.plan)),
        sparklines: lines.get(id) ?? {},
        ...(row?.news2 ? { news2: row.news2 } : {}),
        alerts: alerts.get(id) ?? [],
        devices: page.entries.map((e) => {
          const d = JSON.parse(e.content) as { id: string; status?: string; type?: { coding?: { system?: string; code?: string }[]; text?: string }; deviceName?: { name?: string }[] };
          const last = seen.get(d.id);
          return {
            id: d.id,
            type: d.type?.coding?.find((c) => c.system === DEVICE_TYPE_SYSTEM)?.code ?? 'device',
            display: d.deviceName?.[0]?.name ?? d.type?.text ?? 'Device',
            status: d.status === 'active' ? 'active' : 'inactive',
            ...(last ? { lastSeen: new Date(last).toISOString() } : {}),
          };
        }),
      };
    }),
  );

  app.put<{ Params: { id: string } }>('/monitoring/patients/:id/plan', async (req) =>
    asCaller(
      req,
      { action: 'U', subtype: 'monitoring-plan', patientId: req.params.id },
      (g) => {
        // Plans are the care team's: patients may not write CarePlans, and so not this.
        g.require('CarePlan', 'u', `Patient/${req.params.id}`);
      },
      async ({ guard }) => {
        const problems = planIssues(req.body);
        if (problems.length > 0) throw new FhirError(422, outcome(...problems.map((p) => issue('error', 'invalid', p.message, p.field))));
        const saved = await savePlan(repo.as(guard), req.params.id, req.body as MonitoringPlan, now());
        await deps.planChanged(req.params.id);
        return saved.plan;
      },
    ),
  );

  app.get('/monitoring/dashboard', async (req) =>
    asCaller(req, { action: 'R', subtype: 'monitoring-dashboard' }, requireClinician, async ({ guard, shown }) => {
      // The patients are found through a FHIR search as the clinician, so the one access check decides whom they see.
      const { page } = await repo.as(guard).search('CarePlan', [
        ['category', `${MONITORING_CATEGORY.system}|${MONITORING_CATEGORY.code}`],
        ['status', 'active'],
        ['_include', 'CarePlan:subject'],
        ['_count', '500'],
      ]);
      const patients = page.entries.filter((e) => e.resType === 'Patient').map((e) => ({ id: e.id, ...(JSON.parse(e.content) as Pick<Patient, 'name' | 'birthDate'>) }));
      const ids = patients.map((p) => p.id);
      for (const id of ids) shown.add(id);
      const { byPatient, latest, lines, alerts } = await summaries(ids);
      const rows = patients.map((p) => {
        const m = byPatient.get(p.id);
        const open = alerts.get(p.id) ?? [];
        const top = [...open].sort((a, b) => sevRank(a.severity) - sevRank(b.severity))[0];
        const news2 = m?.news2 ?? undefined;
        const risk: Risk = worst(news2?.band ?? 'low', top ? (top.severity === 'high' ? 'high' : top.severity === 'medium' ? 'medium' : 'low') : 'low');
        return {
          patient: { id: p.id, name: formatName(p.name), ...(p.birthDate ? { birthDate: p.birthDate } : {}) },
          risk,
          ...(news2 ? { news2 } : {}),
          openAlerts: open.length,
          ...(top ? { topAlert: top } : {}),
          latest: latest.filter((r) => r.patientId === p.id).map((r) => latestView(r, m?.plan)),
          sparklines: lines.get(p.id) ?? {},
          ...(m?.last_reading_at ? { lastReadingAt: new Date(m.last_reading_at).toISOString() } : {}),
        };
      });
      rows.sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || b.openAlerts - a.openAlerts || (b.news2?.total ?? -1) - (a.news2?.total ?? -1) || a.patient.name.localeCompare(b.patient.name));
      return { patients: rows };
    }),
  );

  app.get<{ Querystring: { status?: string; patient?: string } }>('/monitoring/alerts', async (req) =>
    asCaller(req, { action: 'R', subtype: 'monitoring-alerts', ...(req.query.patient ? { patientId: req.query.patient } : {}) }, () => undefined, async ({ guard, shown }) => {
      const wanted = (req.query.status ?? 'open,acknowledged').split(',');
      const map: Record<string, string> = { open: 'requested', acknowledged: 'accepted', resolved: 'completed' };
      const statuses = wanted.map((s) => map[s]);
      if (statuses.some((s) => !s)) throw badRequest('status is a list of open, acknowledged, resolved', 'status');
      const query: [string, string][] = [
        ['code', `${ALERT_CODE.system}|${ALERT_CODE.code}`],
        ['status', statuses.join(',')],
        ['_sort', '-_lastUpdated'],
        ['_count', '200'],
      ];
      if (req.query.patient) query.push(['patient', req.query.patient]);
      const { page } = await repo.as(guard).search('Task', query);
      const alerts = await alertsFromTasks(repo, page.entries.map((e) => JSON.parse(e.content) as Task));
      for (const a of alerts) shown.add(a.patientId);
      return { alerts };
    }),
  );

  const move = (to: 'acknowledged' | 'resolved') => async (req: FastifyRequest<{ Params: { id: string } }>, _reply: FastifyReply) => {
    const id = req.params.id;
    if (!isValidId(id)) throw badRequest('Not an alert id', 'id');
    const row = await db.query<{ patient_id: string }>('SELECT patient_id FROM monitoring_alerts WHERE task_id = $1', [id]);
    // An unknown id is still an attempt for the ledger; moveAlert answers it with a 404.
    const patientId = row.rows[0]?.patient_id;
    const entry = { action: 'U' as const, subtype: to === 'acknowledged' ? 'alert-acknowledge' : 'alert-resolve', ...(patientId ? { patientId } : {}) };
    return asCaller(req, entry, () => undefined, async ({ guard, principal }) => {
      const body = (req.body ?? {}) as { note?: unknown };
      if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 2000)) throw badRequest('note must be text of at most 2000 characters', 'note');
      const task = await moveAlert(repo.as(guard), id, to, principal.fhirUser, body.note as string | undefined, now());
      await db.query('SELECT pg_notify($1, $2)', [MONITORING_CHANNEL, JSON.stringify({ t: 'alert', id, p: patientId })]);
      return (await alertsFromTasks(repo, [task]))[0]!;
    });
  };
  app.post('/monitoring/alerts/:id/acknowledge', move('acknowledged'));
  app.post('/monitoring/alerts/:id/resolve', move('resolved'));
}

const sevRank = (s: string): number => (s === 'high' ? 0 : s === 'medium' ? 1 : 2);

function worst(a: Risk, b: Risk): Risk {
  return RISK_ORDER[a] <= RISK_ORDER[b] ? a : b;
}
