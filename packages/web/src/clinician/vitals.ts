import type { Bundle, BundleEntry, Observation, Quantity } from '@medplum/fhirtypes';
import { BP_COMPONENT, UCUM, VITAL, VITAL_SIGNS_CATEGORY, type VitalKey } from '@salus/core';

/**
 * A set of vital signs typed by a clinician, checked and turned into R4 vital-signs
 * Observations written in one transaction: the set is stored whole or not at all.
 */

export const VITAL_FIELDS = ['systolic', 'diastolic', 'heartRate', 'respiratoryRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight', 'bodyHeight'] as const;
export type VitalField = (typeof VITAL_FIELDS)[number];
export type VitalsInput = Partial<Record<VitalField, number | string>>;
export type VitalsErrors = Partial<Record<VitalField | 'form', string>>;

const SINGLE: Exclude<VitalKey, 'bloodPressure' | 'bmi'>[] = ['heartRate', 'respiratoryRate', 'oxygenSaturation', 'bodyTemperature', 'bodyWeight', 'bodyHeight'];

export const VITAL_LABELS: Record<VitalField, { label: string; unit: string }> = {
  systolic: { label: 'Systolic', unit: 'mmHg' },
  diastolic: { label: 'Diastolic', unit: 'mmHg' },
  heartRate: { label: VITAL.heartRate.text, unit: VITAL.heartRate.unitText },
  respiratoryRate: { label: VITAL.respiratoryRate.text, unit: VITAL.respiratoryRate.unitText },
  oxygenSaturation: { label: VITAL.oxygenSaturation.text, unit: VITAL.oxygenSaturation.unitText },
  bodyTemperature: { label: VITAL.bodyTemperature.text, unit: VITAL.bodyTemperature.unitText },
  bodyWeight: { label: VITAL.bodyWeight.text, unit: VITAL.bodyWeight.unitText },
  bodyHeight: { label: VITAL.bodyHeight.text, unit: VITAL.bodyHeight.unitText },
};

function plausibleRange(field: VitalField): { min: number; max: number } {
  if (field === 'systolic' || field === 'diastolic') return BP_COMPONENT[field].plausible;
  return VITAL[field].plausible;
}

/** The numbers typed, parsed; a field left empty is absent. Decimal commas are accepted. */
export function parseVitals(input: VitalsInput): { values: Partial<Record<VitalField, number>>; errors: VitalsErrors } {
  const values: Partial<Record<VitalField, number>> = {};
  const errors: VitalsErrors = {};
  for (const field of VITAL_FIELDS) {
    const raw = input[field];
    if (raw === undefined || raw === '') continue;
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(',', '.'));
    const { label, unit } = VITAL_LABELS[field];
    const range = plausibleRange(field);
    if (!Number.isFinite(n)) errors[field] = `${label} must be a number`;
    else if (n < range.min || n > range.max) errors[field] = `${label} of ${n} ${unit} is outside ${range.min}–${range.max} ${unit}; check the value and unit`;
    else values[field] = n;
  }
  const hasSys = values.systolic !== undefined || errors.systolic;
  const hasDia = values.diastolic !== undefined || errors.diastolic;
  if (hasSys && !hasDia) errors.diastolic ??= 'Enter the diastolic pressure too';
  if (hasDia && !hasSys) errors.systolic ??= 'Enter the systolic pressure too';
  if (values.systolic !== undefined && values.diastolic !== undefined && values.diastolic >= values.systolic) {
    errors.diastolic = 'Diastolic must be lower than systolic';
  }
  if (Object.keys(values).length === 0 && Object.keys(errors).length === 0) errors.form = 'Enter at least one measurement';
  return { values, errors };
}

function quantity(value: number, field: VitalField | 'bmi'): Quantity {
  if (field === 'systolic' || field === 'diastolic') return { value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' };
  const def = VITAL[field];
  return { value, unit: def.unitText, system: UCUM, code: def.ucum };
}

export interface VitalsContext {
  patientId: string;
  /** The clinician recording them, e.g. `Practitioner/…`. */
  performer?: string;
  encounterId?: string;
  /** When they were measured (ISO date-time). */
  when: string;
}

/** A transaction Bundle creating one Observation per measurement (and the BMI when both weight and height are given). */
export function vitalsBundle(values: Partial<Record<VitalField, number>>, ctx: VitalsContext): Bundle {
  const base = (key: VitalKey): Observation => ({
    resourceType: 'Observation',
    meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${VITAL[key].profile}`] },
    status: 'final',
    category: [{ coding: [VITAL_SIGNS_CATEGORY], text: 'Vital signs' }],
    code: { coding: [...VITAL[key].code], text: VITAL[key].text },
    subject: { reference: `Patient/${ctx.patientId}` },
    effectiveDateTime: ctx.when,
    ...(ctx.performer ? { performer: [{ reference: ctx.performer }] } : {}),
    ...(ctx.encounterId ? { encounter: { reference: `Encounter/${ctx.encounterId}` } } : {}),
  });
  const observations: Observation[] = [];
  if (values.systolic !== undefined && values.diastolic !== undefined) {
    observations.push({
      ...base('bloodPressure'),
      component: [
        { code: { coding: [BP_COMPONENT.systolic.code] }, valueQuantity: quantity(values.systolic, 'systolic') },
        { code: { coding: [BP_COMPONENT.diastolic.code] }, valueQuantity: quantity(values.diastolic, 'diastolic') },
      ],
    });
  }
  for (const key of SINGLE) {
    const v = values[key];
    if (v !== undefined) observations.push({ ...base(key), valueQuantity: quantity(v, key) });
  }
  if (values.bodyWeight !== undefined && values.bodyHeight !== undefined) {
    const bmi = Math.round((values.bodyWeight / (values.bodyHeight / 100) ** 2) * 10) / 10;
    observations.push({ ...base('bmi'), valueQuantity: quantity(bmi, 'bmi') });
  }
  const entry: BundleEntry[] = observations.map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } }));
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
