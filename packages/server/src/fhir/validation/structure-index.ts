import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFINITIONS_DIR } from '../definitions.js';
import { PRIMITIVE_CHECKS, type PrimitiveCheck } from './primitive-types.js';

/**
 * A compact index of the R4 StructureDefinition snapshots, shaped for walking FHIR JSON: per
 * type, the JSON property names it allows and what each must hold. Definitions are read on
 * first use of a type, once per process.
 */

/** One JSON property of a type. Choice elements (`value[x]`) get one entry per allowed type. */
export interface ElementInfo {
  /** The JSON property name, e.g. `birthDate` or `valueQuantity`. */
  readonly name: string;
  /** The sibling that carries a primitive's id and extensions, e.g. `_birthDate`. */
  readonly extName: string;
  readonly min: number;
  /** Infinity for `*`. */
  readonly max: number;
  /** FHIR JSON uses an array whenever the base definition allows more than one. */
  readonly isArray: boolean;
  /**
   * Key of the element's type in the index: a datatype or resource name, a constrained datatype
   * such as `SimpleQuantity`, the path of an inline backbone element (`Questionnaire.item`),
   * or `Resource` for an embedded resource of any type.
   */
  readonly type: string;
  /** Set when the type is primitive. */
  readonly check: PrimitiveCheck | undefined;
  /**
   * Whether `_name` may carry id and extensions. False for the few properties that are XML
   * attributes rather than elements (`Element.id`, `Extension.url`), which cannot have them.
   */
  readonly extensible: boolean;
  /** For a choice element, its name without the type suffix (`value`). */
  readonly choice: string | undefined;
}

export interface RequiredElement {
  /** The name as the definition gives it, without `[x]`. */
  readonly name: string;
  /** Any of these being present satisfies the requirement (several for a choice element). */
  readonly alternatives: readonly ElementInfo[];
}

export interface TypeInfo {
  /** Type name, constrained datatype name or backbone path, for messages. */
  readonly name: string;
  readonly isResource: boolean;
  readonly elements: ReadonlyMap<string, ElementInfo>;
  readonly required: readonly RequiredElement[];
}

interface RawType {
  code: string;
  profile?: string[];
  extension?: { url: string; valueUrl?: string }[];
}

interface RawElement {
  path: string;
  sliceName?: string;
  min: number;
  max: string;
  base?: { path: string; max: string };
  type?: RawType[];
  contentReference?: string;
}

interface RawStructureDefinition {
  id: string;
  kind: string;
  snapshot: { element: RawElement[] };
}

interface MutableType extends TypeInfo {
  readonly elements: Map<string, ElementInfo>;
  readonly required: RequiredElement[];
}

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
// Types written as FHIRPath system types; the fhir-type extension names the FHIR type they hold.
const SYSTEM_PREFIX = 'http://hl7.org/fhirpath/System.';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

const index = new Map<string, TypeInfo>();

/**
 * The index entry for a type key as used in `ElementInfo.type` (not `Resource`, which stands for
 * any resource type). Throws when the definitions have no such type: that is a broken index,
 * not bad input.
 */
export function typeInfo(key: string): TypeInfo {
  let info = index.get(key);
  if (!info) {
    // Backbone keys start with the name of the definition that declares them.
    const dot = key.indexOf('.');
    load(dot < 0 ? key : key.slice(0, dot));
    info = index.get(key);
    if (!info) throw new Error(`No definition for FHIR type ${key}`);
  }
  return info;
}

function load(id: string): void {
  const file = join(DEFINITIONS_DIR, `StructureDefinition-${id}.json`);
  if (!existsSync(file)) throw new Error(`No StructureDefinition for FHIR type ${id}`);
  const sd = JSON.parse(readFileSync(file, 'utf8')) as RawStructureDefinition;
  if (sd.kind === 'primitive-type' && !PRIMITIVE_CHECKS.has(id)) throw new Error(`No value check for primitive type ${id}`);
  const [root, ...elements] = sd.snapshot.element;
  // Constrained datatypes keep their base type's paths (SimpleQuantity's elements are
  // Quantity.*), so keys are built from the definition id instead.
  const keyOf = (path: string): string => id + path.slice(root.path.length);
  const types = new Map<string, MutableType>();
  const typeFor = (key: string): MutableType => {
    let t = types.get(key);
    if (!t) {
      t = { name: key, isResource: key === id && sd.kind === 'resource', elements: new Map(), required: [] };
      types.set(key, t);
    }
    return t;
  };
  typeFor(id);
  for (const e of elements) {
    if (e.sliceName) continue;
    // A primitive's own value is the JSON property itself; its type entry describes `_name`.
    if (sd.kind === 'primitive-type' && e.path === `${root.path}.value`) continue;
    const dot = e.path.lastIndexOf('.');
    const parent = typeFor(keyOf(e.path.slice(0, dot)));
    const name = e.path.slice(dot + 1);
    const min = e.min;
    const max = e.max === '*' ? Infinity : Number(e.max);
    const isArray = (e.base?.max ?? e.max) !== '1';
    const infos: ElementInfo[] = [];
    if (e.contentReference) {
      infos.push(element(name, min, max, isArray, keyOf(e.contentReference.slice(1)), false));
    } else if (name.endsWith('[x]')) {
      const base = name.slice(0, -3);
      for (const t of e.type ?? []) {
        const jsonName = base + t.code[0].toUpperCase() + t.code.slice(1);
        infos.push(element(jsonName, min, max, isArray, typeKey(t, keyOf(e.path)), true, base));
      }
    } else {
      for (const t of e.type ?? []) {
        if (e.base?.path === 'Resource.id') {
          // R4 types Resource.id as a system string, but the resource page defines it as an
          // `id` element (not an XML attribute), so both the id pattern and `_id` apply.
          infos.push(element(name, min, max, isArray, 'id', true));
        } else {
          infos.push(element(name, min, max, isArray, typeKey(t, keyOf(e.path)), !t.code.startsWith(SYSTEM_PREFIX)));
        }
      }
    }
    for (const info of infos) parent.elements.set(info.name, info);
    if (min > 0) parent.required.push({ name: name.endsWith('[x]') ? name.slice(0, -3) : name, alternatives: infos });
  }
  for (const [key, t] of types) index.set(key, t);
}

function typeKey(t: RawType, ownKey: string): string {
  if (t.code.startsWith(SYSTEM_PREFIX)) {
    return t.extension?.find((x) => x.url === FHIR_TYPE_EXTENSION)?.valueUrl ?? 'string';
  }
  if (t.code === 'BackboneElement' || t.code === 'Element') return ownKey;
  // A single core profile on a datatype names a constrained datatype (SimpleQuantity).
  if (t.profile?.length === 1 && t.profile[0].startsWith(CORE_PREFIX)) return t.profile[0].slice(CORE_PREFIX.length);
  return t.code;
}

function element(
  name: string,
  min: number,
  max: number,
  isArray: boolean,
  type: string,
  isElement: boolean,
  choice?: string,
): ElementInfo {
  const check = PRIMITIVE_CHECKS.get(type);
  return { name, extName: `_${name}`, min, max, isArray, type, check, extensible: isElement && check !== undefined, choice };
}
