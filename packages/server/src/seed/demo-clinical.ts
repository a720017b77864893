import { createHash } from 'node:crypto';
import type {
  AllergyIntolerance,
  Appointment,
  CodeableConcept,
  Condition,
  DiagnosticReport,
  DocumentReference,
  Dosage,
  Encounter,
  EncounterParticipant,
  Immunization,
  MedicationRequest,
  MedicationRequestDispenseRequest,
  Observation,
  Patient,
  Practitioner,
  Quantity,
  Reference,
  RelatedPerson,
  TimingRepeat,
} from '@medplum/fhirtypes';
import {
  ALLERGEN,
  BP_COMPONENT,
  CONDITION,
  CONDITION_TEXT,
  DRUG,
  DRUG_TEXT,
  ENCOUNTER_TYPE,
  FINDING,
  INTERPRETATION_DISPLAY,
  LAB,
  MANIFESTATION,
  NOTE_TYPE,
  PANEL,
  PHQ9_TOTAL,
  ROUTE,
  VACCINE,
  VACCINE_TEXT,
  VITAL,
  interpret,
  type ConditionKey,
  type DrugKey,
  type EncounterTypeKey,
  type LabKey,
  type PanelKey,
  type VaccineKey,
} from './demo-codes.js';
import { LOCATION, ORG, STAFF, type StaffKey } from './demo-directory.js';
import { PATIENTS, patientName, type PatientKey, type PatientSpec } from './demo-patients.js';
import { SYSTEM, coding, concept, quantity, ref, type DemoClock, type ResourceSet } from './demo-support.js';

/**
 * Turns a patient's story (visits, diagnoses, prescriptions, vaccines, bookings) into FHIR
 * resources. Stories say what happened; this module knows how R4 records it.
 */

export interface VisitFacts {
  date: string;
  bp?: [number, number];
  weight?: number;
  bmi?: number;
  labs: Partial<Record<LabKey, number>>;
  phq9?: number;
}

export interface VisitPlan {
  /** Sequence number within the patient's visits; becomes part of the ids (`demo-enc-ana-03`). */
  n: number;
  day: number;
  time: string;
  mode: 'in-person' | 'video';
  type: EncounterTypeKey;
  with: StaffKey;
  reason?: ConditionKey;
  /** Why the patient came when no coded condition says it. */
  reasonText?: string;
  /** In-person visits record a full set of vital signs; the blood pressure carries the trend. */
  bp?: [number, number];
  weight?: number;
  /** Children grow; adults use the story's fixed height. */
  height?: number;
  labs?: Partial<Record<LabKey, number>>;
  phq9?: number;
  note?: (facts: VisitFacts) => string;
}

export interface ConditionPlan {
  key: ConditionKey;
  /** Either diagnosed at one of the story's visits, or before the demo's window began. */
  onset: { visit: number } | { day: number };
  resolvedAfterDays?: number;
}

export type Sig =
  | { kind: 'tablet'; perDose: number; timesPerDay: number; when?: TimingRepeat['when']; text: string; supplyDays: number; repeats: number }
  /** Rescue medicines are taken when needed, so the order states the trigger instead of a schedule. */
  | { kind: 'inhaler' | 'auto-injector'; text: string; repeats: number };

export interface MedicationPlan {
  id: string;
  drug: DrugKey;
  /** Written at this visit, by the clinician who led it. */
  visit: number;
  status: 'active' | 'stopped' | 'completed';
  statusReason?: string;
  sig: Sig;
  /** A condition on the story's problem list, or a free-text reason (an allergy cannot be a reasonReference). */
  reason: ConditionKey | { text: string };
  replaces?: string;
}

export interface AllergyPlan {
  id: string;
  allergen: keyof typeof ALLERGEN;
  text: string;
  category: 'medication' | 'food';
  criticality: 'low' | 'high';
  onsetDay: number;
  reaction: keyof typeof MANIFESTATION;
  reactionText: string;
  severity: 'mild' | 'moderate' | 'severe';
  note?: string;
}

export interface ImmunizationPlan {
  vaccine: VaccineKey;
  day: number;
  lot: string;
  site: 'LD' | 'RD' | 'LT' | 'RT';
  route: 'IM' | 'SQ';
}

