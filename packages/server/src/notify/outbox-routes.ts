import type { FastifyInstance } from 'fastify';
import { badRequest } from '@salus/core';
import type { Db } from '../db/db.js';
import { listOutbox, type ConfiguredNotifier } from './notifier.js';

/**
 * `GET /dev/outbox[?to=address]`: the mail a demo installation would have sent (verification,
 * reset and invitation links), newest first. Registered only when no SMTP server is configured,
 * since then nobody's real inbox is involved.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: { db: Db; notifier: ConfiguredNotifier }): void {
  if (deps.notifier.kind !== 'outbox') return;
  app.get('/dev/outbox', async (req) => {
    const { to } = req.query as Record<string, unknown>;
    if (to !== undefined && (typeof to !== 'string' || to.length > 254)) throw badRequest('to must be one email address', 'to');
    return { messages: await listOutbox(deps.db, typeof to === 'string' ? { to } : {}) };
  });
}
