import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AuditEvent, Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { FhirError, forbidden, unauthorized } from '@salus/core';
import { AuditLedger, type LedgerReport } from './ledger.js';
import { registerAuditRoutes } from './routes.js';
import { asAttacker, openTestDb, type TestDb } from './test-db.js';
import type { AuditInput } from './types.js';

let t: TestDb;
let ledger: AuditLedger;
let app: FastifyInstance;

// Stand-ins for the sign-in layer, which the routes take as dependencies: a header says who calls.
const caller = (req: FastifyRequest): string | undefined => req.headers['x-caller'] as string | undefined;

before(async () => {
  t = await openTestDb();
  ledger = new AuditLedger(t.db, { key: randomBytes(32) });
  app = Fastify();
  app.setErrorHandler((e, _req, reply) => {
    const status = e instanceof FhirError ? e.status : 500;
    void reply.code(status).send(e instanceof FhirError ? e.outcome : { message: String(e) });
  });
  registerAuditRoutes(app, {
    ledger,
    requireAdmin: async (req) => {
      const who = caller(req);
      if (!who) throw unauthorized();
      if (who !== 'admin') throw forbidden('Administrators only');
      return who;
    },
    currentPatientIds: async (req) => {
      const who = caller(req);
      if (!who) throw unauthorized();
      return who === 'caregiver' ? ['ward-1', 'ward-2'] : who.startsWith('patient:') ? [who.slice('patient:'.length)] : [];
    },
  });
  const event = (patientId: string, subtype: string, accountId: string): AuditInput => ({
    action: subtype === 'login-failed' ? 'E' : 'R',
    subtype,
    outcome: subtype === 'login-failed' ? 'failure' : 'success',
    agent: { accountId, fhirUser: 'Practitioner/pr1', ip: '10.9.9.9' },
    entities: [],
    patientIds: patientId ? [patientId] : [],
  });
  await ledger.appendMany([
    event('ward-1', 'read', 'acc-1'),
    event('ward-2', 'read', 'acc-1'),
    event('ward-1', 'update', 'acc-2'),
    event('', 'login-failed', 'acc-3'),
    event('', 'login-failed', 'acc-4'),
    event('other', 'read', 'acc-1'),
  ]);
});
after(async () => {
  await app.close();
  await ledger.close();
  await t.close();
});

async function get<T>(url: string, who?: string): Promise<{ status: number; body: T; type: string | undefined }> {
  const res = await app.inject({ method: 'GET', url, headers: who ? { 'x-caller': who } : {} });
  return { status: res.statusCode, body: JSON.parse(res.body) as T, type: res.headers['content-type'] as string | undefined };
}

const accounts = (b: Bundle<AuditEvent>): Array<string | undefined> => (b.entry ?? []).map((e) => e.resource!.agent[0]!.who?.identifier?.value);

test('only administrators verify the ledger and list entries', async () => {
  assert.equal((await get('/admin/audit/verify')).status, 401);
  assert.equal((await get('/admin/audit/verify', 'patient:ward-1')).status, 403);
  assert.equal((await get('/admin/audit', 'caregiver')).status, 403);
  const verified = await get<LedgerReport>('/admin/audit/verify', 'admin');
  assert.equal(verified.status, 200);
  assert.deepEqual([verified.body.ok, verified.body.entries, verified.body.problems], [true, 6, []]);
});

test('the admin list filters by subtype, account and patient, and pages with next links', async () => {
  const failed = await get<Bundle<AuditEvent>>('/admin/audit?subtype=login-failed&_count=1', 'admin');
  assert.equal(failed.status, 200);
  assert.match(failed.type ?? '', /application\/fhir\+json/);
  assert.equal(failed.body.type, 'searchset');
  assert.deepEqual(accounts(failed.body), ['acc-4']);
  const next = failed.body.link?.find((l) => l.relation === 'next')?.url;
  assert.ok(next);
  const older = await get<Bundle<AuditEvent>>(next, 'admin');
  assert.deepEqual(accounts(older.body), ['acc-3']);
  assert.deepEqual(accounts((await get<Bundle<AuditEvent>>('/admin/audit?account=acc-1', 'admin')).body), ['acc-1', 'acc-1', 'acc-1']);
  assert.equal((await get<Bundle<AuditEvent>>('/admin/audit?patient=ward-1', 'admin')).body.entry?.length, 2);
});

test('bad paging parameters are 400s naming the parameter', async () => {
  for (const url of ['/admin/audit?_count=0', '/admin/audit?_count=5000', '/admin/audit?_count=x', '/admin/audit?before=-1', '/admin/audit?subtype=a&subtype=b']) {
    const res = await get<OperationOutcome>(url, 'admin');
    assert.equal(res.status, 400, url);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.ok(res.body.issue[0]!.expression?.[0], url);
  }
});

test('a patient reads who touched their record; a caregiver reads their wards\'; nobody else\'s', async () => {
  assert.equal((await get('/me/access-log')).status, 401);
  const own = await get<Bundle<AuditEvent>>('/me/access-log', 'patient:ward-1');
  assert.deepEqual(accounts(own.body), ['acc-2', 'acc-1']);
  assert.equal(own.body.entry![0]!.resource!.agent[0]!.network, undefined);
  assert.equal((await get('/me/access-log?patient=ward-2', 'patient:ward-1')).status, 403);
  assert.equal((await get<Bundle<AuditEvent>>('/me/access-log', 'caregiver')).body.entry?.length, 3);
  assert.equal((await get<Bundle<AuditEvent>>('/me/access-log?patient=ward-2', 'caregiver')).body.entry?.length, 1);
  assert.deepEqual((await get<Bundle<AuditEvent>>('/me/access-log', 'patient:nobody-read-me')).body.entry, []);
});

test('the verify endpoint names what was tampered with', async () => {
  await asAttacker(t.db, 'DELETE FROM audit_ledger WHERE seq = 2');
  const report = (await get<LedgerReport>('/admin/audit/verify', 'admin')).body;
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.seq]), [['deleted', '2']]);
});
