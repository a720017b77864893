import type { OperationDefinition, Parameters, ParametersParameter, Practitioner, Reference } from '@medplum/fhirtypes';
import {
  badRequest,
  CHECK_IN_PERIOD_UNITS,
  CHECK_INS,
  checkInFor,
  checkInPlan,
  conflict,
  MAX_CHECK_IN_DAYS,
  methodNotAllowed,
  scheduleDays,
  scheduleText,
  type CheckInPeriodUnit,
  type CheckInSchedule,
} from '@salus/core';
import type { FhirOperation } from '../fhir/service.js';
import { FHIR_JSON, instantParam, versionHeaders, type FhirResponse, type OperationContext } from '../fhir/interaction.js';
import { activeCheckInPlan } from './plans.js';

export const enrolCheckInDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Patient-enrol-check-in',
  url: 'https://salus.example/fhir/OperationDefinition/Patient-enrol-check-in',
  name: 'EnrolCheckIn',
  title: 'Enrol a patient in scheduled check-ins',
  status: 'active',
  kind: 'operation',
  code: 'enrol-check-in',
  description:
    'A clinician enrols the patient in answering a check-in questionnaire on a schedule: an active CarePlan (category check-in-plan) authored by the clinician, whose activity instantiates the Questionnaire with a repeating Timing. One active enrolment per questionnaire; end one by updating its CarePlan to completed.',
  resource: ['Patient'],
  system: false,
  type: false,
  instance: true,
  parameter: [
    { name: 'questionnaire', use: 'in', min: 1, max: '1', type: 'canonical', documentation: `One of ${CHECK_INS.map((c) => c.questionnaire.url).join(', ')}` },
    { name: 'period', use: 'in', min: 1, max: '1', type: 'positiveInt', documentation: 'Once every this many periodUnits' },
    { name: 'periodUnit', use: 'in', min: 1, max: '1', type: 'code', documentation: 'd | wk | mo (UCUM, as Timing.repeat.periodUnit)' },
    { name: 'start', use: 'in', min: 0, max: '1', type: 'dateTime', documentation: 'When the first check-in is due; now when absent' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'CarePlan' },
  ],
};

function parameter(body: Parameters, name: string): ParametersParameter | undefined {
  return body.parameter?.find((p) => p.name === name);
}

/** The enrolment asked for, every field checked and named when wrong. */
function readRequest(body: unknown, now: Date): { canonical: string; schedule: CheckInSchedule; start: string } {
  if (typeof body !== 'object' || body === null || (body as { resourceType?: unknown }).resourceType !== 'Parameters') {
    throw badRequest('POST a Parameters resource to $enrol-check-in', 'resourceType');
  }
  const p = body as Parameters;
  const q = parameter(p, 'questionnaire');
  const canonical = q?.valueCanonical ?? q?.valueUri;
  if (!checkInFor(canonical)) {
    throw badRequest(`questionnaire must be one of ${CHECK_INS.map((c) => `${c.questionnaire.url} (${c.name})`).join(', ')}`, 'questionnaire');
  }
  const periodParam = parameter(p, 'period');
  const period = periodParam?.valuePositiveInt ?? periodParam?.valueInteger;
  if (period === undefined || !Number.isInteger(period) || period < 1) throw badRequest('period must be a whole number of at least 1', 'period');
  const unit = parameter(p, 'periodUnit')?.valueCode;
  if (!unit || !(CHECK_IN_PERIOD_UNITS as readonly string[]).includes(unit)) {
    throw badRequest(`periodUnit must be one of ${CHECK_IN_PERIOD_UNITS.join(', ')} (days, weeks, months)`, 'periodUnit');
  }
  const schedule: CheckInSchedule = { period, periodUnit: unit as CheckInPeriodUnit };
  if (scheduleDays(schedule) > MAX_CHECK_IN_DAYS) throw badRequest(`Check-ins ${scheduleText(schedule)} are too far apart; at most ${MAX_CHECK_IN_DAYS} days`, 'period');
  const s = parameter(p, 'start');
  const startText = s?.valueDateTime ?? s?.valueDate;
  if (s && !startText) throw badRequest('start must be a date or dateTime', 'start');
  if (startText) instantParam('start', startText);
  return { canonical: canonical!, schedule, start: startText ?? now.toISOString() };
}

/**
 * Patient/[id]/$enrol-check-in. Everything is written as the caller, so the one access check
 * decides who may enrol: clinicians caring for the patient may write their CarePlans; patients,
 * pharmacists and clinicians outside the patient's care may not.
 */
export function enrolCheckInOperation(now: () => Date): FhirOperation {
  const handler = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw methodNotAllowed('$enrol-check-in is invoked with POST');
    const at = now();
    const { canonical, schedule, start } = readRequest(ctx.request.body, at);
    const instrument = checkInFor(canonical)!;
    const patientId = ctx.id!;
    await ctx.repo.read('Patient', patientId);
    const caller = ctx.repo.guard?.principal.fhirUser;
    const author: Reference<Practitioner> | undefined = caller?.startsWith('Practitioner/') ? { reference: caller } : undefined;
    const created = await ctx.repo.db.transaction(async (tx) => {
      // One enrolment per questionnaire: two clinicians enrolling at once must not make two.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`check-in-plan|${patientId}|${instrument.questionnaire.url}`]);
      const repo = ctx.repo.within(tx);
      const existing = await activeCheckInPlan(repo, patientId, instrument);
      if (existing) {
        throw conflict(`The patient is already enrolled in ${existing.title ?? instrument.name}; end that enrolment (CarePlan/${existing.id}) to change it`);
      }
      const plan = checkInPlan({ instrument, schedule, patient: { reference: `Patient/${patientId}` }, ...(author ? { author } : {}), start, now: at });
      return (await repo.create(plan)).stored;
    });
    return { status: 201, headers: { 'content-type': FHIR_JSON, ...versionHeaders(created, ctx.repo.config.baseUrl) }, body: created.content };
  };
  return { key: 'Patient/:id/$enrol-check-in', handler, definition: enrolCheckInDefinition };
}
