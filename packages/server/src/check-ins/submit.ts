import type {
  CarePlan,
  Observation,
  OperationDefinition,
  Parameters,
  ParametersParameter,
  Patient,
  QuestionnaireResponse,
  Reference,
  RelatedPerson,
  Practitioner,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import {
  badRequest,
  canonicalOf,
  CHECK_IN_CONCERN_SYSTEM,
  CHECK_IN_SEVERITY_SYSTEM,
  checkInFor,
  invalidResource,
  issue,
  methodNotAllowed,
  parseReference,
  responseIssues,
  REVIEW_CHECK_IN,
  scoreResponse,
  severityText,
  type CheckInInstrument,
  type CheckInScore,
} from '@salus/core';
import type { FhirOperation } from '../fhir/service.js';
import { json, type FhirResponse, type OperationContext } from '../fhir/interaction.js';
import { parseJson, type FhirRepository } from '../fhir/repository.js';
import { activeCheckInPlan } from './plans.js';

export const submitCheckInDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'QuestionnaireResponse-submit',
  url: 'https://salus.example/fhir/OperationDefinition/QuestionnaireResponse-submit',
  name: 'SubmitCheckIn',
  title: 'Answer a check-in',
  status: 'active',
  kind: 'operation',
  code: 'submit',
  description:
    'Stores the answers to one of the check-in Questionnaires Salus ships (PHQ-9, GAD-7, the symptom check), once validated, with its score as an Observation and, when an answer needs a clinician soon, an urgent Task for the care team — all or nothing. POST the QuestionnaireResponse itself as the body.',
  resource: ['QuestionnaireResponse'],
  system: false,
  type: true,
  instance: false,
  parameter: [
    { name: 'resource', use: 'in', min: 1, max: '1', type: 'QuestionnaireResponse', documentation: 'The answers; the server sets status, authored and author' },
    { name: 'response', use: 'out', min: 1, max: '1', type: 'Reference', documentation: 'The stored QuestionnaireResponse' },
    { name: 'score', use: 'out', min: 0, max: '1', type: 'integer', documentation: 'The total, for questionnaires that have one' },
    { name: 'severity', use: 'out', min: 0, max: '1', type: 'Coding', documentation: 'The published severity band of the total' },
    { name: 'observation', use: 'out', min: 0, max: '1', type: 'Reference', documentation: 'The Observation holding the total' },
    {
      name: 'concern',
      use: 'out',
      min: 0,
      max: '*',
      documentation: 'Each answer that needs a clinician soon, most pressing first',
      part: [
        { name: 'kind', use: 'out', min: 1, max: '1', type: 'code', documentation: 'self-harm | red-flag | severe-score | severe-symptom' },
        { name: 'priority', use: 'out', min: 1, max: '1', type: 'code', documentation: 'stat | urgent' },
        { name: 'text', use: 'out', min: 1, max: '1', type: 'string' },
        { name: 'linkId', use: 'out', min: 0, max: '1', type: 'string' },
        { name: 'answer', use: 'out', min: 0, max: '1', type: 'string' },
      ],
    },
    { name: 'priority', use: 'out', min: 0, max: '1', type: 'code', documentation: 'The most pressing concern’s priority (stat | urgent)' },
    { name: 'task', use: 'out', min: 0, max: '1', type: 'Reference', documentation: 'The Task the care team was given' },
  ],
};

const ref = <T extends Resource>(type: T['resourceType'], id: string): Reference<T> => ({ reference: `${type}/${id}` });

/** Who answered: the patient, a caregiver, or a clinician entering the answers with them. */
type Answerer = Reference<Patient | RelatedPerson | Practitioner>;

