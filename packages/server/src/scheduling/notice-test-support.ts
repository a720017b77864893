import type { Patient, Practitioner, Schedule } from '@medplum/fhirtypes';
import { withAvailability, WEEKDAYS } from '@salus/core';
import { provisionAccount } from '../auth/accounts.js';
import type { Db } from '../db/db.js';
import type { FhirRepository } from '../fhir/repository.js';
import { availability } from './scheduling-test-support.js';

/** The content lines of an iCalendar file, unfolded, as name → value (the last of each name). */
export function icsFields(ics: string): Map<string, string> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  return new Map(lines.filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).split(';')[0]!, l.slice(l.indexOf(':') + 1)]));
}

/** An instant as iCalendar writes it in UTC: 20261208T140000Z. */
export function icsUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

export interface ClinicWorld {
  practitionerId: string;
  scheduleId: string;
  patientId: string;
  /** The patient's own account (absent for a patient known only by the email in their record). */
  accountId?: string;
  email: string;
}

/**
 * Dr Amara Okafor, bookable by video every day around the clock in Los Angeles time,
 * and a patient, Maria, with an account of her own (or, with `account: false`, only an email
 * address in her record). Written with the server's repository, as an operator's import would.
 */
export async function clinicWorld(db: Db, repo: FhirRepository, now: Date, options: { email: string; account?: boolean }): Promise<ClinicWorld> {
  const practitioner = await repo.create({ resourceType: 'Practitioner', name: [{ use: 'official', prefix: ['Dr'], given: ['Amara'], family: 'Okafor' }] } satisfies Practitioner);
  const schedule = withAvailability(
    { resourceType: 'Schedule', active: true, actor: [{ reference: `Practitioner/${practitioner.stored.id}` }] } satisfies Schedule,
    availability('America/Los_Angeles', { weekly: [{ days: [...WEEKDAYS], start: '00:00', end: '23:30' }] }),
    now,
  );
  const storedSchedule = await repo.create(schedule);
  const patient = await repo.create({
    resourceType: 'Patient',
    name: [{ use: 'official', given: ['Maria', 'José'], family: 'Santos' }],
    telecom: [{ system: 'email', value: options.email }],
  } satisfies Patient);
  const patientId = patient.stored.id;
  const world: ClinicWorld = { practitionerId: practitioner.stored.id, scheduleId: storedSchedule.stored.id, patientId, email: options.email };
  if (options.account !== false) {
    const accountId = await provisionAccount(db, {
      email: options.email,
      displayName: 'Maria Santos',
      status: 'active',
      fhirUser: `Patient/${patientId}`,
      roles: [{ role: 'patient' }],
      patients: [{ patientId, relation: 'self' }],
    });
    world.accountId = accountId!;
  }
  return world;
}
