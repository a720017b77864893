import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Task } from '@medplum/fhirtypes';
import { FhirError, unauthorized } from '@salus/core';
import { AccessGuard } from '../access/guard.js';
import { auditAgent, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { requireSameOrigin } from '../telehealth/signaling.js';
import { alertsFromTasks } from './alerts.js';
import { MONITORING_CHANNEL, type MonitoringEvent } from './watch.js';

/**
 * `GET /monitoring/live`: a WebSocket pushing alerts, new NEWS2 scores and (thinned) readings to
 * dashboards as they happen. Events travel between nodes by NOTIFY, so a reading taken in on one
 * node reaches a dashboard connected to another. Each socket hears only of patients its person
 * may see, checked by the same access rules as every read, remembered a minute per patient.
 */

interface Listener {
  socket: WebSocket;
  principal: Principal;
  visible: Map<string, { ok: boolean; at: number }>;
}

const VISIBILITY_MS = 60_000;

export interface LiveDeps {
  db: Db;
  repo: FhirRepository;
  auth: Authenticator;
  audit: AuditSink;
  publicUrl: string;
  onPlanChanged(patientId: string): void;
}

export interface LiveHub {
  register(app: FastifyInstance): void;
  close(): Promise<void>;
}

export async function createLiveHub(deps: LiveDeps): Promise<LiveHub> {
  const listeners = new Set<Listener>();
  const canSee = async (l: Listener, patientId: string): Promise<boolean> => {
    const hit = l.visible.get(patientId);
    const t = Date.now();
    if (hit && t - hit.at < VISIBILITY_MS) return hit.ok;
    let ok = true;
    try {
      await new AccessGuard(l.principal).checkStored(deps.db, 'Patient', patientId, 'r');
    } catch (e) {
      if (!(e instanceof FhirError)) throw e;
      ok = false;
    }
    l.visible.set(patientId, { ok, at: t });
    return ok;
  };
  const deliver = async (e: MonitoringEvent): Promise<void> => {
    if (e.t === 'plan') {
      deps.onPlanChanged(e.p);
      return;
    }
    if (listeners.size === 0) return;
    let message: string;
    if (e.t === 'alert') {
      const stored = await deps.repo.read('Task', e.id);
      const [alert] = await alertsFromTasks(deps.repo, [JSON.parse(stored.content) as Task]);
      message = JSON.stringify({ type: 'alert', alert });
    } else if (e.t === 'news2') message = JSON.stringify({ type: 'news2', patientId: e.p, news2: e.n });
    else message = JSON.stringify({ type: 'readings', patientId: e.p, readings: e.r });
    await Promise.all(
      [...listeners].map(async (l) => {
        if (l.socket.readyState === l.socket.OPEN && (await canSee(l, e.p))) l.socket.send(message);
      }),
    );
  };
  const unlisten = await deps.db.listen(MONITORING_CHANNEL, (payload) => {
    let e: MonitoringEvent;
    try {
      e = JSON.parse(payload) as MonitoringEvent;
    } catch {
      return;
    }
    deliver(e).catch((err: unknown) => console.error('monitoring live:', err));
  });
  return {
    register(app) {
      const admitted = new WeakMap<object, Principal>();
      app.get(
        '/monitoring/live',
        {
          websocket: true,
          preValidation: async (req) => {
            const meta = { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) };
            const principal = await deps.auth.principal(req);
            try {
              if (!principal) throw unauthorized('Sign in to follow monitoring live');
              requireSameOrigin(req, deps.publicUrl);
            } catch (e) {
              await deps.audit.append({ action: 'R', subtype: 'monitoring-live', outcome: 'denied', outcomeDesc: e instanceof FhirError ? e.outcome.issue?.[0]?.diagnostics : 'refused', agent: auditAgent(principal, meta), entities: [], patientIds: [], query: req.url });
              throw e;
            }
            await deps.audit.append({ action: 'R', subtype: 'monitoring-live', outcome: 'success', agent: auditAgent(principal, meta), entities: [], patientIds: [], query: req.url });
            admitted.set(req, principal);
          },
        },
        (socket, req) => {
          const principal = admitted.get(req)!;
          const l: Listener = { socket, principal, visible: new Map() };
          listeners.add(l);
          socket.on('close', () => listeners.delete(l));
          socket.on('error', () => listeners.delete(l));
          socket.send(JSON.stringify({ type: 'hello' }));
        },
      );
    },
    async close() {
      for (const l of listeners) l.socket.close(1001, 'Server closing');
      listeners.clear();
      await unlisten();
    },
  };
}