export interface AppointmentPlan {
  id: string;
  day: number;
  time: string;
  minutes: number;
  mode: 'in-person' | 'video';
  type: 'ROUTINE' | 'FOLLOWUP' | 'CHECKUP';
  with: StaffKey;
  reason?: ConditionKey;
  description: string;
  bookedDay: number;
  instruction: string;
}

export interface PatientStory {
  patient: PatientKey;
  heightCm?: number;
  baseline: { hr: number; rr: number; spo2: number };
  conditions: ConditionPlan[];
  allergies?: AllergyPlan[];
  medications?: MedicationPlan[];
  immunizations: ImmunizationPlan[];
  visits: VisitPlan[];
  appointments?: AppointmentPlan[];
}

export interface StoryContext {
  set: ResourceSet;
  clock: DemoClock;
  rng: () => number;
  patient: Patient;
  caregiver?: RelatedPerson;
}

const VISIT_MINUTES: Record<VisitPlan['mode'], number> = { 'in-person': 30, video: 20 };
const VITAL_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';

const pad2 = (n: number): string => String(n).padStart(2, '0');
const slug = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
const jitter = (rng: () => number, spread: number): number => (rng() * 2 - 1) * spread;

const category = (system: string, code: string, display: string): CodeableConcept[] => [concept(coding(system, code, display))];
const VITAL_SIGNS = category(SYSTEM.observationCategory, 'vital-signs', 'Vital Signs');
const LABORATORY = category(SYSTEM.observationCategory, 'laboratory', 'Laboratory');
const SURVEY = category(SYSTEM.observationCategory, 'survey', 'Survey');

function staffRef(key: StaffKey): Reference<Practitioner> {
  return ref(STAFF[key].practitioner, STAFF[key].display);
}

/** Where a clinician sees patients in person, and which organization bills for it. */
function workplace(key: StaffKey) {
  const role = STAFF[key].role;
  return { location: role.location?.[0], organization: role.organization! };
}

function encounterId(p: PatientSpec, n: number): string {
  return `demo-enc-${p.key}-${pad2(n)}`;
}

export function addStory(ctx: StoryContext, story: PatientStory): void {
  const spec = PATIENTS[story.patient];
  const visits = new Map(story.visits.map((v) => [v.n, v]));
  const encounters = new Map<number, Encounter>();
  for (const visit of story.visits) encounters.set(visit.n, addVisit(ctx, spec, story, visit));

  const visitOf = (n: number): { plan: VisitPlan; encounter: Encounter } => {
    const plan = visits.get(n);
    const encounter = encounters.get(n);
    if (!plan || !encounter) throw new Error(`demo story ${spec.key} refers to missing visit ${n}`);
    return { plan, encounter };
  };

  const conditions = new Map<ConditionKey, Condition>();
  for (const plan of story.conditions) {
    const at = 'visit' in plan.onset ? visitOf(plan.onset.visit) : undefined;
    conditions.set(plan.key, ctx.set.add(buildCondition(ctx, spec, plan, at)));
  }
  const conditionRef = (key: ConditionKey): Reference<Condition> => {
    const c = conditions.get(key);
    if (!c) throw new Error(`demo story ${spec.key} has no condition ${key}`);
    return ref(c, CONDITION_TEXT[key]);
  };

  const prescriptions = new Map<string, MedicationRequest>();
  for (const plan of story.medications ?? []) {
    const { plan: visit, encounter } = visitOf(plan.visit);
    const prior = plan.replaces === undefined ? undefined : prescriptions.get(plan.replaces);
    if (plan.replaces !== undefined && !prior) throw new Error(`demo prescription ${plan.id} replaces unknown ${plan.replaces}`);
    const reason: Pick<MedicationRequest, 'reasonReference' | 'reasonCode'> =
      typeof plan.reason === 'string' ? { reasonReference: [conditionRef(plan.reason)] } : { reasonCode: [plan.reason] };
    const rx = buildPrescription(ctx, spec, plan, visit, encounter, reason, prior);
    prescriptions.set(plan.id, ctx.set.add(rx));
  }

  for (const plan of story.allergies ?? []) ctx.set.add(buildAllergy(ctx, spec, plan));

  const doses = new Map<VaccineKey, number>();
  for (const plan of story.immunizations) {
    const n = (doses.get(plan.vaccine) ?? 0) + 1;
    doses.set(plan.vaccine, n);
    ctx.set.add(buildImmunization(ctx, spec, plan, n));
  }

  for (const plan of story.appointments ?? []) {
    ctx.set.add(buildAppointment(ctx, spec, plan, plan.reason && conditionRef(plan.reason)));
  }
}

