import type { Resource } from '@medplum/fhirtypes';
import { search } from '../api/fhir.js';
import { referenceKey, resourceName } from '../record/use-patient-record.js';

/** Types whose names can be looked up; others (an app, a device) are described by role instead. */
const NAMED_TYPES = new Set(['Practitioner', 'Patient', 'RelatedPerson', 'Organization', 'PractitionerRole']);
const BATCH = 50;

/**
 * Names for some references (`Practitioner/x`...), with one search per type and batch of ids
 * rather than one read each. A lookup that fails or finds nothing leaves that name out: the
 * caller still has the role to say who it was, and someone's record may not be ours to read.
 */
export async function lookupNames(references: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const byType = new Map<string, Set<string>>();
  for (const ref of references) {
    const key = referenceKey(ref);
    if (!key) continue;
    const [type, id] = key.split('/') as [string, string];
    if (!NAMED_TYPES.has(type)) continue;
    byType.set(type, (byType.get(type) ?? new Set()).add(id));
  }
  const searches: Promise<Resource[]>[] = [];
  for (const [type, ids] of byType) {
    const all = [...ids];
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      searches.push(search(type as Resource['resourceType'], { _id: batch.join(','), _count: batch.length }, signal));
    }
  }
  const names = new Map<string, string>();
  for (const result of await Promise.allSettled(searches)) {
    if (result.status !== 'fulfilled') continue;
    for (const r of result.value) {
      const name = r.resourceType === 'PractitionerRole' ? (r.practitioner?.display ?? '') : resourceName(r);
      if (name && r.id) names.set(`${r.resourceType}/${r.id}`, name);
    }
  }
  return names;
}
