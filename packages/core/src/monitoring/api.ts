import type { News2Band, News2Parameter } from './news2.js';
import type { AlertSeverity, MonitoringPlan } from './rules.js';
import type { ReadingKind } from './readings.js';

/**
 * The JSON the monitoring endpoints answer with (`/monitoring/...`), shared by the server that
 * writes it and the web app that reads it.
 */

export type AdviceLevel = 'ok' | 'goal' | 'call' | 'urgent';

export interface LatestReading {
  kind: ReadingKind;
  time: string;
  value: number;
  value2?: number;
  unit: string;
  unitText: string;
  text: string;
  advice?: { level: AdviceLevel; text: string };
}

export interface News2Summary {
  total: number;
  band: News2Band;
  time: string;
  scale: 1 | 2;
  parameters: { parameter: News2Parameter; value: number | string | boolean; score: number }[];
}

export interface MonitoringAlert {
  id: string;
  patientId: string;
  patientName: string;
  status: 'open' | 'acknowledged' | 'resolved';
  severity: AlertSeverity;
  rule: string;
  title: string;
  detail: string;
  reading?: { kind: ReadingKind; time: string; value: number; value2?: number; unit: string };
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  escalatedAt?: string;
  escalatedTo?: string;
  owner?: string;
}

export interface MonitoredDevice {
  id: string;
  type: string;
  display: string;
  status: 'active' | 'inactive';
  lastSeen?: string;
}

/** Time (epoch ms) and value of a sparkline point. */
export type SparkPoint = [number, number];
export type Sparklines = Partial<Record<ReadingKind, SparkPoint[]>>;

export interface MonitoredPatient {
  id: string;
  name: string;
  birthDate?: string;
}

export interface PatientMonitoring {
  patient: MonitoredPatient;
  enrolled: boolean;
  plan: MonitoringPlan;
  latest: LatestReading[];
  sparklines: Sparklines;
  news2?: News2Summary;
  alerts: MonitoringAlert[];
  devices: MonitoredDevice[];
}

export type Risk = 'high' | 'medium' | 'low-medium' | 'low';

export interface DashboardRow {
  patient: MonitoredPatient;
  risk: Risk;
  news2?: News2Summary;
  openAlerts: number;
  topAlert?: MonitoringAlert;
  latest: LatestReading[];
  sparklines: Sparklines;
  lastReadingAt?: string;
}

