import type { OperationDefinition, Resource } from '@medplum/fhirtypes';
import { badRequest, parseReference } from '@salus/core';
import { isResourceType, patientCompartmentParams } from '../definitions.js';
import { bundleText, FHIR_JSON, instantParam, type OperationContext, type FhirResponse } from '../interaction.js';
import { parseJson } from '../repository.js';
import { readMany } from '../store.js';
import { openStored } from '../../crypto/stored-content.js';
import { SqlBuilder } from '../search/sql.js';
import { typeClass } from '../../access/policy.js';

/** Patient/[id]/$everything (R4 http://hl7.org/fhir/OperationDefinition/Patient-everything). */
export const patientEverythingDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Patient-everything',
  url: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
  name: 'everything',
  status: 'active',
  kind: 'operation',
  code: 'everything',
  resource: ['Patient'],
  system: false,
  type: false,
  instance: true,
  parameter: [
    { name: '_since', use: 'in', min: 0, max: '1', type: 'instant' },
    { name: '_type', use: 'in', min: 0, max: '*', type: 'code' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
  ],
};

/**
 * The patient, every resource in their compartment (per the R4 Patient CompartmentDefinition),
 * and the resources those refer to (practitioners, organizations, medications...).
 */
export async function patientEverything(ctx: OperationContext): Promise<FhirResponse> {
  const { repo, request } = ctx;
  if (request.method !== 'GET' && request.method !== 'POST') throw badRequest('$everything is invoked with GET or POST');
  const id = ctx.id!;
  const patient = await repo.read('Patient', id);
  let since: string | undefined;
  let types: Set<string> | undefined;
  for (const [k, v] of request.query) {
    if (k === '_since') {
      since = instantParam('_since', v);
    } else if (k === '_type') {
      types ??= new Set();
      for (const t of v.split(',')) {
        if (!isResourceType(t)) throw badRequest(`Unknown resource type '${t}' in _type`, '_type');
        types.add(t);
      }
    }
  }
  const pairs = [...patientCompartmentParams()].flatMap(([type, params]) =>
    !types || types.has(type) ? params.map((p) => [type, p] as const) : [],
  );
  const b = new SqlBuilder();
  const sinceSql = since ? `AND r.last_updated >= ${b.bind(since, 'timestamptz')}` : '';
  // The caller may reach only part of the record (a refused data type, a pharmacy's view).
  const access = repo.guard?.rowFilter('r')(b, '*', 'r');
  const r = await repo.db.query<{ res_type: string; id: string; version_id: number; content: string }>(
    `SELECT r.res_type, r.id, r.version_id, r.content FROM resources r WHERE NOT r.deleted ${sinceSql} ${access ? `AND ${access}` : ''} AND (r.res_type, r.id) IN (
       SELECT x.res_type, x.res_id FROM sp_reference x
       WHERE x.target_id = ${b.bind(id)} AND x.target_type = 'Patient'
         AND (x.res_type, x.code) IN (SELECT * FROM unnest(${b.bind(pairs.map((p) => p[0]), 'text[]')}, ${b.bind(pairs.map((p) => p[1]), 'text[]')})))
     ORDER BY r.rid`,
    b.params,
  );
  for (const row of r.rows) row.content = openStored(repo.config.cipher, row.res_type, row.id, row.version_id, row.content);
  const have = new Set([`Patient/${id}`, ...r.rows.map((x) => `${x.res_type}/${x.id}`)]);
  const wanted = new Map<string, { resType: string; id: string }>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'reference' && typeof v === 'string') {
          const ref = parseReference(v, repo.config.baseUrl);
          const key = ref && `${ref.resourceType}/${ref.id}`;
          if (ref && key && !have.has(key) && (!types || types.has(ref.resourceType))) {
            wanted.set(key, { resType: ref.resourceType, id: ref.id });
          }
        } else if (typeof v === 'object') collect(v);
      }
    }
  };
  for (const row of r.rows) collect(parseJson<Resource>(row.content));
  if (!types || types.has('Patient')) collect(parseJson<Resource>(patient.content));
  const guard = repo.guard;
  // Resources the record points to outside the compartment: the directory (clinicians,
  // organizations, medicines), or anything for callers who see every row.
  const reachable = (t: string): boolean => !guard || guard.unrestricted(t, 'r') || typeClass(t) === 'directory';
  const referenced = (await readMany(repo.db, [...wanted.values()].filter((w) => reachable(w.resType)), { cipher: repo.config.cipher })).filter((v) => !v.deleted);
  const all = [
    ...(!types || types.has('Patient') ? [{ resType: 'Patient', id, content: patient.content }] : []),
    ...r.rows.map((x) => ({ resType: x.res_type, id: x.id, content: x.content })),
    ...referenced,
  ];
  if (guard) for (const e of all) guard.touched.add(`${e.resType}/${e.id}`);
  const base = repo.config.baseUrl;
  const entries = all.map(
    (e) => `{"fullUrl":${JSON.stringify(`${base}/${e.resType}/${e.id}`)},"resource":${e.content},"search":{"mode":"match"}}`,
  );
  const self = `${base}/Patient/${id}/$everything${request.query.length ? `?${new URLSearchParams(request.query)}` : ''}`;
  return {
    status: 200,
    headers: { 'content-type': FHIR_JSON },
    body: bundleText('searchset', all.length, [{ relation: 'self', url: self }], entries),
  };
}
