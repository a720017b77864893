/** Resource ids per FHIR R4 (http://hl7.org/fhir/R4/datatypes.html#id). */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export interface ParsedReference {
  resourceType: string;
  id: string;
  versionId?: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/**
 * Parses a literal reference that points into this server: `Type/id`, `Type/id/_history/v`, or an
 * absolute URL whose tail has that shape and starts with `baseUrl`. Returns undefined otherwise
 * (contained `#x`, `urn:` ids, external servers).
 */
export function parseReference(reference: string, baseUrl?: string): ParsedReference | undefined {
  let ref = reference;
  if (baseUrl && ref.startsWith(baseUrl)) ref = ref.slice(baseUrl.length).replace(/^\//, '');
  const m = RELATIVE.exec(ref);
  if (!m) return undefined;
  return m[3] ? { resourceType: m[1]!, id: m[2]!, versionId: m[3] } : { resourceType: m[1]!, id: m[2]! };
}
