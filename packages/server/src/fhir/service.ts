import type { Resource } from '@medplum/fhirtypes';
import { processBundle } from './bundle.js';
import { buildCapabilityStatement } from './capability.js';
import type { InteractionConfig, OperationHandler } from './interaction.js';
import { patientEverything, patientEverythingDefinition } from './operations/patient-everything.js';
import type { FhirRepository } from './repository.js';

export const SALUS_VERSION = '0.1.0';

/** Wires the repository, the operations and bundle processing into one FHIR interaction handler. */
export function createFhirService(repo: FhirRepository): InteractionConfig {
  const operations = new Map<string, OperationHandler>([['Patient/:id/$everything', patientEverything]]);
  let capability: Resource | undefined;
  const cfg: InteractionConfig = {
    repo,
    operations,
    capability: () =>
      (capability ??= buildCapabilityStatement({
        baseUrl: repo.config.baseUrl,
        version: SALUS_VERSION,
        operations: [{ name: 'everything', definition: patientEverythingDefinition.url!, types: ['Patient'] }],
      })),
    bundle: processBundle,
  };
  return cfg;
}
