import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import {
  badRequest,
  conflict,
  gone,
  invalidResource,
  isValidId,
  multipleMatches,
  notFound,
  parseFhirJson,
  preconditionFailed,
  stringifyFhirJson,
  unprocessable,
} from '@salus/core';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { ContentCipher } from '../crypto/cipher.js';
import { sealSensitive } from '../crypto/stored-content.js';
import { SQLSTATE, sqlState, type Db, type Queryable } from '../db/db.js';
import { isResourceType } from './definitions.js';
import { executeSearch, type SearchOptions, type SearchPage } from './search/execute.js';
import { extractIndexRows } from './search/extract.js';
import { emptyIndexRows } from './search/index-rows.js';
import { parseSearch, type SearchRequest } from './search/parse.js';
import {
  readCurrent,
  readHistory,
  readMany,
  readVersion,
  writeVersions,
  type HistoryQuery,
  type HistoryRow,
  type PendingWrite,
  type StoredVersion,
} from './store.js';
import { validateResource } from './validation/validate.js';
import type { AccessGuard } from '../access/guard.js';

export interface RepositoryConfig {
  /** Absolute base of the FHIR API, e.g. http://localhost:8080/fhir/R4 (for fullUrls and references). */
  baseUrl: string;
  /** Encrypts sensitive content at rest (see crypto/sensitive.ts) and decrypts it on every read. */
  cipher?: ContentCipher;
  /** Domain rules for writes of some resource types, by type (see WriteRule). */
  writeRules?: Readonly<Record<string, WriteRule>>;
}

/**
 * A domain's rule for writes of one resource type beyond structure and access: who may change a
 * Schedule, what its availability must look like. It runs inside the write's transaction for
 * every create, update and delete, the server's own included (then `guard` is undefined), and
 * throws a FhirError to refuse. `current` is the version being replaced, if there is one.
 */
export type WriteRule = (
  q: Queryable,
  change: { write: PendingWrite; current: StoredVersion | undefined },
  guard: AccessGuard | undefined,
) => Promise<void>;

export type WriteStatus = 'created' | 'updated' | 'deleted' | 'found';

export interface WriteResult {
  status: WriteStatus;
  stored: StoredVersion;
}

export interface WriteOptions {
  /** Expected current version (from If-Match); a mismatch is 412. */
  ifMatch?: number;
}

export function parseJson<T = Resource>(content: string): T {
  return parseFhirJson<T>(content);
}

/** Validates the resource type named in a URL. */
export function assertResourceType(type: string): void {
  if (!isResourceType(type)) throw notFound(`Unknown resource type '${type}'`);
}

/**
 * The repository: the one gate every read and write of FHIR data goes through. It validates,
 * stamps meta, keeps the history, maintains the search index and enforces version checks.
 */
export class FhirRepository {
  constructor(
    readonly db: Db,
    readonly config: RepositoryConfig,
    /** The caller's access check; absent only for the server's own work (seeding, import, migrations). */
    readonly guard?: AccessGuard,
  ) {}

  /** The same repository acting for one caller: every interaction is checked by `guard`. */
  as(guard: AccessGuard): FhirRepository {
    return new FhirRepository(this.db, this.config, guard);
  }

  /**
   * The same repository working inside an open transaction: its reads see the transaction's
   * writes, and its own "transactions" join the open one.
   */
  within(tx: Queryable): FhirRepository {
    const outer = this.db;
    const db: Db = {
      engine: outer.engine,
      query: (sql, params, options) => tx.query(sql, params, options),
      transaction: (fn) => fn(tx),
      exec: async (sql) => {
        await tx.query(sql);
      },
      listen: (channel, onMessage) => outer.listen(channel, onMessage),
      close: async () => undefined,
    };
    return new FhirRepository(db, this.config, this.guard);
  }

