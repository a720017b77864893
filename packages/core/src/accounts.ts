/**
 * The shapes of accounts as the server's account API returns them, shared by the server that
 * sends them and the web app that reads them.
 */

/** The roles a person can hold in Salus; one account may hold several. */
export const ROLES = ['patient', 'caregiver', 'practitioner', 'pharmacist', 'public-health', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACCOUNT_STATUSES = ['pending', 'active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** What the access layer needs to know about an account, read fresh on every request (`GET /auth/me`). */
export interface AccountGrants {
  accountId: string;
  email: string;
  displayName: string;
  status: AccountStatus;
  roles: Role[];
  fhirUser?: string;
  /** Own Patient id (role patient) and wards (role caregiver). */
  patientIds: string[];
  organizationIds: string[];
  /** Practitioner licence verified by an administrator. */
  verified: boolean;
}

/** One account as its organization's administrator sees it (`GET /admin/accounts`): only what it holds in their organizations. */
export interface AdminAccount {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  status: AccountStatus;
  /** Holds a licensed role in these organizations, and every one of them is verified. */
  verified: boolean;
  organizationIds: string[];
  fhirUser?: string;
  createdAt: string;
  /** When both sign-in steps were last completed; absent for someone who never signed in. */
  lastSignInAt?: string;
}

export interface AccountPage {
  accounts: AdminAccount[];
  /** Accounts matching the filters, over all pages. */
  total: number;
  limit: number;
  offset: number;
}
