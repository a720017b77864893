import type { Coding, Questionnaire } from '@medplum/fhirtypes';

/** What Salus knows about a check-in questionnaire beyond the Questionnaire itself: how to score it and what must not wait. */

export type CheckInKey = 'phq-9' | 'gad-7' | 'symptom-check';

export type SeverityCode = 'minimal' | 'mild' | 'moderate' | 'moderately-severe' | 'severe';

/** A published severity band of a total score, both ends included. */
export interface SeverityBand {
  code: SeverityCode;
  min: number;
  max: number;
  /** As clinicians name it: "Moderately severe". */
  label: string;
}

/**
 * Why a check-in needs a clinician soon. Thoughts of self-harm and red-flag symptoms cannot wait
 * for the next visit (priority stat); a severe total or severe symptoms need a look today (urgent).
 */
export type ConcernKind = 'self-harm' | 'red-flag' | 'severe-score' | 'severe-symptom';
export type ConcernPriority = 'stat' | 'urgent';

export const CONCERN_PRIORITY: Readonly<Record<ConcernKind, ConcernPriority>> = {
  'self-harm': 'stat',
  'red-flag': 'stat',
  'severe-score': 'urgent',
  'severe-symptom': 'urgent',
};

const BAND_LABEL: Readonly<Record<SeverityCode, string>> = {
  minimal: 'Minimal',
  mild: 'Mild',
  moderate: 'Moderate',
  'moderately-severe': 'Moderately severe',
  severe: 'Severe',
};

/**
 * Bands as the scales' authors publish them, by the score each starts at ("5, 10, 15 and 20
 * represent cut-points for mild, moderate, moderately severe and severe"): each runs to one below
 * the next, the last to the highest score.
 */
export function bandsFrom(starts: readonly [SeverityCode, number][], max: number): SeverityBand[] {
  return starts.map(([code, min], i) => ({ code, min, max: (starts[i + 1]?.[1] ?? max + 1) - 1, label: BAND_LABEL[code] }));
}

/** An answer that raises a concern: any answer scoring above a value, a "yes", or one of these codes. */
export type ConcernTrigger = { ordinalAbove: number } | { yes: true } | { codes: string[] };

export interface ConcernRule {
  linkId: string;
  kind: Exclude<ConcernKind, 'severe-score'>;
  raisedBy: ConcernTrigger;
  /** What the answer means, for the clinician's task: "Thoughts of self-harm". */
  text: string;
}

export interface TotalScore {
  /** The LOINC code of the total, which the score Observation carries. */
  code: Coding;
  max: number;
  /** What the total measures, for plain words: "depression". */
  measures: string;
  bands: SeverityBand[];
}

export interface CheckInInstrument {
  key: CheckInKey;
  /** The name people know it by: "PHQ-9". */
  name: string;
  /** What it asks about, for a patient choosing or seeing it due: "How your mood has been". */
  about: string;
  questionnaire: Questionnaire & { url: string; version: string };
  score?: TotalScore;
  concerns: ConcernRule[];
}
