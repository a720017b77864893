import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, CarePlan, Observation, OperationOutcome, Parameters, Questionnaire, QuestionnaireResponse, Task } from '@medplum/fhirtypes';
import { canonicalOf, CHECK_INS, FREQUENCY_ANSWERS, GAD7, PHQ9, PHQ9_SELF_HARM, SYMPTOM_CHECK, type CheckInInstrument } from '@salus/core';
import type { AuditInput } from '../audit/types.js';
import { DEMO_EMAIL, startTestApp, type Caller, type TestApp } from '../test-support.js';
import { loadCheckInQuestionnaires } from './questionnaires.js';

/**
 * Check-ins against the running server with the demo world: enrolment, answering in one
 * transaction, and who may do either and see the care team's task.
 */

const ANA = 'demo-ana-souza';
const JOSE = 'demo-jose-martinez';
const ZOE = 'demo-zoe-brennan';
const PEOPLE = DEMO_EMAIL;
type Who = keyof typeof PEOPLE;

let t: TestApp;
const callers = new Map<Who, Caller>();
const as = (who: Who): Caller => callers.get(who)!;
const audits: AuditInput[] = [];

before(async () => {
  t = await startTestApp({ seed: true, onAudit: (e) => audits.push(e) });
  for (const who of Object.keys(PEOPLE) as Who[]) callers.set(who, await t.signIn(PEOPLE[who]));
});
after(() => t.close());

/** A response to a frequency scale scoring `scores` item by item. */
function scaleResponse(instrument: CheckInInstrument, patient: string, scores: number[]): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: canonicalOf(instrument),
    subject: { reference: `Patient/${patient}` },
    item: instrument.questionnaire.item!.map((item, i) => ({ linkId: item.linkId, answer: [{ valueCoding: FREQUENCY_ANSWERS[scores[i] ?? 0]!.valueCoding! }] })),
  };
}

const param = (p: Parameters, name: string) => p.parameter?.find((x) => x.name === name);
const idOf = (reference: string | undefined): string => reference!.split('/')[1]!;

async function count(type: string, query: string): Promise<number> {
  return (await t.fhir<Bundle>('GET', `${type}?${query}&_summary=count`)).body.total ?? 0;
}

/** How many responses, scores and tasks the record of `patient` holds. */
async function written(patient: string): Promise<number[]> {
  return Promise.all([count('QuestionnaireResponse', `subject=Patient/${patient}`), count('Observation', `subject=Patient/${patient}&category=survey`), count('Task', `patient=${patient}`)]);
}

function enrol(who: Who, patient: string, body: Record<string, unknown>) {
  const parameter = Object.entries(body).map(([name, v]) =>
    name === 'questionnaire' ? { name, valueCanonical: v } : name === 'period' ? { name, valuePositiveInt: v } : name === 'periodUnit' ? { name, valueCode: v } : { name, valueDateTime: v },
  );
  return as(who).fhir<CarePlan & Partial<Pick<OperationOutcome, 'issue'>>>('POST', `Patient/${patient}/$enrol-check-in`, { resourceType: 'Parameters', parameter });
}

describe('the shipped questionnaires', () => {
  test('are in every installation, readable by anyone signed in', async () => {
    for (const { questionnaire } of CHECK_INS) {
      const res = await as('ana').fhir<Bundle>('GET', `Questionnaire?url=${encodeURIComponent(questionnaire.url)}&version=${questionnaire.version}`);
      assert.equal(res.body.total, 1, questionnaire.url);
      const q = res.body.entry![0]!.resource as Questionnaire;
      assert.equal(q.id, questionnaire.id);
      assert.deepEqual(q.item, questionnaire.item);
    }
    assert.equal((await t.anonymous.fhir('GET', 'Questionnaire/phq-9')).status, 401);
  });

  test('loading them again adds no version; a changed copy is put back', async () => {
    await loadCheckInQuestionnaires(t.repo);
    const v1 = await t.fhir<Questionnaire>('GET', 'Questionnaire/phq-9');
    assert.equal(v1.body.meta?.versionId, '1');
    await t.fhir('PUT', 'Questionnaire/phq-9', { ...v1.body, title: 'Edited by hand' });
    await loadCheckInQuestionnaires(t.repo);
    const v3 = await t.fhir<Questionnaire>('GET', 'Questionnaire/phq-9');
    assert.equal(v3.body.meta?.versionId, '3');
    assert.equal(v3.body.title, PHQ9.questionnaire.title);
  });
});