function addVisit(ctx: StoryContext, spec: PatientSpec, story: PatientStory, visit: VisitPlan): Encounter {
  const { set, clock } = ctx;
  const start = clock.at(visit.day, visit.time);
  const end = clock.plusMinutes(start, VISIT_MINUTES[visit.mode]);
  const place = workplace(visit.with);
  const inPerson = visit.mode === 'in-person';
  // At the clinic the practice nurse takes the vital signs; in hospital clinics the doctor does.
  const vitalsBy: StaffKey = place.organization.reference === `Organization/${ORG.clinic.id}` ? 'mensah' : visit.with;

  const participant: EncounterParticipant[] = [
    { type: [concept(coding(SYSTEM.participationType, 'PPRF', 'primary performer'))], period: { start, end }, individual: staffRef(visit.with) },
  ];
  if (inPerson && visit.bp && vitalsBy !== visit.with) {
    participant.push({ type: [concept(coding(SYSTEM.participationType, 'SPRF', 'secondary performer'))], period: { start, end: clock.plusMinutes(start, 10) }, individual: staffRef(vitalsBy) });
  }
  const type = [concept(ENCOUNTER_TYPE[visit.type])];
  if (!inPerson && visit.type !== 'telemedicine') type.push(concept(ENCOUNTER_TYPE.telemedicine, 'Video visit'));
  const reasonCode = visit.reason
    ? [concept(CONDITION[visit.reason], CONDITION_TEXT[visit.reason])]
    : visit.reasonText
      ? [{ text: visit.reasonText }]
      : undefined;

  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterId(spec, visit.n),
    status: 'finished',
    class: inPerson ? coding(SYSTEM.actCode, 'AMB', 'ambulatory') : coding(SYSTEM.actCode, 'VR', 'virtual'),
    type,
    subject: ref(ctx.patient, patientName(spec)),
    participant,
    period: { start, end },
    length: quantity(VISIT_MINUTES[visit.mode], 'min'),
    ...(reasonCode ? { reasonCode } : {}),
    ...(inPerson && place.location ? { location: [{ location: place.location, status: 'completed', period: { start, end } }] } : {}),
    serviceProvider: place.organization,
  };
  set.add(encounter);

  const facts: VisitFacts = { date: clock.date(visit.day), labs: {} };
  const encRef = ref(encounter);
  if (inPerson && visit.bp) addVitals(ctx, spec, story, visit, encRef, clock.plusMinutes(start, 5), staffRef(vitalsBy), facts);
  if (visit.labs) addLabs(ctx, spec, visit, encRef, clock.plusMinutes(start, 15), facts);
  if (visit.phq9 !== undefined) {
    facts.phq9 = visit.phq9;
    set.add<Observation>({
      resourceType: 'Observation',
      id: `demo-obs-${spec.key}-${pad2(visit.n)}-phq9`,
      status: 'final',
      category: SURVEY,
      code: concept(PHQ9_TOTAL, 'PHQ-9 depression score'),
      subject: ref(ctx.patient, patientName(spec)),
      encounter: encRef,
      effectiveDateTime: start,
      // The questionnaire is the patient's own answers; the clinician reviews the total.
      performer: [ref(ctx.patient, patientName(spec)), staffRef(visit.with)],
      valueQuantity: quantity(visit.phq9, '{score}'),
    });
  }
  if (visit.note) addNote(ctx, spec, visit, encounter, visit.note(facts));
  return encounter;
}

function vitalSign(
  ctx: StoryContext,
  spec: PatientSpec,
  visit: VisitPlan,
  name: keyof typeof VITAL,
  encounter: Reference<Encounter>,
  when: string,
  performer: Reference<Practitioner>,
): Observation {
  const def = VITAL[name];
  return {
    resourceType: 'Observation',
    id: `demo-obs-${spec.key}-${pad2(visit.n)}-${slug(name)}`,
    meta: { profile: [`${VITAL_PROFILE}${def.profile}`] },
    status: 'final',
    category: VITAL_SIGNS,
    code: concept([...def.code], def.text),
    subject: ref(ctx.patient, patientName(spec)),
    encounter,
    effectiveDateTime: when,
    performer: [performer],
  };
}

