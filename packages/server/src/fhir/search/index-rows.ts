/**
 * The rows a resource contributes to the search index tables (one table per search-parameter
 * type, see migrations). Extraction fills them from the official R4 SearchParameter expressions;
 * the query builder reads the same columns, so both sides share these shapes and normalizers.
 *
 * Composite parameters are indexed as their components: component `i` of composite `c` is stored
 * as an ordinary row of its own type with code `c$i`, and the rows made from one node of the
 * composite's base expression share a `group` number, so a composite search joins on it.
 */
export interface RowBase {
  code: string;
  /** Only set for composite components: rows from the same base node share it. */
  group?: number;
}

export interface StringRow extends RowBase {
  /** normalizeString(exact): used for the default (starts-with) and :contains matches. */
  value: string;
  /** The text as written: used for :exact. */
  exact: string;
}

export interface TokenRow extends RowBase {
  /** Coding.system / Identifier.system / ContactPoint.system; null when absent. */
  system: string | null;
  /** Coding.code / Identifier.value / code / boolean as 'true'|'false' / ContactPoint.value. */
  value: string | null;
  /** normalizeString of display / CodeableConcept.text / Identifier.type.text, for :text. */
  text: string | null;
}

export interface ReferenceRow extends RowBase {
  /** `Type/id` for references into this server, the absolute URL or canonical otherwise. */
  ref: string | null;
  targetType: string | null;
  targetId: string | null;
  /** Reference.identifier, for the :identifier modifier. */
  identifierSystem: string | null;
  identifierValue: string | null;
}

export interface DateRow extends RowBase {
  /** ISO-8601 instants (UTC) bounding the value's implied range; '-infinity'/'infinity' when open. */
  low: string;
  high: string;
}

export interface NumberRow extends RowBase {
  /** Decimal text as written (precision kept), and the range implied by its precision. */
  value: string;
  low: string;
  high: string;
}

export interface QuantityRow extends NumberRow {
  system: string | null;
  /** Quantity.code, falling back to Quantity.unit. */
  unit: string | null;
}

export interface UriRow extends RowBase {
  value: string;
}

export interface IndexRows {
  string: StringRow[];
  token: TokenRow[];
  reference: ReferenceRow[];
  date: DateRow[];
  number: NumberRow[];
  quantity: QuantityRow[];
  uri: UriRow[];
}

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], reference: [], date: [], number: [], quantity: [], uri: [] };
}

/** Case- and accent-insensitive form used for string matching (FHIR R4 search, 3.1.1.4.8). */
export function normalizeString(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/**
 * The range a decimal implies by its precision (FHIR R4 search 3.1.1.4.2): `100` means
 * [99.5, 100.5), `1.50` means [1.495, 1.505). Returned as decimal text to keep precision exact.
 */
export function decimalRange(text: string): { low: string; high: string } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return { low: text, high: text };
  const [, sign, int, frac = '', exp = '0'] = m;
  // value ± half a unit of its last digit, counted in units of 10^-scale: exact at any precision,
  // where floating point would collapse the range of 66.899999999999991 or 1e-245 to a point.
  const scale = frac.length - Number(exp) + 1;
  const units = BigInt(`${sign}${int}${frac}`) * 10n;
  return { low: scaled(units - 5n, scale), high: scaled(units + 5n, scale) };
}

function scaled(units: bigint, scale: number): string {
  if (scale <= 0) return `${units}${'0'.repeat(-scale)}`;
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * The instant range a FHIR date, dateTime or instant covers: `2020` is the whole year,
 * `2020-03-04T10:00` the whole minute. Values without a zone are taken as UTC.
 */
export function dateRange(text: string): { low: string; high: string } | undefined {
  const m =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const offsetMs = tz && tz !== 'Z' ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60000 : 0;
  let start: number;
  let end: number;
  if (!mo) {
    start = Date.UTC(year, 0, 1);
    end = Date.UTC(year + 1, 0, 1);
  } else if (!d) {
    start = Date.UTC(year, Number(mo) - 1, 1);
    end = Date.UTC(year, Number(mo), 1);
  } else if (!h) {
    start = Date.UTC(year, Number(mo) - 1, Number(d));
    end = start + 86400000;
  } else {
    const base = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi));
    if (s === undefined) {
      start = base;
      end = base + 60000;
    } else if (frac === undefined) {
      start = base + Number(s) * 1000;
      end = start + 1000;
    } else {
      const ms = Number(`0.${frac}`) * 1000;
      start = base + Number(s) * 1000 + Math.floor(ms);
      end = start + 1;
    }
    start -= offsetMs;
    end -= offsetMs;
  }
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return { low: new Date(start).toISOString(), high: new Date(end - 1).toISOString() };
}
