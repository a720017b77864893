import type { Coding } from '@medplum/fhirtypes';
import { SYSTEM, coding } from './demo-support.js';

/**
 * The clinical vocabulary of the demo world, in one place so each code is checked once.
 * Codes are facts of their code systems (SNOMED CT, LOINC, RxNorm, CVX); displays follow each
 * system's preferred wording.
 */

const sct = (code: string, display: string): Coding => coding(SYSTEM.snomed, code, display);
const loinc = (code: string, display: string): Coding => coding(SYSTEM.loinc, code, display);

export const CONDITION = {
  hypertension: sct('38341003', 'Hypertensive disorder, systemic arterial'),
  type2Diabetes: sct('44054006', 'Type 2 diabetes mellitus'),
  prediabetes: sct('15777000', 'Prediabetes'),
  hyperlipidemia: sct('55822004', 'Hyperlipidemia'),
  heartFailure: sct('84114007', 'Heart failure'),
  asthma: sct('195967001', 'Asthma'),
  depression: sct('35489007', 'Depressive disorder'),
  viralSinusitis: sct('444814009', 'Viral sinusitis'),
} as const;
export type ConditionKey = keyof typeof CONDITION;

/** Short names a patient reads in their problem list. */
export const CONDITION_TEXT: Record<ConditionKey, string> = {
  hypertension: 'High blood pressure',
  type2Diabetes: 'Type 2 diabetes',
  prediabetes: 'Prediabetes',
  hyperlipidemia: 'High cholesterol',
  heartFailure: 'Heart failure',
  asthma: 'Asthma',
  depression: 'Depression',
  viralSinusitis: 'Sinus infection (viral)',
};

export const SPECIALTY = {
  familyPractice: sct('419772000', 'Family practice'),
  cardiology: sct('394579002', 'Cardiology'),
  endocrinology: sct('394583002', 'Endocrinology'),
  psychiatry: sct('394587001', 'Psychiatry'),
  publicHealth: sct('408440000', 'Public health medicine'),
} as const;

export const ENCOUNTER_TYPE = {
  checkup: sct('185349003', 'Encounter for check up'),
  followUp: sct('390906007', 'Follow-up encounter'),
  consult: sct('11429006', 'Consultation'),
  wellChild: sct('410620009', 'Well child visit'),
  telemedicine: sct('448337001', 'Telemedicine consultation with patient'),
} as const;
export type EncounterTypeKey = keyof typeof ENCOUNTER_TYPE;

export const ALLERGEN = {
  penicillin: sct('764146007', 'Penicillin'),
  peanut: sct('762952008', 'Peanut'),
} as const;

export const MANIFESTATION = {
  hives: sct('247472004', 'Wheal'),
  anaphylaxis: sct('39579001', 'Anaphylaxis'),
} as const;

export const FINDING = {
  wheezing: sct('56018004', 'Wheezing'),
} as const;

export const ROUTE = {
  oral: sct('26643006', 'Oral route'),
  intramuscular: sct('78421000', 'Intramuscular route'),
} as const;

/** Prescribable products (RxNorm semantic clinical drugs). */
export const DRUG = {
  metforminEr500: coding(SYSTEM.rxnorm, '860975', '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet'),
  lisinopril10: coding(SYSTEM.rxnorm, '314076', 'lisinopril 10 MG Oral Tablet'),
  atorvastatin20: coding(SYSTEM.rxnorm, '617310', 'atorvastatin 20 MG Oral Tablet'),
  furosemide40: coding(SYSTEM.rxnorm, '313988', 'furosemide 40 MG Oral Tablet'),
  sertraline25: coding(SYSTEM.rxnorm, '312940', 'sertraline 25 MG Oral Tablet'),
  sertraline50: coding(SYSTEM.rxnorm, '312941', 'sertraline 50 MG Oral Tablet'),
  epinephrineAutoInjector: coding(SYSTEM.rxnorm, '1870230', 'NDA020800 0.3 ML epinephrine 1 MG/ML Auto-Injector'),
  albuterolInhaler: coding(
    SYSTEM.rxnorm,
    '2123111',
    'NDA020503 200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler',
  ),
} as const;
export type DrugKey = keyof typeof DRUG;

