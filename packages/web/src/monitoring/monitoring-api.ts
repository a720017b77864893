import type { Device, Parameters } from '@medplum/fhirtypes';
import type { MonitoringPlan, RawReading, ReadingError, ReadingKind } from '@salus/core';
import { FHIR_BASE } from '../api/fhir.js';
import { request } from '../api/http.js';

/**
 * The remote-monitoring server's answers, as the screens use them, and the calls that get them.
 * The shapes are the server's JSON (the monitoring endpoints answer plain JSON, not FHIR
 * resources), except device enrolment and pairing, which are FHIR operations.
 */

export type {
  AdviceLevel,
  LatestReading,
  News2Summary,
  MonitoringAlert,
  MonitoredDevice,
  SparkPoint,
  Sparklines,
  MonitoredPatient,
  PatientMonitoring,
  Risk,
  DashboardRow,
} from '@salus/core';
import type { AdviceLevel, DashboardRow, MonitoringAlert, News2Summary, PatientMonitoring } from '@salus/core';

/** One point of a series: epoch ms, value (BP: systolic) and, for blood pressure, the diastolic. */
export type SeriesPoint = [number, number, number?];

export interface ReadingSeries {
  kind: ReadingKind;
  unit: string;
  unitText: string;
  /** Oldest first. */
  points: SeriesPoint[];
  /** More points fell in the window than asked for: these are the minimum and maximum of each stretch. */
  thinned?: boolean;
}

export interface EcgStrip {
  time: string;
  /** Milliseconds between samples. */
  period: number;
  unit: string;
  data: number[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: ReadingError[];
  alerts: string[];
  /** For readings entered by hand: what each new one means for the patient. */
  advice?: { kind: ReadingKind; time: string; level: AdviceLevel; text: string }[];
}

export interface LiveReading {
  kind: ReadingKind;
  time: string;
  value: number;
  value2?: number;
}

/** What the server pushes on `/monitoring/live`. */
export type LiveMessage =
  | { type: 'alert'; alert: MonitoringAlert }
  | { type: 'readings'; patientId: string; readings: LiveReading[] }
  | { type: 'news2'; patientId: string; news2: News2Summary };

export type DeviceType = 'blood-pressure-monitor' | 'glucose-meter' | 'pulse-oximeter' | 'scale' | 'thermometer' | 'watch' | 'ecg-monitor';

export const DEVICE_TYPES: readonly { value: DeviceType; label: string }[] = [
  { value: 'blood-pressure-monitor', label: 'Blood pressure monitor' },
  { value: 'glucose-meter', label: 'Blood glucose meter' },
  { value: 'pulse-oximeter', label: 'Pulse oximeter' },
  { value: 'scale', label: 'Weighing scale' },
  { value: 'thermometer', label: 'Thermometer' },
  { value: 'watch', label: 'Smartwatch' },
  { value: 'ecg-monitor', label: 'ECG monitor' },
];

const FHIR_JSON = 'application/fhir+json';
const patientPath = (id: string) => `/monitoring/patients/${encodeURIComponent(id)}`;

export async function loadDashboard(signal?: AbortSignal): Promise<DashboardRow[]> {
  return (await request<{ patients: DashboardRow[] }>('/monitoring/dashboard', { signal })).patients;
}

/** Alerts not yet resolved: of one patient, or of everyone the caller looks after. */
export async function loadAlerts(patientId: string | undefined, signal?: AbortSignal): Promise<MonitoringAlert[]> {
  const q = new URLSearchParams({ status: 'open,acknowledged', ...(patientId ? { patient: patientId } : {}) });
  return (await request<{ alerts: MonitoringAlert[] }>(`/monitoring/alerts?${q}`, { signal })).alerts;
}

export function loadPatientMonitoring(patientId: string, signal?: AbortSignal): Promise<PatientMonitoring> {
  return request<PatientMonitoring>(patientPath(patientId), { signal });
}

export interface SeriesQuery {
  kind: ReadingKind;
  from: number;
  to: number;
  /** Most points wanted; the server thins a busier window to this many. */
  max: number;
}

export function loadReadings(patientId: string, q: SeriesQuery, signal?: AbortSignal): Promise<ReadingSeries> {
  const params = new URLSearchParams({ kind: q.kind, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), max: String(q.max) });
  return request<ReadingSeries>(`${patientPath(patientId)}/readings?${params}`, { signal });
}

/** The latest ECG strips, newest first. */
export async function loadEcg(patientId: string, limit: number, signal?: AbortSignal): Promise<EcgStrip[]> {
  return (await request<{ strips: EcgStrip[] }>(`${patientPath(patientId)}/ecg?limit=${limit}`, { signal })).strips;
}

export function savePlan(patientId: string, plan: MonitoringPlan): Promise<MonitoringPlan> {
  return request<MonitoringPlan>(`${patientPath(patientId)}/plan`, { method: 'PUT', body: plan });
}

export function acknowledgeAlert(alertId: string): Promise<MonitoringAlert> {
  return request<MonitoringAlert>(`/monitoring/alerts/${encodeURIComponent(alertId)}/acknowledge`, { method: 'POST', body: {} });
}

export function resolveAlert(alertId: string, note: string): Promise<MonitoringAlert> {
  const text = note.trim();
  return request<MonitoringAlert>(`/monitoring/alerts/${encodeURIComponent(alertId)}/resolve`, { method: 'POST', body: text ? { note: text } : {} });
}

/** Readings entered by hand (by the patient, a caregiver or a clinician). */
export function postReadings(patientId: string, readings: RawReading[]): Promise<IngestResult> {
  return request<IngestResult>(`${patientPath(patientId)}/readings`, { method: 'POST', body: { readings } });
}

export interface PairingCode {
  code: string;
  expires: string;
}

export async function createPairingCode(patientId: string): Promise<PairingCode> {
  const p = await request<Parameters>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$pairing-code`, { method: 'POST', body: { resourceType: 'Parameters' }, contentType: FHIR_JSON });
  const get = (name: string) => p.parameter?.find((x) => x.name === name);
  return { code: get('code')?.valueString ?? '', expires: get('expires')?.valueInstant ?? '' };
}

export interface DeviceDetails {
  type: DeviceType;
  manufacturer?: string;
  model?: string;
  serial?: string;
}

export async function enrolDevice(patientId: string, details: DeviceDetails): Promise<{ device: Device; token: string }> {
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'type', valueCode: details.type },
      ...(['manufacturer', 'model', 'serial'] as const).flatMap((name) => (details[name]?.trim() ? [{ name, valueString: details[name]!.trim() }] : [])),
    ],
  };
  const p = await request<Parameters>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$enrol-device`, { method: 'POST', body, contentType: FHIR_JSON });
  const device = p.parameter?.find((x) => x.name === 'device')?.resource as Device | undefined;
  const token = p.parameter?.find((x) => x.name === 'token')?.valueString;
  if (!device || !token) throw new Error('The server did not return the new device and its token.');
  return { device, token };
}

export function revokeDevice(deviceId: string): Promise<Device> {
  return request<Device>(`${FHIR_BASE}/Device/${encodeURIComponent(deviceId)}/$revoke`, { method: 'POST', body: { resourceType: 'Parameters' }, contentType: FHIR_JSON });
}