function addVitals(
  ctx: StoryContext,
  spec: PatientSpec,
  story: PatientStory,
  visit: VisitPlan,
  encounter: Reference<Encounter>,
  when: string,
  performer: Reference<Practitioner>,
  facts: VisitFacts,
): void {
  const { rng, set } = ctx;
  const [systolic, diastolic] = visit.bp!;
  const height = visit.height ?? story.heightCm;
  const weight = visit.weight;
  if (height === undefined || weight === undefined) throw new Error(`demo visit ${spec.key}-${visit.n} needs height and weight`);
  const bmi = round(weight / (height / 100) ** 2, 1);
  facts.bp = [systolic, diastolic];
  facts.weight = weight;
  facts.bmi = bmi;

  const bp = vitalSign(ctx, spec, visit, 'bloodPressure', encounter, when, performer);
  bp.component = [
    { code: concept(BP_COMPONENT.systolic.code), valueQuantity: quantity(systolic, 'mmHg', 'mm[Hg]') },
    { code: concept(BP_COMPONENT.diastolic.code), valueQuantity: quantity(diastolic, 'mmHg', 'mm[Hg]') },
  ];
  set.add(bp);

  const single = (name: Exclude<keyof typeof VITAL, 'bloodPressure'>, value: number): void => {
    const obs = vitalSign(ctx, spec, visit, name, encounter, when, performer);
    obs.valueQuantity = quantity(value, VITAL[name].unitText, VITAL[name].ucum);
    set.add(obs);
  };
  // Jitter keeps resting measurements from looking machine-made; the seeded generator keeps them stable.
  single('heartRate', Math.round(story.baseline.hr + jitter(rng, 5)));
  single('respiratoryRate', Math.round(story.baseline.rr + jitter(rng, 2)));
  single('bodyTemperature', round(36.7 + jitter(rng, 0.3), 1));
  single('oxygenSaturation', Math.min(100, Math.round(story.baseline.spo2 + jitter(rng, 1))));
  single('bodyWeight', weight);
  single('bodyHeight', height);
  single('bmi', bmi);
}

function addLabs(ctx: StoryContext, spec: PatientSpec, visit: VisitPlan, encounter: Reference<Encounter>, drawn: string, facts: VisitFacts): void {
  const { set, clock } = ctx;
  // Results come back the next morning.
  const issued = clock.at(visit.day + 1, '07:30');
  const lab = ref(ORG.laboratory, ORG.laboratory.name);
  const byPanel = new Map<PanelKey, Observation[]>();
  for (const [key, raw] of Object.entries(visit.labs!) as [LabKey, number][]) {
    const test = LAB[key];
    const value = round(raw, test.decimals);
    facts.labs[key] = value;
    const range = test.range(spec.gender);
    const flag = interpret(value, range);
    const obs = set.add<Observation>({
      resourceType: 'Observation',
      id: `demo-obs-${spec.key}-${pad2(visit.n)}-${slug(key)}`,
      status: 'final',
      category: LABORATORY,
      code: concept(test.code, test.text),
      subject: ref(ctx.patient, patientName(spec)),
      encounter,
      effectiveDateTime: drawn,
      issued,
      performer: [lab],
      valueQuantity: quantity(value, test.unit, test.ucum),
      interpretation: [concept(coding(SYSTEM.interpretation, flag, INTERPRETATION_DISPLAY[flag]))],
      referenceRange: [
        {
          ...(range.low !== undefined ? { low: quantity(range.low, test.unit, test.ucum) } : {}),
          ...(range.high !== undefined ? { high: quantity(range.high, test.unit, test.ucum) } : {}),
          text: range.text,
        },
      ],
    });
    const group = byPanel.get(test.panel) ?? [];
    group.push(obs);
    byPanel.set(test.panel, group);
  }
  for (const [panel, results] of byPanel) {
    const abnormal = results
      .filter((o) => o.interpretation?.[0]?.coding?.[0]?.code !== 'N')
      .map((o) => `${o.code.text} ${o.valueQuantity!.value} ${o.valueQuantity!.unit} (${o.interpretation![0]!.coding![0]!.display!.toLowerCase()})`);
    set.add<DiagnosticReport>({
      resourceType: 'DiagnosticReport',
      id: `demo-report-${spec.key}-${pad2(visit.n)}-${panel}`,
      status: 'final',
      category: [concept(coding(SYSTEM.diagnosticService, 'LAB', 'Laboratory'))],
      code: concept(PANEL[panel].code, PANEL[panel].text),
      subject: ref(ctx.patient, patientName(spec)),
      encounter,
      effectiveDateTime: drawn,
      issued,
      performer: [lab],
      resultsInterpreter: [staffRef(visit.with)],
      result: results.map((o) => ref(o, o.code.text)),
      conclusion: abnormal.length ? `Outside reference range: ${abnormal.join('; ')}.` : 'All results within reference range.',
    });
  }
}

