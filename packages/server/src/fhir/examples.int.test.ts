import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FHIR_PREFIX } from '../app.js';
import { startTestApp, type TestApp } from '../test-support.js';
import { DEFINITIONS_DIR, resourceTypes, searchParams } from './definitions.js';
import { extractIndexRows } from './search/extract.js';
import { decimalRange, type IndexRows } from './search/index-rows.js';

/**
 * The official R4 example instances, stored through the REST API: each must be accepted, read
 * back as it was sent (apart from the meta the server stamps), and be found by every value its
 * search parameters index. The index rows the server's own extractor computes give the values to
 * search for; whether the extractor finds every value an expression selects is checked against
 * fhirpath.js in extract.test.ts.
 */

type Json = Record<string, unknown>;

interface Example {
  file: string;
  type: string;
  id: string;
  resource: Json;
  /** The file as written, for the checks on number literals. */
  text: string;
}

/**
 * Families of definition resources left out: thousands of files (about 4,400) that are the
 * specification's own conformance content rather than examples, and that validate.test.ts
 * already checks one by one. The smaller conformance families (ConceptMap, OperationDefinition,
 * CapabilityStatement, ...) are cheap and stay in.
 */
const DEFINITION_FAMILIES = new Set(['StructureDefinition', 'SearchParameter', 'ValueSet', 'CodeSystem']);

/** Entry types of the Bundles that merely package definitions (see isDefinitionBundle). */
const CONFORMANCE_TYPES = new Set([
  ...DEFINITION_FAMILIES,
  'ConceptMap',
  'NamingSystem',
  'OperationDefinition',
  'CompartmentDefinition',
  'CapabilityStatement',
]);

/**
 * Bundle-resources.json, Bundle-dataelements.json, Bundle-valuesets.json and the like are the
 * specification's definitions in bulk (up to 35 MB each, 100 MB together), not example
 * instances; storing them would take longer than everything else here together.
 */
function isDefinitionBundle(resource: Json): boolean {
  const entries = resource.entry as { resource?: { resourceType?: string } }[] | undefined;
  return (
    resource.resourceType === 'Bundle' &&
    Array.isArray(entries) &&
    entries.length > 0 &&
    entries.every((e) => CONFORMANCE_TYPES.has(e.resource?.resourceType ?? ''))
  );
}

/**
 * Examples that break the R4 definitions themselves (the same list as validate.test.ts); the
 * server must reject them, and they take no part in the other checks.
 */
const KNOWN_INVALID = new Map<string, string>([
  // Questionnaire.item.linkId is 1..1; 32 nested display items (help texts) have none.
  ['Questionnaire-qs1.json', 'items without linkId'],
  // ImplementationGuide.name and .status are 1..1; this package manifest has neither.
  ['ImplementationGuide-fhir.json', 'missing name and status'],
]);

