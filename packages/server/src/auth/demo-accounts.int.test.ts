import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDemoWorld, type DemoPerson } from '../seed/demo-world.js';
import { seedDemo } from '../seed/seed.js';
import { startAccountsTestApp, type AccountsTestApp } from './account-test-support.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, seedDemoAccounts, UNVERIFIED_DEMO_PRACTITIONER, type DemoAccount } from './demo-accounts.js';
import { totpCode } from './totp.js';

let t: AccountsTestApp;
let people: DemoPerson[];
let seeded: DemoAccount[];

before(async () => {
  t = await startAccountsTestApp();
  await seedDemo(t.salus.service, { onlyIfEmpty: false, now: t.clock.now() });
  people = buildDemoWorld().people;
  seeded = await seedDemoAccounts(t.salus.db, t.salus.repo, people);
});
after(() => t.close());

const person = (role: DemoPerson['role'], index = 0) => people.filter((p) => p.role === role)[index]!;
const meta = { ip: '192.0.2.50' };

test('every demo person signs in with the published password; staff with the published authenticator', async () => {
  assert.equal(seeded.length, people.length);
  for (const p of people) {
    const result = await t.accounts.checkPassword(p.email, DEMO_PASSWORD, meta);
    assert.ok(result.ok, p.email);
    const staff = p.role !== 'patient' && p.role !== 'caregiver';
    assert.equal(result.mfa, staff ? 'required' : 'none', p.email);
    if (staff) {
      assert.equal(await t.accounts.checkSecondFactor(result.accountId, totpCode(DEMO_TOTP_SECRET, t.clock.now()), meta), true, p.email);
      assert.ok(seeded.find((s) => s.email === p.email)?.totpUri?.includes(`secret=${DEMO_TOTP_SECRET}`));
    }
  }
});

test('each account is linked to its FHIR resource with the right roles and organizations', async () => {
  const grantsOf = async (p: DemoPerson) => (await t.accounts.grants(seeded.find((s) => s.email === p.email)!.accountId))!;

  const patient = await grantsOf(person('patient'));
  assert.deepEqual(patient.roles, ['patient']);
  assert.equal(patient.fhirUser, person('patient').resource);
  assert.deepEqual(patient.patientIds, [person('patient').resource.split('/')[1]]);

  const caregiver = await grantsOf(person('caregiver'));
  assert.deepEqual(caregiver.roles, ['caregiver']);
  assert.equal(caregiver.fhirUser, person('caregiver').resource);
  assert.deepEqual(caregiver.patientIds, ['demo-zoe-brennan']);

  const doctor = await grantsOf(people.find((p) => p.resource === 'Practitioner/demo-dr-okafor')!);
  assert.deepEqual(doctor.roles, ['practitioner']);
  assert.deepEqual(doctor.organizationIds, ['demo-riverton-community-clinic']);
  assert.equal(doctor.verified, true);

  const cardiologist = await grantsOf(people.find((p) => p.resource === 'Practitioner/demo-dr-lindqvist')!);
  assert.deepEqual(cardiologist.organizationIds, ['demo-harbor-view-cardiology']);

  const pharmacist = await grantsOf(person('pharmacist'));
  assert.deepEqual(pharmacist.organizationIds, ['demo-alder-street-pharmacy']);
  const officer = await grantsOf(person('public-health'));
  assert.deepEqual(officer.organizationIds, ['demo-valley-public-health']);

  const admin = await grantsOf(person('admin'));
  assert.deepEqual(admin.roles, ['admin']);
  assert.deepEqual(admin.organizationIds, ['demo-riverton-community-clinic']);
  assert.equal(admin.fhirUser, undefined);
});

test('one practitioner waits for the clinic administrator to verify them', async () => {
  const nurse = seeded.find((s) => people.find((p) => p.email === s.email)!.resource === UNVERIFIED_DEMO_PRACTITIONER)!;
  assert.equal(nurse.verified, false);
  assert.equal((await t.accounts.grants(nurse.accountId))?.verified, false);
  const admin = seeded.find((s) => s.role === 'admin')!;
  await t.accounts.verifyPractitioner(admin.accountId, nurse.accountId, meta);
  assert.equal((await t.accounts.grants(nurse.accountId))?.verified, true);
});

test('seeding again leaves the accounts as they are', async () => {
  assert.deepEqual(await seedDemoAccounts(t.salus.db, t.salus.repo, people), []);
  const count = await t.salus.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
  assert.equal(count.rows[0]!.n, people.length);
});
