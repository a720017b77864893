import { AUTH_METHODS } from './clients.js';
import { ASSERTION_ALGS } from './client-auth.js';
import { SIGNING_ALG } from './keys.js';
import { ACCESS_SCOPES, IDENTITY_SCOPES, LAUNCH_SCOPES } from './scopes.js';

/** The authorization server's URLs, all under the public origin. */
export interface OAuthEndpoints {
  issuer: string;
  fhirBase: string;
  authorize: string;
  token: string;
  introspect: string;
  revoke: string;
  userinfo: string;
  register: string;
  jwks: string;
}

export const OAUTH_PATHS = {
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  introspect: '/oauth/introspect',
  revoke: '/oauth/revoke',
  userinfo: '/oauth/userinfo',
  register: '/oauth/register',
  jwks: '/oauth/jwks',
} as const;

export function endpoints(publicUrl: string, fhirPrefix: string): OAuthEndpoints {
  const at = (path: string): string => `${publicUrl}${path}`;
  return {
    issuer: publicUrl,
    fhirBase: at(fhirPrefix),
    authorize: at(OAUTH_PATHS.authorize),
    token: at(OAUTH_PATHS.token),
    introspect: at(OAUTH_PATHS.introspect),
    revoke: at(OAUTH_PATHS.revoke),
    userinfo: at(OAUTH_PATHS.userinfo),
    register: at(OAUTH_PATHS.register),
    jwks: at(OAUTH_PATHS.jwks),
  };
}

const SCOPES_SUPPORTED = [
  ...IDENTITY_SCOPES,
  ...LAUNCH_SCOPES.filter((s) => s !== 'launch'),
  ...ACCESS_SCOPES,
  'patient/*.cruds',
  'user/*.cruds',
  'system/*.cruds',
  'patient/*.read',
  'patient/*.write',
  'user/*.read',
  'user/*.write',
  'system/*.read',
  'system/*.write',
];

const GRANT_TYPES_SUPPORTED = ['authorization_code', 'refresh_token', 'client_credentials'];

/** `.well-known/smart-configuration` (SMART App Launch 2.x §Conformance). */
export function smartConfiguration(e: OAuthEndpoints): Record<string, unknown> {
  return {
    issuer: e.issuer,
    jwks_uri: e.jwks,
    authorization_endpoint: e.authorize,
    token_endpoint: e.token,
    grant_types_supported: GRANT_TYPES_SUPPORTED,
    token_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    registration_endpoint: e.register,
    userinfo_endpoint: e.userinfo,
    introspection_endpoint: e.introspect,
    revocation_endpoint: e.revoke,
    scopes_supported: SCOPES_SUPPORTED,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'sso-openid-connect',
      'context-standalone-patient',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/** `.well-known/openid-configuration` (OpenID Connect Discovery 1.0). */
export function openidConfiguration(e: OAuthEndpoints): Record<string, unknown> {
  return {
    issuer: e.issuer,
    authorization_endpoint: e.authorize,
    token_endpoint: e.token,
    userinfo_endpoint: e.userinfo,
    jwks_uri: e.jwks,
    registration_endpoint: e.register,
    introspection_endpoint: e.introspect,
    revocation_endpoint: e.revoke,
    scopes_supported: SCOPES_SUPPORTED,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: GRANT_TYPES_SUPPORTED,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'fhirUser', 'name'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}