describe('enrolment', () => {
  test('a clinician in the patient’s care enrols them; a second enrolment in the same check-in is refused until the first ends', async () => {
    const res = await enrol('castillo', ANA, { questionnaire: PHQ9.questionnaire.url, period: 2, periodUnit: 'wk' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const plan = res.body;
    assert.equal(plan.status, 'active');
    assert.equal(plan.intent, 'plan');
    assert.equal(plan.subject?.reference, `Patient/${ANA}`);
    assert.equal(plan.author?.reference, 'Practitioner/demo-dr-castillo');
    assert.deepEqual(plan.activity![0]!.detail!.instantiatesCanonical, [canonicalOf(PHQ9)]);
    assert.deepEqual(plan.activity![0]!.detail!.scheduledTiming!.repeat!.period, 2);
    assert.match(String(res.headers.location), new RegExp(`/CarePlan/${plan.id}/_history/1$`));
    // The patient sees her enrolment.
    assert.equal((await as('ana').fhir('GET', `CarePlan/${plan.id}`)).status, 200);

    const again = await enrol('okafor', ANA, { questionnaire: canonicalOf(PHQ9), period: 1, periodUnit: 'mo' });
    assert.equal(again.status, 409);
    assert.match(again.body.issue![0]!.diagnostics!, new RegExp(`CarePlan/${plan.id}`));

    const gad = await enrol('okafor', ANA, { questionnaire: GAD7.questionnaire.url, period: 1, periodUnit: 'mo' });
    assert.equal(gad.status, 201);
    const ended = await as('okafor').fhir<CarePlan>('PUT', `CarePlan/${gad.body.id}`, { ...gad.body, status: 'completed' });
    assert.equal(ended.status, 200);
    const renewed = await enrol('okafor', ANA, { questionnaire: GAD7.questionnaire.url, period: 4, periodUnit: 'wk' });
    assert.equal(renewed.status, 201, 'an ended enrolment no longer blocks a new one');
    await as('okafor').fhir('PUT', `CarePlan/${renewed.body.id}`, { ...renewed.body, status: 'revoked' });
  });

  test('bad requests are refused naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ questionnaire: 'http://example.org/Questionnaire/phq-9', period: 2, periodUnit: 'wk' }, 'questionnaire'],
      [{ questionnaire: GAD7.questionnaire.url, period: 0, periodUnit: 'wk' }, 'period'],
      [{ questionnaire: GAD7.questionnaire.url, period: 2, periodUnit: 'h' }, 'periodUnit'],
      [{ questionnaire: GAD7.questionnaire.url, period: 6, periodUnit: 'mo' }, 'period'],
      [{ questionnaire: GAD7.questionnaire.url, period: 2, periodUnit: 'wk', start: 'next tuesday' }, 'start'],
    ];
    for (const [body, field] of cases) {
      const res = await enrol('okafor', JOSE, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.body.issue![0]!.expression, [field], JSON.stringify(res.body));
    }
    const notParameters = await as('okafor').fhir<OperationOutcome>('POST', `Patient/${JOSE}/$enrol-check-in`, { resourceType: 'Basic' });
    assert.equal(notParameters.status, 400);
  });

  test('patients, caregivers, pharmacists and clinicians outside the care may not enrol anyone', async () => {
    const body = { questionnaire: SYMPTOM_CHECK.questionnaire.url, period: 1, periodUnit: 'wk' };
    const plans = await count('CarePlan', `patient=${ANA}`);
    assert.equal((await enrol('ana', ANA, body)).status, 403);
    assert.equal((await enrol('siobhan', ZOE, body)).status, 403);
    assert.equal((await enrol('chen', ANA, body)).status, 403);
    assert.equal((await enrol('lindqvist', ANA, body)).status, 404, 'a record out of reach does not exist for the caller');
    const anonymous = await t.anonymous.fhir('POST', `Patient/${ANA}/$enrol-check-in`, { resourceType: 'Parameters' });
    assert.equal(anonymous.status, 401);
    assert.equal(await count('CarePlan', `patient=${ANA}`), plans);
  });
});

