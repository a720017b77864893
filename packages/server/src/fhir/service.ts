import type { OperationDefinition, Resource } from '@medplum/fhirtypes';
import { processBundle } from './bundle.js';
import { buildCapabilityStatement } from './capability.js';
import type { InteractionConfig, OperationHandler } from './interaction.js';
import { patientEverything, patientEverythingDefinition } from './operations/patient-everything.js';
import type { FhirRepository } from './repository.js';

export const SALUS_VERSION = '0.1.0';

/**
 * One `$operation` a domain adds to the FHIR API. It runs like every other interaction: as the
 * caller (the repository in its context is the caller's), audited by the route that calls it.
 */
export interface FhirOperation {
  /** `Type/$name`, `Type/:id/$name` or `$name`. */
  key: string;
  handler: OperationHandler;
  definition: OperationDefinition;
}

const CORE_OPERATIONS: FhirOperation[] = [{ key: 'Patient/:id/$everything', handler: patientEverything, definition: patientEverythingDefinition }];

/** Wires the repository, the operations and bundle processing into one FHIR interaction handler. */
export function createFhirService(repo: FhirRepository, extra: FhirOperation[] = []): InteractionConfig {
  const all = [...CORE_OPERATIONS, ...extra];
  const operations = new Map<string, OperationHandler>(all.map((o) => [o.key, o.handler]));
  let capability: Resource | undefined;
  const cfg: InteractionConfig = {
    repo,
    operations,
    capability: () =>
      (capability ??= buildCapabilityStatement({
        baseUrl: repo.config.baseUrl,
        version: SALUS_VERSION,
        operations: all.map((o) => ({ name: o.definition.code!, definition: o.definition.url!, types: [...(o.definition.resource ?? []), ...(o.definition.system ? ['*'] : [])] })),
      })),
    bundle: processBundle,
  };
  return cfg;
}
