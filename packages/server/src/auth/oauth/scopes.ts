/**
 * SMART on FHIR scopes (App Launch v2, with the v1 `.read` / `.write` / `.*` forms): parsing,
 * narrowing a request to what a client may have, and answering "does this token allow that".
 *
 * Granular scopes with a query (`patient/Observation.rs?category=laboratory`) are recognised but
 * never granted: the access layer checks type and interaction only, and treating such a scope as
 * its unqualified form would give an app more than it asked for. The token response's `scope`
 * tells the app what it got.
 */

export type ScopeContext = 'patient' | 'user' | 'system';
/** SMART v2 permission letters: create, read, update, delete, search. */
export type ScopeInteraction = 'c' | 'r' | 'u' | 'd' | 's';

const LETTERS: readonly ScopeInteraction[] = ['c', 'r', 'u', 'd', 's'];
const V1_PERMISSIONS: Readonly<Record<string, readonly ScopeInteraction[]>> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': LETTERS,
};

/** Scopes that are not about FHIR resources. */
export const IDENTITY_SCOPES = ['openid', 'fhirUser', 'profile'] as const;
export const LAUNCH_SCOPES = ['launch', 'launch/patient'] as const;
export const ACCESS_SCOPES = ['offline_access', 'online_access'] as const;
const SPECIAL: ReadonlySet<string> = new Set<string>([...IDENTITY_SCOPES, ...LAUNCH_SCOPES, ...ACCESS_SCOPES]);

export interface ResourceScope {
  kind: 'resource';
  text: string;
  context: ScopeContext;
  /** A FHIR resource type or `*`. */
  resourceType: string;
  interactions: ReadonlySet<ScopeInteraction>;
  /** The granular qualifier after `?`, when present. */
  query?: string;
}

export interface SpecialScope {
  kind: 'special';
  text: string;
}

export type ParsedScope = ResourceScope | SpecialScope;

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)(?:\?(.+))?$/;

// scopeAllows runs on every FHIR request; tokens carry few distinct scope strings, so parsing each
// once is enough. The cap only guards against unbounded growth.
const parsed = new Map<string, ParsedScope | undefined>();

/** One scope token, or undefined when it is not a scope this server knows. */
export function parseScope(text: string): ParsedScope | undefined {
  if (parsed.has(text)) return parsed.get(text);
  if (parsed.size >= 10_000) parsed.clear();
  const p = parseUncached(text);
  parsed.set(text, p);
  return p;
}

function parseUncached(text: string): ParsedScope | undefined {
  if (SPECIAL.has(text)) return { kind: 'special', text };
  const m = RESOURCE_SCOPE.exec(text);
  if (!m) return undefined;
  const interactions = parsePermissions(m[3]!);
  if (!interactions) return undefined;
  const scope: ResourceScope = { kind: 'resource', text, context: m[1] as ScopeContext, resourceType: m[2]!, interactions };
  if (m[4] !== undefined) scope.query = m[4];
  return scope;
}

/** `read`/`write`/`*` (v1) or letters from `cruds` in that order, each at most once (v2). */
function parsePermissions(p: string): Set<ScopeInteraction> | undefined {
  const v1 = V1_PERMISSIONS[p];
  if (v1) return new Set(v1);
  let at = 0;
  const out = new Set<ScopeInteraction>();
  for (const ch of p) {
    const i = LETTERS.indexOf(ch as ScopeInteraction, at);
    if (i < 0) return undefined;
    out.add(LETTERS[i]!);
    at = i + 1;
  }
  return out.size > 0 ? out : undefined;
}

/** Splits a space-separated scope string into distinct tokens, keeping their order. */
export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/**
 * Whether the scopes allow `interaction` on `resourceType` in `context`: some unqualified
 * resource scope of that context names the type (or `*`) and includes the letter.
 */
export function scopeAllows(
  scopes: readonly string[],
  resourceType: string,
  interaction: ScopeInteraction,
  context: ScopeContext,
): boolean {
  for (const s of scopes) {
    const p = parseScope(s);
    if (
      p?.kind === 'resource' &&
      p.query === undefined &&
      p.context === context &&
      (p.resourceType === '*' || p.resourceType === resourceType) &&
      p.interactions.has(interaction)
    ) {
      return true;
    }
  }
  return false;
}

function v2Text(context: ScopeContext, resourceType: string, interactions: ReadonlySet<ScopeInteraction>): string {
  return `${context}/${resourceType}.${LETTERS.filter((l) => interactions.has(l)).join('')}`;
}

/**
 * The part of `requested` that `allowed` (a client's registered scopes) covers, in the contexts
 * given. A resource scope broader than the registration is narrowed (`patient/*.cruds` against a
 * registered `patient/*.rs` becomes `patient/*.rs`); one it does not touch at all is dropped, as
 * are unknown and granular scopes. Special scopes pass when registered.
 */
export function narrowScopes(requested: readonly string[], allowed: readonly string[], contexts: readonly ScopeContext[]): string[] {
  const allowedParsed = allowed.map(parseScope).filter((p): p is ParsedScope => p !== undefined);
  const out: string[] = [];
  for (const text of requested) {
    const p = parseScope(text);
    if (!p) continue;
    if (p.kind === 'special') {
      if (allowedParsed.some((a) => a.kind === 'special' && a.text === p.text)) out.push(p.text);
      continue;
    }
    if (p.query !== undefined || !contexts.includes(p.context)) continue;
    const covering = allowedParsed.filter(
      (a): a is ResourceScope =>
        a.kind === 'resource' && a.query === undefined && a.context === p.context && (a.resourceType === '*' || a.resourceType === p.resourceType),
    );
    const granted = new Set([...p.interactions].filter((l) => covering.some((a) => a.interactions.has(l))));
    if (granted.size === 0) continue;
    out.push(granted.size === p.interactions.size ? p.text : v2Text(p.context, p.resourceType, granted));
  }
  return [...new Set(out)];
}

/** Whether any resource scope of the context is present (patient scopes need a patient picked). */
export function hasContext(scopes: readonly string[], context: ScopeContext): boolean {
  return scopes.some((s) => {
    const p = parseScope(s);
    return p?.kind === 'resource' && p.context === context;
  });
}

/** Checks a scope string a client registers with: every token must be one this server knows. */
export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => parseScope(s) === undefined);
}
