import type { Questionnaire } from '@medplum/fhirtypes';
import { CHECK_INS } from '@salus/core';
import { parseJson, type FhirRepository } from '../fhir/repository.js';

/** A Questionnaire's content without what the store stamps on it. */
function body(q: Questionnaire): string {
  const { id: _id, meta: _meta, ...rest } = q;
  return JSON.stringify(rest);
}

/**
 * Puts the check-in Questionnaires Salus ships into the store, where everyone signed in may read
 * them (Questionnaire is directory data). Every start runs it: a conditional update on the
 * canonical url and version, skipped when the stored one already says the same, so restarts add
 * no versions and a new release's wording arrives with the code.
 */
export async function loadCheckInQuestionnaires(repo: FhirRepository): Promise<void> {
  for (const { questionnaire } of CHECK_INS) {
    const criteria = new URLSearchParams({ url: questionnaire.url, version: questionnaire.version }).toString();
    const stored = await repo.matchOne(repo.db, 'Questionnaire', criteria);
    if (stored && body(parseJson<Questionnaire>(stored.content)) === body(questionnaire)) continue;
    // The stored one keeps its id (the shipped `phq-9`, or whatever an older install gave it).
    await repo.conditionalUpdate('Questionnaire', criteria, { ...questionnaire, id: stored?.id ?? questionnaire.id });
  }
}
