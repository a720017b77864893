import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { type FhirType, fhirType, resolveTypeName } from './extract-model.js';
import { referencedType } from './extract-reference.js';

/**
 * FHIRPath for search parameter expressions. Nearly all official R4 expressions are paths with a
 * few filters (`Observation.code`, `(Observation.value as Quantity)`,
 * `Observation.subject.where(resolve() is Patient)`, `Patient.telecom.where(system='phone')`,
 * `Patient.extension('url')`, unions of these). Those compile to a small step list evaluated
 * directly over the JSON, which is what keeps indexing fast; anything else goes to fhirpath.js.
 * Both produce typed nodes, since turning a value into index rows depends on its FHIR type.
 */

export interface Node {
  value: unknown;
  type: FhirType;
}

/** Evaluates an expression for each focus node; `resource` backs `%resource`. */
export type Evaluator = (focus: Node[], resource: Node) => Node[];

type Predicate =
  | { kind: 'refersTo'; type: string }
  | { kind: 'equals'; name: string; value: string }
  | { kind: 'hasExtension'; url: string };

type Step =
  | { kind: 'isType'; type: string }
  | { kind: 'child'; name: string }
  | { kind: 'ofType'; type: string }
  | { kind: 'index'; index: number }
  | { kind: 'where'; predicate: Predicate };

interface Path {
  /** Where the path starts: the focus, `%resource`, or a parenthesized sub-expression. */
  root: 'focus' | 'resource' | Expr;
  steps: Step[];
}

type Expr = Path[];

/** Thrown while parsing when an expression leaves the subset the direct evaluator supports. */
class Unsupported extends Error {}

type Token = { kind: 'ident' | 'var' | 'string' | 'number' | 'punct'; text: string };

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)|'((?:[^'\\]|\\.)*)'|(\d+)|([.()[\]|=]))/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const text = expression.trimEnd();
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) throw new Unsupported(expression);
    if (m[1] !== undefined) tokens.push({ kind: 'ident', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'var', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'string', text: m[3].replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'punct', text: m[5]! });
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.union();
    if (this.pos !== this.tokens.length) throw new Unsupported();
    return expr;
  }

  private peek(text?: string): Token | undefined {
    const t = this.tokens[this.pos];
    return t && (text === undefined || t.text === text) ? t : undefined;
  }

  private next(kind?: Token['kind'], text?: string): Token {
    const t = this.tokens[this.pos++];
    if (!t || (kind && t.kind !== kind) || (text !== undefined && t.text !== text)) throw new Unsupported();
    return t;
  }

  // FHIRPath precedence: `.` and `[]` bind tightest, then `as`, then `|`.
  private union(): Expr {
    const paths = [this.typed()];
    while (this.peek('|')) {
      this.pos++;
      paths.push(this.typed());
    }
    return paths;
  }

  private typed(): Path {
    const path = this.postfix();
    while (this.peek('as')?.kind === 'ident') {
      this.pos++;
      path.steps.push({ kind: 'ofType', type: this.typeName() });
    }
    return path;
  }

  private postfix(): Path {
    const path = this.term();
    for (;;) {
      if (this.peek('.')) {
        this.pos++;
        path.steps.push(...this.invocation());
      } else if (this.peek('[')) {
        this.pos++;
        path.steps.push({ kind: 'index', index: Number(this.next('number').text) });
        this.next('punct', ']');
      } else {
        return path;
      }
    }
  }

  private term(): Path {
    const t = this.peek();
    if (t?.text === '(' && t.kind === 'punct') {
      this.pos++;
      const inner = this.union();
      this.next('punct', ')');
      return { root: inner, steps: [] };
    }
    if (t?.kind === 'var') {
      this.pos++;
      if (t.text !== 'resource') throw new Unsupported();
      return { root: 'resource', steps: [] };
    }
    // A leading capitalized name is a type test on the focus (`Observation.code`); anything else is
    // the first step of a path relative to it (composite components: `code`, `value.as(Quantity)`).
    const first = t?.kind === 'ident' ? t.text.charAt(0) : '';
    const after = this.tokens[this.pos + 1];
    if (first >= 'A' && first <= 'Z' && !(after?.kind === 'punct' && after.text === '(')) {
      const type = this.typeName();
      return { root: 'focus', steps: [{ kind: 'isType', type }] };
    }
    return { root: 'focus', steps: this.invocation() };
  }

  private invocation(): Step[] {
    const name = this.next('ident').text;
    if (!this.peek('(')) return [{ kind: 'child', name }];
    this.pos++;
    let steps: Step[];
    switch (name) {
      case 'as':
      case 'ofType':
        steps = [{ kind: 'ofType', type: this.typeName() }];
        break;
      case 'extension':
        // FHIR's extension(url) is shorthand for extension.where(url = 'url') (FHIR R4 fhirpath.html#functions).
        steps = [{ kind: 'child', name: 'extension' }, { kind: 'where', predicate: { kind: 'equals', name: 'url', value: this.next('string').text } }];
        break;
      case 'where':
        steps = [{ kind: 'where', predicate: this.predicate() }];
        break;
      default:
        throw new Unsupported(name);
    }
    this.next('punct', ')');
    return steps;
  }

  private predicate(): Predicate {
    const name = this.next('ident').text;
    if (name === 'resolve') {
      this.next('punct', '(');
      this.next('punct', ')');
      this.next('ident', 'is');
      return { kind: 'refersTo', type: this.typeName() };
    }
    if (name === 'hasExtension') {
      this.next('punct', '(');
      const url = this.next('string').text;
      this.next('punct', ')');
      return { kind: 'hasExtension', url };
    }
    this.next('punct', '=');
    return { kind: 'equals', name, value: this.next('string').text };
  }

  private typeName(): string {
    let name = this.next('ident').text;
    if (name === 'FHIR' && this.peek('.')) {
      this.pos++;
      name = this.next('ident').text;
    }
    const resolved = resolveTypeName(name);
    if (!resolved) throw new Unsupported(name);
    return resolved;
  }
}

