import type { Coding } from '@medplum/fhirtypes';

/**
 * The vital signs of the R4 vital-signs profiles
 * (http://hl7.org/fhir/R4/observation-vitalsigns.html): LOINC codes, UCUM units, and the range a
 * typed value must fall in to be believable. The ranges catch slips of the keyboard (a weight of
 * 700 kg, a temperature typed in °F); they are not clinical thresholds.
 */

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const VITAL_SIGNS_CATEGORY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
  code: 'vital-signs',
  display: 'Vital Signs',
};

const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });

export interface VitalSign {
  /** Last part of the profile's URL, http://hl7.org/fhir/StructureDefinition/<profile>. */
  profile: string;
  code: Coding[];
  text: string;
  /** UCUM code, shown to people as `unitText`. */
  ucum?: string;
  unitText?: string;
  plausible?: { min: number; max: number };
}

export const VITAL = {
  bloodPressure: { profile: 'bp', code: [loinc('85354-9', 'Blood pressure panel with all children optional')], text: 'Blood pressure' },
  heartRate: { profile: 'heartrate', code: [loinc('8867-4', 'Heart rate')], text: 'Heart rate', ucum: '/min', unitText: 'beats/min', plausible: { min: 20, max: 300 } },
  respiratoryRate: { profile: 'resprate', code: [loinc('9279-1', 'Respiratory rate')], text: 'Respiratory rate', ucum: '/min', unitText: 'breaths/min', plausible: { min: 4, max: 80 } },
  bodyTemperature: { profile: 'bodytemp', code: [loinc('8310-5', 'Body temperature')], text: 'Temperature', ucum: 'Cel', unitText: '°C', plausible: { min: 30, max: 45 } },
  // The R4 oxygen-saturation profile requires 2708-6; 59408-5 says it came from a pulse oximeter.
  oxygenSaturation: {
    profile: 'oxygensat',
    code: [loinc('2708-6', 'Oxygen saturation in Arterial blood'), loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry')],
    text: 'Oxygen saturation',
    ucum: '%',
    unitText: '%',
    plausible: { min: 50, max: 100 },
  },
  bodyWeight: { profile: 'bodyweight', code: [loinc('29463-7', 'Body weight')], text: 'Weight', ucum: 'kg', unitText: 'kg', plausible: { min: 0.3, max: 500 } },
  bodyHeight: { profile: 'bodyheight', code: [loinc('8302-2', 'Body height')], text: 'Height', ucum: 'cm', unitText: 'cm', plausible: { min: 20, max: 260 } },
  bmi: { profile: 'bmi', code: [loinc('39156-5', 'Body mass index (BMI) [Ratio]')], text: 'BMI', ucum: 'kg/m2', unitText: 'kg/m²', plausible: { min: 5, max: 150 } },
} as const satisfies Record<string, VitalSign>;

export type VitalKey = keyof typeof VITAL;

export const BP_COMPONENT = {
  systolic: { code: loinc('8480-6', 'Systolic blood pressure'), plausible: { min: 40, max: 300 } },
  diastolic: { code: loinc('8462-4', 'Diastolic blood pressure'), plausible: { min: 20, max: 200 } },
} as const;
