import type { Resource } from '@medplum/fhirtypes';
import { allOk, badRequest, FhirError, methodNotAllowed, notFound, outcome, issue, stringifyFhirJson } from '@salus/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { isResourceType } from './definitions.js';
import { parseJson, type FhirRepository, type WriteResult } from './repository.js';
import type { SearchPage } from './search/execute.js';
import { dateRange } from './search/index-rows.js';
import type { SearchRequest, SummaryMode } from './search/parse.js';
import { needsShaping, shapeResource, type ShapeOptions } from './shape.js';
import type { HistoryRow, StoredVersion } from './store.js';

/** A FHIR interaction, whether it came over HTTP or as an entry of a batch Bundle. */
export interface FhirRequest {
  method: string;
  /** Path below the FHIR base without leading slash, e.g. `Patient/123/_history/2`. */
  path: string;
  query: [string, string][];
  body?: unknown;
  ifMatch?: string;
  ifNoneMatch?: string;
  ifNoneExist?: string;
  ifModifiedSince?: string;
  prefer?: string;
  contentType?: string;
}

export interface FhirResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text; absent for 204/304 and return=minimal. */
  body?: string;
}

export type OperationHandler = (ctx: OperationContext) => Promise<FhirResponse>;

export interface OperationContext {
  repo: FhirRepository;
  request: FhirRequest;
  resourceType?: string;
  id?: string;
}

export interface InteractionConfig {
  repo: FhirRepository;
  /** `$name` → handler, keyed as `Type/$name`, `Type/id/$name` (written `Type/:id/$name`) or `$name`. */
  operations: Map<string, OperationHandler>;
  capability: () => Resource;
  /** Batch/transaction processing (kept apart to avoid a module cycle); entries run with `cfg`, the caller's. */
  bundle: (cfg: InteractionConfig, req: FhirRequest, bundle: unknown) => Promise<FhirResponse>;
}

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FhirResponse {
  return { status, headers: { 'content-type': FHIR_JSON, ...headers }, body: stringifyFhirJson(body) };
}

export function errorResponse(e: FhirError): FhirResponse {
  return json(e.status, e.outcome);
}

export function versionHeaders(v: StoredVersion, baseUrl?: string): Record<string, string> {
  const h: Record<string, string> = {
    etag: `W/"${v.versionId}"`,
    'last-modified': new Date(v.lastUpdated).toUTCString(),
  };
  if (baseUrl) h.location = `${baseUrl}/${v.resType}/${v.id}/_history/${v.versionId}`;
  return h;
}

/** `W/"3"` or `"3"` or `3` → 3. */
export function parseETag(value: string | undefined, header = 'If-Match'): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  if (!m) throw badRequest(`${header} must be a version ETag like W/"3", not '${value}'`);
  return Number(m[1]);
}

export function preferReturn(prefer: string | undefined): 'minimal' | 'representation' | 'OperationOutcome' | undefined {
  const m = /return=(minimal|representation|OperationOutcome)/.exec(prefer ?? '');
  return m?.[1] as 'minimal' | 'representation' | 'OperationOutcome' | undefined;
}

export function preferStrict(prefer: string | undefined): boolean {
  return /handling=strict/.test(prefer ?? '');
}

function shapeOptions(query: [string, string][]): ShapeOptions {
  const o: ShapeOptions = {};
  for (const [k, v] of query) {
    if (k === '_summary') {
      if (!['true', 'false', 'text', 'data', 'count'].includes(v)) {
        throw badRequest(`_summary must be true, false, text, data or count, not '${v}'`, '_summary');
      }
      o.summary = v as SummaryMode;
    }
    if (k === '_elements') o.elements = v.split(',').map((e) => e.trim()).filter(Boolean);
  }
  return o;
}

/** Resource JSON text for a response, shaped when _summary/_elements ask for it. */
export function resourceText(content: string, o: ShapeOptions): string {
  return needsShaping(o) ? stringifyFhirJson(shapeResource(parseJson(content), o)) : content;
}

