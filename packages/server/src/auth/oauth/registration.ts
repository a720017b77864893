import type { JWK } from 'jose';
import type { ClientInput, ClientStore, GrantType, AuthMethod, OAuthClient } from './clients.js';
import { OAuthError } from './errors.js';
import { parseScope, splitScope } from './scopes.js';

/** Who registers: an administrator may register anything; anyone else only apps people approve. */
export type Registrant = { kind: 'admin'; accountId: string } | { kind: 'anonymous' };

function strings(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new OAuthError('invalid_client_metadata', `${field} must be an array of strings`);
  return v as string[];
}

function text(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new OAuthError('invalid_client_metadata', `${field} must be a string`);
  return v;
}

/** The registration response (RFC 7591 §3.2.1): the client's metadata as registered. */
function clientMetadata(client: OAuthClient, secret?: string): Record<string, unknown> {
  return {
    client_id: client.id,
    client_id_issued_at: Math.floor(Date.parse(client.createdAt) / 1000),
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: client.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scopes.join(' '),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
  };
}

/**
 * Dynamic client registration (RFC 7591). Open registration admits apps that people approve one
 * by one (authorization_code with patient/user scopes); Backend Services clients, which act
 * without a person, and clients whose keys the server would fetch from a URL, need an administrator.
 */
export async function registerClient(clients: ClientStore, body: unknown, registrant: Registrant): Promise<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError('invalid_client_metadata', 'The body must be a JSON object of client metadata (Content-Type: application/json)');
  }
  const b = body as Record<string, unknown>;
  const name = text(b, 'client_name');
  if (!name) throw new OAuthError('invalid_client_metadata', 'client_name is required');
  const responseTypes = strings(b, 'response_types');
  if (responseTypes && responseTypes.some((r) => r !== 'code')) throw new OAuthError('invalid_client_metadata', 'Only the code response type is supported');
  const jwks = b.jwks;
  if (jwks !== undefined && (typeof jwks !== 'object' || jwks === null)) throw new OAuthError('invalid_client_metadata', 'jwks must be a JSON Web Key Set');
  const input: ClientInput = {
    name,
    scope: text(b, 'scope') ?? 'openid fhirUser profile launch/patient offline_access online_access patient/*.rs user/*.rs',
  };
  const redirectUris = strings(b, 'redirect_uris');
  if (redirectUris) input.redirectUris = redirectUris;
  const grantTypes = strings(b, 'grant_types');
  if (grantTypes) input.grantTypes = grantTypes as GrantType[];
  const method = text(b, 'token_endpoint_auth_method');
  if (method) input.tokenEndpointAuthMethod = method as AuthMethod;
  if (jwks !== undefined) input.jwks = jwks as { keys: JWK[] };
  const jwksUri = text(b, 'jwks_uri');
  if (jwksUri !== undefined) input.jwksUri = jwksUri;
  if (registrant.kind === 'admin') {
    input.createdBy = registrant.accountId;
  } else {
    if (splitScope(input.scope).some((s) => parseScope(s)?.kind === 'resource' && s.startsWith('system/')) || input.grantTypes?.includes('client_credentials')) {
      throw new OAuthError('invalid_client_metadata', 'Backend Services clients (system scopes, client_credentials) are registered by an administrator');
    }
    if (input.jwksUri !== undefined) throw new OAuthError('invalid_client_metadata', 'jwks_uri needs registration by an administrator; send the keys inline as jwks');
  }
  const { client, secret } = await clients.create(input);
  return clientMetadata(client, secret);
}