/** The response as stored: the caller's answers, each item with its question's words, stamped by the server. */
function completedResponse(instrument: CheckInInstrument, body: QuestionnaireResponse, patient: Reference<Patient>, answeredBy: Answerer | undefined, authored: string): QuestionnaireResponse {
  const texts = new Map(instrument.questionnaire.item!.map((i) => [i.linkId, i.text]));
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: canonicalOf(instrument),
    status: 'completed',
    subject: patient,
    authored,
    author: answeredBy ?? patient,
    // Who gave the answers: the patient or their caregiver; a clinician typing them in only records them.
    source: answeredBy && !answeredBy.reference?.startsWith('Practitioner/') ? answeredBy : patient,
    item: (body.item ?? []).map((i) => ({ linkId: i.linkId, ...(texts.get(i.linkId) ? { text: texts.get(i.linkId)! } : {}), answer: i.answer ?? [] })),
  };
}

function scoreObservation(
  instrument: CheckInInstrument,
  score: CheckInScore,
  patient: Reference<Patient>,
  response: Reference<QuestionnaireResponse>,
  plan: Reference<CarePlan> | undefined,
  authored: string,
): Observation | undefined {
  if (!instrument.score || score.total === undefined) return undefined;
  const band = score.severity;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
    code: { coding: [instrument.score.code], text: `${instrument.name} score` },
    subject: patient,
    ...(plan ? { basedOn: [plan] } : {}),
    effectiveDateTime: authored,
    issued: authored,
    // Self-reported: the patient is who observed it.
    performer: [patient],
    valueInteger: score.total,
    ...(band
      ? { interpretation: [{ coding: [{ system: CHECK_IN_SEVERITY_SYSTEM, code: band.code, display: band.label }], text: severityText(instrument, band) }] }
      : {}),
    derivedFrom: [response],
  };
}

/** Who looks after the patient's check-ins: whoever enrolled them, else their GP, else their clinic. */
function careOwner(plan: CarePlan | undefined, patient: Patient): Task['owner'] {
  return plan?.author ?? patient.generalPractitioner?.[0] ?? patient.managingOrganization;
}

function reviewTask(
  instrument: CheckInInstrument,
  score: CheckInScore,
  refs: { patient: Reference<Patient>; response: Reference<QuestionnaireResponse>; observation?: Reference<Observation>; plan?: Reference<CarePlan>; owner?: Task['owner']; requester?: Answerer },
  authored: string,
): Task {
  const said = score.concerns.map((c) => (c.answer ? `${c.text} (answered “${c.answer}”)` : c.text));
  const total = score.total !== undefined && score.severity ? ` Total ${score.total} of ${score.max}: ${severityText(instrument, score.severity).toLowerCase()}.` : '';
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: score.priority!,
    code: { coding: [REVIEW_CHECK_IN], text: 'Review check-in' },
    description: `${instrument.name} check-in: ${said.join('; ')}.${total}`,
    for: refs.patient,
    focus: refs.response,
    ...(refs.plan ? { basedOn: [refs.plan] } : {}),
    authoredOn: authored,
    lastModified: authored,
    ...(refs.requester ? { requester: refs.requester } : {}),
    ...(refs.owner ? { owner: refs.owner } : {}),
    reasonCode: { coding: score.concerns.map((c) => ({ system: CHECK_IN_CONCERN_SYSTEM, code: c.kind })), text: said.join('; ') },
    ...(refs.observation ? { reasonReference: refs.observation } : {}),
  };
}

function resultParameters(score: CheckInScore, instrument: CheckInInstrument, refs: { response: Reference; observation?: Reference; task?: Reference }): Parameters {
  const p: ParametersParameter[] = [{ name: 'response', valueReference: refs.response }];
  if (score.total !== undefined) p.push({ name: 'score', valueInteger: score.total });
  if (score.severity) p.push({ name: 'severity', valueCoding: { system: CHECK_IN_SEVERITY_SYSTEM, code: score.severity.code, display: severityText(instrument, score.severity) } });
  if (refs.observation) p.push({ name: 'observation', valueReference: refs.observation });
  for (const c of score.concerns) {
    p.push({
      name: 'concern',
      part: [
        { name: 'kind', valueCode: c.kind },
        { name: 'priority', valueCode: c.priority },
        { name: 'text', valueString: c.text },
        ...(c.linkId ? [{ name: 'linkId', valueString: c.linkId }] : []),
        ...(c.answer ? [{ name: 'answer', valueString: c.answer }] : []),
      ],
    });
  }
  if (score.priority) p.push({ name: 'priority', valueCode: score.priority });
  if (refs.task) p.push({ name: 'task', valueReference: refs.task });
  return { resourceType: 'Parameters', parameter: p };
}