  /** Validates and stamps a resource, and extracts its index rows, ready to be written. */
  prepare(
    resource: Resource,
    id: string,
    versionId: number,
    lastUpdated: string,
    method: PendingWrite['method'],
  ): PendingWrite & { resource: Resource } {
    const issues = validateResource(resource);
    if (issues.length > 0) throw invalidResource(issues);
    const { resourceType, id: _ignored, meta, ...rest } = resource as Resource & Record<string, unknown>;
    const stamped = {
      resourceType,
      id,
      meta: { ...meta, versionId: String(versionId), lastUpdated },
      ...rest,
    } as Resource;
    const content = stringifyFhirJson(stamped);
    return {
      resType: resourceType,
      id,
      versionId,
      lastUpdated,
      deleted: false,
      method,
      content,
      sealed: sealSensitive(this.config.cipher, { resType: resourceType, id, versionId, content }, stamped),
      rows: extractIndexRows(stamped, { baseUrl: this.config.baseUrl }),
      resource: stamped,
    };
  }

  deletion(current: StoredVersion, lastUpdated: string): PendingWrite {
    return {
      resType: current.resType,
      id: current.id,
      versionId: current.versionId + 1,
      lastUpdated,
      deleted: true,
      method: 'DELETE',
      content: '',
      rows: emptyIndexRows(),
    };
  }

  async read(type: string, id: string): Promise<StoredVersion> {
    assertResourceType(type);
    const stored = isValidId(id) ? await readCurrent(this.db, type, id, this.config.cipher) : undefined;
    if (!stored) throw notFound(`${type}/${id} not found`);
    await this.guard?.checkStored(this.db, type, id, 'r');
    if (stored.deleted) throw gone(`${type}/${id} was deleted`);
    return stored;
  }

  async vread(type: string, id: string, versionId: string): Promise<StoredVersion> {
    assertResourceType(type);
    // Versions are PostgreSQL integers; a longer number cannot name one.
    const v = /^\d{1,9}$/.test(versionId) ? await readVersion(this.db, type, id, Number(versionId), this.config.cipher) : undefined;
    if (!v) throw notFound(`${type}/${id}/_history/${versionId} not found`);
    await this.guard?.checkStored(this.db, type, id, 'r');
    if (v.deleted) throw gone(`${type}/${id} version ${versionId} is a deletion`);
    return v;
  }

  /** POST: `options.type` is the type named by the URL, which the body must match. */
  async create(resource: Resource, options: { ifNoneExist?: string; type?: string } = {}): Promise<WriteResult> {
    assertBody(resource, options.type);
    if (options.ifNoneExist !== undefined) {
      return this.db.transaction(async (tx) => {
        await lockCondition(tx, resource.resourceType, options.ifNoneExist!);
        const existing = await this.matchOne(tx, resource.resourceType, options.ifNoneExist!);
        if (existing) return { status: 'found', stored: existing };
        return this.createIn(tx, resource);
      });
    }
    return this.createIn(this.db, resource);
  }

  private async createIn(q: Queryable, resource: Resource): Promise<WriteResult> {
    const write = this.prepare(resource, randomUUID(), 1, new Date().toISOString(), 'POST');
    await this.guard?.checkWrite(q, write, 'c');
    await this.checkRules(q, write, undefined);
    await writeVersions(q, [write]);
    return { status: 'created', stored: write };
  }

  /** PUT Type/id: update, or create with the client's id when it doesn't exist yet. */
  async update(type: string, id: string, resource: Resource, options: WriteOptions = {}): Promise<WriteResult> {
    assertResourceType(type);
    assertBody(resource, type);
    if (!isValidId(id)) throw badRequest(`'${id}' is not a valid resource id`, 'id');
    if (resource.id === undefined) throw badRequest('The resource must carry its id for an update', `${type}.id`);
    if (resource.id !== id) throw badRequest(`Resource id '${resource.id}' does not match URL id '${id}'`, `${type}.id`);
    return this.withConflicts(() =>
      this.db.transaction(async (tx) => {
        const [current] = await readMany(tx, [{ resType: type, id }], { lock: true, cipher: this.config.cipher });
        return this.updateIn(tx, resource, current, options, 'PUT');
      }),
    );
  }

