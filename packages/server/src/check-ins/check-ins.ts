import type { FhirOperation } from '../fhir/service.js';
import type { FhirRepository } from '../fhir/repository.js';
import { enrolCheckInOperation } from './enrol.js';
import { submitCheckInOperation } from './submit.js';

export { loadCheckInQuestionnaires } from './questionnaires.js';

/** The check-in $operations; `repo` is the server's own (unguarded) repository, for the score and the care team's task. */
export function checkInOperations(repo: FhirRepository, now: () => Date): FhirOperation[] {
  return [submitCheckInOperation(repo, now), enrolCheckInOperation(now)];
}
