import type { Coding, QuestionnaireItem } from '@medplum/fhirtypes';
import { CHECK_IN_BASE, SNOMED } from './codes.js';
import type { CheckInInstrument } from './instrument.js';

/**
 * A short symptom check between visits. Not a published scale, so it has no total: its purpose is
 * to catch the answers that cannot wait. Chest pain, breathlessness at rest and sudden
 * weakness, numbness or trouble speaking are the warning signs of a heart attack and a stroke for
 * which the American Heart Association and the CDC tell people to call 911 — so a "yes" to any of
 * them is a red flag (priority stat). Severe symptoms are urgent for the care team, not an
 * emergency. Severity answers are the SNOMED CT qualifiers of the R4 condition-severity value set,
 * plus 260413007 |None|.
 */

const sct = (code: string, display: string): Coding => ({ system: SNOMED, code, display });

const yesNo = (linkId: string, text: string, code?: Coding): QuestionnaireItem => ({ linkId, ...(code ? { code: [code] } : {}), text, type: 'boolean', required: true });

const SEVERE = sct('24484000', 'Severe');

export const SYMPTOM_CHECK: CheckInInstrument = {
  key: 'symptom-check',
  name: 'Symptom check',
  about: 'How you are feeling today',
  questionnaire: {
    resourceType: 'Questionnaire',
    id: 'symptom-check',
    url: `${CHECK_IN_BASE}/Questionnaire/symptom-check`,
    version: '1.0.0',
    name: 'SymptomCheck',
    title: 'Symptom check',
    status: 'active',
    subjectType: ['Patient'],
    description: 'A few questions about how you are feeling right now.',
    item: [
      yesNo('chest-pain', 'Do you have chest pain, pressure or tightness right now?', sct('29857009', 'Chest pain')),
      yesNo('breathing', 'Are you short of breath or struggling to breathe while resting?', sct('267036007', 'Dyspnea')),
      yesNo('stroke-signs', 'Have you suddenly had weakness or numbness in your face, arm or leg, or trouble speaking?'),
      yesNo('fever', 'Have you had a fever (38 °C / 100.4 °F or higher) since your last check-in?', sct('386661006', 'Fever')),
      {
        linkId: 'symptom-severity',
        text: 'Overall, how bad are your symptoms today?',
        type: 'choice',
        required: true,
        answerOption: [{ valueCoding: sct('260413007', 'None') }, { valueCoding: sct('255604002', 'Mild') }, { valueCoding: sct('6736007', 'Moderate') }, { valueCoding: SEVERE }],
      },
    ],
  },
  concerns: [
    { linkId: 'chest-pain', kind: 'red-flag', raisedBy: { yes: true }, text: 'Chest pain, pressure or tightness now' },
    { linkId: 'breathing', kind: 'red-flag', raisedBy: { yes: true }, text: 'Short of breath at rest' },
    { linkId: 'stroke-signs', kind: 'red-flag', raisedBy: { yes: true }, text: 'Sudden weakness, numbness or trouble speaking' },
    { linkId: 'symptom-severity', kind: 'severe-symptom', raisedBy: { codes: [SEVERE.code!] }, text: 'Severe symptoms today' },
  ],
};
