import type { Role } from '../access/principal.js';

/**
 * One thing that happened, as the rest of the server reports it to the ledger. The ledger turns
 * it into a FHIR AuditEvent-shaped entry and chains it to the entries before it.
 */
export interface AuditInput {
  /** AuditEvent.action: C create, R read/search, U update, D delete, E execute (sign-in, export, operations). */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /**
   * What kind of event: a FHIR restful-interaction code (`read`, `vread`, `search-type`,
   * `search-system`, `history-instance`, `history-type`, `history-system`, `create`, `update`,
   * `patch`, `delete`, `batch`, `transaction`, `operation`) or a Salus event (`login`,
   * `login-failed`, `logout`, `mfa-failed`, `token`, `token-refresh`, `token-revoke`,
   * `break-glass`, `account`, `export`, `audit-verify`).
   */
  subtype: string;
  /** `success`; `denied` when access control refused it; `failure` for errors. */
  outcome: 'success' | 'denied' | 'failure';
  outcomeDesc?: string;
  agent: {
    accountId?: string;
    clientId?: string;
    fhirUser?: string;
    roles?: Role[];
    ip?: string;
    userAgent?: string;
  };
  /** Resources touched, as `Type/id` references (for searches: the resources returned). */
  entities: string[];
  /** Patients whose data was touched (their Patient ids); drives each patient's access log. */
  patientIds: string[];
  /** Request path and query, e.g. `Observation?patient=123`. */
  query?: string;
  /** Stated reason (break-the-glass) or purpose of use. */
  purpose?: string;
  /** Flags the entry for review, e.g. emergency access. */
  flagged?: boolean;
}
