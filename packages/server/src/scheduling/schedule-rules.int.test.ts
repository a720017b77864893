import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, OperationOutcome, Schedule, Slot } from '@medplum/fhirtypes';
import { AVAILABILITY_URL, TIMEZONE_URL, withAvailability } from '@salus/core';
import { startTestApp, type Caller, type TestApp } from '../test-support.js';
import { availability, expressions } from './scheduling-test-support.js';

/** A clinician's availability is theirs to change, and must be one that can be booked. */

let t: TestApp;
let okafor: Caller;
let lindqvist: Caller;
let whitfield: Caller;
let ana: Caller;

before(async () => {
  t = await startTestApp({ seed: true });
  okafor = await t.signIn('amara.okafor@riverton-clinic.example');
  lindqvist = await t.signIn('henrik.lindqvist@harborview.example');
  whitfield = await t.signIn('grace.whitfield@riverton-clinic.example');
  ana = await t.signIn('ana.souza@example.com');
});
after(() => t.close());

const current = async (id: string): Promise<Schedule> => (await t.fhir<Schedule>('GET', `Schedule/${id}`)).body;
const scheduleFor = (practitioner: string, id?: string): Schedule =>
  withAvailability({ resourceType: 'Schedule', ...(id ? { id } : {}), active: true, actor: [{ reference: practitioner }] }, availability('America/Los_Angeles'));

describe('who may write a Schedule', () => {
  test('a clinician keeps their own schedule', async () => {
    const mine = await current('demo-schedule-dr-okafor');
    const res = await okafor.fhir('PUT', 'Schedule/demo-schedule-dr-okafor', withAvailability(mine, availability('America/Los_Angeles')));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const created = await okafor.fhir<Schedule>('POST', 'Schedule', scheduleFor('Practitioner/demo-dr-okafor'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await okafor.fhir('DELETE', `Schedule/${created.body.id}`)).status, 204);
  });

  test('but not a colleague’s, whether changing it, taking it over, making one or deleting it', async () => {
    const theirs = await current('demo-schedule-dr-lindqvist');
    const before = theirs.meta!.versionId;
    const attempts: [string, string, unknown][] = [
      ['PUT', 'Schedule/demo-schedule-dr-lindqvist', { ...theirs, comment: 'Closed' }],
      ['PUT', 'Schedule/demo-schedule-dr-lindqvist', { ...theirs, actor: [{ reference: 'Practitioner/demo-dr-okafor' }] }],
      ['POST', 'Schedule', scheduleFor('Practitioner/demo-dr-lindqvist')],
      ['PUT', 'Schedule/demo-schedule-dr-okafor', { ...(await current('demo-schedule-dr-okafor')), actor: [{ reference: 'Practitioner/demo-dr-lindqvist' }] }],
      ['DELETE', 'Schedule/demo-schedule-dr-lindqvist', undefined],
      ['PATCH', 'Schedule/demo-schedule-dr-lindqvist', [{ op: 'replace', path: '/active', value: false }]],
    ];
    for (const [method, path, body] of attempts) {
      const res = await okafor.fhir<OperationOutcome>(method, path, body, method === 'PATCH' ? { 'content-type': 'application/json-patch+json' } : {});
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await current('demo-schedule-dr-lindqvist')).meta!.versionId, before);
  });

  test('nor inside a transaction', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { ...(await current('demo-schedule-dr-lindqvist')), active: false }, request: { method: 'PUT', url: 'Schedule/demo-schedule-dr-lindqvist' } }],
    };
    assert.equal((await okafor.fhir('POST', '', bundle)).status, 403);
  });

  test('administrators and system clients manage everyone’s; patients nobody’s', async () => {
    const theirs = await current('demo-schedule-dr-raman');
    assert.equal((await whitfield.fhir('PUT', 'Schedule/demo-schedule-dr-raman', { ...theirs, comment: 'Updated by the practice manager' })).status, 200);
    assert.equal((await t.fhir('PUT', 'Schedule/demo-schedule-dr-raman', { ...(await current('demo-schedule-dr-raman')), comment: 'Synced' })).status, 200);
    assert.equal((await ana.fhir('PUT', 'Schedule/demo-schedule-dr-raman', await current('demo-schedule-dr-raman'))).status, 403);
  });
});

