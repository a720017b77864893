import type { FastifyRequest } from 'fastify';
import { unauthorized } from '@salus/core';
import type { Principal } from '../access/principal.js';
import { SESSION_COOKIE, type AccountGrants, type AccountService } from './types.js';

/** The claims of a verified Salus access token that decide what its bearer may do. */
export interface AccessClaims {
  sub?: string;
  client_id?: string;
  scope?: string;
  patient?: string;
  fhirUser?: string;
  jti?: string;
  sid?: string;
}

export interface AuthenticatorDeps {
  accounts: Pick<AccountService, 'grants' | 'sessionFromToken'>;
  /** Verifies signature, expiry, audience and revocation; throws when the token is not good. */
  verifyAccessToken(token: string): Promise<AccessClaims>;
}

/** Who the request comes from: a bearer token, or the browser session of a first-party page. */
export interface Authenticator {
  /** The caller, or undefined for an anonymous request; a bad or expired credential is a 401. */
  principal(req: FastifyRequest): Promise<Principal | undefined>;
}

/** An account as the access layer sees it: the role's full rights, before any token narrows them. */
export function principalFromGrants(g: AccountGrants, ip: string | undefined): Principal {
  const p: Principal = {
    kind: 'user',
    accountId: g.accountId,
    roles: g.roles,
    patientIds: g.patientIds,
    organizationIds: g.organizationIds,
    verified: g.verified,
  };
  if (g.fhirUser) p.fhirUser = g.fhirUser;
  if (ip) p.ip = ip;
  return p;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const account = async (accountId: string): Promise<AccountGrants> => {
    const g = await deps.accounts.grants(accountId);
    // Disabled after the token was issued: refused at once, not when the token runs out.
    if (!g || g.status !== 'active') throw unauthorized('The account is not active');
    return g;
  };
  return {
    async principal(req) {
      const header = req.headers.authorization;
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)$/i.exec(header);
        if (!m) throw unauthorized('Use an OAuth 2 bearer token: Authorization: Bearer <token>');
        let claims: AccessClaims;
        try {
          claims = await deps.verifyAccessToken(m[1]!);
        } catch {
          throw unauthorized('The access token is invalid, expired or revoked');
        }
        const scopes = (claims.scope ?? '').split(/\s+/).filter(Boolean);
        let p: Principal;
        if (claims.sub && claims.sub !== claims.client_id) {
          p = { ...principalFromGrants(await account(claims.sub), req.ip), scopes };
        } else {
          // Backend Services: the client itself, with only its system scopes.
          p = { kind: 'client', roles: [], patientIds: [], organizationIds: [], verified: false, scopes, ip: req.ip };
        }
        if (claims.client_id) p.clientId = claims.client_id;
        if (claims.patient) p.launchPatient = claims.patient;
        if (claims.jti) p.tokenId = claims.jti;
        if (claims.sid) p.sessionId = claims.sid;
        return p;
      }
      const cookie = req.cookies?.[SESSION_COOKIE];
      if (cookie) {
        const session = await deps.accounts.sessionFromToken(cookie);
        if (!session) throw unauthorized('The session has ended; sign in again');
        if (!session.complete) throw unauthorized('Finish signing in (second factor) first');
        return { ...principalFromGrants(await account(session.accountId), req.ip), sessionId: session.id };
      }
      return undefined;
    },
  };
}
