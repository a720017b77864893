import { randomUUID } from 'node:crypto';
import jsonPatch from 'fast-json-patch';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { badRequest, FhirError, isFhirDecimal, isValidId, notFound, outcome, issue, parseFhirJson, stringifyFhirJson } from '@salus/core';
import { SQLSTATE, sqlState, type Queryable } from '../db/db.js';
import { isResourceType } from './definitions.js';
import {
  FHIR_JSON,
  handle,
  json,
  parseETag,
  preferReturn,
  type FhirRequest,
  type FhirResponse,
  type InteractionConfig,
} from './interaction.js';
import { parseJson, type FhirRepository } from './repository.js';
import { findTypesById, readMany, writeVersions, type PendingWrite, type StoredVersion } from './store.js';

const UUID = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Processing order of a transaction (R4 3.1.0.11.2): deletes, creates, updates/patches, reads. */
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface EntryPlan {
  index: number;
  method: string;
  url: string;
  fullUrl?: string;
  resource?: Resource;
  type?: string;
  id?: string;
  /** Set once the target is known: the resource this entry writes, or found (conditional create). */
  target?: { type: string; id: string };
  found?: StoredVersion;
  ifMatch?: number;
  write?: PendingWrite;
  /** Whether the target existed before this transaction (an update rather than a create). */
  existed?: boolean;
  /** The version this entry replaces, for the domain's write rules. */
  current?: StoredVersion;
  response?: FhirResponse;
}

function entryPath(i: number, rest = ''): string {
  return `Bundle.entry[${i}]${rest}`;
}

function requireBundle(body: unknown): Bundle {
  if (typeof body !== 'object' || body === null || (body as Resource).resourceType !== 'Bundle') {
    throw badRequest('POST to the FHIR base needs a Bundle of type batch or transaction', 'resourceType');
  }
  const bundle = body as Bundle;
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw badRequest(`Bundle.type must be batch or transaction, not '${bundle.type}'`, 'Bundle.type');
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  return bundle;
}

