import type { Coding, Resource } from '@medplum/fhirtypes';

/**
 * Resource types whose purpose is free text or documents (messages, attachments, notes and
 * clinical impressions): every one of them is encrypted at rest.
 */
export const SENSITIVE_TYPES: ReadonlySet<string> = new Set([
  'Communication',
  'CommunicationRequest',
  'DocumentReference',
  'Binary',
  'Media',
  'ClinicalImpression',
]);

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** R (restricted) and V (very restricted); U, L, M and N are ordinary. */
const CONFIDENTIAL_CODES = new Set(['R', 'V']);

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/**
 * The concrete codes under _InformationSensitivityPolicy in the v3-ActCode CodeSystem of FHIR R4
 * (http://hl7.org/fhir/R4/v3/ActCode/cs.html, also in the hl7.fhir.r4.examples package, file
 * Bundle-v3-valuesets.json): each marks information as sensitive for a stated reason. PDS
 * ("patient default information sensitivity") is left out: it marks the ordinary level.
 */
const SENSITIVITY_CODES = new Set([
  // _ActInformationSensitivityPolicy: the kind of condition the information is about.
  'ETH', 'GDIS', 'HIV', 'MST', 'SCA', 'SDV', 'SEX', 'SPI', 'BH', 'COGN', 'DVD', 'EMOTDIS', 'MH', 'PSY',
  'PSYTHPN', 'SUD', 'ETHUD', 'OPIOIDUD', 'STD', 'TBOO', 'VIO', 'SICKLE',
  // _EntitySensitivityPolicyType: demographic details.
  'DEMO', 'DOB', 'GENDER', 'LIVARG', 'MARST', 'RACE', 'REL',
  // _RoleInformationSensitivityPolicy: who is involved.
  'B', 'EMPL', 'LOCIS', 'SSP',
  // Direct children: the person, or who asked for protection.
  'ADOL', 'CEL', 'DIA', 'DRGIS', 'EMP', 'PHY', 'PRS',
]);

function marksSensitive(label: Coding): boolean {
  if (label.code === undefined) return false;
  if (label.system === CONFIDENTIALITY) return CONFIDENTIAL_CODES.has(label.code);
  return label.system === ACT_CODE && SENSITIVITY_CODES.has(label.code);
}

/**
 * Whether a resource's stored content is encrypted at rest: the free-text types above, and any
 * resource labelled restricted or sensitive in `meta.security`, itself or in a contained resource.
 */
export function isSensitive(resource: Resource): boolean {
  if (SENSITIVE_TYPES.has(resource.resourceType)) return true;
  if (resource.meta?.security?.some(marksSensitive)) return true;
  const contained = (resource as { contained?: Resource[] }).contained;
  return contained !== undefined && contained.some(isSensitive);
}
