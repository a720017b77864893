import { CHECK_IN_BASE, frequencyItems, loincCoding, TWO_WEEK_STEM } from './codes.js';
import { bandsFrom, type CheckInInstrument } from './instrument.js';

/**
 * GAD-7, the seven-item anxiety measure (Spitzer, Kroenke, Williams & Löwe, Arch Intern Med
 * 2006), coded as LOINC panel 69737-5 with total 70274-6. Item codes as in the HL7 Personal Health
 * Record Format IG's GAD-7 example (input/fsh/pghd/examples/Mind) and the HL7 PCO IG's
 * Questionnaire 69737-5. Bands as published by the authors: 0–4 minimal, 5–9 mild, 10–14
 * moderate, 15–21 severe. The unscored difficulty question is left out, as for PHQ-9.
 */
export const GAD7: CheckInInstrument = {
  key: 'gad-7',
  name: 'GAD-7',
  about: 'How anxious or worried you have felt',
  questionnaire: {
    resourceType: 'Questionnaire',
    id: 'gad-7',
    url: `${CHECK_IN_BASE}/Questionnaire/gad-7`,
    version: '1.0.0',
    name: 'GAD7',
    title: 'Generalized Anxiety Disorder scale (GAD-7)',
    status: 'active',
    subjectType: ['Patient'],
    code: [loincCoding('69737-5', 'Generalized anxiety disorder 7 item (GAD-7)')],
    description: TWO_WEEK_STEM,
    copyright:
      'GAD-7: Copyright © Pfizer Inc. Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute. Contains LOINC® content (http://loinc.org), copyright © Regenstrief Institute, Inc.',
    item: frequencyItems([
      ['69725-0', 'Feeling nervous, anxious, or on edge'],
      ['68509-9', 'Not being able to stop or control worrying'],
      ['69733-4', 'Worrying too much about different things'],
      ['69734-2', 'Trouble relaxing'],
      ['69735-9', 'Being so restless that it is hard to sit still'],
      ['69689-8', 'Becoming easily annoyed or irritable'],
      ['69736-7', 'Feeling afraid, as if something awful might happen'],
    ]),
  },
  score: {
    code: loincCoding('70274-6', 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]'),
    max: 21,
    measures: 'anxiety',
    bands: bandsFrom([['minimal', 0], ['mild', 5], ['moderate', 10], ['severe', 15]], 21),
  },
  concerns: [],
};
