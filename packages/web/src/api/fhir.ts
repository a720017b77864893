import type { Bundle, Resource } from '@medplum/fhirtypes';
import { request } from './http.js';

/** FHIR REST calls against the server's base, under the signed-in person's session. */

export const FHIR_BASE = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json';

export type SearchParams = Record<string, string | number | undefined> | URLSearchParams;

function query(params: SearchParams | undefined): string {
  if (!params) return '';
  const q = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function readResource<T extends Resource>(type: T['resourceType'], id: string, signal?: AbortSignal): Promise<T> {
  return request<T>(`${FHIR_BASE}/${type}/${encodeURIComponent(id)}`, { signal });
}

export function searchBundle(type: string, params?: SearchParams, signal?: AbortSignal): Promise<Bundle> {
  return request<Bundle>(`${FHIR_BASE}/${type}${query(params)}`, { signal });
}

/** The matches of a search (entries with mode `match`, or no mode), typed. */
export async function search<T extends Resource>(type: T['resourceType'], params?: SearchParams, signal?: AbortSignal): Promise<T[]> {
  const bundle = await searchBundle(type, params, signal);
  return matches<T>(bundle);
}

export function matches<T extends Resource>(bundle: Bundle): T[] {
  return (bundle.entry ?? []).filter((e) => e.resource && e.search?.mode !== 'include' && e.search?.mode !== 'outcome').map((e) => e.resource as T);
}

export function createResource<T extends Resource>(resource: T): Promise<T> {
  return request<T>(`${FHIR_BASE}/${resource.resourceType}`, { method: 'POST', body: resource, contentType: FHIR_JSON });
}

export function updateResource<T extends Resource>(resource: T & { id: string }): Promise<T> {
  return request<T>(`${FHIR_BASE}/${resource.resourceType}/${encodeURIComponent(resource.id)}`, { method: 'PUT', body: resource, contentType: FHIR_JSON });
}

export function postBundle(bundle: Bundle): Promise<Bundle> {
  return request<Bundle>(FHIR_BASE, { method: 'POST', body: bundle, contentType: FHIR_JSON });
}

/** Everything in a patient's record the caller may see, every page followed. */
export async function patientEverything(patientId: string, signal?: AbortSignal): Promise<Resource[]> {
  const out: Resource[] = [];
  let url: string | undefined = `${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$everything?_count=1000`;
  while (url) {
    const bundle: Bundle = await request<Bundle>(url, { signal });
    for (const e of bundle.entry ?? []) if (e.resource) out.push(e.resource as Resource);
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    url = next ? sameOrigin(next) : undefined;
  }
  return out;
}

/** Paging links carry the server's public origin; the app always calls its own. */
function sameOrigin(url: string): string {
  const u = new URL(url, window.location.origin);
  return `${u.pathname}${u.search}`;
}
