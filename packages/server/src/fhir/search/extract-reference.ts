import { parseReference } from '@salus/core';
import { isResourceTypeName } from './extract-model.js';

/** What a literal reference points at, as stored in the reference index. */
export interface ReferenceTarget {
  ref: string;
  targetType: string | null;
  targetId: string | null;
}

const HISTORY_TAIL = /\/_history\/[^/]+$/;
const TYPE_ID_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * Reads a Reference.reference: local references (relative, or absolute under `baseUrl`) become
 * `Type/id` without their version, since search matches any version (FHIR R4 search 3.1.1.4.9);
 * other absolute URLs stay as written, minus the version, with type and id read from a
 * RESTful tail; `urn:` ids stay as written. Contained references (`#x`) point inside the resource
 * itself and are not indexed.
 */
export function referenceTarget(reference: string, baseUrl?: string): ReferenceTarget | undefined {
  if (reference === '' || reference.startsWith('#')) return undefined;
  const local = parseReference(reference, baseUrl);
  if (local) {
    return { ref: `${local.resourceType}/${local.id}`, targetType: local.resourceType, targetId: local.id };
  }
  if (!reference.includes('://')) return { ref: reference, targetType: null, targetId: null };
  const ref = reference.replace(HISTORY_TAIL, '');
  const m = TYPE_ID_TAIL.exec(ref);
  return m && isResourceTypeName(m[1]!)
    ? { ref, targetType: m[1]!, targetId: m[2]! }
    : { ref, targetType: null, targetId: null };
}

/**
 * The resource type a reference points at, as far as the reference itself tells: the type part of
 * its literal reference, else Reference.type. This stands in for `resolve() is T` in search
 * parameter expressions (e.g. `Observation.subject.where(resolve() is Patient)`), which would
 * otherwise need to fetch the target while indexing.
 */
export function referencedType(value: unknown): string | undefined {
  if (typeof value === 'string') return typeFromUrl(value);
  if (value === null || typeof value !== 'object') return undefined;
  const { reference, type } = value as { reference?: unknown; type?: unknown };
  if (typeof reference === 'string') {
    const fromRef = typeFromUrl(reference);
    if (fromRef) return fromRef;
  }
  // Reference.type is a URI, relative to http://hl7.org/fhir/StructureDefinition/ for core types.
  if (typeof type === 'string') return type.slice(type.lastIndexOf('/') + 1);
  return undefined;
}

function typeFromUrl(url: string): string | undefined {
  const slash = url.indexOf('/');
  if (slash > 0 && !url.includes('://')) {
    const type = url.slice(0, slash);
    return isResourceTypeName(type) ? type : undefined;
  }
  const m = TYPE_ID_TAIL.exec(url.replace(HISTORY_TAIL, ''));
  return m && isResourceTypeName(m[1]!) ? m[1] : undefined;
}
