import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Db } from '../../db/db.js';
import { hashToken, randomToken } from '../tokens.js';
import { OAuthError } from './errors.js';
import { parseScope, splitScope, unknownScopes } from './scopes.js';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface OAuthClient {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  tokenEndpointAuthMethod: AuthMethod;
  secretHash?: string;
  jwks?: { keys: JWK[] };
  jwksUri?: string;
  redirectUris: string[];
  origins: string[];
  /** Scopes the client may be granted. */
  scopes: string[];
  grantTypes: GrantType[];
  createdBy?: string;
  createdAt: string;
}

export interface ClientInput {
  name: string;
  scope: string;
  redirectUris?: string[];
  /** Browser origins for CORS besides those of the redirect URIs. */
  origins?: string[];
  /** Defaults from the rest: authorization_code (+ refresh_token) with redirect URIs, client_credentials with system scopes. */
  grantTypes?: GrantType[];
  /** Defaults to private_key_jwt with keys, none (a public client) otherwise. */
  tokenEndpointAuthMethod?: AuthMethod;
  jwks?: { keys: JWK[] };
  jwksUri?: string;
  createdBy?: string;
}

interface ClientRow {
  id: string;
  name: string;
  type: 'public' | 'confidential';
  token_endpoint_auth_method: AuthMethod;
  secret_hash: string | null;
  jwks: { keys: JWK[] } | null;
  jwks_uri: string | null;
  redirect_uris: string[];
  origins: string[];
  scope: string;
  grant_types: GrantType[];
  created_by: string | null;
  created_at: string;
}

function fromRow(r: ClientRow): OAuthClient {
  const c: OAuthClient = {
    id: r.id,
    name: r.name,
    type: r.type,
    tokenEndpointAuthMethod: r.token_endpoint_auth_method,
    redirectUris: r.redirect_uris,
    origins: r.origins,
    scopes: splitScope(r.scope),
    grantTypes: r.grant_types,
    createdAt: r.created_at,
  };
  if (r.secret_hash) c.secretHash = r.secret_hash;
  if (r.jwks) c.jwks = r.jwks;
  if (r.jwks_uri) c.jwksUri = r.jwks_uri;
  if (r.created_by) c.createdBy = r.created_by;
  return c;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on this machine (development); anything else could leak codes in transit. */
function isSafeWebUrl(u: URL): boolean {
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
}

function checkRedirectUri(uri: string): void {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new OAuthError('invalid_redirect_uri', `'${uri}' is not an absolute URI`);
  }
  if (u.hash) throw new OAuthError('invalid_redirect_uri', `'${uri}' must not have a fragment`);
  // Native apps use a private-use scheme named after a domain they own (RFC 8252 §7.1).
  const privateUse = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol);
  if (!isSafeWebUrl(u) && !privateUse) {
    throw new OAuthError('invalid_redirect_uri', `'${uri}' must use https (http only on localhost) or a private-use scheme such as com.example.app:`);
  }
}

function checkOrigin(origin: string): void {
  let u: URL | undefined;
  try {
    u = new URL(origin);
  } catch {
    u = undefined;
  }
  if (!u || u.origin !== origin || !isSafeWebUrl(u)) {
    throw new OAuthError('invalid_client_metadata', `'${origin}' is not an https origin (scheme://host[:port])`);
  }
}

function checkJwks(jwks: unknown): asserts jwks is { keys: JWK[] } {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'object' || k === null || typeof (k as JWK).kty !== 'string')) {
    throw new OAuthError('invalid_client_metadata', 'jwks must be a JSON Web Key Set: {"keys": [...]} with at least one key');
  }
  if (keys.some((k) => 'd' in (k as object) || (k as JWK).kty === 'oct')) {
    throw new OAuthError('invalid_client_metadata', 'jwks must hold public keys only');
  }
}

