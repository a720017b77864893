import type { FastifyInstance } from 'fastify';
import { badRequest, forbidden } from '@salus/core';
import type { Db } from '../db/db.js';
import { listOutbox, type ConfiguredNotifier } from './notifier.js';

/** Loopback addresses, IPv4, IPv6 and IPv4-mapped IPv6. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * `GET /dev/outbox[?to=address]`: the mail a demo installation would have sent (verification,
 * reset and invitation links), newest first. Registered only when no SMTP server is configured,
 * since then nobody's real inbox is involved. Those links sign people in, so only the machine the
 * server runs on may read them: anyone else on the network could take over any account.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: { db: Db; notifier: ConfiguredNotifier }): void {
  if (deps.notifier.kind !== 'outbox') return;
  app.get('/dev/outbox', async (req) => {
    if (!LOOPBACK.test(req.ip)) throw forbidden('The outbox can only be read on the machine the server runs on');
    const { to } = req.query as Record<string, unknown>;
    if (to !== undefined && (typeof to !== 'string' || to.length > 254)) throw badRequest('to must be one email address', 'to');
    return { messages: await listOutbox(deps.db, typeof to === 'string' ? { to } : {}) };
  });
}
