/**
 * A FHIR decimal whose JSON text a JavaScript number cannot reproduce (`6.0`, `0.40`, `1e-245`,
 * 17 significant digits). R4 requires the original precision to be kept (datatypes.html#decimal),
 * so such values travel as their text; every other number stays a plain number.
 */
export class FhirDecimal {
  constructor(readonly text: string) {}

  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  /**
   * Inside stringifyFhirJson: a marked string that it turns back into the number as written.
   * Anywhere else (a plain JSON.stringify): the nearest double, valid JSON if not exact.
   */
  toJSON(): string | number {
    if (!capturing) return Number(this.text);
    decimalsSeen = true;
    return `${MARK}${this.text}${MARK}`;
  }
}

// A noncharacter: never meaningful in interchanged text, so it cannot collide with real content.
const MARK = '\uFDD0';
const MARKED = new RegExp(`"${MARK}(-?[0-9.eE+-]+)${MARK}"`, 'g');
let decimalsSeen = false;
let capturing = false;

/**
 * Numbers whose text might not survive a round trip through a double: trailing zeros, exponents,
 * many digits. A JSON number ends where a value ends (`,` `]` `}` or space), which tells `6.0` from
 * the `.120` of a time such as "08:02:00.120Z" inside a string; without that, most timestamps sent
 * the slow way.
 */
const MAYBE_LOSSY = /\d\.\d*0(?=[\s,\]}]|$)|\d[eE][+-]?\d|\d{16}/;

// A JSON string (skipped whole, so digits inside text are never touched) or a JSON number.
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** JSON.parse for FHIR resources, keeping the text of decimals a double would alter. */
export function parseFhirJson<T = unknown>(text: string): T {
  // Most documents have no such number; they take the native parser's speed.
  if (!MAYBE_LOSSY.test(text)) return JSON.parse(text) as T;
  // Otherwise each such number is quoted with markers before the native parse, and the reviver
  // turns the marked strings into FhirDecimal values.
  let marked = false;
  const quoted = text.replace(TOKEN, (token) => {
    if (token.charCodeAt(0) === 34 || String(Number(token)) === token) return token;
    marked = true;
    return `"${MARK}${token}${MARK}"`;
  });
  const value = JSON.parse(quoted) as unknown;
  return (marked ? revive(value) : value) as T;
}

/** Replaces marked strings by FhirDecimal values in place (a walk costs less than a JSON.parse reviver). */
function revive(node: unknown): unknown {
  if (typeof node === 'string') {
    return node.charCodeAt(0) === 0xfdd0 && node.length > 2 && node.endsWith(MARK) ? new FhirDecimal(node.slice(1, -1)) : node;
  }
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = revive(node[i]);
  } else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === 'object' || (typeof v === 'string' && v.charCodeAt(0) === 0xfdd0)) obj[k] = revive(v);
    }
  }
  return node;
}

/** JSON.stringify that writes FhirDecimal values back exactly as they were written. */
export function stringifyFhirJson(value: unknown): string {
  decimalsSeen = false;
  capturing = true;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    capturing = false;
  }
  return decimalsSeen ? text.replace(MARKED, '$1') : text;
}

export function isFhirDecimal(value: unknown): value is FhirDecimal {
  return value instanceof FhirDecimal;
}

/** The number a JSON value stands for: a plain number, or a FhirDecimal's text. */
export function decimalText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return value instanceof FhirDecimal ? value.text : undefined;
}