function loadExamples(): { valid: Example[]; invalid: Example[] } {
  const types = new Set(resourceTypes());
  const valid: Example[] = [];
  const invalid: Example[] = [];
  const seen = new Set<string>();
  for (const file of readdirSync(DEFINITIONS_DIR).sort()) {
    const m = /^([A-Za-z]+)-.+\.json$/.exec(file);
    if (!m || !types.has(m[1]!) || DEFINITION_FAMILIES.has(m[1]!)) continue;
    const text = readFileSync(join(DEFINITIONS_DIR, file), 'utf8');
    const resource = JSON.parse(text) as Json;
    // A file named after one type but holding another (or no id) is no instance to PUT as Type/id.
    if (resource.resourceType !== m[1] || typeof resource.id !== 'string' || isDefinitionBundle(resource)) continue;
    const example: Example = { file, type: m[1]!, id: resource.id, resource, text };
    const key = `${example.type}/${example.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (KNOWN_INVALID.has(file) ? invalid : valid).push(example);
  }
  return { valid, invalid };
}

/**
 * Searches the server gets wrong, as `Type/id param=value`, each with the bug behind it. The
 * search test fails when one of these starts to work as well as on any new failure, so the
 * list tracks the bugs exactly. It is empty: every indexed value of every example is findable.
 */
const KNOWN_UNFINDABLE = new Map<string, string>([]);

/** FHIR search escaping of the characters that separate values (R4 search.html#escaping). */
function esc(value: string): string {
  return value.replace(/[\\,$|]/g, (c) => `\\${c}`);
}

const day = (iso: string): string => iso.slice(0, 10);

/**
 * A date search the row's range satisfies: `eq` at the coarsest calendar unit (UTC day, month,
 * year) holding the whole range, which is how precision makes `eq` match; an open-ended range
 * gets an order comparison with its finite bound instead, a multi-year one both comparisons.
 */
function dateValue(low: string, high: string): string[] {
  if (low === '-infinity') return high === 'infinity' ? [] : [`le${day(high)}`];
  if (high === 'infinity') return [`ge${day(low)}`];
  if (day(low) === day(high)) return [`eq${day(low)}`];
  if (low.slice(0, 7) === high.slice(0, 7)) return [`eq${low.slice(0, 7)}`];
  if (low.slice(0, 4) === high.slice(0, 4)) return [`eq${low.slice(0, 4)}`];
  return [`ge${day(low)}`, `le${day(high)}`];
}

type Table = keyof IndexRows;
type AnyRow = IndexRows[Table][number];

/** A Range quantity row: its bounds are wider than the precision of its (low) value implies. */
function isRange(row: IndexRows['quantity'][number]): boolean {
  const own = decimalRange(row.value);
  return row.low !== own.low || row.high !== own.high;
}

/**
 * The searches one index row must satisfy, as [modifier suffix, value] pairs: the plain form
 * of each parameter type plus the modifiers that read other columns of the same row.
 */
function searchValues(table: Table, row: AnyRow): [string, string][] {
  switch (table) {
    case 'token': {
      const r = row as IndexRows['token'][number];
      const out: [string, string][] = [];
      if (r.value !== null) out.push(['', r.system === null ? esc(r.value) : `${esc(r.system)}|${esc(r.value)}`]);
      if (r.text !== null) out.push([':text', esc(r.text)]);
      return out;
    }
    case 'string': {
      const r = row as IndexRows['string'][number];
      return [
        ['', esc(r.exact)],
        [':exact', esc(r.exact)],
      ];
    }
    case 'reference': {
      const r = row as IndexRows['reference'][number];
      const out: [string, string][] = [];
      if (r.ref !== null) out.push(['', esc(r.ref)]);
      if (r.identifierValue !== null) out.push([':identifier', `${esc(r.identifierSystem ?? '')}|${esc(r.identifierValue)}`]);
      return out;
    }
    case 'date': {
      const r = row as IndexRows['date'][number];
      return dateValue(r.low, r.high).map((v) => ['', v]);
    }
    case 'number':
      return [['', (row as IndexRows['number'][number]).value]];
    case 'quantity': {
      const r = row as IndexRows['quantity'][number];
      const tail = `${r.value}|${esc(r.system ?? '')}|${esc(r.unit ?? '')}`;
      return isRange(r) ? [['', tail], ['', `gt${tail}`]] : [['', tail]];
    }
    case 'uri':
      return [['', esc((row as IndexRows['uri'][number]).value)]];
  }
}

/** One search and the examples it must find. */
interface Search {
  type: string;
  /** Decoded `param=value` pairs; several for a multi-year date range. */
  params: [string, string][];
  ids: Set<string>;
}

/**
 * Every search the examples' index rows call for, merged across examples: one search per
 * distinct (type, query), restricted by `_id` to the examples that must match it.
 */
function plannedSearches(examples: Example[], baseUrl: string): Map<string, Search> {
  const searches = new Map<string, Search>();
  const plan = (type: string, id: string, params: [string, string][]): void => {
    const key = `${type}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
    let s = searches.get(key);
    if (!s) {
      s = { type, params, ids: new Set() };
      searches.set(key, s);
    }
    s.ids.add(id);
  };
  for (const ex of examples) {
    const rows = extractIndexRows(ex.resource as unknown as Resource, { baseUrl });
    // Composite components (`code$k`) are searched through their composite, group by group.
    const groups = new Map<string, Map<number, { table: Table; row: AnyRow }[][]>>();
    for (const table of Object.keys(rows) as Table[]) {
      for (const row of rows[table] as AnyRow[]) {
        const dollar = row.code.indexOf('$');
        if (dollar < 0) {
          const values = searchValues(table, row);
          const dates = table === 'date' && values.length > 1;
          if (dates) plan(ex.type, ex.id, values.map(([, v]) => [row.code, v]));
          else for (const [modifier, v] of values) plan(ex.type, ex.id, [[`${row.code}${modifier}`, v]]);
          continue;
        }
        const code = row.code.slice(0, dollar);
        const k = Number(row.code.slice(dollar + 1));
        let byGroup = groups.get(code);
        if (!byGroup) groups.set(code, (byGroup = new Map()));
        let parts = byGroup.get(row.group!);
        if (!parts) byGroup.set(row.group!, (parts = []));
        (parts[k] ??= []).push({ table, row });
      }
    }
    for (const [code, byGroup] of groups) {
      const width = searchParams().get(ex.type)!.get(code)!.component.length;
      for (const parts of byGroup.values()) {
        // The first plain value of each component's first row (already escaped, `$` included);
        // a multi-year date's second comparison cannot go into a composite and is left out.
        const values: string[] = [];
        for (let k = 0; k < width; k++) {
          const first = parts[k]?.[0];
          const plain = first && searchValues(first.table, first.row).find(([modifier]) => modifier === '');
          if (plain) values.push(plain[1]);
        }
        if (values.length === width) plan(ex.type, ex.id, [[code, values.join('$')]]);
      }
    }
  }
  return searches;
}

