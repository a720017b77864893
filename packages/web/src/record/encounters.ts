import type { Encounter } from '@medplum/fhirtypes';

/** v3 ActEncounterCode classes in the words a patient would use. */
const KINDS: Record<string, string> = {
  AMB: 'In person',
  VR: 'Video or phone',
  HH: 'Home visit',
  EMER: 'Emergency',
  IMP: 'Hospital stay',
  ACUTE: 'Hospital stay',
  NONAC: 'Hospital stay',
  SS: 'Day case',
  OBSENC: 'Observation stay',
  PRENC: 'Before admission',
  FLD: 'Away from the clinic',
};

/** How the visit took place: in person, by video, at home, in hospital. */
export function encounterKind(e: Encounter): string {
  return (e.class?.code && KINDS[e.class.code]) || e.class?.display || '';
}