function addNote(ctx: StoryContext, spec: PatientSpec, visit: VisitPlan, encounter: Encounter, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const author = staffRef(visit.with);
  const signed = ctx.clock.plusMinutes(encounter.period!.end!, 25);
  ctx.set.add<DocumentReference>({
    resourceType: 'DocumentReference',
    id: `demo-note-${spec.key}-${pad2(visit.n)}`,
    status: 'current',
    docStatus: 'final',
    type: concept(NOTE_TYPE, 'Visit note'),
    subject: ref(ctx.patient, patientName(spec)),
    date: signed,
    author: [author],
    authenticator: author,
    custodian: encounter.serviceProvider!,
    description: `Visit note, ${ctx.clock.date(visit.day)}, ${STAFF[visit.with].display}`,
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'en-US',
          data: bytes.toString('base64'),
          size: bytes.length,
          // Attachment.hash is the base64 SHA-1 of the data (R4 datatypes).
          hash: createHash('sha1').update(bytes).digest('base64'),
          title: `Visit note - ${patientName(spec)}`,
          creation: signed,
        },
      },
    ],
    context: {
      encounter: [ref(encounter)],
      period: encounter.period!,
      practiceSetting: concept(STAFF[visit.with].role.specialty![0]!.coding![0]!),
    },
  });
}