function requestOf(entry: BundleEntry | null, i: number): { method: string; url: string } {
  if (typeof entry !== 'object' || entry === null) throw badRequest('Each entry must be an object', entryPath(i));
  const r = entry.request;
  if (!r || typeof r.method !== 'string' || typeof r.url !== 'string' || r.url === '') {
    throw badRequest('Each entry needs request.method and request.url', entryPath(i, '.request'));
  }
  const method = r.method.toUpperCase();
  if (!(method in ORDER)) throw badRequest(`Unsupported request.method '${r.method}'`, entryPath(i, '.request.method'));
  return { method, url: r.url.replace(/^\//, '') };
}

/** POST [base] with a batch or transaction Bundle. */
export async function processBundle(cfg: InteractionConfig, req: FhirRequest, body: unknown): Promise<FhirResponse> {
  const bundle = requireBundle(body);
  return bundle.type === 'transaction' ? transaction(cfg, bundle, req) : batch(cfg, bundle, req);
}

async function batch(cfg: InteractionConfig, bundle: Bundle, req: FhirRequest): Promise<FhirResponse> {
  const entries = bundle.entry ?? [];
  const out: BundleEntry[] = [];
  // Entries are independent; run them one after another so their order is predictable.
  for (const [i, entry] of entries.entries()) {
    try {
      const { method, url } = requestOf(entry, i);
      const sub: FhirRequest = { method, path: url, query: [], body: entry.resource };
      const r = entry.request!;
      if (r.ifMatch) sub.ifMatch = r.ifMatch;
      if (r.ifNoneExist) sub.ifNoneExist = r.ifNoneExist;
      if (r.ifNoneMatch) sub.ifNoneMatch = r.ifNoneMatch;
      if (r.ifModifiedSince) sub.ifModifiedSince = r.ifModifiedSince;
      if (method === 'POST' && url.split('?')[0] === '') throw badRequest('Bundles cannot be nested', entryPath(i));
      if (method === 'PATCH') sub.body = binaryPatch(entry.resource, i);
      if (req.prefer) sub.prefer = req.prefer;
      out.push(responseEntry(await handle(cfg, sub), req));
    } catch (e) {
      if (!(e instanceof FhirError)) throw e;
      out.push({ response: { status: String(e.status), outcome: e.outcome } });
    }
  }
  return json(200, { resourceType: 'Bundle', type: 'batch-response', entry: out });
}

function responseEntry(res: FhirResponse, req: FhirRequest): BundleEntry {
  const response: NonNullable<BundleEntry['response']> = { status: String(res.status) };
  if (res.headers.location) response.location = res.headers.location;
  if (res.headers.etag) response.etag = res.headers.etag;
  if (res.headers['last-modified']) response.lastModified = new Date(res.headers['last-modified']).toISOString();
  const entry: BundleEntry = { response };
  const body = res.body ? parseJson(res.body) : undefined;
  if (body?.resourceType === 'OperationOutcome' && res.status >= 400) response.outcome = body;
  else if (body && (preferReturn(req.prefer) === 'representation' || res.status === 200)) entry.resource = body;
  return entry;
}

/** PATCH entries carry their JSON Patch as a Binary resource (R4 3.1.0.11.3). */
function binaryPatch(resource: Resource | undefined, i: number): unknown {
  if (resource?.resourceType !== 'Binary' || !resource.data || !/json-patch\+json/.test(resource.contentType ?? '')) {
    throw badRequest('PATCH entries need a Binary resource with contentType application/json-patch+json', entryPath(i, '.resource'));
  }
  try {
    return parseFhirJson(Buffer.from(resource.data, 'base64').toString('utf8'));
  } catch {
    throw badRequest('The Binary of a PATCH entry does not hold JSON', entryPath(i, '.resource.data'));
  }
}

/**
 * A transaction: every entry succeeds or none does. Ids are assigned, references between entries
 * (urn:uuid and conditional) resolved, then every write goes to the database in one statement.
 */
async function transaction(cfg: InteractionConfig, bundle: Bundle, req: FhirRequest): Promise<FhirResponse> {
  const { repo } = cfg;
  const entries = bundle.entry ?? [];
  const plan = (): EntryPlan[] =>
    entries.map((entry, index) => {
      const { method, url } = requestOf(entry, index);
      const p: EntryPlan = { index, method, url };
      if (entry.fullUrl) p.fullUrl = entry.fullUrl;
      if (entry.resource) p.resource = entry.resource;
      if (entry.request?.ifMatch) p.ifMatch = parseETag(entry.request.ifMatch)!;
      return p;
    });
  plan(); // request errors are reported before any database work
  const attempt = (): Promise<EntryPlan[]> =>
    repo.db.transaction(async (tx) => {
      const plans = plan();
      await resolveTargets(repo, tx, plans, entries);
      await resolveReferences(repo, tx, plans);
      await prepareWrites(repo, tx, plans);
      const writes = plans.flatMap((p) => (p.write ? [p.write] : []));
      await writeVersions(tx, writes);
      // New versions are checked once written, inside the transaction: an entry may refer to a
      // patient another entry creates. A refusal rolls the whole transaction back.
      if (repo.guard) {
        for (const p of plans) {
          if (!p.write || p.write.deleted) continue;
          await repo.guard.checkWrite(tx, p.write, p.existed ? 'u' : 'c').catch((e: unknown) => {
            throw e instanceof FhirError ? locate(e, p.index) : e;
          });
        }
      }
      // After all writes, so that a rule sees the whole transaction (a Slot and the Schedule created beside it).
      for (const p of plans) {
        if (!p.write) continue;
        await repo.checkRules(tx, p.write, p.current).catch((e: unknown) => {
          throw e instanceof FhirError ? locate(e, p.index) : e;
        });
      }
      for (const p of plans.filter((x) => x.method === 'GET' || x.method === 'HEAD')) {
        p.response = await handle(readOnlyConfig(cfg, tx), { method: p.method, path: p.url, query: [] });
      }
      return plans;
    });
  const result = await repo.withConflicts(async () => {
    // Two transactions creating the same new id (a urn:uuid both bundles carry, or one client id)
    // collide only at commit time; planned again, the loser sees the winner's row and adapts.
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (e) {
        if (sqlState(e) !== SQLSTATE.uniqueViolation || tries >= 3) throw e;
      }
    }
  });
  const baseUrl = repo.config.baseUrl;
  const out = result.map((p): BundleEntry => {
    if (p.response) return responseEntry(p.response, req);
    const stored = p.write ?? p.found;
    if (!stored) return { response: { status: '204' } };
    const response: NonNullable<BundleEntry['response']> = {
      status: p.found ? '200' : p.method === 'DELETE' ? '204' : stored.versionId === 1 ? '201' : '200',
      etag: `W/"${stored.versionId}"`,
      lastModified: stored.lastUpdated,
    };
    if (p.method !== 'DELETE') response.location = `${baseUrl}/${stored.resType}/${stored.id}/_history/${stored.versionId}`;
    const entry: BundleEntry = { response };
    if (p.method !== 'DELETE') entry.fullUrl = `${baseUrl}/${stored.resType}/${stored.id}`;
    if (preferReturn(req.prefer) === 'representation' && stored.content) entry.resource = parseJson(stored.content);
    return entry;
  });
  return { status: 200, headers: { 'content-type': FHIR_JSON }, body: stringifyFhirJson({ resourceType: 'Bundle', type: 'transaction-response', entry: out }) };
}

/** GET entries of a transaction see its writes; they may not themselves hold bundles. */
function readOnlyConfig(cfg: InteractionConfig, tx: Queryable): InteractionConfig {
  return { ...cfg, repo: cfg.repo.within(tx), bundle: () => Promise.reject(badRequest('Bundles cannot be nested')) };
}

/** Decides which resource each entry writes: ids for creates, matches for conditional entries. */
async function resolveTargets(repo: FhirRepository, tx: Queryable, plans: EntryPlan[], entries: BundleEntry[]): Promise<void> {
  const uuidIds: string[] = [];
  for (const p of plans) {
    const [path, criteria] = p.url.split('?', 2) as [string, string | undefined];
    const parts = path.split('/');
    const type = parts[0]!;
    if (p.method === 'GET' || p.method === 'HEAD') continue;
    if (!isResourceType(type)) throw badRequest(`Unknown resource type '${type}' in request.url`, entryPath(p.index, '.request.url'));
    p.type = type;
    if (p.method === 'POST') {
      if (parts.length !== 1 || criteria !== undefined) {
        throw badRequest('POST entries must have request.url set to the resource type', entryPath(p.index, '.request.url'));
      }
      if (!p.resource) throw badRequest('POST entries need a resource', entryPath(p.index, '.resource'));
      if (p.resource.resourceType !== type) {
        throw badRequest(`Resource type '${p.resource.resourceType}' does not match request.url`, entryPath(p.index, '.resource.resourceType'));
      }
      const ifNoneExist = entries[p.index]!.request!.ifNoneExist;
      if (ifNoneExist) {
        const found = await repo.matchOne(tx, type, ifNoneExist);
        if (found) {
          p.found = found;
          p.target = { type, id: found.id };
          continue;
        }
      }
      // Creating with the id of the urn:uuid the client gave lets later bundles refer to it by the same urn.
      const uuid = UUID.exec(p.fullUrl ?? '')?.[1]?.toLowerCase();
      p.id = uuid ?? randomUUID();
      if (uuid) uuidIds.push(uuid);
      p.target = { type, id: p.id };
      continue;
    }
    if (criteria !== undefined) {
      if (parts.length !== 1) throw badRequest('Conditional entries use Type?criteria', entryPath(p.index, '.request.url'));
      const found = await repo.matchOne(tx, type, criteria);
      if (p.method === 'DELETE') {
        if (found) p.target = { type, id: found.id };
        continue;
      }
      if (!found && p.method === 'PATCH') throw notFound(`No ${type} matches '${criteria}'`);
      p.id = found?.id ?? p.resource?.id ?? randomUUID();
      p.target = { type, id: p.id };
      continue;
    }
    if (parts.length !== 2 || !isValidId(parts[1]!)) {
      throw badRequest(`request.url must be Type/id for ${p.method}`, entryPath(p.index, '.request.url'));
    }
    p.id = parts[1]!;
    p.target = { type, id: p.id };
  }
  if (uuidIds.length > 0) {
    // A urn:uuid already used as an id (the same bundle posted twice) gets a fresh id instead.
    const taken = await findTypesById(tx, uuidIds);
    for (const p of plans) {
      if (p.method === 'POST' && p.id && taken.get(p.id)?.includes(p.type!)) {
        p.id = randomUUID();
        p.target = { type: p.type!, id: p.id };
      }
    }
  }
  const seen = new Map<string, number>();
  for (const p of plans) {
    if (!p.target || p.found) continue;
    const key = `${p.target.type}/${p.target.id}`;
    if (seen.has(key)) {
      throw badRequest(`Entries ${seen.get(key)} and ${p.index} both write ${key}`, entryPath(p.index, '.request'));
    }
    seen.set(key, p.index);
  }
}

/** Rewrites urn:uuid and conditional references in the resources of the transaction. */
async function resolveReferences(repo: FhirRepository, tx: Queryable, plans: EntryPlan[]): Promise<void> {
  const map = new Map<string, string>();
  for (const p of plans) {
    if (p.fullUrl && p.target) map.set(p.fullUrl, `${p.target.type}/${p.target.id}`);
  }
  const unresolvedUuids = new Set<string>();
  const conditional = new Set<string>();
  const visit = (node: unknown, fn: (ref: string) => void): void => {
    if (Array.isArray(node)) for (const n of node) visit(n, fn);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'reference' && typeof v === 'string') fn(v);
        else if (typeof v === 'object') visit(v, fn);
      }
    }
  };
  const writers = plans.filter((p) => p.resource && (p.method === 'POST' || p.method === 'PUT') && !p.found);
  for (const p of writers) {
    visit(p.resource, (ref) => {
      if (map.has(ref)) return;
      if (UUID.test(ref)) unresolvedUuids.add(ref);
      else if (/^[A-Z][A-Za-z]+\?/.test(ref)) conditional.add(ref);
    });
  }
  // urn:uuid references outside the bundle: a resource created earlier from that urn keeps it as id.
  const byId = await findTypesById(
    tx,
    [...unresolvedUuids].map((u) => UUID.exec(u)![1]!.toLowerCase()),
  );
  for (const urn of unresolvedUuids) {
    const id = UUID.exec(urn)![1]!.toLowerCase();
    const types = byId.get(id) ?? [];
    if (types.length === 1) map.set(urn, `${types[0]}/${id}`);
  }
  for (const ref of conditional) {
    const [type, criteria] = ref.split('?', 2) as [string, string];
    if (!isResourceType(type)) continue;
    const found = await repo.matchOne(tx, type, criteria);
    if (found) map.set(ref, `${type}/${found.id}`);
  }
  for (const p of writers) {
    const rewrite = (node: unknown, path: string): unknown => {
      if (Array.isArray(node)) return node.map((n, i) => rewrite(n, `${path}[${i}]`));
      if (node && typeof node === 'object' && !isFhirDecimal(node)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) {
          if (k === 'reference' && typeof v === 'string') {
            const target = map.get(v);
            if (target) out[k] = target;
            else if (UUID.test(v) || /^[A-Z][A-Za-z]+\?/.test(v)) {
              throw badRequest(`Reference '${v}' cannot be resolved`, entryPath(p.index, `.resource${path}.reference`));
            } else out[k] = v;
          } else out[k] = typeof v === 'object' ? rewrite(v, `${path}.${k}`) : v;
        }
        return out;
      }
      return node;
    };
    p.resource = rewrite(p.resource, '') as Resource;
  }
}