/** Checks a registration and fills in its defaults, as the row to insert. */
function validate(input: ClientInput): Omit<ClientRow, 'id' | 'secret_hash' | 'created_by' | 'created_at'> {
  const name = input.name?.trim();
  if (!name || name.length > 200) throw new OAuthError('invalid_client_metadata', 'A client needs a name of at most 200 characters');
  const scopes = splitScope(input.scope);
  const unknown = unknownScopes(scopes);
  if (unknown.length) throw new OAuthError('invalid_client_metadata', `Unknown scopes: ${unknown.join(' ')}`);
  const parsed = scopes.map((s) => parseScope(s)!);
  if (parsed.some((p) => p.kind === 'resource' && p.query !== undefined)) {
    throw new OAuthError('invalid_client_metadata', 'Scopes with a ?query (granular scopes) are not supported');
  }
  const system = parsed.some((p) => p.kind === 'resource' && p.context === 'system');
  const personal = parsed.some((p) => p.kind === 'special' || p.context !== 'system');
  const redirectUris = [...new Set(input.redirectUris ?? [])];
  redirectUris.forEach(checkRedirectUri);
  const origins = [...new Set(input.origins ?? [])];
  origins.forEach(checkOrigin);
  const hasKeys = input.jwks !== undefined || input.jwksUri !== undefined;
  if (input.jwks !== undefined && input.jwksUri !== undefined) throw new OAuthError('invalid_client_metadata', 'Give jwks or jwks_uri, not both');
  if (input.jwks !== undefined) checkJwks(input.jwks);
  if (input.jwksUri !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(input.jwksUri);
    } catch {
      u = undefined;
    }
    if (!u || !isSafeWebUrl(u)) throw new OAuthError('invalid_client_metadata', 'jwks_uri must be an https URL (http only on localhost)');
  }
  const method: AuthMethod = input.tokenEndpointAuthMethod ?? (hasKeys ? 'private_key_jwt' : 'none');
  if (!AUTH_METHODS.includes(method)) throw new OAuthError('invalid_client_metadata', `Unsupported token_endpoint_auth_method '${method}'`);
  if ((method === 'private_key_jwt') !== hasKeys) {
    throw new OAuthError('invalid_client_metadata', 'private_key_jwt needs jwks or jwks_uri, and keys are only for private_key_jwt');
  }
  const grantTypes = [...new Set(input.grantTypes ?? defaultGrants(redirectUris.length > 0, system, method))];
  if (grantTypes.length === 0) throw new OAuthError('invalid_client_metadata', 'A client needs redirect_uris (apps) or system scopes with keys (Backend Services)');
  for (const g of grantTypes) if (!GRANT_TYPES.includes(g)) throw new OAuthError('invalid_client_metadata', `Unsupported grant type '${g}'`);
  const code = grantTypes.includes('authorization_code');
  if (code && redirectUris.length === 0) throw new OAuthError('invalid_redirect_uri', 'authorization_code needs at least one redirect URI');
  if (grantTypes.includes('refresh_token') && !code) throw new OAuthError('invalid_client_metadata', 'refresh_token comes with authorization_code');
  if (grantTypes.includes('client_credentials')) {
    // SMART Backend Services: asymmetric client authentication only.
    if (method !== 'private_key_jwt') throw new OAuthError('invalid_client_metadata', 'client_credentials needs private_key_jwt (jwks or jwks_uri)');
    if (!system) throw new OAuthError('invalid_client_metadata', 'client_credentials needs system/ scopes');
  }
  if (system && !grantTypes.includes('client_credentials')) throw new OAuthError('invalid_client_metadata', 'system/ scopes are for client_credentials');
  if (personal && !code) throw new OAuthError('invalid_client_metadata', 'patient/, user/ and OpenID scopes are for authorization_code');
  const row: Omit<ClientRow, 'id' | 'secret_hash' | 'created_by' | 'created_at'> = {
    name,
    type: method === 'none' ? 'public' : 'confidential',
    token_endpoint_auth_method: method,
    jwks: input.jwks ?? null,
    jwks_uri: input.jwksUri ?? null,
    redirect_uris: redirectUris,
    origins,
    scope: scopes.join(' '),
    grant_types: grantTypes,
  };
  return row;
}

function defaultGrants(redirects: boolean, system: boolean, method: AuthMethod): GrantType[] {
  const out: GrantType[] = [];
  if (redirects) out.push('authorization_code', 'refresh_token');
  if (system && method === 'private_key_jwt') out.push('client_credentials');
  return out;
}

// Registered origins are read again after this long, so a client registered through another
// instance is allowed by CORS here too.
const ORIGINS_TTL_MS = 30_000;

/** The registered clients, as the authorization server and the command line use them. */
export class ClientStore {
  private origins: Set<string> | undefined;
  private originsAt = 0;

  constructor(private readonly db: Db) {}

  /** Registers a client. A client_secret client gets its secret here, once; only its hash is kept. */
  async create(input: ClientInput): Promise<{ client: OAuthClient; secret?: string }> {
    const row = validate(input);
    const secret = row.token_endpoint_auth_method.startsWith('client_secret') ? randomToken() : undefined;
    const r = await this.db.query<ClientRow>(
      `INSERT INTO oauth_clients (id, name, type, token_endpoint_auth_method, secret_hash, jwks, jwks_uri, redirect_uris, origins, scope, grant_types, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::text[], $9::text[], $10, $11::text[], $12) RETURNING *`,
      [
        randomUUID(),
        row.name,
        row.type,
        row.token_endpoint_auth_method,
        secret ? hashToken(secret) : null,
        row.jwks ? JSON.stringify(row.jwks) : null,
        row.jwks_uri,
        row.redirect_uris,
        row.origins,
        row.scope,
        row.grant_types,
        input.createdBy ?? null,
      ],
    );
    this.origins = undefined;
    const client = fromRow(r.rows[0]!);
    return secret ? { client, secret } : { client };
  }

  async get(id: string): Promise<OAuthClient | undefined> {
    const r = await this.db.query<ClientRow>('SELECT * FROM oauth_clients WHERE id = $1', [id], { prepare: true });
    return r.rows[0] && fromRow(r.rows[0]);
  }

  async list(): Promise<OAuthClient[]> {
    const r = await this.db.query<ClientRow>('SELECT * FROM oauth_clients ORDER BY created_at, id');
    return r.rows.map(fromRow);
  }

  /** Whether a registered client uses this browser origin (for CORS). */
  async originAllowed(origin: string): Promise<boolean> {
    if (!this.origins || Date.now() - this.originsAt > ORIGINS_TTL_MS) {
      const r = await this.db.query<{ redirect_uris: string[]; origins: string[] }>('SELECT redirect_uris, origins FROM oauth_clients');
      const set = new Set<string>();
      for (const row of r.rows) {
        for (const o of row.origins) set.add(o);
        for (const uri of row.redirect_uris) {
          const o = new URL(uri).origin;
          // Private-use schemes have no web origin ('null').
          if (o !== 'null') set.add(o);
        }
      }
      this.origins = set;
      this.originsAt = Date.now();
    }
    return this.origins.has(origin);
  }
}
