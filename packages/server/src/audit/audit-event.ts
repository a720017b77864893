import type { AuditEvent, AuditEventAgent, AuditEventEntity, CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { AuditInput } from './types.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SECURITY_ROLE_TYPE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** Salus's own identifier systems and codes in audit entries. */
export const AUDIT_SYSTEM = {
  account: 'https://salus.example/fhir/sid/account',
  client: 'https://salus.example/fhir/sid/client',
  role: 'https://salus.example/fhir/CodeSystem/role',
  /** Event subtypes that are not FHIR interactions: login, break-glass, export, ... */
  event: 'https://salus.example/fhir/CodeSystem/audit-event',
  /** meta.tag marking an entry for review (emergency access). */
  flag: 'https://salus.example/fhir/CodeSystem/audit-flag',
  userAgent: 'https://salus.example/fhir/StructureDefinition/user-agent',
} as const;

export const FLAGGED_TAG: Coding = { system: AUDIT_SYSTEM.flag, code: 'flagged', display: 'Flagged for review' };

const RESTFUL_CODES = new Set([
  'read', 'vread', 'update', 'patch', 'delete', 'history', 'history-instance', 'history-type', 'history-system',
  'create', 'search', 'search-type', 'search-system', 'capabilities', 'transaction', 'batch', 'operation',
]);

const dcm = (code: string, display: string): Coding => ({ system: DCM, code, display });
const USER_AUTHENTICATION = dcm('110114', 'User Authentication');
const SECURITY_ALERT = dcm('110113', 'Security Alert');
const LOGIN = dcm('110122', 'Login');

/** DICOM event type (and subtype where DICOM has one) of each Salus event. */
const SALUS_EVENTS: Record<string, { type: Coding; subtype?: Coding }> = {
  login: { type: USER_AUTHENTICATION, subtype: LOGIN },
  'login-failed': { type: USER_AUTHENTICATION, subtype: LOGIN },
  'mfa-failed': { type: USER_AUTHENTICATION, subtype: LOGIN },
  logout: { type: USER_AUTHENTICATION, subtype: dcm('110123', 'Logout') },
  token: { type: USER_AUTHENTICATION },
  'token-refresh': { type: USER_AUTHENTICATION },
  'token-revoke': { type: USER_AUTHENTICATION },
  'break-glass': { type: SECURITY_ALERT, subtype: dcm('110127', 'Emergency Override Started') },
  account: { type: SECURITY_ALERT, subtype: dcm('110137', 'User Security Attributes Changed') },
  export: { type: dcm('110106', 'Export') },
  'audit-verify': { type: dcm('110101', 'Audit Log Used') },
};
const APPLICATION_ACTIVITY = dcm('110100', 'Application Activity');

const OUTCOME = { success: '0', denied: '4', failure: '8' } as const;

const PATIENT_ENTITY_TYPE: Coding = { system: ENTITY_TYPE, code: '1', display: 'Person' };
const PATIENT_ROLE: Coding = { system: OBJECT_ROLE, code: '1', display: 'Patient' };
const OBJECT_ENTITY_TYPE: Coding = { system: ENTITY_TYPE, code: '2', display: 'System Object' };
const QUERY_ROLE: Coding = { system: OBJECT_ROLE, code: '24', display: 'Query' };

/**
 * The FHIR R4 AuditEvent recording `input`, without an id: the ledger gives it its sequence
 * number as id when it chains it.
 */
export function buildAuditEvent(input: AuditInput, recorded: Date): AuditEvent {
  const restful = RESTFUL_CODES.has(input.subtype);
  const salus = SALUS_EVENTS[input.subtype];
  // The first subtype is always the code the caller gave: the ledger indexes it.
  const subtype: Coding[] = [{ system: restful ? RESTFUL_INTERACTION : AUDIT_SYSTEM.event, code: input.subtype }];
  if (salus?.subtype) subtype.push(salus.subtype);
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: restful ? { system: EVENT_TYPE, code: 'rest', display: 'RESTful Operation' } : (salus?.type ?? APPLICATION_ACTIVITY),
    subtype,
    action: input.action,
    recorded: recorded.toISOString(),
    outcome: OUTCOME[input.outcome],
    agent: agents(input),
    source: {
      observer: { display: 'Salus' },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
  };
  if (input.flagged) event.meta = { tag: [FLAGGED_TAG] };
  if (input.outcomeDesc) event.outcomeDesc = input.outcomeDesc;
  const purpose = purposeOfEvent(input);
  if (purpose) event.purposeOfEvent = [purpose];
  const entity = entities(input);
  if (entity.length) event.entity = entity;
  return event;
}

function agents(input: AuditInput): AuditEventAgent[] {
  const { accountId, clientId, fhirUser, roles, ip, userAgent } = input.agent;
  // Network type 2: an IP address.
  const network: Pick<AuditEventAgent, 'network'> = ip ? { network: { address: ip, type: '2' } } : {};
  const extension: Pick<AuditEventAgent, 'extension'> = userAgent ? { extension: [{ url: AUDIT_SYSTEM.userAgent, valueString: userAgent }] } : {};
  const out: AuditEventAgent[] = [];
  if (accountId || fhirUser) {
    out.push({
      type: { coding: [{ system: SECURITY_ROLE_TYPE, code: 'humanuser', display: 'human user' }] },
      ...(roles?.length ? { role: roles.map((r) => ({ coding: [{ system: AUDIT_SYSTEM.role, code: r }] })) } : {}),
      who: {
        ...(fhirUser ? { reference: fhirUser } : {}),
        ...(accountId ? { identifier: { system: AUDIT_SYSTEM.account, value: accountId } } : {}),
      },
      requestor: true,
      ...network,
      ...extension,
    });
  }
  if (clientId) {
    const alone = out.length === 0;
    out.push({
      type: { coding: [{ system: SECURITY_ROLE_TYPE, code: 'dataprocessor', display: 'data processor' }] },
      who: { identifier: { system: AUDIT_SYSTEM.client, value: clientId } },
      // The person is the requestor when there is one; the app acts on their behalf.
      requestor: alone,
      ...(alone ? { ...network, ...extension } : {}),
    });
  }
  // AuditEvent needs an agent even when nobody could be identified (a failed sign-in).
  if (out.length === 0) out.push({ who: { display: 'anonymous' }, requestor: true, ...network, ...extension });
  return out;
}

function purposeOfEvent(input: AuditInput): CodeableConcept | undefined {
  // Emergency access is what break-the-glass means; a stated reason then accompanies the code.
  const emergency = input.subtype === 'break-glass' || (input.flagged === true && input.purpose !== undefined);
  if (emergency) {
    return {
      coding: [{ system: ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' }],
      ...(input.purpose ? { text: input.purpose } : {}),
    };
  }
  return input.purpose ? { text: input.purpose } : undefined;
}

function entities(input: AuditInput): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  const seen = new Set<string>();
  for (const id of input.patientIds) {
    const reference = `Patient/${id}`;
    if (seen.has(reference)) continue;
    seen.add(reference);
    out.push({ what: { reference }, type: PATIENT_ENTITY_TYPE, role: PATIENT_ROLE });
  }
  // A search can return hundreds of resources: the reference alone says what each is, and keeps
  // the entry small (type and role are optional).
  for (const reference of input.entities) {
    if (seen.has(reference)) continue;
    seen.add(reference);
    out.push({ what: { reference } });
  }
  if (input.query) {
    out.push({ type: OBJECT_ENTITY_TYPE, role: QUERY_ROLE, query: Buffer.from(input.query, 'utf8').toString('base64') });
  }
  return out;
}

const isPatientRole = (e: AuditEventEntity): boolean => e.role?.system === OBJECT_ROLE && e.role.code === '1';

/** What the ledger keeps beside each entry, for its indexes. */
export interface AuditIndex {
  recorded: string;
  subtype: string;
  accountId: string | null;
  patientIds: string[];
}

/**
 * The index columns an entry implies. Verification recomputes them from the sealed entry, so a
 * changed column (hiding an access from a patient's log, say) is found like a changed entry.
 * Throws on something that is not an entry this module wrote.
 */
export function auditIndex(event: AuditEvent): AuditIndex {
  const subtype = event.subtype?.[0]?.code;
  if (typeof subtype !== 'string' || typeof event.recorded !== 'string') throw new Error('not a ledger entry');
  let accountId: string | null = null;
  for (const a of event.agent) {
    const id = a.who?.identifier;
    if (id?.system === AUDIT_SYSTEM.account && id.value) {
      accountId = id.value;
      break;
    }
  }
  const patientIds: string[] = [];
  for (const e of event.entity ?? []) {
    const ref = e.what?.reference;
    if (isPatientRole(e) && ref?.startsWith('Patient/')) {
      patientIds.push(ref.slice('Patient/'.length));
    }
  }
  return { recorded: event.recorded, subtype, accountId, patientIds };
}

export function isFlagged(event: AuditEvent): boolean {
  return event.meta?.tag?.some((t) => t.system === FLAGGED_TAG.system && t.code === FLAGGED_TAG.code) ?? false;
}

/**
 * An entry as a patient (or their caregiver) sees it in their access log: who, when, what and
 * with what outcome, about their own record only. An entry can touch several patients (a search
 * across a clinic's list); resources of other patients, the query text and the staff member's
 * network address and browser stay out of it.
 */
export function patientView(event: AuditEvent, viewerPatientIds: readonly string[]): AuditEvent {
  const mine = new Set(viewerPatientIds.map((id) => `Patient/${id}`));
  const touched = auditIndex(event).patientIds;
  const onlyMine = touched.every((id) => mine.has(`Patient/${id}`));
  const entity = (event.entity ?? []).filter((e) => {
    if (e.query !== undefined) return false;
    const ref = e.what?.reference;
    if (isPatientRole(e)) return ref !== undefined && mine.has(ref);
    return onlyMine;
  });
  const view: AuditEvent = {
    ...event,
    agent: event.agent.map(({ network: _network, extension: _extension, ...agent }) => agent),
  };
  if (entity.length) view.entity = entity;
  else delete view.entity;
  return view;
}
