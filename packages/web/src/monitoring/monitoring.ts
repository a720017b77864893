import { formatReading, READING_KINDS, scoreNews2, type Acvpu, type AlertSeverity, type News2Band, type News2Parameter, type ReadingKind } from '@salus/core';
import type { AdviceLevel, DashboardRow, Risk, LatestReading, LiveMessage, LiveReading, MonitoringAlert, News2Summary, PatientMonitoring, SparkPoint, Sparklines } from './monitoring-api.js';

/**
 * Remote monitoring as the screens show it: the colours and words of risk bands, alert severities
 * and advice; alerts kept in order as the live feed changes them; the dashboard's rows updated by
 * live messages; sparklines thinned and drawn. No I/O here, so all of it is tested directly.
 */

/** Every colour comes with its words: the badge's text says the band, the colour only repeats it. */
export const BAND_STYLE: Readonly<Record<News2Band, { label: string; color: string; rank: number }>> = {
  low: { label: 'Low', color: 'green', rank: 0 },
  'low-medium': { label: 'Low–medium', color: 'yellow', rank: 1 },
  medium: { label: 'Medium', color: 'orange', rank: 2 },
  high: { label: 'High', color: 'red', rank: 3 },
};

export const SEVERITY_STYLE: Readonly<Record<AlertSeverity, { label: string; color: string; rank: number }>> = {
  low: { label: 'Low', color: 'blue', rank: 0 },
  medium: { label: 'Medium', color: 'orange', rank: 1 },
  high: { label: 'High', color: 'red', rank: 2 },
};

export const ADVICE_STYLE: Readonly<Record<AdviceLevel, { label: string; color: string }>> = {
  ok: { label: 'No action needed', color: 'green' },
  goal: { label: 'Outside your goal', color: 'yellow' },
  call: { label: 'Call your care team', color: 'orange' },
  urgent: { label: 'Urgent', color: 'red' },
};

export const NEWS2_PARAMETER_LABEL: Readonly<Record<News2Parameter, string>> = {
  respiratoryRate: 'Respiration rate',
  oxygenSaturation: 'SpO₂',
  airOrOxygen: 'Air or oxygen',
  systolic: 'Systolic blood pressure',
  heartRate: 'Pulse',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
};

const ACVPU_TEXT: Record<Acvpu, string> = { A: 'Alert', C: 'New confusion', V: 'Responds to voice', P: 'Responds to pain', U: 'Unresponsive' };

/** A NEWS2 parameter's measurement in words: "22/min", "On oxygen", "New confusion". */
export function news2ValueText(parameter: News2Parameter, value: number | string | boolean): string {
  if (parameter === 'airOrOxygen') return value === true ? 'On oxygen' : 'Air';
  if (parameter === 'consciousness') return ACVPU_TEXT[value as Acvpu] ?? String(value);
  if (typeof value !== 'number') return String(value);
  const unit: Partial<Record<News2Parameter, string>> = { respiratoryRate: '/min', oxygenSaturation: '%', systolic: ' mmHg', heartRate: '/min', temperature: ' °C' };
  return `${value}${unit[parameter] ?? ''}`;
}

/**
 * The clinical response a summary's band calls for. The server's summary carries the measurements
 * but not the words; scoring them again with core's NEWS2 gives the same words the server would
 * use, so they are written in one place. Undefined when a measurement is missing or the score
 * disagrees (then only the band is shown, never a response that may not fit).
 */
export function news2Response(summary: News2Summary): string | undefined {
  const values = new Map(summary.parameters.map((p) => [p.parameter, p.value]));
  const num = (p: News2Parameter): number => {
    const v = values.get(p);
    return typeof v === 'number' ? v : Number.NaN;
  };
  try {
    const result = scoreNews2({
      respiratoryRate: num('respiratoryRate'),
      oxygenSaturation: num('oxygenSaturation'),
      onOxygen: values.get('airOrOxygen') === true,
      systolic: num('systolic'),
      heartRate: num('heartRate'),
      consciousness: values.get('consciousness') as Acvpu,
      temperature: num('temperature'),
      scale2: summary.scale === 2,
    });
    return result.band === summary.band && result.total === summary.total ? result.response : undefined;
  } catch {
    return undefined;
  }
}

/** The readings a dashboard row shows, in the order clinicians scan them. */
const DASHBOARD_KINDS: readonly ReadingKind[] = ['blood-pressure', 'heart-rate', 'oxygen-saturation', 'body-temperature', 'blood-glucose', 'body-weight'];

export const SHORT_LABEL: Readonly<Partial<Record<ReadingKind, string>>> = {
  'blood-pressure': 'BP',
  'heart-rate': 'HR',
  'oxygen-saturation': 'SpO₂',
  'body-temperature': 'Temp',
  'blood-glucose': 'Glucose',
  'body-weight': 'Weight',
  'respiratory-rate': 'RR',
};

