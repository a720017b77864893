import type { Resource } from '@medplum/fhirtypes';
import { topLevelElements } from './definitions.js';
import type { SummaryMode } from './search/parse.js';

/** The tag R4 requires on resources returned incomplete (_summary, _elements). */
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

export interface ShapeOptions {
  summary?: SummaryMode;
  elements?: string[];
}

export function needsShaping(o: ShapeOptions): boolean {
  return (o.summary !== undefined && o.summary !== 'false') || (o.elements !== undefined && o.elements.length > 0);
}

function matches(key: string, names: string[]): boolean {
  return names.some((n) => key === n || (key.startsWith(n) && /^[A-Z]/.test(key.slice(n.length))));
}

/** Applies `_summary` / `_elements` to one resource (R4 search 3.1.1.5.8 / 3.1.1.5.9). */
export function shapeResource(resource: Resource, o: ShapeOptions): Resource {
  if (!needsShaping(o)) return resource;
  const { summary, mandatory } = topLevelElements(resource.resourceType);
  const always = ['resourceType', 'id', 'meta'];
  let keep: (key: string) => boolean;
  if (o.elements && o.elements.length > 0) {
    const wanted = [...always, ...mandatory, ...o.elements];
    keep = (k) => matches(k, wanted);
  } else if (o.summary === 'true') {
    keep = (k) => matches(k, [...always, ...summary]);
  } else if (o.summary === 'text') {
    keep = (k) => matches(k, [...always, 'text', ...mandatory]);
  } else {
    // _summary=data: everything but the narrative.
    keep = (k) => k !== 'text';
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    // Primitive extensions (_birthDate) follow their element.
    if (keep(k.startsWith('_') ? k.slice(1) : k)) out[k] = v;
  }
  const meta = (out.meta ?? {}) as { tag?: { system?: string; code?: string }[] };
  const tags = (meta.tag ?? []).filter((t) => !(t.system === SUBSETTED.system && t.code === SUBSETTED.code));
  out.meta = { ...meta, tag: [...tags, SUBSETTED] };
  return out as unknown as Resource;
}
