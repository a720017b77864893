import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { scoreNews2 } from '@salus/core';
import {
  applyAlertToRows,
  applyLiveToDashboard,
  applyLiveToPatient,
  applyNews2ToRows,
  applyReadingsToRows,
  BAND_STYLE,
  countdown,
  liveMessage,
  mergeAlert,
  news2Response,
  news2ValueText,
  riskOf,
  sortAlerts,
  sparklineShape,
  thinPoints,
  timeSince,
  topAlertOf,
} from './monitoring.js';
import type { DashboardRow, MonitoringAlert, News2Summary, PatientMonitoring, SparkPoint } from './monitoring-api.js';

const alert = (id: string, o: Partial<MonitoringAlert> = {}): MonitoringAlert => ({
  id,
  patientId: 'ana',
  patientName: 'Ana Souza',
  status: 'open',
  severity: 'medium',
  rule: 'threshold:heart-rate:>120',
  title: 'Heart rate above 120 beats/min',
  detail: '',
  openedAt: '2026-04-20T10:00:00.000Z',
  ...o,
});

const row = (id: string, o: Partial<DashboardRow> = {}): DashboardRow => ({ patient: { id, name: id }, risk: 'low', openAlerts: 0, latest: [], sparklines: {}, ...o });
const news2 = (total: number, band: News2Summary['band']): News2Summary => ({ total, band, time: '2026-04-20T10:00:00.000Z', scale: 1, parameters: [] });
const order = (rows: DashboardRow[]) => rows.map((r) => r.patient.id);

describe('styles', () => {
  test('each NEWS2 band has its colour and its words', () => {
    assert.deepEqual(
      Object.entries(BAND_STYLE).map(([band, s]) => [band, s.color, s.label]),
      [
        ['low', 'green', 'Low'],
        ['low-medium', 'yellow', 'Low–medium'],
        ['medium', 'orange', 'Medium'],
        ['high', 'red', 'High'],
      ],
    );
  });

  test('NEWS2 measurements read as words', () => {
    assert.equal(news2ValueText('airOrOxygen', true), 'On oxygen');
    assert.equal(news2ValueText('airOrOxygen', false), 'Air');
    assert.equal(news2ValueText('consciousness', 'C'), 'New confusion');
    assert.equal(news2ValueText('respiratoryRate', 24), '24/min');
    assert.equal(news2ValueText('temperature', 38.4), '38.4 °C');
  });
});

describe('news2Response', () => {
  test('the response core gives for the same measurements', () => {
    const result = scoreNews2({ respiratoryRate: 24, oxygenSaturation: 93, onOxygen: false, systolic: 105, heartRate: 115, consciousness: 'A', temperature: 38.4 });
    const summary: News2Summary = { total: result.total, band: result.band, time: '2026-04-20T10:00:00Z', scale: 1, parameters: result.parameters };
    assert.equal(news2Response(summary), result.response);
  });

  test('no response when a measurement is missing or the score disagrees', () => {
    assert.equal(news2Response(news2(7, 'high')), undefined);
    const result = scoreNews2({ respiratoryRate: 16, oxygenSaturation: 98, onOxygen: false, systolic: 120, heartRate: 70, consciousness: 'A', temperature: 37 });
    assert.equal(news2Response({ total: 5, band: 'medium', time: '', scale: 1, parameters: result.parameters }), undefined);
  });
});

test('timeSince and countdown read at a glance', () => {
  const now = new Date('2026-04-20T12:00:00Z');
  assert.equal(timeSince('2026-04-20T11:59:40Z', now), 'just now');
  assert.equal(timeSince('2026-04-20T11:48:00Z', now), '12 min ago');
  assert.equal(timeSince('2026-04-20T07:00:00Z', now), '5 h ago');
  assert.equal(timeSince('2026-04-17T12:00:00Z', now), '3 days ago');
  assert.equal(timeSince(undefined, now), 'never');
  assert.equal(countdown('2026-04-20T12:14:05Z', now), '14:05');
  assert.equal(countdown('2026-04-20T12:00:00Z', now), undefined);
});

