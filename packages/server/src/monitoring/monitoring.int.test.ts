import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Device, Observation, OperationOutcome, Parameters, Task } from '@medplum/fhirtypes';
import { defaultPlan, NEWS2_SNOMED, type MonitoringPlan } from '@salus/core';
import type { AuditInput } from '../audit/types.js';
import { DEMO_EMAIL, startTestApp, type Caller, type TestApp } from '../test-support.js';
import type { MonitoringAlert } from './alerts.js';
import type { IngestResult } from './ingest.js';

/**
 * Remote monitoring against the running server and the demo world: devices, readings in over
 * HTTPS, every rule type, NEWS2, alerts' life and escalation on a clock the test moves, and who
 * is let in and kept out.
 */

const ANA = 'demo-ana-souza';
const JOSE = 'demo-jose-martinez';
type Who = keyof typeof DEMO_EMAIL;

let t: TestApp;
let clock = new Date('2026-03-02T15:00:00Z');
const callers = new Map<Who, Caller>();
const as = (who: Who): Caller => callers.get(who)!;
const audits: AuditInput[] = [];

const iso = (minutesFromNow: number): string => new Date(clock.getTime() + minutesFromNow * 60_000).toISOString();

async function enrolDevice(who: Caller, patient: string, type = 'blood-pressure-monitor'): Promise<{ device: Device; token: string }> {
  const r = await who.fhir<Parameters>('POST', `Patient/${patient}/$enrol-device`, { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: type }, { name: 'manufacturer', valueString: 'Omron' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { device: r.body.parameter!.find((p) => p.name === 'device')!.resource as Device, token: r.body.parameter!.find((p) => p.name === 'token')!.valueString! };
}

async function send(token: string, body: unknown, contentType = 'application/json') {
  const r = await t.app.inject({ method: 'POST', url: '/monitoring/readings', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: JSON.stringify(body) });
  return { status: r.statusCode, body: JSON.parse(r.body) as IngestResult & OperationOutcome };
}

async function alertsOf(patient: string, status = 'open,acknowledged'): Promise<MonitoringAlert[]> {
  const r = await as('okafor').get<{ alerts: MonitoringAlert[] }>(`/monitoring/alerts?patient=${patient}&status=${status}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.alerts;
}

before(async () => {
  t = await startTestApp({ seed: true, now: () => clock, onAudit: (e) => audits.push(e) });
  for (const who of Object.keys(DEMO_EMAIL) as Who[]) callers.set(who, await t.signIn(DEMO_EMAIL[who]));
  // Ana: hypertension; José: heart failure. Set by her doctor through the API.
  for (const [patient, plan] of [
    [ANA, defaultPlan(['hypertension'])],
    [JOSE, defaultPlan(['heart-failure'])],
  ] as [string, MonitoringPlan][]) {
    const r = await as('okafor').send('PUT', `/monitoring/patients/${patient}/plan`, plan);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
});
after(async () => {
  await t?.close();
});

describe('devices', () => {
  test('a clinician enrols a device for a patient in their care; the token is shown once and sends readings', async () => {
    const { device, token } = await enrolDevice(as('okafor'), ANA);
    assert.equal(device.patient?.reference, `Patient/${ANA}`);
    assert.match(token, /^sdt_[0-9a-f]{16}_/);
    const r = await send(token, { readings: [{ kind: 'heart-rate', time: iso(-5), value: 71 }] });
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 1);
    const stored = await t.db.query<{ patient_id: string; device_id: string }>('SELECT patient_id, device_id FROM device_readings WHERE device_id = $1', [device.id]);
    assert.deepEqual(stored.rows, [{ patient_id: ANA, device_id: device.id }]);
  });

  test('a patient connects her own device with a pairing code; the code works once', async () => {
    const code = await as('ana').fhir<Parameters>('POST', `Patient/${ANA}/$pairing-code`);
    assert.equal(code.status, 200);
    const value = code.body.parameter!.find((p) => p.name === 'code')!.valueString!;
    assert.match(value, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const paired = await t.anonymous.post<{ device: Device; token: string; topic: string }>('/monitoring/pair', { code: value.toLowerCase().replace('-', ' '), type: 'scale', model: 'BF 720' });
    assert.equal(paired.status, 201, JSON.stringify(paired.body));
    assert.equal(paired.body.device.patient?.reference, `Patient/${ANA}`);
    assert.equal(paired.body.topic, `salus/devices/${paired.body.device.id}/readings`);
    const again = await t.anonymous.post<OperationOutcome>('/monitoring/pair', { code: value, type: 'scale' });
    assert.equal(again.status, 404);
    assert.equal(again.body.issue?.[0]?.expression?.[0], 'code');
    const r = await send(paired.body.token, { readings: [{ kind: 'body-weight', time: iso(-60), value: 150, unit: '[lb_av]' }] });
    assert.equal(r.body.accepted, 1);
    const w = await t.db.query<{ value: number }>('SELECT value FROM device_readings WHERE device_id = $1', [paired.body.device.id]);
    assert.equal(w.rows[0]!.value, 68.04);
  });

  test('an expired pairing code is refused', async () => {
    const code = await as('ana').fhir<Parameters>('POST', `Patient/${ANA}/$pairing-code`);
    const value = code.body.parameter!.find((p) => p.name === 'code')!.valueString!;
    const saved = clock;
    clock = new Date(clock.getTime() + 16 * 60_000);
    try {
      const r = await t.anonymous.post('/monitoring/pair', { code: value, type: 'scale' });
      assert.equal(r.status, 404);
    } finally {
      clock = saved;
    }
  });

  test('a revoked device is refused at once, and the refusal is in the ledger', async () => {
    const { device, token } = await enrolDevice(as('ana'), ANA, 'thermometer');
    const revoked = await as('ana').fhir<Device>('POST', `Device/${device.id}/$revoke`);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'inactive');
    const r = await send(token, { readings: [{ kind: 'body-temperature', time: iso(-1), value: 37 }] });
    assert.equal(r.status, 401);
    assert.ok(audits.some((a) => a.subtype === 'monitoring-readings' && a.outcome === 'denied'));
  });

  test('who may enrol and pair: the patient, her caregiver-less peers and outside clinicians are kept out', async () => {
    for (const [who, status] of [
      ['ana', 201],
      ['okafor', 201],
      ['lindqvist', 404],
      ['jose', 404],
      ['chen', 403],
    ] as [Who, number][]) {
      const r = await as(who).fhir('POST', `Patient/${ANA}/$enrol-device`, { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'watch' }] });
      assert.equal(r.status, status, `${who} enrolling for Ana`);
    }
    const bad = await as('ana').fhir<OperationOutcome>('POST', `Patient/${ANA}/$enrol-device`, { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'toaster' }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issue?.[0]?.expression?.[0], 'type');
    const pairing = await as('jose').fhir('POST', `Patient/${ANA}/$pairing-code`);
    assert.equal(pairing.status, 404);
  });
});

describe('ingestion over HTTPS', () => {
  test('bad readings are rejected one by one with the field named; the rest are kept, duplicates stored once', async () => {
    const { device, token } = await enrolDevice(as('okafor'), JOSE, 'watch');
    const batch = {
      readings: [
        { kind: 'heart-rate', time: iso(-10), value: 72 },
        { kind: 'heart-rate', time: iso(-9), value: -4 },
        { kind: 'oxygen-saturation', time: iso(-9), value: 97 },
        { kind: 'body-temperature', time: iso(-8), value: 99.5, unit: '[degF]' },
        { kind: 'body-weight', time: iso(-8), value: 80, unit: 'mg' },
        { kind: 'heart-rate', time: iso(-10), value: 72 },
        { kind: 'heart-rate', time: iso(+30), value: 70 },
      ],
    };
    const r = await send(token, batch);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accepted, 3);
    assert.equal(r.body.duplicates, 1);
    assert.deepEqual(
      r.body.rejected.map((e) => [e.index, e.field]),
      [
        [1, 'readings[1].value'],
        [4, 'readings[4].unit'],
        [6, 'readings[6].time'],
      ],
    );
    const again = await send(token, batch);
    assert.equal(again.body.accepted, 0);
    assert.equal(again.body.duplicates, 4);
    const rows = await t.db.query<{ kind: string; value: number }>('SELECT kind, value FROM device_readings WHERE device_id = $1 ORDER BY kind', [device.id]);
    assert.deepEqual(rows.rows.map((x) => [x.kind, x.value]), [
      ['body-temperature', 37.5],
      ['heart-rate', 72],
      ['oxygen-saturation', 97],
    ]);
  });

  test('a FHIR Observation and a batch Bundle are taken in too', async () => {
    const { token } = await enrolDevice(as('okafor'), JOSE, 'glucose-meter');
    const obs: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '41653-7' }] },
      subject: { reference: `Patient/${JOSE}` },
      effectiveDateTime: iso(-20),
      valueQuantity: { value: 126, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    };
    const one = await send(token, obs, 'application/fhir+json');
    assert.equal(one.body.accepted, 1, JSON.stringify(one.body));
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { ...obs, code: { coding: [{ system: 'http://loinc.org', code: '14743-9' }] }, effectiveDateTime: iso(-15), valueQuantity: { value: 6.1, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' } } },
        { resource: { resourceType: 'Patient' } },
      ],
    };
    const two = await send(token, bundle, 'application/fhir+json');
    assert.equal(two.body.accepted, 1, JSON.stringify(two.body));
    assert.equal(two.body.rejected.length, 1);
    assert.match(two.body.rejected[0]!.field, /^Bundle\.entry\[1\]/);
  });

  test('a batch with nothing usable is a 422 naming each reading; no token is a 401', async () => {
    const { token } = await enrolDevice(as('okafor'), JOSE, 'watch');
    const r = await send(token, { readings: [{ kind: 'heart-rate', time: iso(-1), value: 900 }, { kind: 'pulse', time: iso(-1), value: 60 }] });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.issue?.map((i) => i.expression?.[0]), ['readings[0].value', 'readings[1].kind']);
    const anon = await t.app.inject({ method: 'POST', url: '/monitoring/readings', headers: { 'content-type': 'application/json' }, payload: '{"readings":[]}' });
    assert.equal(anon.statusCode, 401);
    const garbled = await t.app.inject({ method: 'POST', url: '/monitoring/readings', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"readings": [' });
    assert.equal(garbled.statusCode, 400);
    assert.match((JSON.parse(garbled.body) as OperationOutcome).issue?.[0]?.diagnostics ?? '', /Malformed JSON/);
  });

  test('manual entry by the patient returns advice; outsiders cannot enter readings for her', async () => {
    const r = await as('ana').post<IngestResult>(`/monitoring/patients/${ANA}/readings`, { readings: [{ kind: 'blood-pressure', time: iso(-30), systolic: 128, diastolic: 79 }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accepted, 1);
    assert.equal(r.body.advice?.[0]?.level, 'ok');
    for (const [who, status] of [
      ['jose', 404],
      ['lindqvist', 404],
      ['chen', 403],
    ] as [Who, number][]) {
      const x = await as(who).post(`/monitoring/patients/${ANA}/readings`, { readings: [{ kind: 'heart-rate', time: iso(-2), value: 60 }] });
      assert.equal(x.status, status, who);
    }
  });
});

describe('watching', () => {
  test('a threshold breach opens one alert (a Task on the Observation it rests on), not one per reading', async () => {
    const { token } = await enrolDevice(as('okafor'), ANA);
    const r = await send(token, {
      readings: [
        { kind: 'blood-pressure', time: iso(-3), systolic: 186, diastolic: 96 },
        { kind: 'blood-pressure', time: iso(-2), systolic: 191, diastolic: 99 },
      ],
    });
    assert.equal(r.body.alerts.length, 1);
    const again = await send(token, { readings: [{ kind: 'blood-pressure', time: iso(-1), systolic: 188, diastolic: 97 }] });
    assert.equal(again.body.alerts.length, 0);
    const alerts = (await alertsOf(ANA)).filter((a) => a.rule.includes('blood-pressure'));
    assert.equal(alerts.length, 1);
    const [alert] = alerts;
    assert.equal(alert!.severity, 'high');
    assert.equal(alert!.status, 'open');
    assert.equal(alert!.reading?.value, 191);
    assert.equal(alert!.owner, 'Dr. Amara Okafor');
    const task = await t.fhir<Task>('GET', `Task/${alert!.id}`);
    assert.equal(task.body.priority, 'stat');
    const focus = await t.fhir<Observation>('GET', task.body.focus!.reference!);
    assert.equal(focus.status, 200);
    assert.equal(focus.body.code?.coding?.[0]?.code, '85354-9');
    assert.equal(focus.body.component?.find((c) => c.code.coding?.[0]?.code === '8480-6')?.valueQuantity?.value, 191);
  });

  test('the alert is acknowledged, then resolved, with who and when; a second acknowledgement is a 409', async () => {
    const [alert] = (await alertsOf(ANA)).filter((a) => a.rule.includes('blood-pressure'));
    const ack = await as('okafor').post<MonitoringAlert>(`/monitoring/alerts/${alert!.id}/acknowledge`, {});
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.equal(ack.body.status, 'acknowledged');
    assert.equal(ack.body.acknowledgedBy, 'Dr. Amara Okafor');
    assert.equal(ack.body.acknowledgedAt, clock.toISOString());
    assert.equal((await as('okafor').post(`/monitoring/alerts/${alert!.id}/acknowledge`, {})).status, 409);
    // The patient sees her alerts but does not run them; an outside clinician does not see them.
    assert.equal((await as('ana').post(`/monitoring/alerts/${alert!.id}/resolve`, {})).status, 403);
    assert.equal((await as('lindqvist').post(`/monitoring/alerts/${alert!.id}/resolve`, {})).status, 404);
    const res = await as('okafor').post<MonitoringAlert>(`/monitoring/alerts/${alert!.id}/resolve`, { note: 'Called her; took her evening dose late. Recheck tomorrow.' });
    assert.equal(res.body.status, 'resolved');
    assert.equal(res.body.resolvedBy, 'Dr. Amara Okafor');
    const task = await t.fhir<Task>('GET', `Task/${alert!.id}`);
    assert.equal(task.body.status, 'completed');
    assert.equal(task.body.note?.[0]?.text, 'Called her; took her evening dose late. Recheck tomorrow.');
  });

  test('a weight gain of 2 kg within 3 days opens the heart-failure trend alert', async () => {
    const { token } = await enrolDevice(as('okafor'), JOSE, 'scale');
    const r1 = await send(token, { readings: [{ kind: 'body-weight', time: iso(-3 * 24 * 60 + 60), value: 84.0 }, { kind: 'body-weight', time: iso(-24 * 60), value: 85.1 }] });
    assert.equal(r1.body.alerts.length, 0);
    const r2 = await send(token, { readings: [{ kind: 'body-weight', time: iso(-5), value: 86.2 }] });
    assert.equal(r2.body.alerts.length, 1);
    const [alert] = (await alertsOf(JOSE)).filter((a) => a.rule.startsWith('trend'));
    assert.match(alert!.detail, /up 2\.2 kg/);
  });

  test('NEWS2 is scored from a complete set and stored with a component per parameter and derivedFrom', async () => {
    const { token } = await enrolDevice(as('okafor'), JOSE, 'watch');
    // RR 25 (3), SpO2 91 (3), air (0), systolic 98 (2), pulse 118 (2), alert (0), 38.6 °C (1): 11, high.
    const r = await send(token, {
      readings: [
        { kind: 'respiratory-rate', time: iso(-4), value: 25 },
        { kind: 'oxygen-saturation', time: iso(-4), value: 91 },
        { kind: 'blood-pressure', time: iso(-4), systolic: 98, diastolic: 60 },
        { kind: 'heart-rate', time: iso(-4), value: 118 },
        { kind: 'body-temperature', time: iso(-4), value: 38.6 },
      ],
    });
    assert.equal(r.status, 200);
    const scores = await t.fhir<{ entry?: { resource: Observation }[] }>('GET', `Observation?patient=${JOSE}&code=${NEWS2_SNOMED.system}|${NEWS2_SNOMED.code}`);
    const news2 = scores.body.entry?.[0]?.resource;
    assert.equal(news2?.valueInteger, 11);
    assert.equal(news2?.component?.length, 7);
    assert.equal(news2?.derivedFrom?.length, 5);
    for (const ref of news2!.derivedFrom!) assert.equal((await t.fhir('GET', ref.reference!)).status, 200);
    const alerts = await alertsOf(JOSE);
    const high = alerts.find((a) => a.rule === 'news2:high');
    assert.equal(high?.severity, 'high');
    const summary = await as('okafor').get<{ news2?: { total: number; band: string } }>(`/monitoring/patients/${JOSE}`);
    assert.deepEqual([summary.body.news2?.total, summary.body.news2?.band], [11, 'high']);
  });

  test('an unacknowledged high alert goes to a second clinician after 15 minutes', async () => {
    const high = (await alertsOf(JOSE)).find((a) => a.rule === 'news2:high')!;
    const saved = clock;
    clock = new Date(saved.getTime() + 14 * 60_000);
    await t.jobs.runDue();
    assert.equal((await alertsOf(JOSE)).find((a) => a.id === high.id)!.escalatedAt, undefined);
    clock = new Date(saved.getTime() + 16 * 60_000);
    await t.jobs.runDue();
    const after = (await alertsOf(JOSE)).find((a) => a.id === high.id)!;
    assert.ok(after.escalatedAt);
    assert.notEqual(after.escalatedTo, high.owner);
    assert.equal(after.owner, after.escalatedTo);
    clock = saved;
  });

  test('no reading for the plan\'s hours opens a missing-data alert', async () => {
    const saved = clock;
    clock = new Date(saved.getTime() + 30 * 3600_000);
    try {
      // The quarter-hourly check, as the job queue runs it.
      await t.jobs.enqueue(t.db, { kind: 'monitoring.missing-data', payload: {}, key: 'missing-now' });
      await t.jobs.runDue();
    } finally {
      clock = saved;
    }
    const missing = (await alertsOf(ANA)).filter((a) => a.rule.startsWith('missing'));
    assert.equal(missing.length, 1);
    assert.equal(missing[0]!.title, 'No blood pressure reading for 24 h');
  });
});

describe('screens\' data and who sees it', () => {
  test('the dashboard lists the clinician\'s monitored patients by risk; others see none of it', async () => {
    const d = await as('okafor').get<{ patients: { patient: { id: string }; risk: string }[] }>('/monitoring/dashboard');
    assert.equal(d.status, 200);
    assert.deepEqual(
      d.body.patients.map((p) => p.patient.id),
      [JOSE, ANA],
    );
    assert.equal(d.body.patients[0]!.risk, 'high');
    const other = await as('lindqvist').get<{ patients: unknown[] }>('/monitoring/dashboard');
    assert.deepEqual(other.body.patients, []);
    assert.equal((await as('ana').get('/monitoring/dashboard')).status, 403);
    assert.equal((await t.anonymous.get('/monitoring/dashboard')).status, 401);
  });

  test('series come back in order, thinned to the highest and lowest per bucket beyond max', async () => {
    const { token } = await enrolDevice(as('okafor'), ANA, 'watch');
    const readings = Array.from({ length: 400 }, (_, i) => ({ kind: 'heart-rate', time: iso(-600 + i), value: i === 200 ? 170 : 60 + (i % 10) }));
    await send(token, { readings });
    const full = await as('ana').get<{ points: number[][]; thinned: boolean }>(`/monitoring/patients/${ANA}/readings?kind=heart-rate&from=${iso(-601)}&to=${iso(-199)}`);
    assert.equal(full.body.thinned, false);
    assert.ok(full.body.points.length >= 400);
    const thin = await as('ana').get<{ points: number[][]; thinned: boolean }>(`/monitoring/patients/${ANA}/readings?kind=heart-rate&from=${iso(-601)}&to=${iso(-199)}&max=40`);
    assert.equal(thin.body.thinned, true);
    assert.ok(thin.body.points.length <= 40);
    assert.ok(thin.body.points.some((p) => p[1] === 170), 'the spike survives thinning');
    const bad = await as('ana').get<OperationOutcome>(`/monitoring/patients/${ANA}/readings?kind=pulse`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issue?.[0]?.expression?.[0], 'kind');
    assert.equal((await as('jose').get(`/monitoring/patients/${ANA}/readings?kind=heart-rate`)).status, 404);
  });

  test('plans: the care team sets them, bad ones are refused by field, patients cannot', async () => {
    const bad = await as('okafor').send<OperationOutcome>('PUT', `/monitoring/patients/${ANA}/plan`, { ...defaultPlan(['hypertension']), rules: [{ type: 'missing', hours: 0, severity: 'low' }] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.issue?.[0]?.expression?.[0], 'rules[0].hours');
    assert.equal((await as('ana').send('PUT', `/monitoring/patients/${ANA}/plan`, defaultPlan(['general']))).status, 403);
    assert.equal((await as('lindqvist').send('PUT', `/monitoring/patients/${ANA}/plan`, defaultPlan(['general']))).status, 404);
    const summary = await as('ana').get<{ enrolled: boolean; plan: MonitoringPlan; latest: { kind: string; advice?: { level: string } }[] }>(`/monitoring/patients/${ANA}`);
    assert.equal(summary.body.enrolled, true);
    assert.deepEqual(summary.body.plan.conditions, ['hypertension']);
    assert.ok(summary.body.latest.find((l) => l.kind === 'blood-pressure')?.advice);
  });

  test('every monitoring read is in the patient\'s access log', async () => {
    await as('okafor').get(`/monitoring/patients/${ANA}`);
    const entry = audits.filter((a) => a.subtype === 'monitoring-summary' && a.patientIds.includes(ANA)).at(-1);
    assert.equal(entry?.agent.fhirUser, 'Practitioner/demo-dr-okafor');
    // A list names everyone it showed.
    await as('okafor').get('/monitoring/dashboard');
    const dashboard = audits.filter((a) => a.subtype === 'monitoring-dashboard').at(-1);
    assert.deepEqual([...(dashboard?.patientIds ?? [])].sort(), [ANA, JOSE].sort());
  });
});
