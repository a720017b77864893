import { CHECK_IN_BASE, frequencyItems, loincCoding, TWO_WEEK_STEM } from './codes.js';
import { bandsFrom, type CheckInInstrument } from './instrument.js';

/**
 * PHQ-9, the nine-item depression measure (Kroenke, Spitzer & Williams, J Gen Intern Med 2001),
 * coded as LOINC panel 44249-1. Item codes, order and wording follow the US Core example
 * Questionnaire http://hl7.org/fhir/us/core/Questionnaire/phq-9-example (STU 6.1–9); the total is
 * 44261-6. Bands as published by the authors: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19
 * moderately severe, 20–27 severe. The tenth, unscored question (how difficult the problems made
 * life) is left out: it changes neither the score nor the concerns, and every question costs a
 * person who is struggling some effort.
 */

export const PHQ9_SELF_HARM = '44260-8';

const ITEMS: [code: string, text: string][] = [
  ['44250-9', 'Little interest or pleasure in doing things'],
  ['44255-8', 'Feeling down, depressed, or hopeless'],
  ['44259-0', 'Trouble falling or staying asleep, or sleeping too much'],
  ['44254-1', 'Feeling tired or having little energy'],
  ['44251-7', 'Poor appetite or overeating'],
  ['44258-2', 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down'],
  ['44252-5', 'Trouble concentrating on things, such as reading the newspaper or watching television'],
  ['44253-3', 'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual'],
  [PHQ9_SELF_HARM, 'Thoughts that you would be better off dead, or of hurting yourself in some way'],
];

export const PHQ9: CheckInInstrument = {
  key: 'phq-9',
  name: 'PHQ-9',
  about: 'How your mood has been',
  questionnaire: {
    resourceType: 'Questionnaire',
    id: 'phq-9',
    url: `${CHECK_IN_BASE}/Questionnaire/phq-9`,
    version: '1.0.0',
    name: 'PHQ9',
    title: 'Patient Health Questionnaire (PHQ-9)',
    status: 'active',
    subjectType: ['Patient'],
    code: [loincCoding('44249-1', 'PHQ-9 quick depression assessment panel [Reported.PHQ]')],
    description: TWO_WEEK_STEM,
    copyright:
      'PHQ-9: Copyright © Pfizer Inc. Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute. Contains LOINC® content (http://loinc.org), copyright © Regenstrief Institute, Inc.',
    item: frequencyItems(ITEMS),
  },
  score: {
    code: loincCoding('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]'),
    max: 27,
    measures: 'depression',
    bands: bandsFrom([['minimal', 0], ['mild', 5], ['moderate', 10], ['moderately-severe', 15], ['severe', 20]], 27),
  },
  // Any answer but "Not at all" to item 9 needs a clinician at once, whatever the total.
  concerns: [{ linkId: PHQ9_SELF_HARM, kind: 'self-harm', raisedBy: { ordinalAbove: 0 }, text: 'Thoughts of being better off dead or of self-harm' }],
};
