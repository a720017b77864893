import type { TimingRepeat } from '@medplum/fhirtypes';
import type { PatientStory, Sig, VisitFacts } from './demo-clinical.js';
import type { DemoClock } from './demo-support.js';

/**
 * What happened to each demo patient, in days relative to today. Values are chosen to be
 * clinically coherent: lipid panels satisfy Friedewald within a few mg/dL, eGFR follows creatinine
 * for age and sex, HbA1c responds to metformin over months, and diuretics nudge potassium down.
 */

type TabletSig = Extract<Sig, { kind: 'tablet' }>;

const daily = (text: string, when: TimingRepeat['when'], perDose = 1): TabletSig => ({
  kind: 'tablet', perDose, timesPerDay: 1, when, text, supplyDays: 30, repeats: 11,
});

const SIG = {
  metformin500: { ...daily('Take 1 tablet by mouth once daily with the evening meal. Swallow whole; do not crush or chew.', ['CV']), repeats: 2 },
  metformin1000: daily('Take 2 tablets (1000 mg) by mouth once daily with the evening meal. Swallow whole; do not crush or chew.', ['CV'], 2),
  lisinopril: daily('Take 1 tablet by mouth once daily in the morning.', ['MORN']),
  atorvastatin: daily('Take 1 tablet by mouth once daily at bedtime.', ['HS']),
  furosemide: daily('Take 1 tablet by mouth every morning. Weigh yourself daily and call the clinic if you gain more than 2 kg in 3 days.', ['MORN']),
  sertraline25: { ...daily('Take 1 tablet by mouth once daily in the morning for the first 2 weeks.', ['MORN']), repeats: 0 },
  sertraline50: daily('Take 1 tablet by mouth once daily in the morning. Do not stop suddenly; talk to your doctor first.', ['MORN']),
  albuterol: {
    kind: 'inhaler',
    text: 'Inhale 2 puffs through the spacer every 4 to 6 hours as needed for wheezing or shortness of breath. No more than 12 puffs a day; if needed that often, call the clinic.',
    repeats: 2,
  },
  epinephrine: {
    kind: 'auto-injector',
    text: 'At the first sign of a severe allergic reaction, inject 0.3 mg into the outer thigh and call 911. A second dose may be given after 5 to 15 minutes if symptoms persist.',
    repeats: 1,
  },
} satisfies Record<string, Sig>;

const fmt = (n: number | undefined, unit: string): string => (n === undefined ? 'not measured' : `${n} ${unit}`);
const bp = (f: VisitFacts): string => (f.bp ? `${f.bp[0]}/${f.bp[1]} mmHg` : 'not measured');