describe('alerts', () => {
  test('untaken first, then taken, then resolved; most severe, then newest, first within each', () => {
    const list = sortAlerts([
      alert('ack-high', { status: 'acknowledged', severity: 'high' }),
      alert('open-low', { severity: 'low' }),
      alert('done', { status: 'resolved', resolvedAt: '2026-04-20T11:00:00Z' }),
      alert('open-high-old', { severity: 'high', openedAt: '2026-04-20T08:00:00Z' }),
      alert('open-high-new', { severity: 'high', openedAt: '2026-04-20T09:00:00Z' }),
    ]);
    assert.deepEqual(
      list.map((a) => a.id),
      ['open-high-new', 'open-high-old', 'open-low', 'ack-high', 'done'],
    );
  });

  test('a state never goes back: an acknowledgement arriving after the resolution changes nothing', () => {
    const resolved = mergeAlert([alert('a1')], alert('a1', { status: 'resolved', resolvedBy: 'Dr. Okafor' }));
    assert.equal(resolved.changed, true);
    assert.equal(resolved.previous?.status, 'open');
    const late = mergeAlert(resolved.alerts, alert('a1', { status: 'acknowledged' }));
    assert.equal(late.changed, false);
    assert.equal(late.alerts[0]!.status, 'resolved');
    // An escalation keeps the status and is taken.
    const escalated = mergeAlert([alert('a1')], alert('a1', { escalatedAt: '2026-04-20T10:30:00Z', escalatedTo: 'Dr. Castillo' }));
    assert.equal(escalated.alerts[0]!.escalatedTo, 'Dr. Castillo');
  });

  test('the top alert is the most severe unresolved one', () => {
    assert.equal(topAlertOf([alert('m'), alert('h', { severity: 'high', status: 'acknowledged' }), alert('r', { severity: 'high', status: 'resolved' })])?.id, 'h');
    assert.equal(topAlertOf([alert('r', { status: 'resolved' })]), undefined);
  });
});

describe('dashboard rows', () => {
  const rows = [row('bea', { risk: 'medium', news2: news2(5, 'medium'), openAlerts: 1, topAlert: alert('b1', { patientId: 'bea' }) }), row('carl', { news2: news2(1, 'low') }), row('dan')];

  test('risk is the worse of the NEWS2 band and the top alert', () => {
    assert.equal(riskOf(news2(2, 'low'), alert('x', { severity: 'high' })), 'high');
    assert.equal(riskOf(news2(3, 'low-medium'), alert('x', { severity: 'low' })), 'low-medium');
    assert.equal(riskOf(undefined, undefined), 'low');
  });

  test('a new high alert moves its patient to the top; acknowledging keeps them there; resolving moves them back', () => {
    const high = alert('d1', { patientId: 'dan', patientName: 'dan', severity: 'high' });
    const opened = applyAlertToRows(rows, high, undefined, [high]);
    assert.deepEqual(order(opened), ['dan', 'bea', 'carl']);
    assert.equal(opened[0]!.openAlerts, 1);
    assert.equal(opened[0]!.risk, 'high');

    const acked = { ...high, status: 'acknowledged' as const, acknowledgedBy: 'Dr. Okafor' };
    const afterAck = applyAlertToRows(opened, acked, high, [acked]);
    assert.deepEqual(order(afterAck), ['dan', 'bea', 'carl']);
    assert.equal(afterAck[0]!.openAlerts, 1);
    assert.equal(afterAck[0]!.topAlert?.acknowledgedBy, 'Dr. Okafor');

    const resolved = { ...acked, status: 'resolved' as const };
    const afterResolve = applyAlertToRows(afterAck, resolved, acked, [resolved]);
    assert.deepEqual(order(afterResolve), ['bea', 'carl', 'dan']);
    assert.equal(afterResolve[2]!.openAlerts, 0);
    assert.equal(afterResolve[2]!.topAlert, undefined);
  });

  test('an alert about a patient not on the dashboard adds them', () => {
    const a = alert('e1', { patientId: 'eve', patientName: 'Eve Ng', severity: 'high' });
    const next = applyAlertToRows(rows, a, undefined, [a]);
    assert.deepEqual(order(next), ['eve', 'bea', 'carl', 'dan']);
    assert.equal(next[0]!.patient.name, 'Eve Ng');
  });

  test('a new NEWS2 re-sorts; a row whose place does not change stays put', () => {
    assert.deepEqual(order(applyNews2ToRows(rows, 'dan', news2(7, 'high'))), ['dan', 'bea', 'carl']);
    const same = applyNews2ToRows(rows, 'carl', { ...news2(1, 'low'), time: '2026-04-20T11:00:00Z' });
    assert.deepEqual(order(same), ['bea', 'carl', 'dan']);
    assert.equal(same[1]!.news2?.time, '2026-04-20T11:00:00Z');
  });

  test('live readings replace the latest value (dropping its stale advice) and extend the sparkline', () => {
    const withLatest = [
      row('ana', {
        latest: [{ kind: 'heart-rate', time: '2026-04-20T10:00:00.000Z', value: 70, unit: '/min', unitText: 'beats/min', text: 'Heart rate', advice: { level: 'ok', text: 'Fine' } }],
        sparklines: { 'heart-rate': [[Date.parse('2026-04-20T10:00:00Z'), 70]] },
        lastReadingAt: '2026-04-20T10:00:00.000Z',
      }),
    ];
    const next = applyReadingsToRows(withLatest, 'ana', [
      { kind: 'heart-rate', time: '2026-04-20T10:05:00.000Z', value: 125 },
      { kind: 'blood-pressure', time: '2026-04-20T10:04:00.000Z', value: 150, value2: 95 },
    ])[0]!;
    const hr = next.latest.find((l) => l.kind === 'heart-rate')!;
    assert.equal(hr.value, 125);
    assert.equal(hr.advice, undefined);
    const bp = next.latest.find((l) => l.kind === 'blood-pressure')!;
    assert.deepEqual([bp.value, bp.value2, bp.unitText], [150, 95, 'mmHg']);
    assert.equal(next.sparklines['heart-rate']!.length, 2);
    assert.equal(next.lastReadingAt, '2026-04-20T10:05:00.000Z');
  });

  test('only a high alert that has just opened is announced', () => {
    const view = { rows, alerts: [] };
    const high = alert('n1', { patientId: 'carl', severity: 'high' });
    const first = applyLiveToDashboard(view, { type: 'alert', alert: high });
    assert.equal(first.announce?.id, 'n1');
    assert.deepEqual(
      first.view.alerts.map((a) => a.id),
      ['n1'],
    );
    assert.equal(applyLiveToDashboard(first.view, { type: 'alert', alert: { ...high, escalatedAt: '2026-04-20T10:30:00Z' } }).announce, undefined);
    assert.equal(applyLiveToDashboard(view, { type: 'alert', alert: alert('n2', { patientId: 'carl' }) }).announce, undefined);
  });
});

