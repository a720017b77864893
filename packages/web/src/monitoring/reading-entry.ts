import type { RawReading } from '@salus/core';

/**
 * A reading typed in by hand: which fields each kind asks for, the units a person may choose,
 * the form's values as the compact reading the server takes, and the server's complaint about a
 * field put back under that field.
 */

export type EntryKind = 'blood-pressure' | 'heart-rate' | 'oxygen-saturation' | 'body-temperature' | 'blood-glucose' | 'body-weight';

export const ENTRY_KINDS: readonly { value: EntryKind; label: string }[] = [
  { value: 'blood-pressure', label: 'Blood pressure' },
  { value: 'heart-rate', label: 'Heart rate' },
  { value: 'oxygen-saturation', label: 'Oxygen level (SpO₂)' },
  { value: 'body-temperature', label: 'Temperature' },
  { value: 'blood-glucose', label: 'Blood sugar (glucose)' },
  { value: 'body-weight', label: 'Weight' },
];

/** UCUM code and how people write it; the first is the default. */
export const UNIT_CHOICES: Readonly<Record<EntryKind, readonly { value: string; label: string }[]>> = {
  'blood-pressure': [{ value: 'mm[Hg]', label: 'mmHg' }],
  'heart-rate': [{ value: '/min', label: 'beats/min' }],
  'oxygen-saturation': [{ value: '%', label: '%' }],
  'body-temperature': [
    { value: 'Cel', label: '°C' },
    { value: '[degF]', label: '°F' },
  ],
  'blood-glucose': [
    { value: 'mmol/L', label: 'mmol/L' },
    { value: 'mg/dL', label: 'mg/dL' },
  ],
  'body-weight': [
    { value: 'kg', label: 'kg' },
    { value: '[lb_av]', label: 'lb' },
  ],
};

export type EntryField = 'kind' | 'systolic' | 'diastolic' | 'value' | 'unit' | 'time';

export interface EntryValues {
  systolic: string;
  diastolic: string;
  value: string;
  unit: string;
  /** As a datetime-local input holds it: "2026-04-21T08:30", the reader's local time. */
  time: string;
}

/** A date as a datetime-local input's value, in local time, to the minute. */
export function localInputValue(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

export function emptyEntry(kind: EntryKind, now: Date): EntryValues {
  return { systolic: '', diastolic: '', value: '', unit: UNIT_CHOICES[kind][0]!.value, time: localInputValue(now) };
}

function number(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The reading to send, or what is missing. Only what the form itself can know is checked here
 * (a number in each field, a time); whether the value is possible is the server's call.
 */
export function entryReading(kind: EntryKind, v: EntryValues): { reading: RawReading } | { errors: Partial<Record<EntryField, string>> } {
  const errors: Partial<Record<EntryField, string>> = {};
  const time = v.time ? new Date(v.time) : undefined;
  const valid = time && !Number.isNaN(time.getTime());
  if (!valid) errors.time = 'Enter when you took the reading';
  const base = { kind, time: valid ? time.toISOString() : '' };
  if (kind === 'blood-pressure') {
    const systolic = number(v.systolic);
    const diastolic = number(v.diastolic);
    if (systolic === undefined) errors.systolic = 'Enter the top number';
    if (diastolic === undefined) errors.diastolic = 'Enter the bottom number';
    if (Object.keys(errors).length) return { errors };
    return { reading: { ...base, systolic: systolic!, diastolic: diastolic!, unit: 'mm[Hg]' } };
  }
  const value = number(v.value);
  if (value === undefined) errors.value = 'Enter a number';
  if (Object.keys(errors).length) return { errors };
  return { reading: { ...base, value: value!, unit: v.unit || UNIT_CHOICES[kind][0]!.value } };
}

/**
 * The form field a server complaint is about: "readings[0].diastolic" → diastolic. A complaint
 * about the whole reading ("readings[0]") or its code belongs to no single input.
 */
export function entryField(field: string | undefined): EntryField | undefined {
  if (!field) return undefined;
  const last = /(?:\.|^)(systolic|diastolic|value|unit|time|kind)(?:\b|$)/.exec(field.replace(/^readings\[\d+\]/, ''))?.[1];
  return last as EntryField | undefined;
}