describe('who may write a Slot', () => {
  const slot = (schedule: string, id: string): Slot => ({
    resourceType: 'Slot',
    id,
    schedule: { reference: `Schedule/${schedule}` },
    status: 'busy-unavailable',
    start: '2026-12-24T16:00:00Z',
    end: '2026-12-24T20:00:00Z',
  });

  test('a clinician blocks time on their own schedule only', async () => {
    assert.equal((await okafor.fhir('PUT', 'Slot/rules-own', slot('demo-schedule-dr-okafor', 'rules-own'))).status, 201);
    assert.equal((await okafor.fhir('PUT', 'Slot/rules-theirs', slot('demo-schedule-dr-lindqvist', 'rules-theirs'))).status, 403);
    assert.equal((await lindqvist.fhir('PUT', 'Slot/rules-theirs', slot('demo-schedule-dr-lindqvist', 'rules-theirs'))).status, 201);
    // Nor move a colleague's slot onto their own schedule, or delete it.
    assert.equal((await okafor.fhir('PUT', 'Slot/rules-theirs', slot('demo-schedule-dr-okafor', 'rules-theirs'))).status, 403);
    assert.equal((await okafor.fhir('DELETE', 'Slot/rules-theirs')).status, 403);
  });
});

describe('a Schedule’s availability is checked on every write', () => {
  const broken = (): Schedule => {
    const s = scheduleFor('Practitioner/demo-dr-okafor', 'rules-broken');
    const ext = s.extension!.find((e) => e.url === AVAILABILITY_URL)!;
    const weekly = ext.extension!.find((e) => e.url === 'weekly')!;
    weekly.extension = weekly.extension!.map((e) => (e.url === 'end' ? { url: 'end', valueTime: '08:00:00' } : e));
    return s;
  };

  test('a bad field is a 400 naming it', async () => {
    const res = await okafor.fhir<OperationOutcome>('PUT', 'Schedule/rules-broken', broken());
    assert.equal(res.status, 400);
    assert.deepEqual(expressions(res.body), [`Schedule.extension('${AVAILABILITY_URL}').weekly[0].end`]);
    assert.match(res.body.issue[0]!.diagnostics!, /weekly\[0\]\.end: End must be later than start/);
    assert.equal((await t.fhir('GET', 'Schedule/rules-broken')).status, 404, 'nothing written');
  });

  test('a missing or unknown time zone is named too, and the system client is held to it as well', async () => {
    const s = scheduleFor('Practitioner/demo-dr-okafor', 'rules-zone');
    s.extension = s.extension!.map((e) => (e.url === TIMEZONE_URL ? { url: TIMEZONE_URL, valueCode: 'Pacific/Atlantis' } : e));
    const res = await t.fhir<OperationOutcome>('PUT', 'Schedule/rules-zone', s);
    assert.equal(res.status, 400);
    assert.deepEqual(expressions(res.body), [`Schedule.extension('${TIMEZONE_URL}')`]);
  });

  test('inside a transaction the issue points into the entry', async () => {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: broken(), request: { method: 'PUT', url: 'Schedule/rules-broken' } }] };
    const res = await okafor.fhir<OperationOutcome>('POST', '', bundle);
    assert.equal(res.status, 400);
    assert.deepEqual(expressions(res.body), [`Bundle.entry[0].resource.extension('${AVAILABILITY_URL}').weekly[0].end`]);
  });

  test('a schedule with availability keeps ids short enough to name its slots', async () => {
    const id = `rules-${'x'.repeat(50)}`;
    const res = await t.fhir('PUT', `Schedule/${id}`, scheduleFor('Practitioner/demo-dr-okafor', id));
    assert.equal(res.status, 400);
    assert.deepEqual(expressions(res.body), ['Schedule.id']);
    const plain = await t.fhir('PUT', `Schedule/${id}`, { resourceType: 'Schedule', id, actor: [{ reference: 'Practitioner/demo-dr-okafor' }] });
    assert.equal(plain.status, 201, 'without availability any id will do');
  });
});
