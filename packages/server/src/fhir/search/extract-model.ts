import r4 from 'fhirpath/fhir-context/r4';

/**
 * The R4 element model the extractor walks JSON with: which JSON keys an element name maps to
 * (choice elements `value[x]` become `valueQuantity`, `valueString`, ...) and what FHIR type each
 * child has. It is built from the model tables fhirpath.js ships for R4, so the fast evaluator and
 * the fhirpath.js fallback agree on types.
 */

type ModelType = string | { code: string };
const path2Type = (r4 as unknown as { path2Type: Record<string, ModelType> }).path2Type;
const choiceTypePaths = (r4 as unknown as { choiceTypePaths: Record<string, string[]> }).choiceTypePaths;
const pathsDefinedElsewhere = (r4 as unknown as { pathsDefinedElsewhere: Record<string, string> }).pathsDefinedElsewhere;
const type2Parent = (r4 as unknown as { type2Parent: Record<string, string> }).type2Parent;

/** fhirpath.js names the types of `id`, `Extension.url` and friends in the System namespace. */
const SYSTEM_TYPES: Record<string, string> = {
  'System.String': 'string',
  'System.Boolean': 'boolean',
  'System.Date': 'date',
  'System.DateTime': 'dateTime',
  'System.Decimal': 'decimal',
  'System.Integer': 'integer',
  'System.Time': 'time',
};

export interface ChildSlot {
  /** The JSON property holding the child (the choice suffix already applied). */
  key: string;
  type: FhirType;
}

/**
 * A FHIR type, or a backbone element identified by its path (`Observation.component`), which is
 * how the model tables key the elements defined inline in a resource or data type.
 */
export class FhirType {
  private readonly children = new Map<string, ChildSlot[]>();
  private readonly ancestors: Set<string>;

  constructor(
    /** The model path children are looked up under: a type name or a backbone element path. */
    readonly key: string,
    /** The FHIR type code: `Quantity`, `dateTime`, `Patient`, or `BackboneElement`/`Element` for inline elements. */
    readonly name: string,
  ) {
    this.ancestors = new Set();
    for (let t: string | undefined = name; t; t = type2Parent[t]) this.ancestors.add(t);
  }

  /** Resource-typed elements (`Bundle.entry.resource`, `contained`) get their real type from the data. */
  get isAbstractResource(): boolean {
    return this.name === 'Resource' || this.name === 'DomainResource';
  }

  /** FHIRPath `is`: the type itself or any type it specializes (an Age is a Quantity). */
  isA(typeName: string): boolean {
    return this.ancestors.has(typeName);
  }

  /** Where the children called `name` live in JSON; several slots for a choice element. */
  child(name: string): ChildSlot[] {
    let slots = this.children.get(name);
    if (!slots) {
      slots = lookupChild(this.key, name);
      this.children.set(name, slots);
    }
    return slots;
  }
}

const types = new Map<string, FhirType>();

function typeAt(key: string, name: string): FhirType {
  let t = types.get(key);
  if (!t) {
    t = new FhirType(key, name);
    types.set(key, t);
  }
  return t;
}

/** The type for a type code (`HumanName`, `Observation`, `System.String`) or a backbone path. */
export function fhirType(keyOrName: string): FhirType {
  const system = SYSTEM_TYPES[keyOrName];
  if (system) return typeAt(system, system);
  if (keyOrName.includes('.')) {
    const elsewhere = pathsDefinedElsewhere[keyOrName];
    if (elsewhere) return typeAt(elsewhere, 'BackboneElement');
    const modelled = path2Type[keyOrName];
    if (modelled !== undefined) return typeFromModel(keyOrName, modelled);
  }
  return typeAt(keyOrName, keyOrName);
}

function typeFromModel(path: string, modelled: ModelType): FhirType {
  const code = typeof modelled === 'string' ? modelled : modelled.code;
  // Inline elements are typed BackboneElement (or Element inside data types, e.g. Timing.repeat);
  // their children are keyed under their own path.
  if (code === 'BackboneElement' || code === 'Element') return typeAt(path, code);
  return fhirType(code);
}

function lookupChild(key: string, name: string): ChildSlot[] {
  const path = `${key}.${name}`;
  const elsewhere = pathsDefinedElsewhere[path];
  if (elsewhere) return [{ key: name, type: typeAt(elsewhere, 'BackboneElement') }];
  const modelled = path2Type[path];
  if (modelled !== undefined) return [{ key: name, type: typeFromModel(path, modelled) }];
  const choices = choiceTypePaths[path];
  if (!choices) return [];
  return choices.map((suffix) => {
    const typed = `${path}${suffix}`;
    const m = path2Type[typed];
    return { key: `${name}${suffix}`, type: m !== undefined ? typeFromModel(typed, m) : fhirType(suffix) };
  });
}

/** A concrete resource type name (Patient, Observation), judged by the model's type hierarchy. */
export function isResourceTypeName(name: string): boolean {
  if (!type2Parent[name]) return false;
  const t = fhirType(name);
  return t.isA('Resource') && !t.isAbstractResource;
}

let knownNames: Set<string> | undefined;

/**
 * Resolves a type name as written in a search parameter expression to a FHIR type code. The
 * official definitions write some primitive types capitalized (`value.as(DateTime)` in
 * Observation's code-value-date), which strict FHIRPath reads as System.DateTime and matches
 * nothing; the intent is the FHIR `dateTime`, so an unknown capitalized name falls back to its
 * lower-case-initial primitive. Returns undefined for names the model does not know.
 */
export function resolveTypeName(name: string): string | undefined {
  if (!knownNames) {
    knownNames = new Set(['Element', 'Resource']);
    for (const [child, parent] of Object.entries(type2Parent)) {
      knownNames.add(child);
      knownNames.add(parent);
    }
  }
  const bare = name.startsWith('FHIR.') ? name.slice(5) : name;
  if (knownNames.has(bare)) return bare;
  const lower = bare.charAt(0).toLowerCase() + bare.slice(1);
  return knownNames.has(lower) ? lower : undefined;
}