/** The response to a write, honouring `Prefer: return=`. */
export function writeResponse(result: WriteResult, req: FhirRequest, baseUrl: string): FhirResponse {
  const status = result.status === 'created' ? 201 : 200;
  const headers = versionHeaders(result.stored, baseUrl);
  switch (preferReturn(req.prefer)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return json(status, allOk(`${result.stored.resType}/${result.stored.id} ${result.status}`), headers);
    default:
      return { status, headers: { 'content-type': FHIR_JSON, ...headers }, body: result.stored.content };
  }
}

/** A searchset or history Bundle, assembled as text so stored resources are not re-serialized. */
export function bundleText(
  type: 'searchset' | 'history',
  total: number | undefined,
  links: { relation: string; url: string }[],
  entries: string[],
): string {
  const head: Record<string, unknown> = { resourceType: 'Bundle', type, timestamp: new Date().toISOString() };
  if (total !== undefined) head.total = total;
  head.link = links;
  const prefix = JSON.stringify(head).slice(0, -1);
  return `${prefix},"entry":[${entries.join(',')}]}`;
}

function searchLinks(
  baseUrl: string,
  path: string,
  query: [string, string][],
  page: SearchPage,
): { relation: string; url: string }[] {
  const base = query.filter(([k]) => k !== '_cursor');
  const url = (extra: [string, string][]): string => {
    const qs = new URLSearchParams([...base, ...extra]).toString();
    return `${baseUrl}/${path}${qs ? `?${qs}` : ''}`;
  };
  const links = [{ relation: 'self', url: url(query.filter(([k]) => k === '_cursor')) }];
  if (page.next) links.push({ relation: 'next', url: url([['_cursor', page.next]]) });
  if (page.previous) links.push({ relation: 'previous', url: url([['_cursor', page.previous]]) });
  return links;
}

export function searchBundle(
  baseUrl: string,
  path: string,
  query: [string, string][],
  request: SearchRequest,
  page: SearchPage,
): string {
  const o: ShapeOptions = {};
  if (request.summary) o.summary = request.summary;
  if (request.elements) o.elements = request.elements;
  const entries = page.entries.map(
    (e) =>
      `{"fullUrl":${JSON.stringify(`${baseUrl}/${e.resType}/${e.id}`)},"resource":${resourceText(e.content, o)},"search":{"mode":"${e.mode}"}}`,
  );
  if (request.ignored.length > 0) {
    const oo: OperationOutcome = outcome(
      ...request.ignored.map((i) => issue('warning', 'not-supported', `Ignored: ${i.reason}`, i.name)),
    );
    entries.push(JSON.stringify({ resource: oo, search: { mode: 'outcome' } }));
  }
  const selfQuery = query.filter(([k]) => !request.ignored.some((i) => i.name === k));
  return bundleText('searchset', page.total, searchLinks(baseUrl, path, selfQuery, page), entries);
}

function historyBundle(
  baseUrl: string,
  path: string,
  query: [string, string][],
  rows: HistoryRow[],
  count: number,
  total: number | undefined,
): string {
  const more = rows.length > count;
  const page = rows.slice(0, count);
  const entries = page.map((r) => {
    const fullUrl = JSON.stringify(`${baseUrl}/${r.resType}/${r.id}`);
    const request = JSON.stringify({
      method: r.method,
      url: r.method === 'POST' ? r.resType : `${r.resType}/${r.id}`,
    });
    const response = JSON.stringify({
      status: r.deleted ? '204' : r.versionId === 1 ? '201' : '200',
      etag: `W/"${r.versionId}"`,
      lastModified: r.lastUpdated,
    });
    return r.deleted
      ? `{"fullUrl":${fullUrl},"request":${request},"response":${response}}`
      : `{"fullUrl":${fullUrl},"resource":${r.content},"request":${request},"response":${response}}`;
  });
  const base = query.filter(([k]) => k !== '_cursor');
  const links = [{ relation: 'self', url: `${baseUrl}/${path}${query.length ? `?${new URLSearchParams(query)}` : ''}` }];
  if (more) {
    const next = new URLSearchParams([...base, ['_cursor', page[page.length - 1]!.seq]]);
    links.push({ relation: 'next', url: `${baseUrl}/${path}?${next}` });
  }
  return bundleText('history', total, links, entries);
}

