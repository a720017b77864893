import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { resourceTypes, searchParams } from './definitions.js';

export interface CapabilityOptions {
  baseUrl: string;
  version: string;
  /** Operations by the types they apply to ('*' for system level). */
  operations: { name: string; definition: string; types: string[] }[];
}

const INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;

/** What this server does, derived from the same definitions the server runs on, so it can't drift. */
export function buildCapabilityStatement(o: CapabilityOptions): CapabilityStatement {
  const params = searchParams();
  const resource: CapabilityStatementRestResource[] = resourceTypes().map((type) => {
    const defs = [...(params.get(type)?.values() ?? [])].filter((p) => p.type !== 'special');
    const refs = defs.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`);
    const ops = o.operations.filter((op) => op.types.includes(type));
    const r: CapabilityStatementRestResource = {
      type: type as CapabilityStatementRestResource['type'],
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'modified-since',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      referencePolicy: ['literal', 'local'],
      searchInclude: refs,
      searchRevInclude: [],
      searchParam: defs.map((p) => ({ name: p.code, definition: p.url, type: p.type as 'string' })),
    };
    if (ops.length) r.operation = ops.map((op) => ({ name: op.name, definition: op.definition }));
    return r;
  });
  // Reverse includes: every reference parameter of any type that can point here.
  const revByTarget = new Map<string, string[]>();
  for (const [type, defs] of params) {
    for (const p of defs.values()) {
      if (p.type !== 'reference') continue;
      for (const t of p.target) revByTarget.set(t, [...(revByTarget.get(t) ?? []), `${type}:${p.code}`]);
    }
  }
  for (const r of resource) r.searchRevInclude = revByTarget.get(r.type) ?? [];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Salus', version: o.version },
    implementation: { description: 'Salus FHIR R4 server', url: o.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        searchParam: [
          { name: '_sort', type: 'string', documentation: 'Several keys, comma separated; - for descending' },
          { name: '_count', type: 'number', documentation: 'Page size (max 1000)' },
          { name: '_total', type: 'token', documentation: 'none | estimate | accurate' },
          { name: '_summary', type: 'token', documentation: 'true | text | data | count | false' },
          { name: '_elements', type: 'string' },
          { name: '_include', type: 'string', documentation: 'Type:param[:Target], with :iterate' },
          { name: '_revinclude', type: 'string', documentation: 'Type:param[:Target], with :iterate' },
          { name: '_has', type: 'string', documentation: 'Reverse chaining' },
        ],
        operation: o.operations
          .filter((op) => op.types.includes('*'))
          .map((op) => ({ name: op.name, definition: op.definition })),
      },
    ],
  };
}
