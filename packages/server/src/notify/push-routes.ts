import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, FhirError, forbidden, unauthorized } from '@salus/core';
import { auditAgent, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { AuditInput } from '../audit/types.js';
import type { Authenticator } from '../auth/authenticate.js';
import { parseSubscription, type WebPush } from './web-push.js';

export interface PushRoutesDeps {
  auth: Authenticator;
  push: WebPush;
  ledger: AuditSink;
}

interface Done {
  status: number;
  body?: unknown;
  /** What the ledger entry says was done. */
  detail: string;
}

/**
 * A person's Web Push subscriptions, for the "Notifications on this device" switch:
 * `GET /me/push/key` (the key to subscribe with), `POST /me/push-subscriptions` (a
 * PushSubscription's JSON) and `DELETE /me/push-subscriptions` (`{ endpoint }`). Signed-in
 * people only, by session or bearer token; every call is written to the audit ledger, refusals too.
 */
export function registerPushRoutes(app: FastifyInstance, deps: PushRoutesDeps): void {
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, action: AuditInput['action'], subtype: string, fn: (accountId: string, req: FastifyRequest) => Promise<Done>): void => {
    app.route({
      method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        let p: Principal | undefined;
        const meta = { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) };
        const audit = (outcome: AuditInput['outcome'], outcomeDesc: string): Promise<void> =>
          deps.ledger.append({ action, subtype, outcome, outcomeDesc, agent: auditAgent(p, meta), entities: [], patientIds: [], query: req.url });
        let done: Done;
        try {
          p = await deps.auth.principal(req);
          if (!p) throw unauthorized('Sign in to manage notifications');
          // Subscriptions belong to a person; a Backend Services client has no devices.
          if (!p.accountId) throw forbidden('Only a signed-in person has notification subscriptions');
          done = await fn(p.accountId, req);
        } catch (e) {
          const status = e instanceof FhirError ? e.status : 500;
          await audit(status === 401 || status === 403 ? 'denied' : 'failure', e instanceof FhirError ? (e.outcome.issue?.[0]?.diagnostics ?? `HTTP ${status}`) : 'Internal error');
          throw e;
        }
        await audit('success', done.detail);
        void reply.code(done.status);
        return done.body;
      },
    });
  };

  route('GET', '/me/push/key', 'R', 'push-key', async () => ({ status: 200, body: { publicKey: deps.push.publicKey }, detail: 'Read the Web Push key' }));

  route('POST', '/me/push-subscriptions', 'C', 'push-subscribe', async (accountId, req) => {
    const s = parseSubscription(req.body);
    await deps.push.subscribe(accountId, s, req.headers['user-agent']);
    return { status: 201, body: { endpoint: s.endpoint }, detail: `Subscribed a device through ${new URL(s.endpoint).host}` };
  });

  route('DELETE', '/me/push-subscriptions', 'D', 'push-unsubscribe', async (accountId, req) => {
    const { endpoint } = (req.body ?? {}) as { endpoint?: unknown };
    if (typeof endpoint !== 'string' || endpoint === '') throw badRequest('endpoint is required: the subscription to remove', 'endpoint');
    const removed = await deps.push.unsubscribe(accountId, endpoint);
    return { status: 204, detail: removed ? 'Unsubscribed a device' : 'No such subscription; nothing to remove' };
  });
}
