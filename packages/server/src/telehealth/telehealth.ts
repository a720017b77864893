import type { FastifyInstance } from 'fastify';
import { FhirError, unauthorized } from '@salus/core';
import { auditAgent, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/service.js';
import { admitOperation } from './admit.js';
import { checkInOperation } from './check-in.js';
import { finishOperation } from './finish.js';
import { iceConfigFromEnv, iceServersFor } from './ice-servers.js';
import { SignalingHub } from './signaling.js';
import { VisitBus } from './visit-bus.js';

export interface Telehealth {
  /** Appointment/$check-in, $admit and $finish, for the FHIR service. */
  operations: FhirOperation[];
  /** Adds the signaling sockets and the ICE-server endpoint (needs @fastify/websocket registered). */
  register(app: FastifyInstance, deps: { auth: Authenticator; audit: AuditSink }): void;
}

/**
 * Virtual visits. Built before the FHIR service (its operations tell the waiting rooms about
 * check-ins), registered on the HTTP server once authentication exists. Reads SALUS_STUN_URLS,
 * SALUS_TURN_URLS, SALUS_TURN_SECRET and SALUS_TURN_TTL; a bad setting stops the start.
 */
export function createTelehealth(deps: { db: Db; repo: FhirRepository; env: NodeJS.ProcessEnv; now: () => Date; publicUrl: string }): Telehealth {
  const ice = iceConfigFromEnv(deps.env);
  const bus = new VisitBus(deps.db);
  const visitDeps = { bus, now: deps.now };
  return {
    operations: [checkInOperation(visitDeps), admitOperation(visitDeps), finishOperation(visitDeps)],
    register(app, { auth, audit }) {
      const hub = new SignalingHub({ repo: deps.repo, auth, bus, audit, now: deps.now, publicUrl: deps.publicUrl });
      hub.register(app);
      app.addHook('onClose', () => hub.close());

      app.get('/telehealth/ice-servers', async (req, reply) => {
        const meta = { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) };
        let principal: Principal | undefined;
        try {
          principal = await auth.principal(req);
          if (!principal?.accountId) throw unauthorized('Sign in to get the servers for a video call');
        } catch (e) {
          await audit.append({ action: 'E', subtype: 'ice-servers', outcome: 'denied', outcomeDesc: e instanceof FhirError ? e.message : String(e), agent: auditAgent(principal, meta), entities: [], patientIds: [] });
          throw e;
        }
        const answer = iceServersFor(ice, principal.accountId, deps.now());
        await audit.append({
          action: 'E',
          subtype: 'ice-servers',
          outcome: 'success',
          ...(answer.expiresAt ? { outcomeDesc: `TURN credentials until ${answer.expiresAt}` } : {}),
          agent: auditAgent(principal, meta),
          entities: [],
          patientIds: [],
        });
        // Credentials: never kept by a cache on the way.
        void reply.header('cache-control', 'no-store');
        return answer;
      });
    },
  };
}
