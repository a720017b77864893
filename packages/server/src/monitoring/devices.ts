import type { Device, OperationDefinition, Parameters, ResourceType } from '@medplum/fhirtypes';
import { badRequest, methodNotAllowed } from '@salus/core';
import type { Queryable } from '../db/db.js';
import { FHIR_JSON, json, type FhirResponse, type OperationContext } from '../fhir/interaction.js';
import type { FhirRepository } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/service.js';
import { createPairingCode, issueDeviceToken, PAIRING_MINUTES, type DeviceTokens } from './device-tokens.js';

/** The kinds of home device Salus knows how to enrol, as Device.type. */
export const DEVICE_TYPE_SYSTEM = 'https://salus.health/fhir/CodeSystem/device-type';
export const DEVICE_TYPES = {
  'blood-pressure-monitor': 'Blood pressure monitor',
  'glucose-meter': 'Blood glucose meter',
  'pulse-oximeter': 'Pulse oximeter',
  scale: 'Weighing scale',
  thermometer: 'Thermometer',
  watch: 'Smartwatch',
  'ecg-monitor': 'ECG monitor',
  manual: 'Entered by hand',
} as const;
export type DeviceType = keyof typeof DEVICE_TYPES;

export function isDeviceType(v: unknown): v is Exclude<DeviceType, 'manual'> {
  return typeof v === 'string' && v !== 'manual' && Object.hasOwn(DEVICE_TYPES, v);
}

export interface DeviceDetails {
  type: DeviceType;
  manufacturer?: string;
  model?: string;
  serial?: string;
}

/** Checks what a person or device said about itself; every field named when wrong. */
export function readDeviceDetails(input: Record<string, unknown>): DeviceDetails {
  if (!isDeviceType(input.type)) {
    throw badRequest(`type must be one of ${Object.keys(DEVICE_TYPES).filter((t) => t !== 'manual').join(', ')}`, 'type');
  }
  const out: DeviceDetails = { type: input.type };
  for (const field of ['manufacturer', 'model', 'serial'] as const) {
    const v = input[field];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || v.length > 200) throw badRequest(`${field} must be text of at most 200 characters`, field);
    out[field] = v.trim();
  }
  return out;
}

export function deviceResource(patientId: string, d: DeviceDetails): Device {
  const display = DEVICE_TYPES[d.type];
  return {
    resourceType: 'Device',
    status: 'active',
    patient: { reference: `Patient/${patientId}` },
    type: { coding: [{ system: DEVICE_TYPE_SYSTEM, code: d.type, display }], text: display },
    deviceName: [{ name: [d.manufacturer, d.model].filter(Boolean).join(' ') || display, type: 'user-friendly-name' }],
    ...(d.manufacturer ? { manufacturer: d.manufacturer } : {}),
    ...(d.model ? { modelNumber: d.model } : {}),
    ...(d.serial ? { serialNumber: d.serial } : {}),
  };
}

/** Creates the Device through `repo` (its access check decides who may) and its first token, in `tx`. */
export async function enrolDevice(
  repo: FhirRepository,
  tx: Queryable,
  patientId: string,
  details: DeviceDetails,
  createdBy: string | undefined,
): Promise<{ device: Device & { id: string }; token: string }> {
  const stored = (await repo.within(tx).create(deviceResource(patientId, details))).stored;
  const token = await issueDeviceToken(tx, { deviceId: stored.id, patientId, ...(createdBy ? { createdBy } : {}) });
  return { device: JSON.parse(stored.content) as Device & { id: string }, token };
}

function parametersIn(body: unknown, op: string): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || (body as { resourceType?: unknown }).resourceType !== 'Parameters') {
    throw badRequest(`POST a Parameters resource to ${op}`, 'resourceType');
  }
  const out: Record<string, unknown> = {};
  for (const p of (body as Parameters).parameter ?? []) {
    if (p.name) out[p.name] = p.valueCode ?? p.valueString;
  }
  return out;
}

const operation = (code: string, resource: ResourceType, instance: boolean, description: string, parameter: OperationDefinition['parameter']): OperationDefinition => ({
  resourceType: 'OperationDefinition',
  id: `${resource}-${code}`,
  url: `https://salus.health/fhir/OperationDefinition/${resource}-${code}`,
  name: code.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
  status: 'active',
  kind: 'operation',
  code,
  description,
  resource: [resource],
  system: false,
  type: !instance,
  instance,
  parameter,
});