describe('answering', () => {
  test('a PHQ-9 with thoughts of self-harm stores the response, its score and a stat task for the enrolling clinician, at once', async () => {
    const before = await written(ANA);
    const scores = [2, 2, 1, 2, 1, 2, 1, 1, 1];
    const res = await as('ana').fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', scaleResponse(PHQ9, ANA, scores));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const p = res.body;
    assert.equal(param(p, 'score')?.valueInteger, 13);
    assert.equal(param(p, 'severity')?.valueCoding?.code, 'moderate');
    assert.equal(param(p, 'severity')?.valueCoding?.display, 'Moderate depression');
    assert.equal(param(p, 'priority')?.valueCode, 'stat');
    const concern = param(p, 'concern')!.part!;
    assert.deepEqual(
      concern.map((x) => [x.name, x.valueCode ?? x.valueString]),
      [['kind', 'self-harm'], ['priority', 'stat'], ['text', 'Thoughts of being better off dead or of self-harm'], ['linkId', PHQ9_SELF_HARM], ['answer', 'Several days']],
    );

    const qr = (await as('ana').fhir<QuestionnaireResponse>('GET', param(p, 'response')!.valueReference!.reference!)).body;
    assert.equal(qr.status, 'completed');
    assert.equal(qr.questionnaire, canonicalOf(PHQ9));
    assert.equal(qr.author?.reference, `Patient/${ANA}`);
    assert.ok(qr.authored && Date.now() - Date.parse(qr.authored) < 60_000);
    assert.equal(qr.item?.[8]?.text, PHQ9.questionnaire.item![8]!.text, 'each answer keeps the words of its question');

    const obs = (await as('ana').fhir<Observation>('GET', param(p, 'observation')!.valueReference!.reference!)).body;
    assert.equal(obs.code.coding![0]!.code, '44261-6');
    assert.equal(obs.category![0]!.coding![0]!.code, 'survey');
    assert.equal(obs.valueInteger, 13);
    assert.equal(obs.interpretation![0]!.text, 'Moderate depression');
    assert.deepEqual(obs.derivedFrom, [{ reference: `QuestionnaireResponse/${qr.id}` }]);
    assert.equal(obs.effectiveDateTime, qr.authored);

    const taskRef = param(p, 'task')!.valueReference!.reference!;
    const task = (await as('castillo').fhir<Task>('GET', taskRef)).body;
    assert.equal(task.status, 'requested');
    assert.equal(task.intent, 'order');
    assert.equal(task.priority, 'stat');
    assert.equal(task.for?.reference, `Patient/${ANA}`);
    assert.equal(task.focus?.reference, `QuestionnaireResponse/${qr.id}`);
    assert.equal(task.owner?.reference, 'Practitioner/demo-dr-castillo', 'the clinician who enrolled her');
    assert.equal(task.basedOn?.[0]?.reference?.startsWith('CarePlan/'), true);
    assert.equal(task.code?.coding?.[0]?.code, 'review-check-in');
    assert.match(task.description!, /Thoughts of being better off dead or of self-harm \(answered “Several days”\)/);
    assert.ok(task.authoredOn);

    assert.deepEqual(await written(ANA), before.map((n) => n + 1));
    const entry = audits.find((a) => a.subtype === 'operation' && a.query?.startsWith('QuestionnaireResponse/$submit') && a.entities.includes(taskRef));
    assert.ok(entry, 'the ledger names the task the call wrote');
    assert.ok(entry.entities.includes(`QuestionnaireResponse/${qr.id}`) && entry.entities.includes(`Observation/${obs.id}`));
    assert.deepEqual(entry.patientIds, [ANA]);
  });

  test('a calm GAD-7 is scored and needs no task; a severe one without an enrolment goes to the GP', async () => {
    const calm = await as('ana').fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', scaleResponse(GAD7, ANA, [1, 1, 1, 0, 0, 1, 1]));
    assert.equal(calm.status, 200);
    assert.equal(param(calm.body, 'score')?.valueInteger, 5);
    assert.equal(param(calm.body, 'severity')?.valueCoding?.code, 'mild');
    assert.equal(param(calm.body, 'task'), undefined);
    assert.equal(param(calm.body, 'concern'), undefined);

    const severe = await as('ana').fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', scaleResponse(GAD7, ANA, [3, 3, 3, 2, 2, 2, 2]));
    assert.equal(param(severe.body, 'score')?.valueInteger, 17);
    assert.equal(param(severe.body, 'priority')?.valueCode, 'urgent');
    const task = (await as('okafor').fhir<Task>('GET', param(severe.body, 'task')!.valueReference!.reference!)).body;
    assert.equal(task.priority, 'urgent');
    assert.equal(task.owner?.reference, 'Practitioner/demo-dr-okafor', 'her GP, as nobody enrolled her in GAD-7');
    assert.equal(task.basedOn, undefined);
  });

  test('a red-flag symptom is stat; the symptom check has no score to store', async () => {
    const before = await written(ANA);
    const res = await as('ana').fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', {
      resourceType: 'QuestionnaireResponse',
      status: 'in-progress',
      questionnaire: SYMPTOM_CHECK.questionnaire.url,
      subject: { reference: `Patient/${ANA}` },
      item: [
        { linkId: 'chest-pain', answer: [{ valueBoolean: true }] },
        { linkId: 'breathing', answer: [{ valueBoolean: false }] },
        { linkId: 'stroke-signs', answer: [{ valueBoolean: false }] },
        { linkId: 'fever', answer: [{ valueBoolean: false }] },
        { linkId: 'symptom-severity', answer: [{ valueCoding: { system: 'http://snomed.info/sct', code: '6736007' } }] },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(param(res.body, 'priority')?.valueCode, 'stat');
    assert.equal(param(res.body, 'score'), undefined);
    assert.equal(param(res.body, 'observation'), undefined);
    const after = await written(ANA);
    assert.deepEqual(after, [before[0]! + 1, before[1]!, before[2]! + 1]);
  });

  test('wrong answers are refused naming the linkId, and nothing is written', async () => {
    const before = await written(ANA);
    const missing = scaleResponse(PHQ9, ANA, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    missing.item = missing.item!.filter((i) => i.linkId !== PHQ9_SELF_HARM);
    const res = await as('ana').fhir<OperationOutcome>('POST', 'QuestionnaireResponse/$submit', missing);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0]!.expression, [`QuestionnaireResponse.item.where(linkId='${PHQ9_SELF_HARM}')`]);
    assert.match(res.body.issue[0]!.diagnostics!, /Item '44260-8'.*needs an answer/);

    const offList = scaleResponse(GAD7, ANA, [0, 0, 0, 0, 0, 0, 0]);
    offList.item![2]!.answer = [{ valueCoding: { system: 'http://loinc.org', code: 'LA6574-3' } }];
    const res2 = await as('ana').fhir<OperationOutcome>('POST', 'QuestionnaireResponse/$submit', offList);
    assert.equal(res2.status, 400);
    assert.match(res2.body.issue[0]!.diagnostics!, /Item '69733-4'.*'LA6574-3' is not one of its answers/);

    const unknown = await as('ana').fhir<OperationOutcome>('POST', 'QuestionnaireResponse/$submit', { ...scaleResponse(GAD7, ANA, []), questionnaire: 'http://example.org/q' });
    assert.deepEqual(unknown.body.issue[0]!.expression, ['QuestionnaireResponse.questionnaire']);
    const noSubject = await as('ana').fhir<OperationOutcome>('POST', 'QuestionnaireResponse/$submit', { ...scaleResponse(GAD7, ANA, []), subject: { reference: 'Group/x' } });
    assert.deepEqual(noSubject.body.issue[0]!.expression, ['QuestionnaireResponse.subject']);
    assert.equal((await as('ana').fhir('GET', 'QuestionnaireResponse/$submit')).status, 405);

    assert.deepEqual(await written(ANA), before);
  });

  test('a failure after the response is written takes the response back with it', async () => {
    // A system client may write for any patient id; the task then needs the patient's care team,
    // and there is no such patient: the whole call fails and leaves nothing.
    const res = await t.system.fhir<OperationOutcome>('POST', 'QuestionnaireResponse/$submit', scaleResponse(PHQ9, 'nobody-here', [3, 3, 3, 3, 3, 3, 3, 3, 3]));
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.deepEqual(await written('nobody-here'), [0, 0, 0]);
  });
});

