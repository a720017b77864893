import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Parameters } from '@medplum/fhirtypes';
import { defaultPlan, scoreNews2 } from '@salus/core';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { FakeWebSocket } from '../telehealth/fake-websocket.js';
import type { MonitoringAlert, PatientMonitoring } from './monitoring-api.js';
import { ClinicianMonitoring } from './patient-monitoring.js';

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
const scored = scoreNews2({ respiratoryRate: 24, oxygenSaturation: 93, onOxygen: false, systolic: 105, heartRate: 115, consciousness: 'A', temperature: 38.4 });

const alert = (id: string, o: Partial<MonitoringAlert> = {}): MonitoringAlert => ({
  id,
  patientId: 'ana',
  patientName: 'Ana Souza',
  status: 'open',
  severity: 'high',
  rule: 'threshold:oxygen-saturation:<92',
  title: 'SpO₂ below 92%',
  detail: 'SpO₂ 89% at rest.',
  openedAt: ago(15),
  escalatedAt: ago(5),
  escalatedTo: 'Dr. Sofía Castillo',
  ...o,
});

const monitoring: PatientMonitoring = {
  patient: { id: 'ana', name: 'Ana Souza' },
  enrolled: true,
  plan: defaultPlan(['copd']),
  latest: [
    { kind: 'oxygen-saturation', time: ago(15), value: 89, unit: '%', unitText: '%', text: 'Oxygen saturation', advice: { level: 'urgent', text: 'Your reading of 89% is outside your safe limits.' } },
    { kind: 'ecg', time: ago(60), value: 2500, unit: 'mV', unitText: 'mV', text: 'ECG (lead I)' },
  ],
  sparklines: {},
  news2: { total: scored.total, band: scored.band, time: ago(15), scale: 1, parameters: scored.parameters },
  alerts: [alert('a1')],
  devices: [{ id: 'dev-1', type: 'pulse-oximeter', display: 'Nonin 3230', status: 'active' }],
};

describe('ClinicianMonitoring', () => {
  let server: FakeServer;
  let restore: () => void;
  beforeEach(() => {
    restore = FakeWebSocket.install();
    server = fakeServer((call) => {
      const url = new URL(call.url, 'http://localhost');
      if (url.pathname === '/monitoring/patients/ana') return { body: monitoring };
      if (url.pathname === '/monitoring/patients/ana/ecg') return { body: { strips: [{ time: ago(60), period: 4, unit: 'mV', data: Array.from({ length: 2500 }, (_, i) => (i % 200 === 0 ? 1 : 0)) }] } };
      if (url.pathname === '/monitoring/patients/ana/readings') return { body: { kind: url.searchParams.get('kind'), unit: '%', unitText: '%', points: [[now - 900_000, 89]] } };
      if (url.pathname === '/fhir/R4/Patient/ana/$enrol-device') {
        return { status: 201, body: { resourceType: 'Parameters', parameter: [{ name: 'device', resource: { resourceType: 'Device', id: 'dev-9', status: 'active' } }, { name: 'token', valueString: 'sdt_secret-token-123' }] } };
      }
      return undefined;
    });
  });
  afterEach(() => {
    server.restore();
    restore();
  });

  test('NEWS2 with each parameter’s score and the band’s response; alerts with their escalation; readings with advice; the ECG strip', async () => {
    renderUi(<ClinicianMonitoring patientId="ana" />, { path: '/clinician/patients/ana/monitoring' });
    const params = await screen.findByRole('table', { name: 'NEWS2 parameters' });
    assert.equal(scored.band, 'high');
    assert.ok(screen.getByText(`NEWS2 ${scored.total} · High risk`));
    assert.ok(screen.getByText(scored.response));
    const rr = within(params).getByText('Respiration rate').closest('tr')!;
    assert.deepEqual(
      [...rr.querySelectorAll('td')].map((td) => td.textContent),
      ['Respiration rate', '24/min', '2'],
    );

    const alerts = screen.getByRole('list', { name: 'Alerts for this patient' });
    assert.ok(within(alerts).getByText(/Escalated to Dr. Sofía Castillo/));
    assert.ok(within(alerts).getByRole('button', { name: 'Acknowledge: SpO₂ below 92%' }));

    const latest = screen.getByRole('table', { name: 'Latest readings' });
    assert.ok(within(latest).getByText('89%'));
    assert.ok(within(latest).getByText('Urgent'));
    assert.ok(await screen.findByText(/^ECG recorded .*, 10\.0 s at 25 mm\/s and 10 mm\/mV/));
    assert.ok(screen.getByRole('region', { name: 'Oxygen saturation (%)' }), 'a chart per kind');
    assert.ok(screen.getByRole('table', { name: 'Alert rules' }), 'the plan to edit');
  });

  test('an alert about this patient arrives live; one about another patient does not', async () => {
    renderUi(<ClinicianMonitoring patientId="ana" />, { path: '/clinician/patients/ana/monitoring' });
    await screen.findByRole('list', { name: 'Alerts for this patient' });
    const socket = FakeWebSocket.latest();
    act(() => socket.open());
    act(() => socket.receive({ type: 'alert', alert: alert('x1', { patientId: 'bea', patientName: 'Beatriz Lima', title: 'Weight up 2 kg within 72 h' }) }));
    act(() => socket.receive({ type: 'alert', alert: alert('a2', { severity: 'medium', title: 'Heart rate above 120 beats/min', escalatedAt: undefined }) }));
    await screen.findByText('Heart rate above 120 beats/min');
    assert.equal(screen.queryByText('Weight up 2 kg within 72 h'), null);
    assert.ok(screen.getByRole('heading', { name: 'Alerts (2 needing action)' }));
  });

  test('enrolling a device shows its token once, with a copy button and how to send readings', async () => {
    renderUi(<ClinicianMonitoring patientId="ana" />, { path: '/clinician/patients/ana/monitoring' });
    const form = await screen.findByRole('form', { name: 'Enrol a device' });
    fireEvent.change(within(form).getByLabelText('Device'), { target: { value: 'scale' } });
    fireEvent.change(within(form).getByLabelText('Model'), { target: { value: 'BC-401' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Enrol device' }));
    const panel = await screen.findByRole('region', { name: 'New device token' });
    assert.ok(within(panel).getByText('sdt_secret-token-123'));
    assert.ok(within(panel).getByRole('button', { name: 'Copy token' }));
    assert.ok(within(panel).getByText('salus/devices/dev-9/readings'));
    assert.ok(within(panel).getByText('http://localhost:8080/monitoring/readings'));
    const sent = server.calls.find((c) => c.url === '/fhir/R4/Patient/ana/$enrol-device')!.body as Parameters;
    assert.deepEqual(sent.parameter, [
      { name: 'type', valueCode: 'scale' },
      { name: 'model', valueString: 'BC-401' },
    ]);
    fireEvent.click(within(panel).getByRole('button', { name: 'Done, the token is set up' }));
    // Shown only once: gone for good when the clinician is done.
    await waitFor(() => assert.equal(screen.queryByText('sdt_secret-token-123'), null));
  });
});