function historyParams(query: [string, string][]): { count: number; since?: string; at?: string; beforeSeq?: string } {
  const out: { count: number; since?: string; at?: string; beforeSeq?: string } = { count: 50 };
  for (const [k, v] of query) {
    if (k === '_count') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw badRequest(`_count must be a positive integer, not '${v}'`, '_count');
      out.count = Math.min(Number(v), 1000);
    } else if (k === '_since' || k === '_at') {
      if (k === '_since') out.since = instantParam(k, v);
      else out.at = instantParam(k, v);
    } else if (k === '_cursor') {
      if (!/^\d{1,18}$/.test(v)) throw badRequest('Invalid history cursor', '_cursor');
      out.beforeSeq = v;
    }
  }
  return out;
}

/**
 * A `_since`/`_at` value: a FHIR date, dateTime or instant, read strictly (Date.parse would take
 * text PostgreSQL refuses) and handed on as its first instant.
 */
export function instantParam(name: string, value: string): string {
  const range = dateRange(value);
  if (!range) throw badRequest(`${name} must be a FHIR instant such as 2024-01-31T12:00:00Z, not '${value}'`, name);
  return range.low;
}

/** Handles one FHIR interaction; throws FhirError for failures. */
export async function handle(cfg: InteractionConfig, req: FhirRequest): Promise<FhirResponse> {
  const { repo } = cfg;
  const baseUrl = repo.config.baseUrl;
  const method = req.method.toUpperCase();
  const [path, inlineQuery] = req.path.split('?', 2) as [string, string | undefined];
  const query = inlineQuery !== undefined ? [...req.query, ...new URLSearchParams(inlineQuery)] : req.query;
  const parts = path.split('/').filter(Boolean);
  const shape = shapeOptions(query);
  const isGet = method === 'GET' || method === 'HEAD';

  if (parts.length === 0) {
    if (method === 'POST') return cfg.bundle(cfg, req, req.body);
    throw methodNotAllowed(`${method} is not supported at the FHIR base; use POST for batch/transaction Bundles`);
  }
  const [first, second, third, fourth] = parts as [string, string?, string?, string?];
  if (first === 'metadata' && parts.length === 1 && isGet) return json(200, cfg.capability());
  if (first === '_history' && parts.length === 1 && isGet) {
    return history(repo, path, query, {});
  }
  if (first.startsWith('$')) return operation(cfg, first, req, {});
  if (!isResourceType(first)) throw notFound(`Unknown resource type '${first}'`);
  const type = first;

  if (parts.length === 1) {
    if (isGet) return search(cfg, type, type, query, req);
    if (method === 'POST') {
      const opts: { ifNoneExist?: string; type: string } = { type };
      if (req.ifNoneExist !== undefined) opts.ifNoneExist = req.ifNoneExist;
      return writeResponse(await repo.create(req.body as Resource, opts), req, baseUrl);
    }
    if (method === 'PUT') {
      if (inlineQuery === undefined && query.length === 0) throw badRequest('PUT needs an id (Type/id) or search criteria (Type?...)');
      const criteria = new URLSearchParams(query).toString();
      const ifMatch = parseETag(req.ifMatch);
      return writeResponse(
        await repo.conditionalUpdate(type, criteria, req.body as Resource, ifMatch === undefined ? {} : { ifMatch }),
        req,
        baseUrl,
      );
    }
    if (method === 'DELETE') {
      if (query.length === 0) throw methodNotAllowed('Deleting a whole resource type is not supported; give criteria');
      await repo.conditionalDelete(type, new URLSearchParams(query).toString());
      return { status: 204, headers: {} };
    }
    throw methodNotAllowed(`${method} is not supported on ${type}`);
  }
  if (second === '_search' && parts.length === 2) {
    if (method !== 'POST') throw methodNotAllowed('Use POST for _search');
    const form = typeof req.body === 'string' ? [...new URLSearchParams(req.body)] : [];
    return search(cfg, type, type, [...query, ...form], req);
  }
  if (second === '_history' && parts.length === 2 && isGet) {
    return history(repo, path, query, { resType: type });
  }
  if (second!.startsWith('$')) return operation(cfg, `${type}/${second}`, req, { resourceType: type });
  const id = second!;
  if (parts.length === 2) {
    const ifMatch = parseETag(req.ifMatch);
    const opts = ifMatch === undefined ? {} : { ifMatch };
    switch (method) {
      case 'GET':
      case 'HEAD': {
        const v = await repo.read(type, id);
        if (notModified(v, req)) return { status: 304, headers: versionHeaders(v) };
        return { status: 200, headers: { 'content-type': FHIR_JSON, ...versionHeaders(v) }, body: resourceText(v.content, shape) };
      }
      case 'PUT':
        return writeResponse(await repo.update(type, id, req.body as Resource, opts), req, baseUrl);
      case 'PATCH':
        if (req.contentType && !/json-patch\+json/.test(req.contentType)) {
          throw badRequest('PATCH supports JSON Patch (application/json-patch+json)');
        }
        return writeResponse(await repo.patch(type, id, req.body, opts), req, baseUrl);
      case 'DELETE': {
        const r = await repo.delete(type, id, opts);
        return { status: 204, headers: r ? { etag: `W/"${r.stored.versionId}"` } : {} };
      }
      default:
        throw methodNotAllowed(`${method} is not supported on ${type}/${id}`);
    }
  }
  if (third === '_history' && isGet) {
    if (parts.length === 3) {
      await repo.read(type, id).catch((e: unknown) => {
        // History of a deleted resource is still available; only unknown ids are 404.
        if (!(e instanceof FhirError && e.status === 410)) throw e;
      });
      return history(repo, path, query, { resType: type, id });
    }
    if (parts.length === 4) {
      const v = await repo.vread(type, id, fourth!);
      return { status: 200, headers: { 'content-type': FHIR_JSON, ...versionHeaders(v) }, body: resourceText(v.content, shape) };
    }
  }
  if (third?.startsWith('$') && parts.length === 3) {
    return operation(cfg, `${type}/:id/${third}`, req, { resourceType: type, id });
  }
  throw notFound(`No FHIR interaction at '${path}'`);
}