describe('who may answer, and who sees the task', () => {
  const gad = (patient: string) => scaleResponse(GAD7, patient, [3, 3, 3, 3, 3, 3, 3]);

  test('the patient, a caregiver for a ward and a clinician in the care may answer; nobody else', async () => {
    const rows: [Who | 'anonymous', string, number][] = [
      ['ana', ANA, 200],
      ['ana', JOSE, 403],
      ['siobhan', ZOE, 200],
      ['siobhan', ANA, 403],
      ['okafor', JOSE, 200],
      ['lindqvist', ANA, 403],
      ['chen', ANA, 403],
      ['anonymous', ANA, 401],
    ];
    for (const [who, patient, expected] of rows) {
      const before = await written(patient);
      const caller = who === 'anonymous' ? t.anonymous : as(who);
      const res = await caller.fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', gad(patient));
      assert.equal(res.status, expected, `${who} for ${patient}: ${JSON.stringify(res.body)}`);
      const after = await written(patient);
      assert.deepEqual(after, expected === 200 ? before.map((n) => n + 1) : before, `${who} for ${patient}`);
      if (who === 'siobhan' && expected === 200) {
        const qr = await as('siobhan').fhir<QuestionnaireResponse>('GET', param(res.body, 'response')!.valueReference!.reference!);
        assert.equal(qr.body.author?.reference, 'RelatedPerson/demo-siobhan-brennan');
        assert.equal(qr.body.source?.reference, 'RelatedPerson/demo-siobhan-brennan');
      }
      if (who === 'okafor') {
        // A clinician typing in the patient's answers records them; the patient gave them.
        const qr = await as('okafor').fhir<QuestionnaireResponse>('GET', param(res.body, 'response')!.valueReference!.reference!);
        assert.equal(qr.body.author?.reference, 'Practitioner/demo-dr-okafor');
        assert.equal(qr.body.source?.reference, `Patient/${JOSE}`);
      }
    }
  });

  test('the care team sees and works the task; a clinician outside the care, a pharmacist and other patients do not', async () => {
    const res = await as('ana').fhir<Parameters>('POST', 'QuestionnaireResponse/$submit', gad(ANA));
    const taskRef = param(res.body, 'task')!.valueReference!.reference!;
    const id = idOf(taskRef);
    const open = 'Task?status=requested,accepted&priority=stat,urgent&_count=100';

    for (const who of ['okafor', 'castillo'] as const) {
      assert.equal((await as(who).fhir('GET', taskRef)).status, 200, who);
      const found = await as(who).fhir<Bundle>('GET', open);
      assert.ok(found.body.entry?.some((e) => e.resource?.id === id), `${who} finds it among open urgent tasks`);
    }
    assert.equal((await as('ana').fhir('GET', taskRef)).status, 200, 'it is in her record');
    assert.equal((await as('jose').fhir('GET', taskRef)).status, 404);
    assert.equal((await as('lindqvist').fhir('GET', taskRef)).status, 404);
    const outside = await as('lindqvist').fhir<Bundle>('GET', open);
    assert.ok(!outside.body.entry?.some((e) => e.resource?.id === id), 'not in another organization’s list');
    assert.equal((await as('chen').fhir('GET', taskRef)).status, 403);

    const task = (await as('okafor').fhir<Task>('GET', taskRef)).body;
    assert.equal((await as('lindqvist').fhir('PUT', taskRef, { ...task, status: 'completed' })).status, 403);
    assert.equal((await as('ana').fhir('PUT', taskRef, { ...task, status: 'completed' })).status, 403, 'patients read their tasks, not close them');
    const accepted = await as('okafor').fhir<Task>('PUT', taskRef, { ...task, status: 'accepted', owner: { reference: 'Practitioner/demo-dr-okafor' } });
    assert.equal(accepted.status, 200);
    const done = await as('castillo').fhir<Task>('PUT', taskRef, { ...accepted.body, status: 'completed' });
    assert.equal(done.status, 200);
    const still = await as('okafor').fhir<Bundle>('GET', open);
    assert.ok(!still.body.entry?.some((e) => e.resource?.id === id), 'a completed task leaves the open list');
  });
});