function pushValue(out: Node[], value: unknown, type: FhirType): void {
  if (value === undefined || value === null) return;
  if (type.isAbstractResource) {
    const rt = (value as { resourceType?: unknown }).resourceType;
    out.push({ value, type: typeof rt === 'string' ? fhirType(rt) : type });
  } else {
    out.push({ value, type });
  }
}

function children(nodes: Node[], name: string): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    const value = node.value;
    if (typeof value !== 'object' || value === null) continue;
    for (const slot of node.type.child(name)) {
      const v = (value as Record<string, unknown>)[slot.key];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) pushValue(out, item, slot.type);
      else pushValue(out, v, slot.type);
    }
  }
  return out;
}

function matches(node: Node, predicate: Predicate): boolean {
  switch (predicate.kind) {
    case 'refersTo':
      return referencedType(node.value) === predicate.type;
    case 'equals':
      return children([node], predicate.name).some((c) => String(c.value) === predicate.value);
    case 'hasExtension': {
      const ext = (node.value as { extension?: unknown }).extension;
      return Array.isArray(ext) && ext.some((e) => (e as { url?: unknown } | null)?.url === predicate.url);
    }
  }
}

function evaluatePath(path: Path, focus: Node[], resource: Node): Node[] {
  let nodes =
    path.root === 'focus' ? focus : path.root === 'resource' ? [resource] : evaluateExpr(path.root, focus, resource);
  for (const step of path.steps) {
    if (nodes.length === 0) return nodes;
    switch (step.kind) {
      case 'child':
        nodes = children(nodes, step.name);
        break;
      case 'isType':
      case 'ofType':
        nodes = nodes.filter((n) => n.type.isA(step.type));
        break;
      case 'index':
        nodes = step.index < nodes.length ? [nodes[step.index]!] : [];
        break;
      case 'where':
        nodes = nodes.filter((n) => matches(n, step.predicate));
        break;
    }
  }
  return nodes;
}

