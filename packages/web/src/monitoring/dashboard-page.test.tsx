import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Notifications } from '@mantine/notifications';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { FakeWebSocket } from '../telehealth/fake-websocket.js';
import { MonitoringDashboardPage } from './dashboard-page.js';
import type { DashboardRow, MonitoringAlert, News2Summary } from './monitoring-api.js';

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
const news2 = (total: number, band: News2Summary['band']): News2Summary => ({ total, band, time: ago(30), scale: 1, parameters: [] });

const alert = (id: string, o: Partial<MonitoringAlert> = {}): MonitoringAlert => ({
  id,
  patientId: 'bea',
  patientName: 'Beatriz Lima',
  status: 'open',
  severity: 'medium',
  rule: 'threshold:heart-rate:>120',
  title: 'Heart rate above 120 beats/min',
  detail: 'Resting heart rate 126 beats/min.',
  reading: { kind: 'heart-rate', time: ago(20), value: 126, unit: '/min' },
  openedAt: ago(20),
  ...o,
});

const rows: DashboardRow[] = [
  {
    patient: { id: 'bea', name: 'Beatriz Lima', birthDate: '1950-02-01' },
    risk: 'medium',
    news2: news2(5, 'medium'),
    openAlerts: 1,
    topAlert: alert('a1'),
    latest: [
      { kind: 'heart-rate', time: ago(20), value: 126, unit: '/min', unitText: 'beats/min', text: 'Heart rate' },
      { kind: 'blood-pressure', time: ago(25), value: 142, value2: 91, unit: 'mm[Hg]', unitText: 'mmHg', text: 'Blood pressure' },
    ],
    sparklines: {
      'heart-rate': [
        [now - 86_400_000, 80],
        [now - 1_200_000, 126],
      ],
    },
    lastReadingAt: ago(20),
  },
  { patient: { id: 'carl', name: 'Carl Okoye' }, risk: 'low', news2: news2(1, 'low'), openAlerts: 0, latest: [], sparklines: {}, lastReadingAt: ago(180) },
  { patient: { id: 'dora', name: 'Dora Reyes' }, risk: 'low', openAlerts: 0, latest: [], sparklines: {} },
];