/** Validates and stamps every write, checking versions against the locked current rows. */
async function prepareWrites(repo: FhirRepository, tx: Queryable, plans: EntryPlan[]): Promise<void> {
  const targets = plans.filter((p) => p.target && !p.found && p.method !== 'POST').map((p) => ({ resType: p.target!.type, id: p.target!.id }));
  const current = new Map((await readMany(tx, targets, { lock: true, cipher: repo.config.cipher })).map((v) => [`${v.resType}/${v.id}`, v]));
  const now = new Date().toISOString();
  for (const p of [...plans].sort((a, b) => ORDER[a.method]! - ORDER[b.method]!)) {
    if (!p.target || p.found) continue;
    const key = `${p.target.type}/${p.target.id}`;
    const cur = current.get(key);
    const at = (rest: string): string => entryPath(p.index, rest);
    if (p.ifMatch !== undefined && (!cur || cur.deleted || cur.versionId !== p.ifMatch)) {
      throw new FhirError(
        412,
        outcome(issue('error', 'conflict', `${key} is not at version ${p.ifMatch} (If-Match)`, at('.request.ifMatch'))),
      );
    }
    try {
      p.existed = cur !== undefined && !cur.deleted;
      if (p.existed) {
        p.current = cur;
        await repo.guard?.checkStored(tx, p.target.type, p.target.id, p.method === 'DELETE' ? 'd' : 'u');
      }
      if (p.method === 'DELETE') {
        if (cur && !cur.deleted) p.write = repo.deletion(cur, now);
        continue;
      }
      let resource = p.resource;
      if (p.method === 'PATCH') {
        if (!cur || cur.deleted) throw notFound(`${key} not found`);
        const ops = binaryPatch(resource, p.index);
        // The parsed document is private to this entry, so it is patched in place: the library's
        // own copy goes through JSON and would lose decimal precision.
        resource = jsonPatch.applyPatch(parseJson(cur.content), ops as never, true, true).newDocument;
      }
      if (!resource) throw badRequest(`${p.method} entries need a resource`, at('.resource'));
      if (resource.resourceType !== p.target.type) {
        throw badRequest(`Resource type '${resource.resourceType}' does not match request.url`, at('.resource.resourceType'));
      }
      if (p.method === 'PUT' && resource.id !== undefined && resource.id !== p.target.id) {
        throw badRequest(`Resource id '${resource.id}' does not match request.url`, at('.resource.id'));
      }
      const version = (cur?.versionId ?? 0) + 1;
      p.write = repo.prepare({ ...resource, id: p.target.id }, p.target.id, version, now, p.method as PendingWrite['method']);
    } catch (e) {
      throw e instanceof FhirError ? locate(e, p.index) : e;
    }
  }
}

/** Prefixes the expressions of an entry's error with the entry's position in the Bundle. */
function locate(e: FhirError, index: number): FhirError {
  const issues = (e.outcome.issue ?? []).map((i) => ({
    ...i,
    expression: (i.expression ?? ['']).map((x) => {
      if (x.startsWith('Bundle.')) return x;
      // The resource's own expressions start at its type; inside the Bundle they start at the entry.
      const rest = x.replace(/^[A-Z][A-Za-z]+(?=\.|$)/, '');
      return entryPath(index, `.resource${rest}`);
    }),
  }));
  return new FhirError(e.status, { ...e.outcome, issue: issues });
}
