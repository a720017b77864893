import type { AuditEvent, Bundle, BundleLink } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, forbidden } from '@salus/core';
import type { AuditLedger, LedgerPage, PageOptions } from './ledger.js';

export interface AuditRouteDeps {
  ledger: AuditLedger;
  /** Resolves for an administrator; throws a FhirError (401 or 403) for anyone else. */
  requireAdmin: (req: FastifyRequest) => Promise<unknown>;
  /**
   * Patients whose access log the signed-in person may read: their own Patient and, for a
   * caregiver, their wards. Throws a FhirError (401) when nobody is signed in.
   */
  currentPatientIds: (req: FastifyRequest) => Promise<string[]>;
}

const DEFAULT_COUNT = 50;
const MAX_COUNT = 500;

/**
 * GET /admin/audit/verify — the verification report (administrators).
 * GET /admin/audit?account=&patient=&subtype=&_count=&before= — entries, newest first (administrators).
 * GET /me/access-log?patient=&_count=&before= — who touched the signed-in person's record, or a ward's.
 * Lists are searchset Bundles of AuditEvents; the `next` link pages on to older entries.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  app.get('/admin/audit/verify', async (req) => {
    await deps.requireAdmin(req);
    return deps.ledger.verify();
  });

  app.get('/admin/audit', async (req, reply) => {
    await deps.requireAdmin(req);
    const account = param(req, 'account');
    const patient = param(req, 'patient');
    const subtype = param(req, 'subtype');
    const page = await deps.ledger.list({
      ...paging(req),
      ...(account === undefined ? {} : { accountId: account }),
      ...(patient === undefined ? {} : { patientId: patient }),
      ...(subtype === undefined ? {} : { subtype }),
    });
    return sendBundle(req, reply, page);
  });

  app.get('/me/access-log', async (req, reply) => {
    const mine = await deps.currentPatientIds(req);
    const patient = param(req, 'patient');
    if (patient !== undefined && !mine.includes(patient)) throw forbidden(`You may not read the access log of Patient/${patient}`);
    const page = await deps.ledger.accessLog(patient === undefined ? mine : [patient], paging(req));
    return sendBundle(req, reply, page);
  });
}

function param(req: FastifyRequest, name: string): string | undefined {
  const value = (req.query as Record<string, string | string[] | undefined>)[name];
  if (Array.isArray(value)) throw badRequest(`Parameter '${name}' may be given only once`, name);
  return value === '' ? undefined : value;
}

function paging(req: FastifyRequest): PageOptions {
  const count = param(req, '_count');
  const before = param(req, 'before');
  if (count !== undefined && !(/^[0-9]{1,4}$/.test(count) && Number(count) >= 1 && Number(count) <= MAX_COUNT)) {
    throw badRequest(`_count must be a whole number from 1 to ${MAX_COUNT}`, '_count');
  }
  if (before !== undefined && !/^[1-9][0-9]{0,17}$/.test(before)) throw badRequest('before must be a seq taken from a next link', 'before');
  return { count: count === undefined ? DEFAULT_COUNT : Number(count), ...(before === undefined ? {} : { before }) };
}

function sendBundle(req: FastifyRequest, reply: FastifyReply, page: LedgerPage): FastifyReply {
  const link: BundleLink[] = [{ relation: 'self', url: req.url }];
  if (page.next) {
    const next = new URL(req.url, 'http://localhost');
    next.searchParams.set('before', page.next);
    link.push({ relation: 'next', url: `${next.pathname}${next.search}` });
  }
  const bundle: Bundle<AuditEvent> = { resourceType: 'Bundle', type: 'searchset', link, entry: page.entries.map((resource) => ({ resource })) };
  return reply.header('content-type', 'application/fhir+json; charset=utf-8').send(JSON.stringify(bundle));
}
