import { decimalText } from '@salus/core';
import type { SearchParamType } from '../definitions.js';
import { fhirType } from './extract-model.js';
import type { Node } from './extract-fhirpath.js';
import { referenceTarget, referencedType } from './extract-reference.js';
import { type IndexRows, dateRange, decimalRange, emptyIndexRows, normalizeString } from './index-rows.js';

/**
 * Turns typed FHIRPath results into index rows, following what each search parameter type matches
 * on in FHIR R4 search (http://hl7.org/fhir/R4/search.html#ptypes). Rows are deduplicated as
 * they are added: unions like `A.x | A.y` and repeated codings often yield the same row twice.
 */
export class RowCollector {
  readonly rows: IndexRows = emptyIndexRows();
  private readonly seen = new Set<string>();

  constructor(private readonly baseUrl: string | undefined) {}

  /**
   * Adds the rows `node` contributes to parameter `code` of type `type`; `targets` are the
   * resource types a reference parameter may point to.
   */
  add(
    type: Exclude<SearchParamType, 'composite' | 'special'>,
    code: string,
    group: number | undefined,
    node: Node,
    targets: readonly string[],
  ): void {
    const n = node.type.isA('Extension') ? extensionValue(node) : node;
    if (!n) return;
    switch (type) {
      case 'string':
        return this.addString(code, group, n);
      case 'token':
        return this.addToken(code, group, n);
      case 'reference':
        return this.addReference(code, group, n, targets);
      case 'date':
        return this.addDate(code, group, n);
      case 'number':
        return this.addNumber(code, group, n);
      case 'quantity':
        return this.addQuantity(code, group, n);
      case 'uri':
        if (typeof n.value === 'string' && isTextual(n)) this.uri(code, group, n.value);
        return;
    }
  }

