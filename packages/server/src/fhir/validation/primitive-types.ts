/**
 * Value checks for the FHIR R4 primitive types as they appear in FHIR JSON.
 *
 * The patterns are the `regex` extensions on `<type>.value` in the R4 StructureDefinitions
 * (http://hl7.org/fhir/R4/datatypes.html#primitive), anchored. Those regexes are written for
 * XML Schema/Java, where `\s` means only space, tab, CR, LF, VT and FF; JavaScript's `\s` also
 * matches Unicode spaces, so the classes are spelled out to keep the spec's meaning.
 */

import { isFhirDecimal } from '@salus/core';

/** Returns why `value` is not a valid JSON representation of the type, or undefined when it is. */
export type PrimitiveCheck = (value: unknown) => string | undefined;

const WS = ' \\t\\n\\x0B\\f\\r';
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

const anchored = (source: string): RegExp => new RegExp(`^(?:${source})$`);

// FHIR integers are 32-bit signed (datatypes.html#integer).
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

// The R4 decimal regex, for decimals kept as their text (datatypes.html#decimal).
// Exponents are limited to three digits, as the search index (PostgreSQL numeric) holds them.
const DECIMAL_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (isFhirDecimal(value)) return value.text;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function stringCheck(type: string, pattern: RegExp, calendar = false): PrimitiveCheck {
  return (value) => {
    if (typeof value !== 'string') return `Expected a JSON string (${type}), found ${describe(value)}`;
    if (value === '') return `Empty string is not a valid ${type}`;
    if (!pattern.test(value) || (calendar && !isCalendarDate(value))) return `${describe(value)} is not a valid ${type}`;
    return undefined;
  };
}

function integerCheck(type: string, min: number): PrimitiveCheck {
  return (value) => {
    if (typeof value !== 'number') return `Expected a JSON number (${type}), found ${describe(value)}`;
    if (!Number.isInteger(value) || value < min || value > INT_MAX) return `${value} is not a valid ${type}`;
    return undefined;
  };
}

/**
 * The regexes accept 31 days in every month, but the spec also says dates SHALL be valid
 * dates, so a day part (always at offset 8 in date, dateTime and instant) is checked against
 * its month.
 */
function isCalendarDate(value: string): boolean {
  if (value.length < 10) return true;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

// Character classes for base64Binary: 1 = alphabet (including '=' as the regex does), 2 = whitespace.
const BASE64_CLASS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') BASE64_CLASS[c.charCodeAt(0)] = 1;
for (const c of ' \t\n\x0B\f\r') BASE64_CLASS[c.charCodeAt(0)] = 2;

/**
 * base64Binary's R4 regex is `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`: groups of four characters, with
 * whitespace allowed only between groups. Its nested `\s*` backtracks badly on long invalid
 * input, and attachments can be megabytes, so the same language is recognised in one pass.
 */
const base64Binary: PrimitiveCheck = (value) => {
  if (typeof value !== 'string') return `Expected a JSON string (base64Binary), found ${describe(value)}`;
  let chars = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const kind = code < 128 ? BASE64_CLASS[code] : 0;
    if (kind === 1) chars++;
    else if (kind !== 2 || chars % 4 !== 0) return 'Not valid base64Binary content';
  }
  if (chars === 0 || chars % 4 !== 0) return 'Not valid base64Binary content';
  return undefined;
};

/**
 * xhtml is checked only loosely: a string holding one `div` element. Full checking would mean
 * parsing XHTML, and the narrative rules beyond that are invariants.
 */
const xhtml: PrimitiveCheck = (value) => {
  if (typeof value !== 'string') return `Expected a JSON string (xhtml), found ${describe(value)}`;
  if (!/^\s*<div[\s>]/.test(value) || !/<\/div>\s*$/.test(value)) return 'xhtml must be a single <div> element';
  return undefined;
};

const uri = anchored(`[^${WS}]*`);

export const PRIMITIVE_CHECKS: ReadonlyMap<string, PrimitiveCheck> = new Map<string, PrimitiveCheck>([
  ['boolean', (value) => (typeof value === 'boolean' ? undefined : `Expected true or false, found ${describe(value)}`)],
  ['integer', integerCheck('integer', INT_MIN)],
  ['positiveInt', integerCheck('positiveInt', 1)],
  ['unsignedInt', integerCheck('unsignedInt', 0)],
  [
    'decimal',
    (value) =>
      (typeof value === 'number' && Number.isFinite(value)) || (isFhirDecimal(value) && DECIMAL_TEXT.test(value.text))
        ? undefined
        : `Expected a JSON number (decimal), found ${describe(value)}`,
  ],
  // `[ \r\n\t\S]+` with the XML meaning of \S excludes only vertical tab and form feed.
  ['string', stringCheck('string', /^[^\x0B\f]+$/)],
  ['markdown', stringCheck('markdown', /^[^\x0B\f]+$/)],
  ['uri', stringCheck('uri', uri)],
  ['url', stringCheck('url', uri)],
  ['canonical', stringCheck('canonical', uri)],
  ['code', stringCheck('code', anchored(`[^${WS}]+([${WS}][^${WS}]+)*`))],
  ['id', stringCheck('id', /^[A-Za-z0-9\-.]{1,64}$/)],
  ['oid', stringCheck('oid', /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/)],
  ['uuid', stringCheck('uuid', /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)],
  ['date', stringCheck('date', anchored(`${YEAR}(-${MONTH}(-${DAY})?)?`), true)],
  ['dateTime', stringCheck('dateTime', anchored(`${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?`), true)],
  ['instant', stringCheck('instant', anchored(`${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}`), true)],
  ['time', stringCheck('time', anchored(TIME))],
  ['base64Binary', base64Binary],
  ['xhtml', xhtml],
]);
