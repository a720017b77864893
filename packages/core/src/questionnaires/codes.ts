import type { Coding, Extension, QuestionnaireItem, QuestionnaireItemAnswerOption } from '@medplum/fhirtypes';
import { LOINC } from '../vital-signs.js';

/** Where the check-in definitions Salus ships live: canonical URLs that never depend on an installation. */
export const CHECK_IN_BASE = 'https://salus.example/fhir';
/** Codes Salus coins for check-ins: the plan category and the clinician's review task. */
export const CHECK_IN_SYSTEM = `${CHECK_IN_BASE}/CodeSystem/check-in`;
/** Severity bands of a total (minimal … severe), as the score Observation's interpretation. */
export const CHECK_IN_SEVERITY_SYSTEM = `${CHECK_IN_BASE}/CodeSystem/check-in-severity`;
/** Why a check-in needs a clinician (self-harm, red-flag, severe-score, severe-symptom). */
export const CHECK_IN_CONCERN_SYSTEM = `${CHECK_IN_BASE}/CodeSystem/check-in-concern`;

/** The Task a concerning check-in gives the care team. */
export const REVIEW_CHECK_IN: Coding = { system: CHECK_IN_SYSTEM, code: 'review-check-in', display: 'Review a check-in that raised a concern' };
export const SNOMED = 'http://snomed.info/sct';

/** The R4 core extension that gives an answer its score (http://hl7.org/fhir/R4/extension-ordinalvalue.html). */
export const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';

export const loincCoding = (code: string, display: string): Coding => ({ system: LOINC, code, display });

function scored(coding: Coding, value: number): QuestionnaireItemAnswerOption {
  const extension: Extension[] = [{ url: ORDINAL_VALUE, valueDecimal: value }];
  return { extension, valueCoding: coding };
}

/**
 * LOINC answer list LL358-3, shared by PHQ-9 and GAD-7 items, scored 0–3 as the instruments'
 * authors publish them (Kroenke, Spitzer & Williams 2001; Spitzer et al. 2006).
 */
export const FREQUENCY_ANSWERS: readonly QuestionnaireItemAnswerOption[] = [
  scored(loincCoding('LA6568-5', 'Not at all'), 0),
  scored(loincCoding('LA6569-3', 'Several days'), 1),
  scored(loincCoding('LA6570-1', 'More than half the days'), 2),
  scored(loincCoding('LA6571-9', 'Nearly every day'), 3),
];

/** The answer's score, as the option chosen carries it in the ordinalValue extension. */
export function ordinalOf(option: QuestionnaireItemAnswerOption): number | undefined {
  const ext = option.extension?.find((e) => e.url === ORDINAL_VALUE);
  return ext?.valueDecimal;
}

/** The question both PHQ-9 and GAD-7 put before their items. */
export const TWO_WEEK_STEM = 'Over the last 2 weeks, how often have you been bothered by any of the following problems?';

/** Required one-answer items on the frequency list, each coded and linked by its LOINC code. */
export function frequencyItems(items: [code: string, text: string][]): QuestionnaireItem[] {
  return items.map(([code, text]) => ({ linkId: code, code: [loincCoding(code, text)], text, type: 'choice', required: true, answerOption: [...FREQUENCY_ANSWERS] }));
}
