/**
 * What the public-health dashboard asks: counts only (`_summary=count`), the only searches these
 * roles may make. Months are calendar months where the reader is, asked as FHIR date ranges
 * (`date=ge2026-01&date=lt2026-02`).
 */

export interface MonthRange {
  /** YYYY-MM, also the lower bound (`ge`). */
  month: string;
  /** The month after (`lt`), so the range holds the whole month and nothing more. */
  before: string;
  label: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const monthKey = (year: number, month0: number): string => {
  const d = new Date(Date.UTC(year, month0, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
};

/** The `count` calendar months up to and including the one `now` falls in, oldest first. */
export function lastMonths(now: Date, count = 12, locale?: string): MonthRange[] {
  const year = now.getFullYear();
  const month0 = now.getMonth();
  const format = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return Array.from({ length: count }, (_, i) => {
    const m = month0 - (count - 1 - i);
    return { month: monthKey(year, m), before: monthKey(year, m + 1), label: format.format(new Date(Date.UTC(year, m, 1))) };
  });
}

/** The search parameters of a range, for a type's date parameter. */
export function rangeParams(dateParam: string, from: string | undefined, before: string | undefined): [string, string][] {
  return [...(from ? [[dateParam, `ge${from}`] as [string, string]] : []), ...(before ? [[dateParam, `lt${before}`] as [string, string]] : [])];
}

/** Types a count can be asked of, with the parameters that hold their code and their date. */
export const COUNTABLE: Record<string, { label: string; code?: string; date?: string }> = {
  Patient: { label: 'Patients' },
  Encounter: { label: 'Encounters (visits)', code: 'type', date: 'date' },
  Condition: { label: 'Conditions (diagnoses)', code: 'code', date: 'recorded-date' },
  Observation: { label: 'Observations (results, vital signs)', code: 'code', date: 'date' },
  Immunization: { label: 'Immunizations', code: 'vaccine-code', date: 'date' },
  MedicationRequest: { label: 'Prescriptions', code: 'code', date: 'authoredon' },
  Procedure: { label: 'Procedures', code: 'code', date: 'date' },
  DiagnosticReport: { label: 'Diagnostic reports', code: 'code', date: 'date' },
  AllergyIntolerance: { label: 'Allergies', code: 'code', date: 'date' },
};

export interface CountForm {
  type: string;
  /** `system|code` or a bare code. */
  code: string;
  /** YYYY-MM-DD bounds, either optional. */
  from: string;
  before: string;
}

export type CountProblems = Partial<Record<keyof CountForm, string>>;

export function countProblems(form: CountForm): CountProblems {
  const problems: CountProblems = {};
  const spec = COUNTABLE[form.type];
  if (!spec) problems.type = 'Choose what to count';
  const code = form.code.trim();
  if (code && spec && !spec.code) problems.code = `${spec.label} have no code to count by`;
  else if (code && (/\s/.test(code) || code.startsWith('|') || code.endsWith('|'))) problems.code = 'Write a code, or system|code, without spaces';
  if (form.from && form.before && form.from >= form.before) problems.before = 'The end must be after the start';
  return problems;
}

/** The filters of a form without problems. */
export function countParams(form: CountForm): [string, string][] {
  const spec = COUNTABLE[form.type]!;
  const code = form.code.trim();
  return [...(code && spec.code ? [[spec.code, code] as [string, string]] : []), ...(spec.date ? rangeParams(spec.date, form.from || undefined, form.before || undefined) : [])];
}

/** A search with these filters that returns only the number of matches. */
export function countSearch(params: [string, string][]): URLSearchParams {
  return new URLSearchParams([...params, ['_summary', 'count']]);
}

/** Conditions the dashboard follows, by SNOMED CT code. */
export const TRACKED_CONDITIONS: { code: string; label: string }[] = [
  { code: '38341003', label: 'Hypertension' },
  { code: '44054006', label: 'Type 2 diabetes' },
  { code: '15777000', label: 'Prediabetes' },
  { code: '55822004', label: 'Hyperlipidemia' },
  { code: '195967001', label: 'Asthma' },
  { code: '35489007', label: 'Depression' },
  { code: '84114007', label: 'Heart failure' },
];

export const SNOMED = 'http://snomed.info/sct';