const enrolDefinition = operation(
  'enrol-device',
  'Patient',
  true,
  'Enrols a home device for the patient: creates the Device and a token the device sends its readings with (HTTPS bearer token, or MQTT password with the Device id as user name). The token is shown once. Patients and caregivers may enrol their own devices, clinicians those of patients in their care.',
  [
    { name: 'type', use: 'in', min: 1, max: '1', type: 'code', documentation: Object.keys(DEVICE_TYPES).filter((t) => t !== 'manual').join(' | ') },
    { name: 'manufacturer', use: 'in', min: 0, max: '1', type: 'string' },
    { name: 'model', use: 'in', min: 0, max: '1', type: 'string' },
    { name: 'serial', use: 'in', min: 0, max: '1', type: 'string' },
    { name: 'device', use: 'out', min: 1, max: '1', type: 'Device' },
    { name: 'token', use: 'out', min: 1, max: '1', type: 'string' },
  ],
);

const pairingDefinition = operation(
  'pairing-code',
  'Patient',
  true,
  `A single-use code, valid ${PAIRING_MINUTES} minutes, that connects a device to the patient's record when typed into the device's app (POST /monitoring/pair).`,
  [
    { name: 'code', use: 'out', min: 1, max: '1', type: 'string' },
    { name: 'expires', use: 'out', min: 1, max: '1', type: 'instant' },
  ],
);

const revokeDefinition = operation('revoke', 'Device', true, 'Disconnects a device: the Device becomes inactive and its tokens stop working on every node at once.', [
  { name: 'return', use: 'out', min: 1, max: '1', type: 'Device' },
]);

export function deviceOperations(deps: { tokens: DeviceTokens; now: () => Date }): FhirOperation[] {
  const enrol = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw methodNotAllowed('$enrol-device is invoked with POST');
    const details = readDeviceDetails(parametersIn(ctx.request.body, '$enrol-device'));
    await ctx.repo.read('Patient', ctx.id!);
    const who = ctx.repo.guard?.principal.fhirUser ?? ctx.repo.guard?.principal.clientId;
    const { device, token } = await ctx.repo.db.transaction((tx) => enrolDevice(ctx.repo, tx, ctx.id!, details, who));
    const out: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'device', resource: device }, { name: 'token', valueString: token }] };
    return { ...json(201, out), headers: { 'content-type': FHIR_JSON, 'cache-control': 'no-store' } };
  };
  const pairing = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw methodNotAllowed('$pairing-code is invoked with POST');
    await ctx.repo.read('Patient', ctx.id!);
    // Whoever may add a Device to this record may hand out the right to add one.
    ctx.repo.guard?.require('Device', 'c', `Patient/${ctx.id!}`);
    const who = ctx.repo.guard?.principal.fhirUser ?? ctx.repo.guard?.principal.clientId;
    const { code, expires } = await createPairingCode(ctx.repo.db, ctx.id!, who, deps.now());
    const out: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'code', valueString: code }, { name: 'expires', valueInstant: expires }] };
    return { ...json(200, out), headers: { 'content-type': FHIR_JSON, 'cache-control': 'no-store' } };
  };
  const revoke = async (ctx: OperationContext): Promise<FhirResponse> => {
    if (ctx.request.method !== 'POST') throw methodNotAllowed('$revoke is invoked with POST');
    const stored = await ctx.repo.db.transaction(async (tx) => {
      const repo = ctx.repo.within(tx);
      const device = JSON.parse((await repo.read('Device', ctx.id!)).content) as Device;
      const updated = (await repo.update('Device', ctx.id!, { ...device, status: 'inactive' })).stored;
      await deps.tokens.revoke(tx, ctx.id!);
      return updated;
    });
    return { status: 200, headers: { 'content-type': FHIR_JSON }, body: stored.content };
  };
  return [
    { key: 'Patient/:id/$enrol-device', handler: enrol, definition: enrolDefinition },
    { key: 'Patient/:id/$pairing-code', handler: pairing, definition: pairingDefinition },
    { key: 'Device/:id/$revoke', handler: revoke, definition: revokeDefinition },
  ];
}