  private async updateIn(
    q: Queryable,
    resource: Resource,
    current: StoredVersion | undefined,
    options: WriteOptions,
    method: 'PUT' | 'PATCH',
  ): Promise<WriteResult> {
    const exists = current !== undefined && !current.deleted;
    if (exists) await this.guard?.checkStored(q, resource.resourceType, resource.id!, 'u');
    checkVersion(resource.resourceType, resource.id!, current, options.ifMatch);
    const versionId = (current?.versionId ?? 0) + 1;
    const write = this.prepare(resource, resource.id!, versionId, new Date().toISOString(), method);
    await this.guard?.checkWrite(q, write, exists ? 'u' : 'c');
    await this.checkRules(q, write, exists ? current : undefined);
    await writeVersions(q, [write]);
    return { status: current && !current.deleted ? 'updated' : 'created', stored: write };
  }

  /** PUT Type?criteria (R4 3.1.0.4.3): none → create, one → update it, several → 412. */
  async conditionalUpdate(type: string, criteria: string, resource: Resource, options: WriteOptions = {}): Promise<WriteResult> {
    assertResourceType(type);
    assertBody(resource, type);
    return this.withConflicts(() =>
      this.db.transaction(async (tx) => {
        await lockCondition(tx, type, criteria);
        const match = await this.matchOne(tx, type, criteria);
        if (!match) {
          if (resource.id) {
            const [current] = await readMany(tx, [{ resType: type, id: resource.id }], { lock: true, cipher: this.config.cipher });
            return this.updateIn(tx, resource, current, options, 'PUT');
          }
          return this.createIn(tx, resource);
        }
        if (resource.id && resource.id !== match.id) {
          throw badRequest(`Resource id '${resource.id}' does not match the resource the criteria found`, `${type}.id`);
        }
        const [current] = await readMany(tx, [{ resType: type, id: match.id }], { lock: true, cipher: this.config.cipher });
        return this.updateIn(tx, { ...resource, id: match.id }, current, options, 'PUT');
      }),
    );
  }