/** What the prescription label says, for the patient's medication list. */
export const DRUG_TEXT: Record<DrugKey, string> = {
  metforminEr500: 'Metformin ER 500 mg tablet',
  lisinopril10: 'Lisinopril 10 mg tablet',
  atorvastatin20: 'Atorvastatin 20 mg tablet',
  furosemide40: 'Furosemide 40 mg tablet',
  sertraline25: 'Sertraline 25 mg tablet',
  sertraline50: 'Sertraline 50 mg tablet',
  albuterolInhaler: 'Albuterol 90 mcg/puff inhaler',
  epinephrineAutoInjector: 'Epinephrine 0.3 mg auto-injector',
};

export const VACCINE = {
  influenza: coding(SYSTEM.cvx, '140', 'Influenza, seasonal, injectable, preservative free'),
  covid19: coding(SYSTEM.cvx, '213', 'SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION'),
  tdap: coding(SYSTEM.cvx, '115', 'Tdap'),
  dtap: coding(SYSTEM.cvx, '20', 'DTaP'),
  mmr: coding(SYSTEM.cvx, '03', 'MMR'),
  varicella: coding(SYSTEM.cvx, '21', 'varicella'),
  pneumococcal23: coding(SYSTEM.cvx, '33', 'pneumococcal polysaccharide vaccine, 23 valent'),
} as const;
export type VaccineKey = keyof typeof VACCINE;

export const VACCINE_TEXT: Record<VaccineKey, string> = {
  influenza: 'Flu vaccine',
  covid19: 'COVID-19 vaccine',
  tdap: 'Tetanus, diphtheria and whooping cough (Tdap) booster',
  dtap: 'Diphtheria, tetanus and whooping cough (DTaP)',
  mmr: 'Measles, mumps and rubella (MMR)',
  varicella: 'Chickenpox (varicella)',
  pneumococcal23: 'Pneumococcal vaccine (PPSV23)',
};

export const NOTE_TYPE = loinc('11506-3', 'Progress note');
export const PHQ9_TOTAL = loinc('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]');

// The vital signs live in @salus/core, shared with the web app's vital-signs entry.
export { VITAL, BP_COMPONENT } from '@salus/core';

export type Sex = 'female' | 'male';

export interface RefRange {
  low?: number;
  high?: number;
  text: string;
}

export interface LabTest {
  code: Coding;
  text: string;
  unit: string;
  ucum: string;
  decimals: number;
  panel: PanelKey;
  range: (sex: Sex) => RefRange;
}

/** Reports that group tests; a single-test report (HbA1c, NT-proBNP) carries the test's own code. */
export const PANEL = {
  bmp: { code: loinc('51990-0', 'Basic metabolic panel - Blood'), text: 'Basic metabolic panel' },
  lipid: { code: loinc('57698-3', 'Lipid panel with direct LDL - Serum or Plasma'), text: 'Lipid panel' },
  hba1c: { code: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), text: 'HbA1c' },
  ntprobnp: {
    code: loinc('33762-6', 'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma'),
    text: 'NT-proBNP',
  },
} as const;
export type PanelKey = keyof typeof PANEL;

function interval(low: number | undefined, high: number | undefined, text: string): RefRange {
  const r: RefRange = { text };
  if (low !== undefined) r.low = low;
  if (high !== undefined) r.high = high;
  return r;
}
const fixed = (low: number | undefined, high: number | undefined, text: string) => {
  const r = interval(low, high, text);
  return (): RefRange => r;
};
const bySex = (female: RefRange, male: RefRange) => (sex: Sex): RefRange => (sex === 'female' ? female : male);