export function buildStories(clock: DemoClock): PatientStory[] {
  const flu = (seasonsBack: number, dayOfMonth: number) => clock.fluSeasonDay(seasonsBack, dayOfMonth);
  const zoeBorn = clock.birthDay(8, 2, 27);

  return [
    {
      patient: 'ana',
      heightCm: 162,
      baseline: { hr: 78, rr: 15, spo2: 97 },
      conditions: [
        { key: 'hypertension', onset: { day: -2200 } },
        { key: 'hyperlipidemia', onset: { day: -1150 } },
        { key: 'type2Diabetes', onset: { visit: 1 } },
      ],
      allergies: [
        {
          id: 'penicillin', allergen: 'penicillin', text: 'Penicillin', category: 'medication', criticality: 'low', onsetDay: -7300,
          reaction: 'hives', reactionText: 'Hives', severity: 'moderate', note: 'Hives after amoxicillin in her thirties. Tolerates cephalexin.',
        },
      ],
      medications: [
        { id: 'metformin-500', drug: 'metforminEr500', visit: 1, status: 'stopped', statusReason: 'Dose increased at endocrinology review', sig: SIG.metformin500, reason: 'type2Diabetes' },
        { id: 'metformin-1000', drug: 'metforminEr500', visit: 2, status: 'completed', sig: { ...SIG.metformin1000, repeats: 9 }, reason: 'type2Diabetes', replaces: 'metformin-500' },
        { id: 'metformin-1000-renewal', drug: 'metforminEr500', visit: 6, status: 'active', sig: SIG.metformin1000, reason: 'type2Diabetes', replaces: 'metformin-1000' },
        { id: 'atorvastatin-20', drug: 'atorvastatin20', visit: 1, status: 'completed', sig: SIG.atorvastatin, reason: 'hyperlipidemia' },
        { id: 'atorvastatin-20-renewal', drug: 'atorvastatin20', visit: 6, status: 'active', sig: SIG.atorvastatin, reason: 'hyperlipidemia', replaces: 'atorvastatin-20' },
        // Lisinopril predates the demo's window; visit 1 renewed it, visit 6 renewed it again.
        { id: 'lisinopril-10', drug: 'lisinopril10', visit: 1, status: 'completed', sig: SIG.lisinopril, reason: 'hypertension' },
        { id: 'lisinopril-10-renewal', drug: 'lisinopril10', visit: 6, status: 'active', sig: SIG.lisinopril, reason: 'hypertension', replaces: 'lisinopril-10' },
      ],
      immunizations: [
        { vaccine: 'influenza', day: flu(1, 12), lot: 'FL3871B', site: 'LD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 12), lot: 'FL4420A', site: 'LD', route: 'IM' },
        { vaccine: 'covid19', day: flu(0, 12), lot: 'CV9012K', site: 'RD', route: 'IM' },
      ],
      visits: [
        {
          n: 1, day: -660, time: '09:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hypertension', bp: [146, 92], weight: 84.2,
          labs: { hba1c: 8.9, glucose: 186, sodium: 139, potassium: 4.4, creatinine: 0.78, egfr: 76, cholesterol: 248, hdl: 44, triglycerides: 212, ldl: 162 },
        },
        { n: 2, day: -612, time: '10:00', mode: 'in-person', type: 'consult', with: 'raman', reason: 'type2Diabetes', bp: [142, 88], weight: 83.6 },
        { n: 3, day: -570, time: '09:15', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [140, 88], weight: 83.1, labs: { hba1c: 8.3 } },
        {
          n: 4, day: -480, time: '08:45', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [136, 86], weight: 82.0,
          labs: { hba1c: 7.8, glucose: 142, sodium: 140, potassium: 4.6, creatinine: 0.8, egfr: 74, cholesterol: 196, hdl: 46, triglycerides: 168, ldl: 118 },
        },
        { n: 5, day: -390, time: '09:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [134, 84], weight: 81.4, labs: { hba1c: 7.4 } },
        {
          n: 6, day: -300, time: '10:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [132, 82], weight: 80.9,
          labs: { hba1c: 7.2, glucose: 131, sodium: 139, potassium: 4.5, creatinine: 0.81, egfr: 73 },
        },
        {
          n: 7, day: -210, time: '09:00', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [130, 80], weight: 80.2,
          labs: { hba1c: 7.0, cholesterol: 174, hdl: 49, triglycerides: 150, ldl: 96 },
        },
        { n: 8, day: -120, time: '09:45', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [128, 80], weight: 79.8, labs: { hba1c: 6.9 } },
        {
          n: 9, day: -30, time: '09:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'type2Diabetes', bp: [128, 78], weight: 79.5,
          labs: { hba1c: 6.8, glucose: 124, sodium: 140, potassium: 4.4, creatinine: 0.79, egfr: 75, cholesterol: 166, hdl: 51, triglycerides: 136, ldl: 88 },
          note: (f) =>
            [
              `Diabetes and blood pressure follow-up, ${f.date}.`,
              '',
              'S: Feels well. Taking metformin ER 1000 mg with the evening meal, atorvastatin at night and lisinopril each morning; no missed doses. No hypoglycaemia, no GI upset. Walking 30 minutes most days.',
              `O: BP ${bp(f)}. Weight ${fmt(f.weight, 'kg')} (84.2 kg when diabetes was diagnosed), BMI ${fmt(f.bmi, 'kg/m2')}. HbA1c ${fmt(f.labs.hba1c, '%')}, LDL ${fmt(f.labs.ldl, 'mg/dL')}, eGFR ${fmt(f.labs.egfr, 'mL/min/1.73m2')}, potassium ${fmt(f.labs.potassium, 'mmol/L')}.`,
              'A: Type 2 diabetes now close to target on metformin alone; HbA1c has fallen steadily since diagnosis. Blood pressure at goal. LDL below 100 on atorvastatin 20 mg. Kidney function stable.',
              'P: Continue current medicines. Repeat HbA1c in 3 months. Annual diabetic eye screening referral sent. Follow-up visit booked.',
            ].join('\n'),
        },
      ],
      appointments: [
        {
          id: 'diabetes-review', day: 5, time: '09:30', minutes: 30, mode: 'in-person', type: 'FOLLOWUP', with: 'okafor', reason: 'type2Diabetes',
          description: 'Diabetes and blood pressure review', bookedDay: -30,
          instruction: 'Please arrive 10 minutes early and bring your glucose meter.',
        },
      ],
    },
    {
      patient: 'jose',
      heightCm: 174,
      baseline: { hr: 74, rr: 17, spo2: 95 },
      conditions: [
        { key: 'hypertension', onset: { day: -4400 } },
        { key: 'hyperlipidemia', onset: { day: -3000 } },
        { key: 'heartFailure', onset: { visit: 2 } },
      ],
      medications: [
        { id: 'furosemide-40', drug: 'furosemide40', visit: 2, status: 'completed', sig: { ...SIG.furosemide, repeats: 8 }, reason: 'heartFailure' },
        { id: 'furosemide-40-renewal', drug: 'furosemide40', visit: 5, status: 'active', sig: SIG.furosemide, reason: 'heartFailure', replaces: 'furosemide-40' },
        { id: 'lisinopril-10', drug: 'lisinopril10', visit: 1, status: 'completed', sig: { ...SIG.lisinopril, repeats: 9 }, reason: 'hypertension' },
        { id: 'lisinopril-10-renewal', drug: 'lisinopril10', visit: 5, status: 'active', sig: SIG.lisinopril, reason: 'hypertension', replaces: 'lisinopril-10' },
        { id: 'atorvastatin-20', drug: 'atorvastatin20', visit: 1, status: 'completed', sig: { ...SIG.atorvastatin, repeats: 9 }, reason: 'hyperlipidemia' },
        { id: 'atorvastatin-20-renewal', drug: 'atorvastatin20', visit: 5, status: 'active', sig: SIG.atorvastatin, reason: 'hyperlipidemia', replaces: 'atorvastatin-20' },
      ],
      immunizations: [
        { vaccine: 'influenza', day: flu(1, 9), lot: 'FL3871B', site: 'LD', route: 'IM' },
        { vaccine: 'pneumococcal23', day: -400, lot: 'PN2203C', site: 'RD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 9), lot: 'FL4420A', site: 'LD', route: 'IM' },
        { vaccine: 'covid19', day: flu(0, 9), lot: 'CV9012K', site: 'RD', route: 'IM' },
      ],
      visits: [
        {
          n: 1, day: -440, time: '14:00', mode: 'in-person', type: 'followUp', with: 'okafor', reasonText: 'Breathless on exertion and swollen ankles for three weeks',
          bp: [152, 88], weight: 88.6, labs: { ntprobnp: 2150, glucose: 104, sodium: 138, potassium: 4.5, creatinine: 1.1, egfr: 66 },
        },
        { n: 2, day: -420, time: '10:30', mode: 'in-person', type: 'consult', with: 'lindqvist', reason: 'heartFailure', bp: [148, 86], weight: 88.1 },
        {
          n: 3, day: -330, time: '11:00', mode: 'in-person', type: 'followUp', with: 'lindqvist', reason: 'heartFailure', bp: [138, 82], weight: 85.2,
          labs: { ntprobnp: 1180, glucose: 101, sodium: 137, potassium: 4.2, creatinine: 1.21, egfr: 59 },
        },
        { n: 4, day: -240, time: '15:30', mode: 'video', type: 'followUp', with: 'lindqvist', reason: 'heartFailure' },
        {
          n: 5, day: -150, time: '10:00', mode: 'in-person', type: 'followUp', with: 'lindqvist', reason: 'heartFailure', bp: [132, 78], weight: 83.0,
          labs: { ntprobnp: 720, glucose: 98, sodium: 138, potassium: 4.0, creatinine: 1.28, egfr: 55 },
        },
        {
          n: 6, day: -60, time: '10:30', mode: 'in-person', type: 'followUp', with: 'lindqvist', reason: 'heartFailure', bp: [128, 76], weight: 82.6,
          labs: { ntprobnp: 540, glucose: 97, sodium: 137, potassium: 3.9, creatinine: 1.3, egfr: 54 },
          note: (f) =>
            [
              `Cardiology follow-up (heart failure), ${f.date}.`,
              '',
              'S: Walks to the harbour and back without stopping; sleeps on one pillow. No chest pain, no palpitations, no dizziness. Ankles no longer swollen. Takes furosemide each morning and weighs himself daily.',
              `O: BP ${bp(f)}, weight ${fmt(f.weight, 'kg')} (88.1 kg at diagnosis). No peripheral oedema, chest clear. NT-proBNP ${fmt(f.labs.ntprobnp, 'pg/mL')}, creatinine ${fmt(f.labs.creatinine, 'mg/dL')}, eGFR ${fmt(f.labs.egfr, 'mL/min/1.73m2')}, potassium ${fmt(f.labs.potassium, 'mmol/L')}.`,
              'A: Heart failure, clinically euvolaemic and NYHA class I-II. NT-proBNP continues to fall. Mild, stable reduction in kidney function on diuretic and ACE inhibitor; potassium at the low end of normal.',
              'P: Continue furosemide 40 mg, lisinopril 10 mg and atorvastatin 20 mg. Repeat kidney function and potassium before the next review. Video review booked; call sooner if weight rises by more than 2 kg in 3 days.',
            ].join('\n'),
        },
        {
          n: 7, day: -20, time: '09:00', mode: 'in-person', type: 'checkup', with: 'okafor', reason: 'hyperlipidemia', bp: [126, 76], weight: 82.4,
          labs: { cholesterol: 158, hdl: 42, triglycerides: 140, ldl: 84 },
        },
      ],
      appointments: [
        {
          id: 'heart-failure-video', day: 9, time: '15:00', minutes: 20, mode: 'video', type: 'FOLLOWUP', with: 'lindqvist', reason: 'heartFailure',
          description: 'Heart failure review by video', bookedDay: -60,
          instruction: 'Join from the Salus app a few minutes early. Have your daily weights and home blood pressure readings from the last week to hand.',
        },
      ],
    },
    {
      patient: 'zoe',
      baseline: { hr: 92, rr: 20, spo2: 98 },
      conditions: [{ key: 'asthma', onset: { day: zoeBorn + 4 * 365 + 40 } }],
      allergies: [
        {
          id: 'peanut', allergen: 'peanut', text: 'Peanut', category: 'food', criticality: 'high', onsetDay: zoeBorn + 2 * 365 + 75,
          reaction: 'anaphylaxis', reactionText: 'Anaphylaxis', severity: 'severe',
          note: 'Lip swelling, wheeze and vomiting minutes after a peanut butter cracker at age 2; treated in the emergency department. Strict avoidance; school has an allergy action plan.',
        },
      ],
      medications: [
        { id: 'albuterol', drug: 'albuterolInhaler', visit: 2, status: 'completed', sig: SIG.albuterol, reason: 'asthma' },
        { id: 'albuterol-renewal', drug: 'albuterolInhaler', visit: 4, status: 'active', sig: SIG.albuterol, reason: 'asthma', replaces: 'albuterol' },
        { id: 'epinephrine', drug: 'epinephrineAutoInjector', visit: 5, status: 'active', sig: SIG.epinephrine, reason: { text: 'Peanut allergy with anaphylaxis' } },
      ],
      immunizations: [
        { vaccine: 'mmr', day: zoeBorn + 372, lot: 'MM1190D', site: 'LT', route: 'SQ' },
        { vaccine: 'varicella', day: zoeBorn + 372, lot: 'VR5521A', site: 'RT', route: 'SQ' },
        { vaccine: 'mmr', day: zoeBorn + 4 * 365 + 70, lot: 'MM2207B', site: 'LD', route: 'SQ' },
        { vaccine: 'varicella', day: zoeBorn + 4 * 365 + 70, lot: 'VR6630C', site: 'RD', route: 'SQ' },
        { vaccine: 'dtap', day: zoeBorn + 4 * 365 + 70, lot: 'DT4418E', site: 'LT', route: 'IM' },
        { vaccine: 'influenza', day: flu(1, 20), lot: 'FL3871B', site: 'LD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 20), lot: 'FL4420A', site: 'LD', route: 'IM' },
      ],
      visits: [
        { n: 1, day: -700, time: '16:00', mode: 'in-person', type: 'wellChild', with: 'okafor', reasonText: 'Annual well-child check', bp: [98, 60], height: 116.8, weight: 21.0 },
        { n: 2, day: -520, time: '16:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'asthma', bp: [100, 62], height: 119.5, weight: 21.9 },
        { n: 3, day: -335, time: '15:45', mode: 'in-person', type: 'wellChild', with: 'okafor', reasonText: 'Annual well-child check', bp: [100, 62], height: 122.4, weight: 23.3 },
        { n: 4, day: -190, time: '17:00', mode: 'video', type: 'followUp', with: 'okafor', reason: 'asthma' },
        { n: 5, day: -25, time: '16:00', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'asthma', bp: [102, 64], height: 126.6, weight: 25.4 },
      ],
      appointments: [
        {
          id: 'well-child', day: 13, time: '16:00', minutes: 30, mode: 'in-person', type: 'CHECKUP', with: 'okafor',
          description: 'Annual well-child check', bookedDay: -25,
          instruction: "Please bring Zoë's inhaler, spacer and school asthma action plan.",
        },
      ],
    },
    {
      patient: 'malik',
      heightCm: 181,
      baseline: { hr: 70, rr: 14, spo2: 98 },
      conditions: [{ key: 'depression', onset: { visit: 1 } }],
      medications: [
        { id: 'sertraline-25', drug: 'sertraline25', visit: 1, status: 'stopped', statusReason: 'Dose increased after two weeks', sig: { ...SIG.sertraline25, supplyDays: 14 }, reason: 'depression' },
        { id: 'sertraline-50', drug: 'sertraline50', visit: 2, status: 'active', sig: SIG.sertraline50, reason: 'depression', replaces: 'sertraline-25' },
      ],
      immunizations: [{ vaccine: 'influenza', day: flu(0, 25), lot: 'FL4420A', site: 'LD', route: 'IM' }],
      visits: [
        {
          n: 1, day: -300, time: '11:30', mode: 'in-person', type: 'followUp', with: 'okafor', reasonText: 'Low mood, poor sleep and loss of interest for two months',
          bp: [124, 78], weight: 84.0, phq9: 17,
        },
        { n: 2, day: -286, time: '17:30', mode: 'video', type: 'consult', with: 'castillo', reason: 'depression', phq9: 16 },
        { n: 3, day: -240, time: '17:30', mode: 'video', type: 'followUp', with: 'castillo', reason: 'depression', phq9: 12 },
        { n: 4, day: -180, time: '18:00', mode: 'video', type: 'followUp', with: 'castillo', reason: 'depression', phq9: 9 },
        { n: 5, day: -100, time: '17:30', mode: 'video', type: 'followUp', with: 'castillo', reason: 'depression', phq9: 6 },
        {
          n: 6, day: -35, time: '17:30', mode: 'video', type: 'followUp', with: 'castillo', reason: 'depression', phq9: 5,
          note: (f) =>
            [
              `Psychiatry follow-up by video, ${f.date}.`,
              '',
              'S: Mood much improved; back at work full time and playing basketball on weekends again. Sleeping 7 hours. Mild nausea in the first weeks of sertraline has gone. No thoughts of self-harm.',
              `O: Joined on time from home, private setting. Good eye contact, reactive affect, linear thought. PHQ-9 ${f.phq9 ?? 'not recorded'} (17 at first assessment).`,
              'A: Depressive episode in remission on sertraline 50 mg.',
              'P: Continue sertraline 50 mg for at least 6 more months before discussing a slow taper. Crisis line details re-shared. Video review booked.',
            ].join('\n'),
        },
      ],
      appointments: [
        {
          id: 'psychiatry-video', day: 3, time: '17:30', minutes: 20, mode: 'video', type: 'FOLLOWUP', with: 'castillo', reason: 'depression',
          description: 'Medication review by video', bookedDay: -35,
          instruction: 'Join from the Salus app from a quiet, private place.',
        },
      ],
    },
    {
      patient: 'lan',
      heightCm: 158,
      baseline: { hr: 76, rr: 15, spo2: 98 },
      conditions: [{ key: 'hypertension', onset: { visit: 2 } }],
      medications: [{ id: 'lisinopril-10', drug: 'lisinopril10', visit: 2, status: 'active', sig: SIG.lisinopril, reason: 'hypertension' }],
      immunizations: [
        { vaccine: 'tdap', day: -270, lot: 'TD7731F', site: 'LD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 16), lot: 'FL4420A', site: 'RD', route: 'IM' },
      ],
      visits: [
        {
          n: 1, day: -270, time: '08:30', mode: 'in-person', type: 'checkup', with: 'okafor', reasonText: 'Annual check-up', bp: [152, 96], weight: 63.5,
          labs: { glucose: 92, sodium: 140, potassium: 4.2, creatinine: 0.72, egfr: 88, cholesterol: 188, hdl: 58, triglycerides: 110, ldl: 108 },
        },
        { n: 2, day: -240, time: '08:45', mode: 'in-person', type: 'followUp', with: 'okafor', reasonText: 'Repeat blood pressure check', bp: [148, 94], weight: 63.2 },
        {
          n: 3, day: -180, time: '09:00', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hypertension', bp: [138, 88], weight: 62.8,
          labs: { glucose: 90, sodium: 139, potassium: 4.5, creatinine: 0.76, egfr: 82 },
        },
        { n: 4, day: -75, time: '08:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hypertension', bp: [128, 82], weight: 62.1 },
      ],
    },
    {
      patient: 'fatima',
      heightCm: 167,
      baseline: { hr: 68, rr: 14, spo2: 99 },
      conditions: [{ key: 'viralSinusitis', onset: { visit: 2 }, resolvedAfterDays: 10 }],
      immunizations: [
        { vaccine: 'influenza', day: flu(1, 3), lot: 'FL3871B', site: 'LD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 3), lot: 'FL4420A', site: 'LD', route: 'IM' },
        { vaccine: 'covid19', day: flu(0, 3), lot: 'CV9012K', site: 'RD', route: 'IM' },
      ],
      visits: [
        {
          n: 1, day: -330, time: '12:00', mode: 'in-person', type: 'checkup', with: 'okafor', reasonText: 'Annual check-up', bp: [114, 72], weight: 61.0,
          labs: { cholesterol: 172, hdl: 64, triglycerides: 84, ldl: 91 },
        },
        { n: 2, day: -45, time: '12:30', mode: 'video', type: 'telemedicine', with: 'okafor', reasonText: 'Blocked nose, facial pressure and sore throat for five days' },
      ],
    },
    {
      patient: 'bjorn',
      heightCm: 183,
      baseline: { hr: 66, rr: 15, spo2: 97 },
      conditions: [
        { key: 'hyperlipidemia', onset: { visit: 1 } },
        { key: 'prediabetes', onset: { visit: 1 } },
      ],
      medications: [
        { id: 'atorvastatin-20', drug: 'atorvastatin20', visit: 1, status: 'completed', sig: SIG.atorvastatin, reason: 'hyperlipidemia' },
        { id: 'atorvastatin-20-renewal', drug: 'atorvastatin20', visit: 3, status: 'active', sig: SIG.atorvastatin, reason: 'hyperlipidemia', replaces: 'atorvastatin-20' },
      ],
      immunizations: [
        { vaccine: 'influenza', day: flu(1, 7), lot: 'FL3871B', site: 'LD', route: 'IM' },
        { vaccine: 'influenza', day: flu(0, 7), lot: 'FL4420A', site: 'LD', route: 'IM' },
        { vaccine: 'covid19', day: flu(0, 7), lot: 'CV9012K', site: 'RD', route: 'IM' },
      ],
      visits: [
        {
          n: 1, day: -600, time: '09:00', mode: 'in-person', type: 'checkup', with: 'okafor', reasonText: 'Annual check-up', bp: [134, 84], weight: 91.5,
          labs: { hba1c: 6.1, glucose: 108, sodium: 141, potassium: 4.3, creatinine: 0.98, egfr: 78, cholesterol: 262, hdl: 41, triglycerides: 192, ldl: 178 },
        },
        {
          n: 2, day: -420, time: '09:15', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hyperlipidemia', bp: [132, 82], weight: 90.2,
          labs: { cholesterol: 208, hdl: 42, triglycerides: 170, ldl: 132 },
        },
        {
          n: 3, day: -240, time: '09:30', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hyperlipidemia', bp: [130, 82], weight: 88.7,
          labs: { hba1c: 5.9, cholesterol: 178, hdl: 44, triglycerides: 150, ldl: 104 },
        },
        {
          n: 4, day: -50, time: '09:00', mode: 'in-person', type: 'followUp', with: 'okafor', reason: 'hyperlipidemia', bp: [128, 80], weight: 87.9,
          labs: { hba1c: 5.8, cholesterol: 165, hdl: 45, triglycerides: 140, ldl: 92 },
        },
      ],
    },
  ];
}
