import type { Appointment, CodeableConcept, Coding } from '@medplum/fhirtypes';

/**
 * How a visit happens. An Appointment carries its mode as a SNOMED CT `serviceType` coding, and
 * the Encounter that follows it as its `class` (HL7 v3 ActCode: AMB in person, VR virtual, which
 * covers telephone as well as video).
 */
export type VisitMode = 'in-person' | 'video' | 'phone';

export const VISIT_MODE_LIST: readonly VisitMode[] = ['in-person', 'video', 'phone'];

const SNOMED = 'http://snomed.info/sct';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export const VISIT_MODES: Readonly<Record<VisitMode, { label: string; serviceType: Coding; encounterClass: Coding }>> = {
  // SNOMED CT 308335008 |Patient encounter procedure|, the general in-person consultation.
  'in-person': {
    label: 'In person',
    serviceType: { system: SNOMED, code: '308335008', display: 'Patient encounter procedure' },
    encounterClass: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  },
  // SNOMED CT 448337001 |Telemedicine consultation with patient|.
  video: {
    label: 'Video',
    serviceType: { system: SNOMED, code: '448337001', display: 'Telemedicine consultation with patient' },
    encounterClass: { system: ACT_CODE, code: 'VR', display: 'virtual' },
  },
  // SNOMED CT 185317003 |Telephone encounter|.
  phone: {
    label: 'Phone',
    serviceType: { system: SNOMED, code: '185317003', display: 'Telephone encounter' },
    encounterClass: { system: ACT_CODE, code: 'VR', display: 'virtual' },
  },
};

export function isVisitMode(value: unknown): value is VisitMode {
  return typeof value === 'string' && (VISIT_MODE_LIST as readonly string[]).includes(value);
}

/** The serviceType concept that marks an appointment's mode. */
export function visitModeConcept(mode: VisitMode): CodeableConcept {
  const c = VISIT_MODES[mode].serviceType;
  return { coding: [c], text: `${VISIT_MODES[mode].label} visit` };
}

/** The mode of an appointment: video or phone when its serviceType says so, otherwise in person. */
export function visitModeOf(appointment: Pick<Appointment, 'serviceType'>): VisitMode {
  const codes = (appointment.serviceType ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === SNOMED).map((c) => c.code);
  if (codes.includes(VISIT_MODES.video.serviceType.code)) return 'video';
  if (codes.includes(VISIT_MODES.phone.serviceType.code)) return 'phone';
  return 'in-person';
}