  private firstSight(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  private addString(code: string, group: number | undefined, node: Node): void {
    const v = node.value as Record<string, unknown>;
    if (typeof node.value === 'string') {
      this.string(code, group, node.value);
    } else if (node.type.name === 'HumanName') {
      this.strings(code, group, v.family, v.given, v.prefix, v.suffix, v.text);
    } else if (node.type.name === 'Address') {
      this.strings(code, group, v.line, v.city, v.district, v.state, v.postalCode, v.country, v.text);
    }
  }

  private strings(code: string, group: number | undefined, ...parts: unknown[]): void {
    for (const part of parts) {
      if (typeof part === 'string') this.string(code, group, part);
      else if (Array.isArray(part)) for (const p of part) if (typeof p === 'string') this.string(code, group, p);
    }
  }

  private string(code: string, group: number | undefined, exact: string): void {
    const value = normalizeString(exact);
    if (value === '') return;
    if (this.firstSight(`s\u0001${code}\u0001${group}\u0001${exact}`)) {
      this.rows.string.push(group === undefined ? { code, value, exact } : { code, group, value, exact });
    }
  }

  private addToken(code: string, group: number | undefined, node: Node): void {
    const v = node.value as Record<string, unknown>;
    const t = node.type;
    if (typeof node.value === 'boolean') {
      this.token(code, group, null, String(node.value), null);
    } else if (typeof node.value === 'string') {
      if (isTextual(node)) this.token(code, group, null, node.value, null);
    } else if (t.name === 'Coding') {
      this.token(code, group, str(v.system), str(v.code), text(v.display));
    } else if (t.name === 'CodeableConcept') {
      const ccText = text(v.text);
      const codings = Array.isArray(v.coding) ? (v.coding as (Record<string, unknown> | null)[]) : [];
      let any = false;
      for (const c of codings) {
        if (!c) continue;
        any = true;
        this.token(code, group, str(c.system), str(c.code), ccText ?? text(c.display));
      }
      if (!any && ccText) this.token(code, group, null, null, ccText);
    } else if (t.name === 'Identifier') {
      this.token(code, group, str(v.system), str(v.value), text((v.type as { text?: unknown } | undefined)?.text));
    } else if (t.name === 'ContactPoint') {
      this.token(code, group, str(v.system), str(v.value), null);
    } else if (t.isA('Quantity')) {
      this.token(code, group, str(v.system), str(v.code) ?? str(v.unit), null);
    }
  }

  private token(code: string, group: number | undefined, system: string | null, value: string | null, text: string | null): void {
    if (system === null && value === null && text === null) return;
    if (this.firstSight(`t\u0001${code}\u0001${group}\u0001${system}\u0001${value}\u0001${text}`)) {
      this.rows.token.push(group === undefined ? { code, system, value, text } : { code, group, system, value, text });
    }
  }

  private addReference(code: string, group: number | undefined, node: Node, targets: readonly string[]): void {
    const v = node.value as Record<string, unknown>;
    if (typeof node.value === 'string') {
      // canonical/uri values (e.g. QuestionnaireResponse.questionnaire): a versioned canonical
      // `url|version` also gets a row without the version, so searching by the bare URL matches.
      if (!isTextual(node) || node.value === '') return;
      const type = referencedType(node.value.split('|')[0]) ?? null;
      this.reference(code, group, node.value, type, null, null, null);
      const bar = node.value.indexOf('|');
      if (bar > 0) this.reference(code, group, node.value.slice(0, bar), type, null, null, null);
    } else if (node.type.name === 'Reference') {
      const identifier = v.identifier as Record<string, unknown> | undefined;
      const idSystem = str(identifier?.system);
      const idValue = str(identifier?.value);
      const target = typeof v.reference === 'string' ? referenceTarget(v.reference, this.baseUrl) : undefined;
      if (target) {
        // urn:uuid references carry their type only in Reference.type, if at all.
        const targetType = target.targetType ?? referencedType(v) ?? null;
        this.reference(code, group, target.ref, targetType, target.targetId, idSystem, idValue);
      } else if (idSystem !== null || idValue !== null) {
        this.reference(code, group, null, referencedType(v) ?? null, null, idSystem, idValue);
      }
    } else if (node.type.isA('Resource')) {
      // A whole resource in reference position (Bundle.entry[0].resource for Bundle's composition
      // and message parameters) stands for a reference to that resource, when it has a type the
      // parameter targets: a document's first entry is its Composition, but other bundles start
      // with anything.
      const id = str(v.id);
      if (id && (targets.length === 0 || targets.includes(node.type.name))) this.reference(code, group, `${node.type.name}/${id}`, node.type.name, id, null, null);
    }
  }

  private reference(
    code: string,
    group: number | undefined,
    ref: string | null,
    targetType: string | null,
    targetId: string | null,
    identifierSystem: string | null,
    identifierValue: string | null,
  ): void {
    if (this.firstSight(`r\u0001${code}\u0001${group}\u0001${ref}\u0001${identifierSystem}\u0001${identifierValue}`)) {
      const row = { code, ref, targetType, targetId, identifierSystem, identifierValue };
      this.rows.reference.push(group === undefined ? row : { ...row, group });
    }
  }

  private addDate(code: string, group: number | undefined, node: Node): void {
    const v = node.value as Record<string, unknown>;
    const name = node.type.name;
    if (typeof node.value === 'string') {
      if (name === 'date' || name === 'dateTime' || name === 'instant') {
        const range = dateRange(node.value);
        if (range) this.date(code, group, range.low, range.high);
      }
    } else if (name === 'Period') {
      this.period(code, group, v);
    } else if (name === 'Timing') {
      if (Array.isArray(v.event)) {
        for (const e of v.event) {
          const range = typeof e === 'string' ? dateRange(e) : undefined;
          if (range) this.date(code, group, range.low, range.high);
        }
      }
      const bounds = (v.repeat as { boundsPeriod?: unknown } | undefined)?.boundsPeriod;
      if (bounds && typeof bounds === 'object') this.period(code, group, bounds as Record<string, unknown>);
    }
  }

  /** A Period covers from its start's first instant to its end's last; a missing end is open (R4 datatypes.html#Period). */
  private period(code: string, group: number | undefined, p: Record<string, unknown>): void {
    const start = typeof p.start === 'string' ? dateRange(p.start) : undefined;
    const end = typeof p.end === 'string' ? dateRange(p.end) : undefined;
    if (!start && !end) return;
    this.date(code, group, start?.low ?? '-infinity', end?.high ?? 'infinity');
  }

  private date(code: string, group: number | undefined, low: string, high: string): void {
    if (this.firstSight(`d\u0001${code}\u0001${group}\u0001${low}\u0001${high}`)) {
      this.rows.date.push(group === undefined ? { code, low, high } : { code, group, low, high });
    }
  }

  private addNumber(code: string, group: number | undefined, node: Node): void {
    const value = decimalText(node.value);
    if (value === undefined) return;
    const { low, high } = decimalRange(value);
    if (this.firstSight(`n\u0001${code}\u0001${group}\u0001${value}`)) {
      this.rows.number.push(group === undefined ? { code, value, low, high } : { code, group, value, low, high });
    }
  }

  private addQuantity(code: string, group: number | undefined, node: Node): void {
    const v = node.value as Record<string, unknown>;
    const t = node.type;
    if (t.isA('Quantity')) {
      const value = decimalText(v.value);
      if (value === undefined) return;
      const { low, high } = decimalRange(value);
      this.quantity(code, group, value, low, high, str(v.system), str(v.code) ?? str(v.unit));
    } else if (t.name === 'Money') {
      const value = decimalText(v.value);
      if (value === undefined) return;
      const { low, high } = decimalRange(value);
      // Money.currency is an ISO 4217 code (R4 datatypes.html#Money).
      this.quantity(code, group, value, low, high, 'urn:iso:std:iso:4217', str(v.currency));
    } else if (t.name === 'Range') {
      this.range(code, group, v);
    }
  }

  /**
   * A Range is stored as one row spanning from its low bound's lower edge to its high bound's
   * upper edge, so a quantity search matches it where the ranges overlap; a missing bound is
   * open, written as PostgreSQL numeric's infinity.
   */
  private range(code: string, group: number | undefined, r: Record<string, unknown>): void {
    const low = r.low as Record<string, unknown> | undefined;
    const high = r.high as Record<string, unknown> | undefined;
    const lowValue = decimalText(low?.value);
    const highValue = decimalText(high?.value);
    const value = lowValue ?? highValue;
    if (value === undefined) return;
    const unitOf = lowValue !== undefined ? low! : high!;
    this.quantity(
      code,
      group,
      value,
      lowValue !== undefined ? decimalRange(lowValue).low : '-Infinity',
      highValue !== undefined ? decimalRange(highValue).high : 'Infinity',
      str(unitOf.system),
      str(unitOf.code) ?? str(unitOf.unit),
    );
  }

  private quantity(
    code: string,
    group: number | undefined,
    value: string,
    low: string,
    high: string,
    system: string | null,
    unit: string | null,
  ): void {
    if (this.firstSight(`q\u0001${code}\u0001${group}\u0001${value}\u0001${low}\u0001${high}\u0001${system}\u0001${unit}`)) {
      const row = { code, value, low, high, system, unit };
      this.rows.quantity.push(group === undefined ? row : { ...row, group });
    }
  }

  private uri(code: string, group: number | undefined, value: string): void {
    if (value !== '' && this.firstSight(`u\u0001${code}\u0001${group}\u0001${value}`)) {
      this.rows.uri.push(group === undefined ? { code, value } : { code, group, value });
    }
  }
}

/** String-valued primitives: string and its specializations (code, id, markdown) and uri and its (url, canonical, oid, uuid). */
function isTextual(node: Node): boolean {
  return node.type.isA('string') || node.type.isA('uri');
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function text(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const n = normalizeString(v);
  return n === '' ? null : n;
}

const extensionValues = fhirType('Extension').child('value');

/**
 * Search parameters defined on an extension (`Patient.extension('...mothersMaidenName')`) mean
 * the extension's value; a complex extension has none and is not indexed.
 */
function extensionValue(node: Node): Node | undefined {
  const ext = node.value as Record<string, unknown>;
  for (const slot of extensionValues) {
    const value = ext[slot.key];
    if (value !== undefined && value !== null) return { value, type: slot.type };
  }
  return undefined;
}
