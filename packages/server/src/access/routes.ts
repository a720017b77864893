import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, forbidden, isValidId, notFound, unauthorized } from '@salus/core';
import type { Db } from '../db/db.js';
import type { Notifier } from '../notify/notifier.js';
import type { Authenticator } from '../auth/authenticate.js';
import { auditAgent, type AuditSink } from './audit-recorder.js';
import type { Principal } from './principal.js';

export interface AccessRoutesDeps {
  db: Db;
  auth: Authenticator;
  ledger: AuditSink;
  notifier: Notifier;
  publicUrl: string;
}

/** Emergency access lasts an hour unless the clinician asks for less; never more than four. */
const DEFAULT_MINUTES = 60;
const MAX_MINUTES = 240;

interface BreakGlassBody {
  patient?: unknown;
  reason?: unknown;
  minutes?: unknown;
}

function meta(req: FastifyRequest): { ip?: string; userAgent?: string } {
  const m: { ip?: string; userAgent?: string } = { ip: req.ip };
  if (req.headers['user-agent']) m.userAgent = req.headers['user-agent'];
  return m;
}

/**
 * Break-the-glass: a clinician with no care relationship to a patient takes time-limited access in
 * an emergency by stating why. The grant is written to the ledger flagged for review, and the
 * patient (and whoever acts for them) is told by email at once.
 */
export async function registerAccessRoutes(app: FastifyInstance, deps: AccessRoutesDeps): Promise<void> {
  const clinician = async (req: FastifyRequest): Promise<Principal> => {
    const p = await deps.auth.principal(req);
    if (!p?.accountId) throw unauthorized();
    if (!p.roles.includes('practitioner')) throw forbidden('Only clinicians can take emergency access');
    // A token may carry narrower rights than its user: emergency access needs the full session or user scopes.
    if (p.scopes && !p.scopes.some((s) => s.startsWith('user/'))) throw forbidden('Emergency access needs a signed-in clinician, not a patient-scoped app');
    return p;
  };

  app.post('/access/break-glass', async (req, reply) => {
    const p = await clinician(req);
    const body = (req.body ?? {}) as BreakGlassBody;
    if (typeof body.patient !== 'string') throw badRequest('patient is required (Patient/id or id)', 'patient');
    const patientId = body.patient.replace(/^Patient\//, '');
    if (!isValidId(patientId)) throw badRequest(`'${body.patient}' is not a patient reference`, 'patient');
    if (typeof body.reason !== 'string' || body.reason.trim().length < 10) {
      throw badRequest('reason must say why, in at least 10 characters', 'reason');
    }
    const reason = body.reason.trim().slice(0, 1000);
    let minutes = DEFAULT_MINUTES;
    if (body.minutes !== undefined) {
      if (typeof body.minutes !== 'number' || !Number.isInteger(body.minutes) || body.minutes < 1 || body.minutes > MAX_MINUTES) {
        throw badRequest(`minutes must be a whole number from 1 to ${MAX_MINUTES}`, 'minutes');
      }
      minutes = body.minutes;
    }
    const patient = await deps.db.query(
      "SELECT 1 FROM resources WHERE res_type = 'Patient' AND id = $1 AND NOT deleted",
      [patientId],
    );
    if (patient.rows.length === 0) throw notFound(`Patient/${patientId} not found`);
    const id = randomUUID();
    const r = await deps.db.query<{ expires_at: string }>(
      `INSERT INTO break_glass_grants (id, account_id, actor_ref, patient_id, reason, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6)) RETURNING expires_at`,
      [id, p.accountId, p.fhirUser ?? null, patientId, reason, minutes],
    );
    const expiresAt = r.rows[0]!.expires_at;
    await deps.ledger.append({
      action: 'E',
      subtype: 'break-glass',
      outcome: 'success',
      agent: auditAgent(p, meta(req)),
      entities: [`Patient/${patientId}`],
      patientIds: [patientId],
      purpose: reason,
      flagged: true,
      outcomeDesc: `Emergency access until ${expiresAt}`,
    });
    await notifyPatient(deps, patientId, p, reason, expiresAt);
    void reply.code(201);
    return { id, patient: `Patient/${patientId}`, reason, expiresAt };
  });

  app.get('/access/break-glass', async (req) => {
    const p = await clinician(req);
    const r = await deps.db.query<{ id: string; patient_id: string; reason: string; created_at: string; expires_at: string }>(
      `SELECT id, patient_id, reason, created_at, expires_at FROM break_glass_grants
       WHERE account_id = $1 AND expires_at > now() ORDER BY created_at DESC`,
      [p.accountId],
    );
    return r.rows.map((g) => ({ id: g.id, patient: `Patient/${g.patient_id}`, reason: g.reason, createdAt: g.created_at, expiresAt: g.expires_at }));
  });
}

async function notifyPatient(deps: AccessRoutesDeps, patientId: string, p: Principal, reason: string, expiresAt: string): Promise<void> {
  const who = await deps.db.query<{ display_name: string }>('SELECT display_name FROM accounts WHERE id = $1', [p.accountId]);
  const clinician = who.rows[0]?.display_name ?? 'A clinician';
  const to = await deps.db.query<{ email: string; display_name: string }>(
    `SELECT a.email, a.display_name FROM account_patients ap JOIN accounts a ON a.id = ap.account_id
     WHERE ap.patient_id = $1 AND a.status = 'active'`,
    [patientId],
  );
  for (const row of to.rows) {
    await deps.notifier.send({
      to: row.email,
      subject: 'Emergency access to a health record',
      text: `Dear ${row.display_name},\n\n${clinician} opened the health record of a patient you manage in Salus using emergency access.\n\nReason given: ${reason}\nAccess ends: ${expiresAt}\n\nEvery record they viewed is listed under "Who has seen my record": ${deps.publicUrl}/patient/${patientId}/access-log\nIf you did not expect this, contact your clinic.\n`,
    });
  }
}