function evaluateExpr(expr: Expr, focus: Node[], resource: Node): Node[] {
  if (expr.length === 1) return evaluatePath(expr[0]!, focus, resource);
  const out: Node[] = [];
  for (const path of expr) out.push(...evaluatePath(path, focus, resource));
  return out;
}

/** The direct evaluator for `expression`, or undefined when it uses more than the supported subset. */
export function compileDirect(expression: string): Evaluator | undefined {
  let expr: Expr;
  try {
    expr = new Parser(tokenize(expression)).parse();
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return (focus, resource) => evaluateExpr(expr, focus, resource);
}

/**
 * fhirpath.js cannot run `resolve()` synchronously and lacks `hasExtension()`, which one official
 * expression uses; both are given implementations that need no server. Capitalized primitive
 * type names get the same reading as in the direct evaluator (see resolveTypeName).
 */
const libraryFunctions = {
  refersTo: {
    fn: (inputs: unknown[], type: string) => inputs.map((v) => referencedType(v) === type),
    arity: { 1: ['String' as const] },
  },
  hasExtension: {
    fn: (inputs: unknown[], url: string) =>
      inputs.map((v) => {
        const ext = (v as { extension?: unknown } | null)?.extension;
        return Array.isArray(ext) && ext.some((e) => (e as { url?: unknown } | null)?.url === url);
      }),
    arity: { 1: ['String' as const] },
  },
};

function rewriteForLibrary(expression: string): string {
  return expression
    .replace(/resolve\(\)\s+is\s+([A-Za-z.]+)/g, (_, type: string) => `refersTo('${type.replace(/^FHIR\./, '')}')`)
    .replace(/\b(as|ofType|is)(\s*\(\s*|\s+)([A-Z][A-Za-z]*)\b/g, (all, op: string, gap: string, type: string) => {
      const resolved = resolveTypeName(type);
      return resolved && resolved !== type ? `${op}${gap}${resolved}` : all;
    });
}

type Compiled = (data: unknown, env: Record<string, unknown>) => unknown[];

/** The fhirpath.js evaluator for `expression`, compiled once per focus type it meets. */
export function compileWithLibrary(expression: string): Evaluator {
  const rewritten = rewriteForLibrary(expression);
  const byBase = new Map<string, Compiled>();
  return (focus, resource) => {
    const out: Node[] = [];
    for (const node of focus) {
      let fn = byBase.get(node.type.key);
      if (!fn) {
        fn = fhirpath.compile({ base: node.type.key, expression: rewritten }, r4, {
          resolveInternalTypes: false,
          userInvocationTable: libraryFunctions,
        }) as Compiled;
        byBase.set(node.type.key, fn);
      }
      let results: unknown[];
      try {
        results = fn(node.value, { resource: resource.value });
      } catch {
        // fhirpath.js throws on data shapes an official expression did not foresee (`as` on a
        // repeating element: "Expected singleton"); the parameter then indexes nothing for this
        // resource rather than blocking its storage.
        continue;
      }
      const typeNames = fhirpath.types(results);
      results.forEach((result, i) => {
        const data: unknown = fhirpath.util.valData(result);
        // Values computed by the expression (booleans, dates) come back as fhirpath.js internal
        // objects; resolveInternalTypes turns them into plain JSON values.
        const value =
          data !== null && typeof data === 'object' && !Array.isArray(data) && Object.getPrototypeOf(data) !== Object.prototype
            ? fhirpath.resolveInternalTypes(data)
            : data;
        const path = (result as { path?: unknown } | null)?.path;
        const type =
          typeof path === 'string' && path.includes('.') ? fhirType(path) : fhirType(typeNames[i]!.replace(/^FHIR\./, ''));
        pushValue(out, value, type);
      });
    }
    return out;
  };
}

/** The direct evaluator when the expression allows it, fhirpath.js otherwise. */
export function compileExpression(expression: string): Evaluator {
  return compileDirect(expression) ?? compileWithLibrary(expression);
}