test('a patient page takes only its own patient’s messages', () => {
  const pm: PatientMonitoring = { patient: { id: 'ana', name: 'Ana' }, enrolled: true, plan: { conditions: [], spo2Scale2: false, goals: [], rules: [] }, latest: [], sparklines: {}, alerts: [], devices: [] };
  assert.equal(applyLiveToPatient(pm, { type: 'alert', alert: alert('x', { patientId: 'bea' }) }), pm);
  assert.equal(applyLiveToPatient(pm, { type: 'news2', patientId: 'bea', news2: news2(3, 'low') }), pm);
  assert.equal(applyLiveToPatient(pm, { type: 'alert', alert: alert('x') }).alerts.length, 1);
  assert.equal(applyLiveToPatient(pm, { type: 'news2', patientId: 'ana', news2: news2(3, 'low') }).news2?.total, 3);
});

describe('sparklines', () => {
  test('thinning keeps each stretch’s lowest and highest, in time order, within the limit', () => {
    const points: SparkPoint[] = Array.from({ length: 1000 }, (_, i) => [i * 1000, i === 517 ? 200 : i === 233 ? 10 : 80 + (i % 7)]);
    const thin = thinPoints(points, 60);
    assert.ok(thin.length <= 60);
    assert.ok(thin.some((p) => p[1] === 200), 'the peak stays');
    assert.ok(thin.some((p) => p[1] === 10), 'the trough stays');
    assert.deepEqual(
      thin.map((p) => p[0]),
      [...thin.map((p) => p[0])].sort((a, b) => a - b),
    );
    assert.equal(thinPoints(points.slice(0, 10), 60).length, 10);
  });

  test('the shape fills the box, newest point marked; a flat series sits in the middle', () => {
    const shape = sparklineShape(
      [
        [0, 10],
        [50, 20],
        [100, 15],
      ],
      104,
      24,
    )!;
    assert.equal(shape.polyline, '2,22 52,2 102,12');
    assert.deepEqual(shape.last, { x: 102, y: 12 });
    assert.equal(
      sparklineShape(
        [
          [0, 5],
          [10, 5],
        ],
        20,
        10,
      )!.polyline,
      '2,5 18,5',
    );
    assert.equal(sparklineShape([], 20, 10), undefined);
  });
});

test('live messages are taken only in the shape the screens rely on', () => {
  assert.equal(liveMessage({ type: 'hello' }), undefined);
  assert.equal(liveMessage('nonsense'), undefined);
  assert.equal(liveMessage({ type: 'alert', alert: { id: 'a' } }), undefined);
  assert.equal(liveMessage({ type: 'alert', alert: alert('a') })?.type, 'alert');
  const readings = liveMessage({ type: 'readings', patientId: 'ana', readings: [{ kind: 'heart-rate', time: '2026-04-20T10:00:00Z', value: 70 }, { kind: 'made-up', time: 'x', value: 1 }] });
  assert.deepEqual(readings, { type: 'readings', patientId: 'ana', readings: [{ kind: 'heart-rate', time: '2026-04-20T10:00:00Z', value: 70 }] });
  assert.equal(liveMessage({ type: 'news2', patientId: 'ana', news2: { total: 3, band: 'nope' } }), undefined);
  assert.equal(liveMessage({ type: 'news2', patientId: 'ana', news2: news2(3, 'low') })?.type, 'news2');
});