  /** JSON Patch (RFC 6902) applied to the current version. */
  async patch(type: string, id: string, operations: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    assertResourceType(type);
    if (!Array.isArray(operations)) throw badRequest('A JSON Patch body must be an array of operations');
    const invalid = jsonPatch.validate(operations as Operation[]);
    if (invalid) throw badRequest(`Invalid JSON Patch: ${invalid.message}`, `[${invalid.index}]`);
    return this.withConflicts(() =>
      this.db.transaction(async (tx) => {
        const [current] = await readMany(tx, [{ resType: type, id }], { lock: true, cipher: this.config.cipher });
        if (!current) throw notFound(`${type}/${id} not found`);
        if (current.deleted) throw gone(`${type}/${id} was deleted`);
        // Checked before patching: a failed patch must not tell a stranger anything about the content.
        await this.guard?.checkStored(tx, type, id, 'u');
        let patched: Resource;
        try {
          // Patched in place: the library's own copy goes through JSON and would lose decimal precision.
          patched = jsonPatch.applyPatch(parseJson(current.content), operations as Operation[], true, true).newDocument;
        } catch (e) {
          // A failed `test` operation is a precondition on content, as RFC 6902 intends it.
          const failedTest = e instanceof Error && e.name === 'TEST_OPERATION_FAILED';
          throw failedTest
            ? unprocessable('JSON Patch test operation failed')
            : badRequest(`JSON Patch could not be applied: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (patched.resourceType !== type || patched.id !== id) {
          throw badRequest('A patch may not change resourceType or id');
        }
        return this.updateIn(tx, patched, current, options, 'PATCH');
      }),
    );
  }

  async delete(type: string, id: string, options: WriteOptions = {}): Promise<WriteResult | undefined> {
    assertResourceType(type);
    return this.withConflicts(() =>
      this.db.transaction(async (tx) => {
        const [current] = await readMany(tx, [{ resType: type, id }], { lock: true, cipher: this.config.cipher });
        // Deleting what isn't there (any more) succeeds without a new version (R4 3.1.0.7.1).
        if (!current || current.deleted) {
          if (options.ifMatch !== undefined) throw preconditionFailed(`${type}/${id} does not exist`);
          return undefined;
        }
        await this.guard?.checkStored(tx, type, id, 'd');
        checkVersion(type, id, current, options.ifMatch);
        const write = this.deletion(current, new Date().toISOString());
        await this.checkRules(tx, write, current);
        await writeVersions(tx, [write]);
        return { status: 'deleted' as const, stored: write };
      }),
    );
  }

  async conditionalDelete(type: string, criteria: string): Promise<WriteResult | undefined> {
    assertResourceType(type);
    const match = await this.matchOne(this.db, type, criteria);
    return match ? this.delete(type, match.id) : undefined;
  }

  async search(
    type: string,
    query: [string, string][],
    options: { strict?: boolean } & Partial<SearchOptions> = {},
    q: Queryable = this.db,
  ): Promise<{ request: SearchRequest; page: SearchPage }> {
    assertResourceType(type);
    const request = parseSearch(type, query, { strict: options.strict ?? false });
    const guard = this.guard;
    if (guard) {
      guard.requireSearchShape(request);
      options = { ...options, rowFilter: guard.rowFilter('s') };
    }
    const page = await executeSearch(q, request, { baseUrl: this.config.baseUrl, cipher: this.config.cipher, ...options });
    if (guard) for (const e of page.entries) guard.touched.add(`${e.resType}/${e.id}`);
    return { request, page };
  }

  /** The single resource the criteria select, undefined for none, 412 for several. */
  async matchOne(q: Queryable, type: string, criteria: string): Promise<StoredVersion | undefined> {
    const query = [...new URLSearchParams(criteria)];
    if (query.length === 0) throw badRequest(`Empty search criteria for a conditional ${type} operation`);
    const request = parseSearch(type, query, { strict: true });
    request.count = 2;
    request.total = 'none';
    const page = await executeSearch(q, request, {
      baseUrl: this.config.baseUrl,
      cipher: this.config.cipher,
      ...(this.guard ? { rowFilter: this.guard.rowFilter('s') } : {}),
    });
    if (page.entries.length > 1) throw multipleMatches(`More than one ${type} matches '${criteria}'`);
    const hit = page.entries[0];
    return hit && { resType: hit.resType, id: hit.id, versionId: hit.versionId, lastUpdated: hit.lastUpdated, deleted: false, content: hit.content };
  }

  async history(query: HistoryQuery): Promise<{ rows: HistoryRow[]; total?: number }> {
    if (query.resType) assertResourceType(query.resType);
    if (this.guard) {
      if (query.resType && query.id) await this.guard.checkStored(this.db, query.resType, query.id, 'r');
      else this.guard.requireUnrestricted(query.resType, 's');
    }
    return readHistory(this.db, query, this.config.cipher);
  }

  /** Applies the domain's rule for the written type, if it has one (RepositoryConfig.writeRules). */
  async checkRules(q: Queryable, write: PendingWrite, current: StoredVersion | undefined): Promise<void> {
    await this.config.writeRules?.[write.resType]?.(q, { write, current }, this.guard);
  }

  /** Unique-key races (two creates of one client id) surface as 409, never as a server error. */
  async withConflicts<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (sqlState(e) === SQLSTATE.uniqueViolation || sqlState(e) === SQLSTATE.serializationFailure) {
        throw conflict('The resource was changed by another request at the same time; retry');
      }
      throw e;
    }
  }
}

function assertBody(resource: unknown, type?: string): asserts resource is Resource {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw badRequest('The request body must be a FHIR resource (a JSON object)');
  }
  const rt = (resource as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') throw badRequest('The resource has no resourceType', 'resourceType');
  if (!isResourceType(rt)) throw badRequest(`Unknown resource type '${rt}'`, 'resourceType');
  if (type && rt !== type) throw badRequest(`Resource type '${rt}' does not match URL type '${type}'`, 'resourceType');
}

function checkVersion(type: string, id: string, current: StoredVersion | undefined, ifMatch: number | undefined): void {
  if (ifMatch === undefined) return;
  if (!current || current.deleted) throw preconditionFailed(`${type}/${id} does not exist; If-Match cannot match`);
  if (current.versionId !== ifMatch) {
    throw preconditionFailed(`${type}/${id} is at version ${current.versionId}, not ${ifMatch} (If-Match)`);
  }
}

/** Serializes conditional writes on the same criteria, so two racing creates cannot both create. */
async function lockCondition(q: Queryable, type: string, criteria: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${type}?${criteria}`]);
}

