import type { CodeableConcept, Period, Quantity } from '@medplum/fhirtypes';

/**
 * How clinical data reads on screen. FHIR keeps dates, units and names in forms made for machines
 * ("2024-03", "mm[Hg]", given/family arrays); people expect "Mar 2024", "mmHg" and "Ana Souza".
 * Everything takes an optional locale and time zone so that tests are deterministic; the app
 * leaves both unset and gets the browser's.
 */

export interface FormatOptions {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const UCUM = 'http://unitsofmeasure.org';

const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function dateTimeFormat(options: FormatOptions, parts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(options.locale, { ...parts, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
}

/**
 * A FHIR date or dateTime as people write it: "2024", "Mar 2024", "12 Mar 2024" (in the
 * browser's order). A date without a time is a calendar day and is never shifted by time zone; a
 * dateTime is shown on the day it was where the reader is.
 */
export function formatDate(value: string | undefined, options: FormatOptions = {}): string {
  if (!value) return '';
  const partial = FHIR_DATE.exec(value);
  if (partial) {
    const [, y, m, d] = partial;
    if (!m) return y!;
    const utc = new Date(Date.UTC(Number(y), Number(m) - 1, d ? Number(d) : 1));
    const parts: Intl.DateTimeFormatOptions = d ? { day: 'numeric', month: 'short', year: 'numeric' } : { month: 'short', year: 'numeric' };
    return dateTimeFormat({ ...options, timeZone: 'UTC' }, parts).format(utc);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return dateTimeFormat(options, { day: 'numeric', month: 'short', year: 'numeric' }).format(t);
}

/** A dateTime with its time of day ("12 Mar 2024, 09:30"); a plain date stays a date. */
export function formatDateTime(value: string | undefined, options: FormatOptions = {}): string {
  if (!value) return '';
  if (FHIR_DATE.test(value)) return formatDate(value, options);
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return dateTimeFormat(options, { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(t);
}

export function formatTime(value: string | undefined, options: FormatOptions = {}): string {
  if (!value || FHIR_DATE.test(value)) return '';
  const t = Date.parse(value);
  if (Number.isNaN(t)) return '';
  return dateTimeFormat(options, { hour: 'numeric', minute: '2-digit' }).format(t);
}

/** A period as one phrase: "12 Mar 2024, 09:30–10:00" for a visit, "Mar 2024 – Jun 2024" for a course. */
export function formatPeriod(period: Period | undefined, options: FormatOptions = {}): string {
  if (!period?.start && !period?.end) return '';
  if (!period.end) return `from ${formatDate(period.start, options)}`;
  if (!period.start) return `until ${formatDate(period.end, options)}`;
  const sameDay = dayKey(period.start, options) === dayKey(period.end, options);
  if (sameDay && !FHIR_DATE.test(period.start) && !FHIR_DATE.test(period.end)) {
    return `${formatDateTime(period.start, options)}–${formatTime(period.end, options)}`;
  }
  if (sameDay) return formatDate(period.start, options);
  return `${formatDate(period.start, options)} – ${formatDate(period.end, options)}`;
}

/** The calendar day (YYYY-MM-DD) a date or dateTime falls on for the reader, for grouping by day. */
export function dayKey(value: string, options: FormatOptions = {}): string {
  const partial = FHIR_DATE.exec(value);
  if (partial) return [partial[1], partial[2] ?? '01', partial[3] ?? '01'].join('-');
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value.slice(0, 10);
  const parts = dateTimeFormat({ ...options, locale: 'en-CA' }, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(t);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "today", "yesterday" or "tomorrow" for a day close to `now`, else undefined. */
export function relativeDay(value: string | undefined, now: Date = new Date(), options: FormatOptions = {}): string | undefined {
  if (!value) return undefined;
  const day = Date.parse(`${dayKey(value, options)}T00:00:00Z`);
  const today = Date.parse(`${dayKey(now.toISOString(), options)}T00:00:00Z`);
  const diff = Math.round((day - today) / 86_400_000);
  return diff === 0 ? 'today' : diff === -1 ? 'yesterday' : diff === 1 ? 'tomorrow' : undefined;
}

/** The moment a FHIR date or dateTime starts, in epoch milliseconds (a partial date at its first day). */
export function timeOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const partial = FHIR_DATE.exec(value);
  const t = partial ? Date.UTC(Number(partial[1]), Number(partial[2] ?? 1) - 1, Number(partial[3] ?? 1)) : Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * A number with the precision a reader needs: about four significant digits, never trailing
 * zeros, so 4.43 stays 4.43, 139.5 stays 139.5 and a computed BMI of 32.0987 reads 32.1.
 */
export function formatNumber(value: number, options: FormatOptions = {}): string {
  const abs = Math.abs(value);
  const magnitude = abs === 0 ? 0 : Math.floor(Math.log10(abs));
  const maximumFractionDigits = Math.min(4, Math.max(0, 3 - magnitude));
  return new Intl.NumberFormat(options.locale, { maximumFractionDigits }).format(value);
}

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
const superscript = (digits: string): string => [...digits].map((c) => SUPERSCRIPT[c] ?? c).join('');

/** UCUM's bracketed and special units, as printed on lab reports. */
const SPECIAL_UNITS: Record<string, string> = {
  Cel: '°C',
  '[degF]': '°F',
  '[iU]': 'IU',
  '[IU]': 'IU',
  '[lb_av]': 'lb',
  '[oz_av]': 'oz',
  '[in_i]': 'in',
  '[ft_i]': 'ft',
  '[pH]': 'pH',
  '[ppm]': 'ppm',
  '[drp]': 'drops',
  '1': '',
};

/** One UCUM term (no `/`): 10*3 → ×10³, uL → µL, m2 → m², mm[Hg] → mmHg, {beats} → beats. */
function humanTerm(term: string): string {
  if (term in SPECIAL_UNITS) return SPECIAL_UNITS[term]!;
  const power = /^10[*^](-?\d+)$/.exec(term);
  if (power) return `×10${superscript(power[1]!)}`;
  const annotation = /^\{(.*)\}$/.exec(term);
  if (annotation) return humanTerm(annotation[1]!.replace(/_/g, ' '));
  return term
    .replace(/\[Hg\]/g, 'Hg')
    .replace(/\[H2O\]/g, 'H₂O')
    .replace(/\[(i|I)U\]/g, 'IU')
    .replace(/^u(?=(g|L|l|mol|m|U|IU|eq|s)\b)/, 'µ')
    .replace(/(?<=[A-Za-z])([23])$/, (d) => superscript(d));
}

/**
 * A UCUM unit code as people read it: mm[Hg] → mmHg, Cel → °C, 10*3/uL → ×10³/µL,
 * mL/min/{1.73_m2} → mL/min/1.73 m². A unit that is only an annotation ({score}) counts things
 * and has no unit to show.
 */
export function humanUnit(code: string | undefined): string {
  if (!code) return '';
  if (/^\{[^}]*\}$/.test(code)) return '';
  // Separators inside an annotation ({1.73_m2}) are part of its text.
  return code
    .split(/\/(?![^{]*\})/)
    .map((part) => part.split(/\.(?![^{]*\})/).map(humanTerm).join('·'))
    .join('/');
}

/** A Quantity's unit for display: the UCUM code made readable when there is one, else its own words. */
export function quantityUnit(q: Quantity | undefined): string {
  if (!q) return '';
  if ((q.system === UCUM || !q.system) && q.code !== undefined) return humanUnit(q.code);
  return q.unit ?? q.code ?? '';
}

/** "146 mmHg", "37 °C", "98%", "83/min"; the comparator ("<5") kept because it changes the meaning. */
export function formatQuantity(q: Quantity | undefined, options: FormatOptions = {}): string {
  if (!q || q.value === undefined) return '';
  const unit = quantityUnit(q);
  const number = `${q.comparator ?? ''}${formatNumber(q.value, options)}`;
  if (!unit) return number;
  // A percent sign and a bare rate ("/min") sit against the number; other units take a space.
  return unit === '%' || unit.startsWith('/') ? `${number}${unit}` : `${number} ${unit}`;
}

/** A person's name as they are addressed (shared with the server's emails and alerts). */
export { formatName } from '@salus/core';

/** A coded concept in words: its text, else the first coding's display, else the bare code. */
export function formatConcept(concept: CodeableConcept | undefined): string {
  if (!concept) return '';
  if (concept.text) return concept.text;
  const withDisplay = concept.coding?.find((c) => c.display);
  if (withDisplay) return withDisplay.display!;
  return concept.coding?.find((c) => c.code)?.code ?? '';
}

/** Whole years of age on `now`; months for a child under two, who is counted that way. */
export function formatAge(birthDate: string | undefined, now: Date = new Date()): string {
  if (!birthDate) return '';
  const m = FHIR_DATE.exec(birthDate.slice(0, 10));
  if (!m) return '';
  const [y, mo, d] = [Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1)];
  let months = (now.getUTCFullYear() - y) * 12 + (now.getUTCMonth() + 1 - mo);
  if (now.getUTCDate() < d) months -= 1;
  if (months < 0) return '';
  if (months < 24) return months === 1 ? '1 month' : `${months} months`;
  const years = Math.floor(months / 12);
  return `${years} years`;
}

/** A file size: "812 bytes", "14 KB", "1.2 MB". */
export function formatBytes(bytes: number, options: FormatOptions = {}): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(options.locale, { maximumFractionDigits: value < 10 ? 1 : 0 }).format(value)} ${units[unit]}`;
}
