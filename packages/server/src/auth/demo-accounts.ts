import type { PractitionerRole, RelatedPerson } from '@medplum/fhirtypes';
import { parseFhirJson } from '@salus/core';
import type { Role } from '../access/principal.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import type { DemoPerson } from '../seed/demo-world.js';
import { provisionAccount, type ProvisionInput } from './accounts.js';
import { hashPassword } from './passwords.js';
import { totpUri } from './totp.js';

/**
 * Sign-in for the demo people. Everything here is published on purpose: it opens a demo
 * installation to anyone who reads the README, and must never be seeded into a real one.
 */

/** The password of every demo account (long and uncommon enough for the password rules). */
export const DEMO_PASSWORD = 'salus-demo-2026';
/** The authenticator secret of every demo staff account (base-32, 160 bits). */
export const DEMO_TOTP_SECRET = 'SALUSDEMOSECRETFORSTAFFSIGNINXYZ';
/** Left unverified so an administrator can walk through licence verification. */
export const UNVERIFIED_DEMO_PRACTITIONER = 'Practitioner/demo-nurse-mensah';

export interface DemoAccount {
  email: string;
  name: string;
  role: DemoPerson['role'];
  accountId: string;
  /** `otpauth://` URI of the staff authenticator, for a QR code or an authenticator app. */
  totpUri?: string;
  /** False for the one practitioner left for an administrator to verify. */
  verified?: boolean;
}

/**
 * Creates an account for each demo person, linked to their FHIR resource: patients to their own
 * Patient, the caregiver as proxy for her child's, staff to the organizations their
 * PractitionerRoles name, the administrator to her Organization. People who already have an
 * account are skipped, so seeding twice is harmless. The demo world must be loaded first.
 */
export async function seedDemoAccounts(db: Db, repo: FhirRepository, people: DemoPerson[], options: { now?: Date } = {}): Promise<DemoAccount[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const plans = await Promise.all(people.map((p) => plan(repo, p, passwordHash)));
  const ids = await db.transaction(async (tx) => {
    const out: (string | undefined)[] = [];
    for (const input of plans) out.push(await provisionAccount(tx, input, options.now));
    return out;
  });
  const created: DemoAccount[] = [];
  people.forEach((p, i) => {
    const accountId = ids[i];
    if (!accountId) return;
    const staff = plans[i]!.totpSecret !== undefined;
    created.push({
      email: p.email,
      name: p.name,
      role: p.role,
      accountId,
      ...(staff ? { totpUri: totpUri(DEMO_TOTP_SECRET, p.email) } : {}),
      ...(p.role === 'practitioner' || p.role === 'pharmacist' ? { verified: p.resource !== UNVERIFIED_DEMO_PRACTITIONER } : {}),
    });
  });
  return created;
}

async function plan(repo: FhirRepository, person: DemoPerson, passwordHash: string): Promise<ProvisionInput> {
  const [type, id] = person.resource.split('/') as [string, string];
  const common = { email: person.email, displayName: person.name, passwordHash, status: 'active' as const };
  switch (person.role) {
    case 'patient':
      return { ...common, fhirUser: person.resource, roles: [{ role: 'patient' }], patients: [{ patientId: id, relation: 'self' }] };
    case 'caregiver': {
      const related = parseFhirJson<RelatedPerson>((await repo.read('RelatedPerson', id)).content);
      const ward = related.patient.reference?.replace(/^Patient\//, '');
      if (!ward) throw new Error(`${person.resource} names no patient`);
      return { ...common, fhirUser: person.resource, roles: [{ role: 'caregiver' }], patients: [{ patientId: ward, relation: 'proxy' }] };
    }
    case 'admin':
      // The demo administrator is no clinician: her resource is the Organization she runs.
      return { ...common, roles: [{ role: 'admin', organizationId: id }], totpSecret: DEMO_TOTP_SECRET };
    default: {
      const organizations = await organizationsOf(repo, person.resource);
      const role: Role = person.role;
      const verified = person.resource !== UNVERIFIED_DEMO_PRACTITIONER;
      return {
        ...common,
        fhirUser: `${type}/${id}`,
        roles: organizations.map((organizationId) => ({ role, organizationId, verified })),
        totpSecret: DEMO_TOTP_SECRET,
      };
    }
  }
}

async function organizationsOf(repo: FhirRepository, practitioner: string): Promise<string[]> {
  const { page } = await repo.search('PractitionerRole', [['practitioner', practitioner]]);
  const orgs = page.entries
    .map((e) => parseFhirJson<PractitionerRole>(e.content).organization?.reference?.replace(/^Organization\//, ''))
    .filter((o): o is string => Boolean(o));
  if (orgs.length === 0) throw new Error(`${practitioner} has no PractitionerRole naming an organization`);
  return [...new Set(orgs)];
}