const patientOrder = () => {
  const table = screen.getByRole('table', { name: 'Monitored patients, most at risk first' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('link')[0]!.textContent);
};

describe('MonitoringDashboardPage', () => {
  let server: FakeServer;
  let restore: () => void;
  let answer: (id: string, to: 'acknowledged' | 'resolved') => { status?: number; body?: unknown };
  beforeEach(() => {
    restore = FakeWebSocket.install();
    answer = (id, to) => ({
      body: { ...alert(id), status: to, ...(to === 'acknowledged' ? { acknowledgedAt: ago(0), acknowledgedBy: 'Dr. Amara Okafor' } : { acknowledgedAt: ago(1), acknowledgedBy: 'Dr. Amara Okafor', resolvedAt: ago(0), resolvedBy: 'Dr. Amara Okafor' }) },
    });
    server = fakeServer((call) => {
      const url = new URL(call.url, 'http://localhost');
      if (url.pathname === '/monitoring/dashboard') return { body: { patients: rows } };
      if (url.pathname === '/monitoring/alerts' && call.method === 'GET') return { body: { alerts: [alert('a1')] } };
      const move = /^\/monitoring\/alerts\/([^/]+)\/(acknowledge|resolve)$/.exec(url.pathname);
      if (move && call.method === 'POST') return answer(move[1]!, move[2] === 'acknowledge' ? 'acknowledged' : 'resolved');
      return undefined;
    });
  });
  afterEach(() => {
    server.restore();
    restore();
  });

  test('patients in the server’s risk order, each with NEWS2 in words, latest readings and alerts', async () => {
    renderUi(<MonitoringDashboardPage />, { path: '/clinician/monitoring' });
    await screen.findByRole('table', { name: 'Monitored patients, most at risk first' });
    assert.deepEqual(patientOrder(), ['Beatriz Lima', 'Carl Okoye', 'Dora Reyes']);
    const table = screen.getByRole('table', { name: 'Monitored patients, most at risk first' });
    const bea = within(table).getAllByRole('row')[1]!;
    assert.equal(within(bea).getByRole('link', { name: 'Beatriz Lima' }).getAttribute('href'), '/clinician/patients/bea/monitoring');
    assert.ok(within(bea).getByText('NEWS2 5 · Medium risk'));
    assert.ok(within(bea).getByText('126 beats/min'));
    assert.ok(within(bea).getByText('142/91 mmHg'));
    assert.ok(within(bea).getByText('1 open'));
    assert.ok(within(bea).getByText('Medium severity'));
    assert.ok(within(bea).getByText('20 min ago'));
    assert.equal(bea.querySelectorAll('svg.monitoring-sparkline polyline').length, 1, 'a sparkline where there is a week of points');
    assert.ok(within(table).getByText('No NEWS2'));
    assert.ok(within(table).getByText('Never'));
    assert.ok(server.calls.some((c) => c.url === '/monitoring/alerts?status=open%2Cacknowledged'), 'the feed asks for alerts still needing action');
  });

  test('a high alert arriving live appears in the feed, is announced, and moves its patient to the top', async () => {
    renderUi(
      <>
        <Notifications />
        <MonitoringDashboardPage />
      </>,
      { path: '/clinician/monitoring' },
    );
    await screen.findByRole('table', { name: 'Monitored patients, most at risk first' });
    const socket = FakeWebSocket.latest();
    assert.match(socket.url, /^ws:\/\/localhost:8080\/monitoring\/live$/);
    act(() => socket.open());
    await screen.findByText('Live');

    const high = alert('a2', { patientId: 'dora', patientName: 'Dora Reyes', severity: 'high', title: 'SpO₂ below 88%', detail: 'SpO₂ 85%.', openedAt: ago(0) });
    act(() => socket.receive({ type: 'alert', alert: high }));
    const feed = screen.getByRole('list', { name: 'Monitoring alerts' });
    await waitFor(() => assert.equal(within(feed).getAllByRole('listitem').length, 2));
    const first = within(feed).getAllByRole('listitem')[0]!;
    assert.ok(within(first).getByText('SpO₂ below 88%'), 'the new high alert leads the feed');
    assert.ok(within(first).getByText('High severity'));
    assert.equal(within(first).getByRole('link', { name: 'Dora Reyes' }).getAttribute('href'), '/clinician/patients/dora/monitoring');
    assert.deepEqual(patientOrder(), ['Dora Reyes', 'Beatriz Lima', 'Carl Okoye']);
    assert.ok(await screen.findByText('High-severity alert: Dora Reyes'), 'announced');

    // Someone else acknowledges it: the card says who, and the patient stays on top.
    act(() => socket.receive({ type: 'alert', alert: { ...high, status: 'acknowledged', acknowledgedAt: ago(0), acknowledgedBy: 'Dr. Sofía Castillo' } }));
    await screen.findByText(/Acknowledged by Dr. Sofía Castillo/);
    assert.equal(screen.queryByRole('button', { name: 'Acknowledge: SpO₂ below 88%, Dora Reyes' }), null);
    assert.deepEqual(patientOrder(), ['Dora Reyes', 'Beatriz Lima', 'Carl Okoye']);

    // A high NEWS2 for Carl moves him above Beatriz; Dora, as high with an alert open, stays first.
    act(() => socket.receive({ type: 'news2', patientId: 'carl', news2: news2(7, 'high') }));
    await waitFor(() => assert.deepEqual(patientOrder(), ['Dora Reyes', 'Carl Okoye', 'Beatriz Lima']));
    assert.ok(screen.getByText('NEWS2 7 · High risk'));
  });

  test('acknowledge and resolve call the server and show who did it; resolving sends the note', async () => {
    renderUi(<MonitoringDashboardPage />, { path: '/clinician/monitoring' });
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge: Heart rate above 120 beats/min, Beatriz Lima' }));
    await screen.findByText(/Acknowledged by Dr. Amara Okafor/);
    assert.ok(server.calls.some((c) => c.method === 'POST' && c.url === '/monitoring/alerts/a1/acknowledge'));
    assert.equal(screen.queryByRole('button', { name: /^Acknowledge:/ }), null);

    fireEvent.click(screen.getByRole('button', { name: 'Resolve: Heart rate above 120 beats/min, Beatriz Lima' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Note/), { target: { value: 'Phoned; rate settled after rest.' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Resolve alert' }));
    await screen.findByText(/Resolved by Dr. Amara Okafor/);
    const resolve = server.calls.find((c) => c.url === '/monitoring/alerts/a1/resolve')!;
    assert.deepEqual(resolve.body, { note: 'Phoned; rate settled after rest.' });
    const table = screen.getByRole('table', { name: 'Monitored patients, most at risk first' });
    assert.ok(within(within(table).getAllByRole('row')[1]!).getByText('None'), 'the row has no open alerts left');
  });

  test('an alert already taken by someone else says so', async () => {
    answer = () => ({ status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'The alert was already acknowledged' }] } });
    renderUi(<MonitoringDashboardPage />, { path: '/clinician/monitoring' });
    fireEvent.click(await screen.findByRole('button', { name: /^Acknowledge:/ }));
    assert.equal((await screen.findByRole('alert')).textContent, 'The alert was already acknowledged');
  });
});
