import { ROLES, type Role } from '@salus/core';

export { ROLES, type Role };

/** Roles that work for an organization and therefore must use multi-factor sign-in. */
export const STAFF_ROLES: readonly Role[] = ['practitioner', 'pharmacist', 'public-health', 'researcher', 'admin'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Who is calling, as every access decision sees it: built for each request from a verified
 * access token or session, with roles and relationships read fresh from the database so that
 * a revoked role or link takes effect at once.
 */
export interface Principal {
  kind: 'user' | 'client';
  /** The signed-in person's account (absent for Backend Services clients). */
  accountId?: string;
  /** The OAuth client the token was issued to (absent for first-party sessions). */
  clientId?: string;
  roles: Role[];
  /** The FHIR resource that is this person: `Patient/…`, `Practitioner/…` or `RelatedPerson/…`. */
  fhirUser?: string;
  /** Patients whose whole record this person may reach: their own Patient, and wards for caregivers. */
  patientIds: string[];
  /** Organizations this person works for (staff roles). */
  organizationIds: string[];
  /** A practitioner whose licence an administrator has verified. */
  verified: boolean;
  /** SMART scopes granted to the token; undefined for a first-party session (the role's full rights). */
  scopes?: string[];
  /** Patient in context for `patient/` scopes (SMART `launch/patient`). */
  launchPatient?: string;
  sessionId?: string;
  /** Access token id (`jti`), for the audit ledger and revocation. */
  tokenId?: string;
  /** Caller's network address, for the audit ledger. */
  ip?: string;
}

/** The operator acting from the command line or a server job: full rights, still audited. */
export function systemPrincipal(name: string): Principal {
  return { kind: 'client', clientId: name, roles: [], patientIds: [], organizationIds: [], verified: false, scopes: ['system/*.cruds'] };
}