async function history(
  repo: FhirRepository,
  path: string,
  query: [string, string][],
  scope: { resType?: string; id?: string },
): Promise<FhirResponse> {
  const h = historyParams(query);
  const r = await repo.history({ ...h, ...scope });
  const body = historyBundle(repo.config.baseUrl, path, query, r.rows, h.count, r.total);
  return { status: 200, headers: { 'content-type': FHIR_JSON }, body };
}

function notModified(v: StoredVersion, req: FhirRequest): boolean {
  if (req.ifNoneMatch !== undefined) {
    const tags = req.ifNoneMatch.split(',').map((t) => t.trim());
    return tags.includes('*') || tags.includes(`W/"${v.versionId}"`) || tags.includes(`"${v.versionId}"`);
  }
  if (req.ifModifiedSince !== undefined) {
    const since = Date.parse(req.ifModifiedSince);
    // HTTP dates have whole seconds; compare at that precision.
    return !Number.isNaN(since) && Math.floor(Date.parse(v.lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}

async function search(
  cfg: InteractionConfig,
  type: string,
  path: string,
  query: [string, string][],
  req: FhirRequest,
): Promise<FhirResponse> {
  const { request, page } = await cfg.repo.search(type, query, { strict: preferStrict(req.prefer) });
  return { status: 200, headers: { 'content-type': FHIR_JSON }, body: searchBundle(cfg.repo.config.baseUrl, path, query, request, page) };
}

async function operation(
  cfg: InteractionConfig,
  key: string,
  request: FhirRequest,
  target: { resourceType?: string; id?: string },
): Promise<FhirResponse> {
  const handler = cfg.operations.get(key);
  if (!handler) throw notFound(`Operation '${key.replace(':id', '{id}')}' is not supported`);
  return handler({ repo: cfg.repo, request, ...target });
}