/** What the body must be before anything else is looked at: a check-in response about a patient. */
function checkedBody(body: unknown, baseUrl: string): { response: QuestionnaireResponse; instrument: CheckInInstrument; patientId: string } {
  if (typeof body !== 'object' || body === null || (body as { resourceType?: unknown }).resourceType !== 'QuestionnaireResponse') {
    throw badRequest('POST the QuestionnaireResponse itself to $submit', 'resourceType');
  }
  const response = body as QuestionnaireResponse;
  const instrument = checkInFor(response.questionnaire);
  if (!instrument) {
    throw badRequest(`'${response.questionnaire ?? ''}' is not a check-in questionnaire of this server; use one of its Questionnaire urls`, 'QuestionnaireResponse.questionnaire');
  }
  const subject = response.subject?.reference ? parseReference(response.subject.reference, baseUrl) : undefined;
  if (subject?.resourceType !== 'Patient') throw badRequest('The subject must be the patient who answers, as Patient/[id]', 'QuestionnaireResponse.subject');
  const issues = responseIssues(instrument.questionnaire, response);
  if (issues.length > 0) throw invalidResource(issues.map((i) => issue('error', 'invalid', i.message, i.expression)));
  return { response, instrument, patientId: subject.id };
}

/**
 * QuestionnaireResponse/$submit. The caller writes the response through their own access (a
 * patient for themselves, a caregiver for a ward, a clinician for a patient in their care); once
 * that write is allowed, the server adds the score and the care team's task, which patients may not
 * write themselves — in the same transaction, so a failure leaves nothing behind.
 */
export function submitCheckInOperation(server: FhirRepository, now: () => Date): FhirOperation {
  const handler = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw methodNotAllowed('$submit is invoked with POST');
    const { response, instrument, patientId } = checkedBody(ctx.request.body, ctx.repo.config.baseUrl);
    const authored = now().toISOString();
    const patient = ref<Patient>('Patient', patientId);
    const caller = ctx.repo.guard?.principal.fhirUser;
    const answeredBy: Answerer | undefined = caller && /^(Patient|RelatedPerson|Practitioner)\//.test(caller) ? { reference: caller } : undefined;
    const score = scoreResponse(instrument.questionnaire, response);
    const written = await ctx.repo.db.transaction(async (tx) => {
      const saved = await ctx.repo.within(tx).create(completedResponse(instrument, response, patient, answeredBy, authored));
      const repo = server.within(tx);
      const responseRef = ref<QuestionnaireResponse>('QuestionnaireResponse', saved.stored.id);
      const plan = await activeCheckInPlan(repo, patientId, instrument);
      const planRef = plan && ref<CarePlan>('CarePlan', plan.id!);
      const obs = scoreObservation(instrument, score, patient, responseRef, planRef, authored);
      const observation = obs && ref<Observation>('Observation', (await repo.create(obs)).stored.id);
      let task: Reference<Task> | undefined;
      if (score.priority) {
        const owner = careOwner(plan, parseJson<Patient>((await repo.read('Patient', patientId)).content));
        const t = reviewTask(instrument, score, { patient, response: responseRef, ...(observation ? { observation } : {}), ...(planRef ? { plan: planRef } : {}), ...(owner ? { owner } : {}), ...(answeredBy ? { requester: answeredBy } : {}) }, authored);
        task = ref<Task>('Task', (await repo.create(t)).stored.id);
      }
      return { response: responseRef, ...(observation ? { observation } : {}), ...(task ? { task } : {}) };
    });
    // The ledger entry of this call names everything it wrote, the server's part included.
    for (const r of [written.observation, written.task]) if (r?.reference) ctx.repo.guard?.touched.add(r.reference);
    return json(200, resultParameters(score, instrument, written));
  };
  return { key: 'QuestionnaireResponse/$submit', handler, definition: submitCheckInDefinition };
}