function buildCondition(
  ctx: StoryContext,
  spec: PatientSpec,
  plan: ConditionPlan,
  at: { plan: VisitPlan; encounter: Encounter } | undefined,
): Condition {
  const { clock } = ctx;
  const onsetDay = at ? at.plan.day : (plan.onset as { day: number }).day;
  const resolved = plan.resolvedAfterDays !== undefined;
  const clinical = resolved ? ['resolved', 'Resolved'] : ['active', 'Active'];
  const condition: Condition = {
    resourceType: 'Condition',
    id: `demo-cond-${spec.key}-${slug(plan.key)}`,
    clinicalStatus: concept(coding(SYSTEM.conditionClinical, clinical[0]!, clinical[1]!)),
    verificationStatus: concept(coding(SYSTEM.conditionVerification, 'confirmed', 'Confirmed')),
    // A short illness is a diagnosis of the visit; a long-term condition belongs on the problem list.
    category: [
      resolved
        ? concept(coding(SYSTEM.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis'))
        : concept(coding(SYSTEM.conditionCategory, 'problem-list-item', 'Problem List Item')),
    ],
    code: concept(CONDITION[plan.key], CONDITION_TEXT[plan.key]),
    subject: ref(ctx.patient, patientName(spec)),
    onsetDateTime: at ? at.encounter.period!.start! : clock.date(onsetDay),
    recordedDate: at ? at.encounter.period!.end! : clock.date(onsetDay),
    recorder: staffRef(at ? at.plan.with : 'okafor'),
    asserter: staffRef(at ? at.plan.with : 'okafor'),
  };
  if (at) condition.encounter = ref(at.encounter);
  if (resolved) condition.abatementDateTime = clock.date(onsetDay + plan.resolvedAfterDays!);
  return condition;
}

const TABLET = (value: number): Quantity => ({ value, unit: value === 1 ? 'tablet' : 'tablets', system: SYSTEM.drugForm, code: 'TAB' });
const ORDERED = concept(coding(SYSTEM.doseRateType, 'ordered', 'Ordered'));

function dosage(sig: Sig): Dosage {
  if (sig.kind === 'tablet') {
    return {
      sequence: 1,
      text: sig.text,
      timing: { repeat: { frequency: sig.timesPerDay, period: 1, periodUnit: 'd', ...(sig.when ? { when: sig.when } : {}) } },
      route: concept(ROUTE.oral),
      doseAndRate: [{ type: ORDERED, doseQuantity: TABLET(sig.perDose) }],
    };
  }
  if (sig.kind === 'auto-injector') {
    return {
      sequence: 1,
      text: sig.text,
      asNeededCodeableConcept: concept(MANIFESTATION.anaphylaxis, 'Severe allergic reaction'),
      route: concept(ROUTE.intramuscular),
      doseAndRate: [{ type: ORDERED, doseQuantity: quantity(0.3, 'mg') }],
      maxDosePerPeriod: { numerator: quantity(0.6, 'mg'), denominator: quantity(1, 'day', 'd') },
    };
  }
  return {
    sequence: 1,
    text: sig.text,
    timing: { repeat: { frequency: 1, period: 4, periodMax: 6, periodUnit: 'h' } },
    asNeededCodeableConcept: concept(FINDING.wheezing, 'Wheezing or shortness of breath'),
    doseAndRate: [{ type: ORDERED, doseQuantity: { value: 2, unit: 'puff' } }],
    maxDosePerPeriod: { numerator: { value: 12, unit: 'puff' }, denominator: quantity(1, 'day', 'd') },
  };
}

function buildPrescription(
  ctx: StoryContext,
  spec: PatientSpec,
  plan: MedicationPlan,
  visit: VisitPlan,
  encounter: Encounter,
  reason: Pick<MedicationRequest, 'reasonReference' | 'reasonCode'>,
  prior: MedicationRequest | undefined,
): MedicationRequest {
  const { clock } = ctx;
  const sig = plan.sig;
  const dispenseRequest: MedicationRequestDispenseRequest = {
    validityPeriod: { start: clock.date(visit.day), end: clock.date(visit.day + 365) },
    numberOfRepeatsAllowed: sig.repeats,
    performer: ref(ORG.pharmacy, ORG.pharmacy.name),
  };
  if (sig.kind === 'tablet') {
    dispenseRequest.quantity = TABLET(sig.perDose * sig.timesPerDay * sig.supplyDays);
    dispenseRequest.expectedSupplyDuration = quantity(sig.supplyDays, 'days', 'd');
  } else if (sig.kind === 'inhaler') {
    dispenseRequest.quantity = { value: 1, unit: 'inhaler' };
  } else {
    // Auto-injectors are dispensed in twin packs so a second dose is always at hand.
    dispenseRequest.quantity = { value: 2, unit: 'auto-injectors' };
  }
  return {
    resourceType: 'MedicationRequest',
    id: `demo-rx-${spec.key}-${plan.id}`,
    status: plan.status,
    ...(plan.statusReason ? { statusReason: { text: plan.statusReason } } : {}),
    intent: 'order',
    category: [concept(coding('http://terminology.hl7.org/CodeSystem/medicationrequest-category', 'community', 'Community'))],
    medicationCodeableConcept: concept(DRUG[plan.drug], DRUG_TEXT[plan.drug]),
    subject: ref(ctx.patient, patientName(spec)),
    encounter: ref(encounter),
    authoredOn: encounter.period!.end!,
    requester: staffRef(visit.with),
    ...reason,
    ...(prior ? { priorPrescription: ref(prior, DRUG_TEXT[plan.drug]) } : {}),
    dosageInstruction: [dosage(sig)],
    dispenseRequest,
    substitution: { allowedBoolean: true },
  };
}

function buildAllergy(ctx: StoryContext, spec: PatientSpec, plan: AllergyPlan): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    id: `demo-allergy-${spec.key}-${plan.id}`,
    clinicalStatus: concept(coding(SYSTEM.allergyClinical, 'active', 'Active')),
    verificationStatus: concept(coding(SYSTEM.allergyVerification, 'confirmed', 'Confirmed')),
    type: 'allergy',
    category: [plan.category],
    criticality: plan.criticality,
    code: concept(ALLERGEN[plan.allergen], plan.text),
    patient: ref(ctx.patient, patientName(spec)),
    onsetDateTime: ctx.clock.date(plan.onsetDay),
    recordedDate: ctx.clock.date(plan.onsetDay),
    recorder: staffRef('okafor'),
    reaction: [
      {
        manifestation: [concept(MANIFESTATION[plan.reaction], plan.reactionText)],
        severity: plan.severity,
        onset: ctx.clock.date(plan.onsetDay),
      },
    ],
    ...(plan.note ? { note: [{ text: plan.note }] } : {}),
  };
}