export function dashboardReadings(latest: readonly LatestReading[]): LatestReading[] {
  return DASHBOARD_KINDS.flatMap((kind) => latest.find((r) => r.kind === kind) ?? []);
}

/** A reading with its unit: "142/91 mmHg", "72 beats/min". */
export function readingText(r: { kind: ReadingKind; value: number; value2?: number | undefined }): string {
  return formatReading(r.value2 === undefined ? { kind: r.kind, value: r.value } : { kind: r.kind, value: r.value, value2: r.value2 });
}

/** How long ago, in the words of a glance: "just now", "12 min ago", "5 h ago", "3 days ago". */
export function timeSince(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const ms = now.getTime() - Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Time left until `expires` as "m:ss"; undefined once it has passed. */
export function countdown(expires: string, now: Date): string | undefined {
  const left = Math.ceil((Date.parse(expires) - now.getTime()) / 1000);
  if (!(left > 0)) return undefined;
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

// ---- Alerts ----

const STATUS_RANK: Record<MonitoringAlert['status'], number> = { open: 0, acknowledged: 1, resolved: 2 };

/** Still needing care: open or acknowledged. */
function isUnresolved(alert: MonitoringAlert): boolean {
  return alert.status !== 'resolved';
}

/**
 * The feed's order: what nobody has taken on yet first, then what is being handled, then what
 * was just resolved; within each, the most severe and then the newest first.
 */
export function sortAlerts(alerts: readonly MonitoringAlert[]): MonitoringAlert[] {
  return [...alerts].sort(
    (a, b) =>
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      SEVERITY_STYLE[b.severity].rank - SEVERITY_STYLE[a.severity].rank ||
      Date.parse(b.resolvedAt ?? b.openedAt) - Date.parse(a.resolvedAt ?? a.openedAt),
  );
}

/**
 * The feed with an alert's new state, and the state it replaced. The same alert arrives twice
 * (the button's answer and the live message) and not always in order: a state never goes back
 * (an acknowledgement arriving after the resolution changes nothing).
 */
export function mergeAlert(alerts: readonly MonitoringAlert[], alert: MonitoringAlert): { alerts: MonitoringAlert[]; previous?: MonitoringAlert; changed: boolean } {
  const previous = alerts.find((a) => a.id === alert.id);
  if (previous && STATUS_RANK[previous.status] > STATUS_RANK[alert.status]) return { alerts: [...alerts], previous, changed: false };
  const next = sortAlerts([...alerts.filter((a) => a.id !== alert.id), alert]);
  return previous ? { alerts: next, previous, changed: true } : { alerts: next, changed: true };
}

/** The alert a row names: the most severe one still needing care, the untaken before the taken, the newest. */
export function topAlertOf(alerts: readonly MonitoringAlert[]): MonitoringAlert | undefined {
  return [...alerts]
    .filter(isUnresolved)
    .sort((a, b) => SEVERITY_STYLE[b.severity].rank - SEVERITY_STYLE[a.severity].rank || STATUS_RANK[a.status] - STATUS_RANK[b.status] || Date.parse(b.openedAt) - Date.parse(a.openedAt))[0];
}

// ---- Dashboard rows ----

const RISK_RANK: Record<Risk, number> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };

/** A row's risk as the server works it out: the worse of its NEWS2 band and its top alert's severity. */
export function riskOf(news2: News2Summary | undefined, topAlert: MonitoringAlert | undefined): Risk {
  const fromAlert: Risk = !topAlert || !isUnresolved(topAlert) ? 'low' : topAlert.severity === 'high' ? 'high' : topAlert.severity === 'medium' ? 'medium' : 'low';
  const fromBand: Risk = news2?.band ?? 'low';
  return RISK_RANK[fromAlert] >= RISK_RANK[fromBand] ? fromAlert : fromBand;
}

/**
 * The server's order of the dashboard (risk, then open alerts, then NEWS2 total, then name):
 * negative when `a` comes first. Used only to move a row that a live message changed.
 */
function compareRows(a: DashboardRow, b: DashboardRow): number {
  return RISK_RANK[b.risk] - RISK_RANK[a.risk] || b.openAlerts - a.openAlerts || (b.news2?.total ?? -1) - (a.news2?.total ?? -1) || a.patient.name.localeCompare(b.patient.name);
}

/**
 * `rows` with `row` (a new version of one of them, or a new one) in its place. A row whose
 * place in the order did not change stays where the server put it; one that changed goes before
 * the first row it comes before, leaving the others as they were.
 */
function placeRow(rows: readonly DashboardRow[], row: DashboardRow): DashboardRow[] {
  const at = rows.findIndex((r) => r.patient.id === row.patient.id);
  if (at >= 0 && compareRows(rows[at]!, row) === 0) return rows.map((r, i) => (i === at ? row : r));
  const others = rows.filter((r) => r.patient.id !== row.patient.id);
  const to = others.findIndex((r) => compareRows(row, r) <= 0);
  others.splice(to < 0 ? others.length : to, 0, row);
  return others;
}

/**
 * The rows after an alert changed. `previous` is the alert's state before (from the feed), and
 * `feed` the feed with the new state merged: the row's top alert is chosen among the patient's
 * alerts in it. A patient not on the dashboard yet (enrolled since it loaded) gets a row.
 */
export function applyAlertToRows(rows: readonly DashboardRow[], alert: MonitoringAlert, previous: MonitoringAlert | undefined, feed: readonly MonitoringAlert[]): DashboardRow[] {
  const row = rows.find((r) => r.patient.id === alert.patientId);
  const unresolved = isUnresolved(alert);
  if (!row) {
    if (!unresolved) return [...rows];
    return placeRow(rows, { patient: { id: alert.patientId, name: alert.patientName }, risk: riskOf(undefined, alert), openAlerts: 1, topAlert: alert, latest: [], sparklines: {} });
  }
  const delta = (unresolved ? 1 : 0) - (previous && isUnresolved(previous) ? 1 : 0);
  const known = feed.filter((a) => a.patientId === alert.patientId);
  const candidates = [...known, ...(row.topAlert && !known.some((a) => a.id === row.topAlert!.id) ? [row.topAlert] : [])];
  const topAlert = topAlertOf(candidates);
  const next: DashboardRow = { ...row, risk: riskOf(row.news2, topAlert), openAlerts: Math.max(0, row.openAlerts + delta) };
  if (topAlert) next.topAlert = topAlert;
  else delete next.topAlert;
  return placeRow(rows, next);
}

export function applyNews2ToRows(rows: readonly DashboardRow[], patientId: string, news2: News2Summary): DashboardRow[] {
  const row = rows.find((r) => r.patient.id === patientId);
  return row ? placeRow(rows, { ...row, news2, risk: riskOf(news2, row.topAlert) }) : [...rows];
}

const WEEK_MS = 7 * 86_400_000;
/** The server sends at most this many sparkline points per kind; live points are thinned back to it. */
const SPARKLINE_POINTS = 60;

/**
 * The latest reading of each kind after live readings came in. The server's advice was about the
 * value it replaces, so a replaced reading loses it: a stale verdict is worse than none.
 */
function mergeLatest(latest: readonly LatestReading[], readings: readonly LiveReading[]): LatestReading[] {
  const out = [...latest];
  for (const r of readings) {
    const t = Date.parse(r.time);
    if (Number.isNaN(t)) continue;
    const i = out.findIndex((l) => l.kind === r.kind);
    const current = out[i];
    if (current && Date.parse(current.time) > t) continue;
    const info = READING_KINDS[r.kind];
    const next: LatestReading = {
      kind: r.kind,
      time: r.time,
      value: r.value,
      ...(typeof r.value2 === 'number' ? { value2: r.value2 } : {}),
      unit: current?.unit ?? info.unit,
      unitText: current?.unitText ?? info.unitText,
      text: current?.text ?? info.text,
    };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return out;
}

/** The week's sparklines with live readings added, thinned back to the server's size. */
function mergeSparklines(sparklines: Sparklines, readings: readonly LiveReading[]): Sparklines {
  const out: Sparklines = { ...sparklines };
  for (const kind of new Set(readings.map((r) => r.kind))) {
    const added = readings.flatMap((r): SparkPoint[] => (r.kind === kind && !Number.isNaN(Date.parse(r.time)) ? [[Date.parse(r.time), r.value]] : []));
    const line = [...(out[kind] ?? []), ...added].sort((a, b) => a[0] - b[0]);
    if (line.length === 0) continue;
    const newest = line[line.length - 1]![0];
    out[kind] = thinPoints(
      line.filter((p) => p[0] >= newest - WEEK_MS),
      SPARKLINE_POINTS,
    );
  }
  return out;
}

/** A row with live readings: the latest value per kind, the sparklines and the time of the last reading. */
export function applyReadingsToRows(rows: readonly DashboardRow[], patientId: string, readings: readonly LiveReading[]): DashboardRow[] {
  return rows.map((row) => {
    if (row.patient.id !== patientId) return row;
    const newest = readings.reduce<string | undefined>((m, r) => (!Number.isNaN(Date.parse(r.time)) && (!m || Date.parse(r.time) > Date.parse(m)) ? r.time : m), row.lastReadingAt);
    return { ...row, latest: mergeLatest(row.latest, readings), sparklines: mergeSparklines(row.sparklines, readings), ...(newest ? { lastReadingAt: newest } : {}) };
  });
}

export interface DashboardView {
  rows: DashboardRow[];
  alerts: MonitoringAlert[];
}

/**
 * The dashboard after a live message, and the alert to announce: a high-severity alert that has
 * just opened (not one already on screen changing state).
 */
export function applyLiveToDashboard(view: DashboardView, message: LiveMessage): { view: DashboardView; announce?: MonitoringAlert } {
  if (message.type === 'alert') {
    const { alerts, previous, changed } = mergeAlert(view.alerts, message.alert);
    if (!changed) return { view };
    const next = { rows: applyAlertToRows(view.rows, message.alert, previous, alerts), alerts };
    return !previous && message.alert.status === 'open' && message.alert.severity === 'high' ? { view: next, announce: message.alert } : { view: next };
  }
  if (message.type === 'news2') return { view: { ...view, rows: applyNews2ToRows(view.rows, message.patientId, message.news2) } };
  return { view: { ...view, rows: applyReadingsToRows(view.rows, message.patientId, message.readings) } };
}

/** One patient's monitoring after a live message (messages about others are ignored). */
export function applyLiveToPatient(pm: PatientMonitoring, message: LiveMessage): PatientMonitoring {
  if (message.type === 'alert') {
    if (message.alert.patientId !== pm.patient.id) return pm;
    const { alerts, changed } = mergeAlert(pm.alerts, message.alert);
    return changed ? { ...pm, alerts } : pm;
  }
  if (message.patientId !== pm.patient.id) return pm;
  if (message.type === 'news2') return { ...pm, news2: message.news2 };
  return { ...pm, latest: mergeLatest(pm.latest, message.readings), sparklines: mergeSparklines(pm.sparklines, message.readings) };
}

// ---- Sparklines ----

/**
 * At most `max` points, oldest first, keeping each stretch's lowest and highest value so that a
 * peak never disappears from a small chart (averaging would flatten exactly what matters).
 */
export function thinPoints(points: readonly SparkPoint[], max: number): SparkPoint[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const out: SparkPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    let lo = 0;
    let hi = 0;
    slice.forEach((p, i) => {
      if (p[1] < slice[lo]![1]) lo = i;
      if (p[1] > slice[hi]![1]) hi = i;
    });
    for (const i of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) out.push(slice[i]!);
  }
  return out;
}

export interface SparklineShape {
  /** The `points` attribute of an SVG polyline. */
  polyline: string;
  /** Where the newest point is drawn, marked with a dot. */
  last: { x: number; y: number };
}

/** The points laid out in a `width` × `height` box (a flat line across the middle when all values are equal). */
export function sparklineShape(points: readonly SparkPoint[], width: number, height: number, pad = 2): SparklineShape | undefined {
  if (points.length === 0) return undefined;
  const t0 = points[0]![0];
  const t1 = points[points.length - 1]![0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [, v] of points) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const x = (t: number) => (t1 === t0 ? width - pad : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (v: number) => (hi === lo ? height / 2 : pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad));
  const round = (n: number) => Math.round(n * 10) / 10;
  const polyline = points.map(([t, v]) => `${round(x(t))},${round(y(v))}`).join(' ');
  const [lt, lv] = points[points.length - 1]!;
  return { polyline, last: { x: round(x(lt)), y: round(y(lv)) } };
}

// ---- Live messages ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A message from `/monitoring/live` if it has the shape the screens rely on; anything else is ignored. */
export function liveMessage(raw: unknown): LiveMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'alert' && isObject(raw.alert) && typeof raw.alert.id === 'string' && typeof raw.alert.patientId === 'string' && typeof raw.alert.status === 'string') {
    return { type: 'alert', alert: raw.alert as unknown as MonitoringAlert };
  }
  if (raw.type === 'readings' && typeof raw.patientId === 'string' && Array.isArray(raw.readings)) {
    const readings = raw.readings.filter((r): r is LiveReading => isObject(r) && typeof r.kind === 'string' && r.kind in READING_KINDS && typeof r.time === 'string' && typeof r.value === 'number');
    return { type: 'readings', patientId: raw.patientId, readings };
  }
  if (raw.type === 'news2' && typeof raw.patientId === 'string' && isObject(raw.news2) && typeof raw.news2.total === 'number' && typeof raw.news2.band === 'string' && raw.news2.band in BAND_STYLE) {
    return { type: 'news2', patientId: raw.patientId, news2: raw.news2 as unknown as News2Summary };
  }
  return undefined;
}