/** The number literals of a JSON text (outside strings), as written, sorted. */
function numberLiterals(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g)) if (m[1] !== undefined) out.push(m[1]);
  return out.sort();
}

/** The resource without the meta the server stamps (versionId, lastUpdated), and without meta if that empties it. */
function withoutServerMeta(resource: Json): Json {
  const { meta, ...rest } = resource;
  if (meta === undefined) return rest;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta as Json;
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest;
}

/** Splits entries into batches of at most `max` entries and roughly `maxBytes` of JSON. */
function chunks<T>(items: T[], max: number, size: (item: T) => number, maxBytes = 8_000_000): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (cur.length > 0 && (cur.length >= max || bytes + n > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

describe('official R4 examples over the REST API', () => {
  const { valid, invalid } = loadExamples();
  let t: TestApp;
  /** Examples the server stored; the checks after loading look at these only. */
  const stored: Example[] = [];
  const loadFailures: string[] = [];
  const rejected = new Map<string, number>();

  /** PUTs examples as batch Bundles; returns the status of each entry. */
  async function putAll(examples: Example[]): Promise<{ ex: Example; status: number; outcome?: OperationOutcome }[]> {
    const results: { ex: Example; status: number; outcome?: OperationOutcome }[] = [];
    for (const chunk of chunks(examples, 100, (e) => e.text.length)) {
      // The files' own text goes into the Bundle, so the server sees each number as written.
      const parts = chunk.map((e) => `{"resource":${e.text},"request":${JSON.stringify({ method: 'PUT', url: `${e.type}/${e.id}` })}}`);
      const body = `{"resourceType":"Bundle","type":"batch","entry":[${parts.join(',')}]}`;
      const res = await t.fhir<Bundle>('POST', '', body, { prefer: 'return=minimal', 'content-type': 'application/fhir+json' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const entries = res.body.entry ?? [];
      assert.equal(entries.length, chunk.length);
      chunk.forEach((ex, i) => {
        const response = entries[i]!.response!;
        const r: { ex: Example; status: number; outcome?: OperationOutcome } = { ex, status: Number(response.status.split(' ')[0]) };
        if (response.outcome) r.outcome = response.outcome as OperationOutcome;
        results.push(r);
      });
    }
    return results;
  }

  before(async () => {
    t = await startTestApp();
    for (const r of await putAll(valid)) {
      if (r.status === 200 || r.status === 201) stored.push(r.ex);
      else loadFailures.push(`${r.ex.file}: ${r.status} ${JSON.stringify(r.outcome?.issue ?? [])}`);
    }
    for (const r of await putAll(invalid)) rejected.set(r.ex.file, r.status);
  });

  after(async () => {
    await t?.close();
  });

  test('the examples cover nearly every resource type', () => {
    assert.ok(valid.length > 800, `${valid.length} examples`);
    assert.ok(new Set(valid.map((e) => e.type)).size > 120);
  });

  test('every example is accepted by PUT Type/id in batch Bundles', () => {
    assert.deepEqual(loadFailures, []);
    assert.equal(stored.length, valid.length);
  });

  test('the examples that break the R4 definitions are rejected', () => {
    for (const [file, reason] of KNOWN_INVALID) assert.equal(rejected.get(file), 400, `${file} (${reason})`);
  });

  /** The response text of each read, as sent: parsing it would already lose what the decimal check looks for. */
  const readBack = new Map<Example, string>();

  test('every example reads back unchanged apart from meta.versionId and meta.lastUpdated', async () => {
    const mismatches: string[] = [];
    for (const ex of stored) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${FHIR_PREFIX}/${ex.type}/${encodeURIComponent(ex.id)}`,
        headers: await t.systemAuth(),
      });
      assert.equal(res.statusCode, 200, `${ex.type}/${ex.id}`);
      readBack.set(ex, res.body);
      const body = JSON.parse(res.body) as Json;
      assert.equal((body.meta as Json | undefined)?.versionId, '1', `${ex.type}/${ex.id}`);
      try {
        assert.deepStrictEqual(withoutServerMeta(body), withoutServerMeta(ex.resource));
      } catch (e) {
        mismatches.push(`${ex.file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test(
    'decimals keep the text they were written with',
    {
      // R4 datatypes.html#decimal: "the original precision should be preserved" (0.010 is not
      // 0.01): 6.0, 0.40, 66.899999999999991 and 1.000000000000000000E-245 must come back as such.
    },
    () => {
      const changed: string[] = [];
      for (const [ex, text] of readBack) {
        const written = numberLiterals(ex.text);
        if (written.join(' ') !== numberLiterals(text).join(' ')) {
          const lost = written.filter((n) => String(Number(n)) !== n);
          changed.push(`${ex.file}: ${lost.slice(0, 5).join(', ')}${lost.length > 5 ? ', ...' : ''}`);
        }
      }
      assert.ok(readBack.size > 0);
      if (changed.length > 0) assert.fail(`${changed.length} examples come back with other decimal text:\n${changed.join('\n')}`);
    },
  );

  test('every example is found by _id', async () => {
    const byType = new Map<string, string[]>();
    for (const ex of stored) byType.set(ex.type, [...(byType.get(ex.type) ?? []), ex.id]);
    const missing: string[] = [];
    for (const [type, ids] of byType) {
      const res = await t.fhir<Bundle>('GET', `${type}?_id=${ids.map(encodeURIComponent).join(',')}&_count=1000`);
      assert.equal(res.status, 200);
      const found = new Set((res.body.entry ?? []).map((e) => e.resource?.id));
      for (const id of ids) if (!found.has(id)) missing.push(`${type}/${id}`);
      assert.equal(res.body.total, ids.length, type);
    }
    assert.deepEqual(missing, []);
  });

  test('every example is found by each value its search parameters index', async () => {
    const searches = [...plannedSearches(stored, t.repo.config.baseUrl).values()];
    // Coverage guards: every kind of row is searched, for most examples.
    assert.ok(searches.length > 5000, `${searches.length} searches`);
    const kinds = new Set<string>(searches.flatMap((s) => s.params.map(([k]) => searchParams().get(s.type)!.get(k.split(':')[0]!)!.type)));
    for (const kind of ['token', 'string', 'reference', 'date', 'number', 'quantity', 'uri', 'composite']) assert.ok(kinds.has(kind), kind);

    const failures = new Map<string, string>();
    // The searches run as batch Bundles of GETs: the same interaction as GET Type?..., minus
    // the per-request HTTP overhead. Strict handling makes an unknown or unsupported parameter an
    // error rather than silently ignored (which would match everything).
    for (const chunk of chunks(searches, 250, () => 1)) {
      const entry: BundleEntry[] = chunk.map((s) => {
        const query = new URLSearchParams([...s.params, ['_id', [...s.ids].join(',')], ['_count', '1000'], ['_total', 'none'], ['_elements', 'id']]);
        return { request: { method: 'GET', url: `${s.type}?${query}` } };
      });
      const res = await t.fhir<Bundle>('POST', '', { resourceType: 'Bundle', type: 'batch', entry }, { prefer: 'handling=strict' });
      assert.equal(res.status, 200);
      chunk.forEach((s, i) => {
        const e = res.body.entry![i]!;
        const label = s.params.map(([k, v]) => `${k}=${v}`).join('&');
        if (e.response?.status !== '200') {
          for (const id of s.ids) failures.set(`${s.type}/${id} ${label}`, `${e.response?.status} ${JSON.stringify(e.response?.outcome)}`);
          return;
        }
        const found = new Set(
          ((e.resource as Bundle).entry ?? []).filter((x) => x.search?.mode === 'match').map((x) => x.resource?.id),
        );
        for (const id of s.ids) if (!found.has(id)) failures.set(`${s.type}/${id} ${label}`, 'not found');
      });
    }
    const unexpected = [...failures].filter(([k]) => !KNOWN_UNFINDABLE.has(k)).map(([k, why]) => `${k}: ${why}`);
    const fixed = [...KNOWN_UNFINDABLE.keys()].filter((k) => !failures.has(k));
    // `fixed` lists KNOWN_UNFINDABLE entries that now work (or are no longer searched): drop them.
    assert.deepEqual({ unexpected, fixed }, { unexpected: [], fixed: [] });
  });
});