const SITE: Record<ImmunizationPlan['site'], string> = { LD: 'left deltoid', RD: 'right deltoid', LT: 'left thigh', RT: 'right thigh' };
const ROUTE_NAME: Record<ImmunizationPlan['route'], string> = { IM: 'Injection, intramuscular', SQ: 'Injection, subcutaneous' };

function buildImmunization(ctx: StoryContext, spec: PatientSpec, plan: ImmunizationPlan, dose: number): Immunization {
  const given = ctx.clock.at(plan.day, '10:15');
  return {
    resourceType: 'Immunization',
    id: `demo-imm-${spec.key}-${slug(plan.vaccine)}-${dose}`,
    status: 'completed',
    vaccineCode: concept(VACCINE[plan.vaccine], VACCINE_TEXT[plan.vaccine]),
    patient: ref(ctx.patient, patientName(spec)),
    occurrenceDateTime: given,
    recorded: given,
    primarySource: true,
    location: ref(LOCATION.clinic, LOCATION.clinic.name),
    lotNumber: plan.lot,
    site: concept(coding(SYSTEM.actSite, plan.site, SITE[plan.site])),
    route: concept(coding(SYSTEM.routeOfAdministration, plan.route, ROUTE_NAME[plan.route])),
    doseQuantity: quantity(0.5, 'mL'),
    performer: [
      { function: concept(coding(SYSTEM.immunizationFunction, 'AP', 'Administering Provider')), actor: staffRef('mensah') },
    ],
  };
}

const APPOINTMENT_TYPE: Record<AppointmentPlan['type'], string> = {
  ROUTINE: 'Routine appointment - default if not valued',
  FOLLOWUP: 'A follow up visit from a previous appointment',
  CHECKUP: 'A routine check-up, such as an annual physical',
};

function buildAppointment(ctx: StoryContext, spec: PatientSpec, plan: AppointmentPlan, reason: Reference<Condition> | undefined): Appointment {
  const { clock } = ctx;
  const start = clock.at(plan.day, plan.time);
  const place = workplace(plan.with);
  const participant: Appointment['participant'] = [
    { actor: ref(ctx.patient, patientName(spec)), required: 'required', status: 'accepted' },
    {
      type: [concept(coding(SYSTEM.participationType, 'PPRF', 'primary performer'))],
      actor: staffRef(plan.with),
      required: 'required',
      status: 'accepted',
    },
  ];
  // A child's parent comes along (or joins the call) and is booked as a participant too.
  if (ctx.caregiver) {
    participant.push({ actor: ref(ctx.caregiver, 'Siobhán Brennan (mother)'), required: 'optional', status: 'accepted' });
  }
  if (plan.mode === 'in-person' && place.location) participant.push({ actor: place.location, required: 'required', status: 'accepted' });
  return {
    resourceType: 'Appointment',
    id: `demo-appt-${spec.key}-${plan.id}`,
    status: 'booked',
    serviceType: [
      plan.mode === 'video' ? concept(ENCOUNTER_TYPE.telemedicine, 'Video visit') : concept(ENCOUNTER_TYPE[plan.type === 'CHECKUP' ? 'checkup' : 'followUp'], 'In-person visit'),
    ],
    appointmentType: concept(coding(SYSTEM.appointmentType, plan.type, APPOINTMENT_TYPE[plan.type])),
    ...(reason ? { reasonReference: [reason] } : {}),
    description: plan.description,
    start,
    end: clock.plusMinutes(start, plan.minutes),
    minutesDuration: plan.minutes,
    created: clock.at(plan.bookedDay, '16:40'),
    patientInstruction: plan.instruction,
    participant,
  };
}