/** Adult reference intervals as a typical community laboratory reports them. */
export const LAB = {
  hba1c: {
    code: PANEL.hba1c.code, text: 'HbA1c', unit: '%', ucum: '%', decimals: 1, panel: 'hba1c',
    range: fixed(4.0, 5.6, '4.0-5.6 %'),
  },
  glucose: {
    code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma'), text: 'Glucose (fasting)', unit: 'mg/dL', ucum: 'mg/dL',
    decimals: 0, panel: 'bmp', range: fixed(70, 99, '70-99 mg/dL (fasting)'),
  },
  sodium: {
    code: loinc('2951-2', 'Sodium [Moles/volume] in Serum or Plasma'), text: 'Sodium', unit: 'mmol/L', ucum: 'mmol/L',
    decimals: 0, panel: 'bmp', range: fixed(136, 145, '136-145 mmol/L'),
  },
  potassium: {
    code: loinc('2823-3', 'Potassium [Moles/volume] in Serum or Plasma'), text: 'Potassium', unit: 'mmol/L', ucum: 'mmol/L',
    decimals: 1, panel: 'bmp', range: fixed(3.5, 5.1, '3.5-5.1 mmol/L'),
  },
  creatinine: {
    code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma'), text: 'Creatinine', unit: 'mg/dL', ucum: 'mg/dL',
    decimals: 2, panel: 'bmp',
    range: bySex(interval(0.5, 1.1, '0.50-1.10 mg/dL (female)'), interval(0.7, 1.3, '0.70-1.30 mg/dL (male)')),
  },
  egfr: {
    code: loinc('33914-3', 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)'),
    text: 'eGFR', unit: 'mL/min/1.73m2', ucum: 'mL/min/{1.73_m2}', decimals: 0, panel: 'bmp',
    range: fixed(60, undefined, '>=60 mL/min/1.73m2'),
  },
  cholesterol: {
    code: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), text: 'Total cholesterol', unit: 'mg/dL', ucum: 'mg/dL',
    decimals: 0, panel: 'lipid', range: fixed(undefined, 199, '<200 mg/dL'),
  },
  hdl: {
    code: loinc('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma'), text: 'HDL cholesterol', unit: 'mg/dL', ucum: 'mg/dL',
    decimals: 0, panel: 'lipid',
    range: bySex(interval(50, undefined, '>=50 mg/dL (female)'), interval(40, undefined, '>=40 mg/dL (male)')),
  },
  triglycerides: {
    code: loinc('2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma'), text: 'Triglycerides', unit: 'mg/dL', ucum: 'mg/dL',
    decimals: 0, panel: 'lipid', range: fixed(undefined, 149, '<150 mg/dL'),
  },
  ldl: {
    code: loinc('18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay'), text: 'LDL cholesterol',
    unit: 'mg/dL', ucum: 'mg/dL', decimals: 0, panel: 'lipid', range: fixed(undefined, 99, '<100 mg/dL'),
  },
  ntprobnp: {
    code: PANEL.ntprobnp.code, text: 'NT-proBNP', unit: 'pg/mL', ucum: 'pg/mL', decimals: 0, panel: 'ntprobnp',
    range: fixed(undefined, 125, '<=125 pg/mL'),
  },
} as const satisfies Record<string, LabTest>;
export type LabKey = keyof typeof LAB;

export type InterpretationCode = 'L' | 'N' | 'H';

/** Interpretation derived from the range, never typed by hand, so the two can't disagree. */
export function interpret(value: number, range: RefRange): InterpretationCode {
  if (range.low !== undefined && value < range.low) return 'L';
  if (range.high !== undefined && value > range.high) return 'H';
  return 'N';
}

export const INTERPRETATION_DISPLAY: Record<InterpretationCode, string> = { L: 'Low', N: 'Normal', H: 'High' };
