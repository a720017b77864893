import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Patient } from '@medplum/fhirtypes';
import { defaultPlan, type RawReading } from '@salus/core';
import { fakeServer, type FakeAnswer, type FakeCall, type FakeServer } from '../test/fake-server.js';
import type { PatientMonitoring } from './monitoring-api.js';
import { ReadingsPage } from './readings-page.js';

const ana: Patient = { resourceType: 'Patient', id: 'ana', name: [{ given: ['Ana'], family: 'Souza' }], birthDate: '1958-06-02' };
const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

const monitoring: PatientMonitoring = {
  patient: { id: 'ana', name: 'Ana Souza' },
  enrolled: true,
  plan: defaultPlan(['hypertension']),
  latest: [
    {
      kind: 'blood-pressure',
      time: ago(10),
      value: 186,
      value2: 102,
      unit: 'mm[Hg]',
      unitText: 'mmHg',
      text: 'Blood pressure',
      advice: { level: 'urgent', text: 'Your reading of 186/102 mmHg is outside your safe limits (systolic above 179 mmHg). If you have chest pain or trouble breathing, call 911 now. Otherwise, contact your care team now.' },
    },
    { kind: 'heart-rate', time: ago(10), value: 72, unit: '/min', unitText: 'beats/min', text: 'Heart rate', advice: { level: 'ok', text: 'Your reading of 72 beats/min is recorded. No action is needed.' } },
  ],
  sparklines: {},
  alerts: [],
  devices: [
    { id: 'dev-1', type: 'blood-pressure-monitor', display: 'Omron M7', status: 'active', lastSeen: ago(10) },
    { id: 'manual', type: 'manual', display: 'Entered by hand', status: 'active' },
  ],
};

let server: FakeServer | undefined;
afterEach(() => server?.restore());

function serve(post: (call: FakeCall) => FakeAnswer = () => undefined): FakeServer {
  server = fakeServer((call) => {
    const url = new URL(call.url, 'http://localhost');
    if (url.pathname === '/monitoring/patients/ana' && call.method === 'GET') return { body: monitoring };
    if (url.pathname === '/monitoring/patients/ana/readings' && call.method === 'GET') {
      const kind = url.searchParams.get('kind');
      const points = kind === 'blood-pressure' ? [[now - 2 * 86_400_000, 150, 95], [now - 600_000, 186, 102]] : [[now - 600_000, 72]];
      return { body: { kind, unit: kind === 'blood-pressure' ? 'mm[Hg]' : '/min', unitText: kind === 'blood-pressure' ? 'mmHg' : 'beats/min', points } };
    }
    return post(call);
  });
  return server;
}

describe('ReadingsPage', () => {
  test('urgent advice comes first with 911; each reading says what it means; goals in plain words', async () => {
    serve();
    renderUi(<ReadingsPage patient={ana} whose="your" />, { path: '/patient/ana/readings' });
    assert.ok(await screen.findByRole('heading', { name: 'My readings', level: 1 }));
    const urgent = await screen.findByRole('alert');
    assert.ok(within(urgent).getByRole('heading', { name: 'Act now' }));
    assert.ok(within(urgent).getByText(/Blood pressure: Your reading of 186\/102 mmHg is outside your safe limits/));
    assert.equal(within(urgent).getByRole('link', { name: 'Call 911' }).getAttribute('href'), 'tel:911');

    const latest = screen.getByRole('list', { name: 'Latest readings' });
    const [bp, hr] = within(latest).getAllByRole('listitem');
    assert.ok(within(bp!).getByText('186/102 mmHg'));
    assert.ok(within(bp!).getByText('Urgent'));
    assert.ok(within(bp!).getByText('Your goal: below 135/85 mmHg'));
    assert.ok(within(hr!).getByText('No action needed'));
    assert.ok(within(hr!).getByText('Your reading of 72 beats/min is recorded. No action is needed.'));
    assert.ok(screen.getByText('Blood pressure: your goal is below 135/85 mmHg.'));
  });

  test('each chart has its words and its table where no canvas can be drawn; a range button asks for that window', async () => {
    const s = serve();
    renderUi(<ReadingsPage patient={ana} whose="your" />, { path: '/patient/ana/readings' });
    const chart = await screen.findByRole('region', { name: /^Blood pressure/ });
    const caption = await within(chart).findByText(/^Blood pressure from .*: 2 readings, latest 186\/102 mmHg/);
    assert.match(caption.textContent ?? '', /range systolic 150–186, diastolic 95–102 mmHg\. Goal: below 135\/85 mmHg\.$/);
    const table = within(chart).getByRole('table', { name: 'Blood pressure readings' });
    assert.deepEqual(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((r) => within(r).getAllByRole('cell')[1]!.textContent),
      ['186/102 mmHg', '150/95 mmHg'],
      'newest first',
    );
    const first = new URL(s.calls.find((c) => c.url.startsWith('/monitoring/patients/ana/readings?kind=blood-pressure'))!.url, 'http://localhost').searchParams;
    assert.equal(Date.parse(first.get('to')!) - Date.parse(first.get('from')!), 30 * 86_400_000);
    assert.ok(Number(first.get('max')) >= 1000);

    fireEvent.click(within(chart).getByRole('button', { name: 'Last 7 d' }));
    await waitFor(() => assert.equal(s.calls.filter((c) => c.url.includes('kind=blood-pressure')).length, 2));
    const second = new URL(s.calls.filter((c) => c.url.includes('kind=blood-pressure'))[1]!.url, 'http://localhost').searchParams;
    assert.equal(Date.parse(second.get('to')!) - Date.parse(second.get('from')!), 7 * 86_400_000);
    assert.equal(within(chart).getByRole('button', { name: 'Last 7 d' }).getAttribute('aria-pressed'), 'true');
  });

  test('a reading entered by hand is sent in the unit chosen and comes back with its advice', async () => {
    const s = serve((call) =>
      call.method === 'POST' && call.url === '/monitoring/patients/ana/readings'
        ? { body: { accepted: 1, duplicates: 0, rejected: [], alerts: [], advice: [{ kind: 'body-temperature', time: ago(0), level: 'ok', text: 'Your reading of 38 °C is recorded. No action is needed.' }] } }
        : undefined,
    );
    renderUi(<ReadingsPage patient={ana} whose="your" />, { path: '/patient/ana/readings' });
    const form = await screen.findByRole('form', { name: 'Add a reading' });
    fireEvent.change(within(form).getByLabelText('What did you measure?'), { target: { value: 'body-temperature' } });
    fireEvent.change(within(form).getByLabelText('Temperature'), { target: { value: '100.4' } });
    fireEvent.change(within(form).getByLabelText('Unit'), { target: { value: '[degF]' } });
    assert.ok((within(form).getByLabelText('When') as HTMLInputElement).value, 'the time starts at now');
    fireEvent.click(within(form).getByRole('button', { name: 'Save reading' }));
    assert.ok(await within(form).findByText('Reading saved.'));
    assert.ok(within(form).getByText('Your reading of 38 °C is recorded. No action is needed.'));
    const sent = (s.calls.find((c) => c.method === 'POST')!.body as { readings: RawReading[] }).readings;
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.kind, 'body-temperature');
    assert.equal(sent[0]!.value, 100.4);
    assert.equal(sent[0]!.unit, '[degF]');
    assert.ok(Math.abs(Date.parse(sent[0]!.time!) - Date.now()) < 120_000);
    // The page reads the latest readings again.
    await waitFor(() => assert.equal(s.calls.filter((c) => c.url === '/monitoring/patients/ana').length, 2));
  });

  test('a reading the server rejects shows its message under the field it names', async () => {
    serve((call) =>
      call.method === 'POST'
        ? {
            status: 422,
            body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'The diastolic pressure must be lower than the systolic', expression: ['readings[0].diastolic'] }] },
          }
        : undefined,
    );
    renderUi(<ReadingsPage patient={ana} whose="your" />, { path: '/patient/ana/readings' });
    const form = await screen.findByRole('form', { name: 'Add a reading' });
    fireEvent.change(within(form).getByLabelText('Top number (systolic)'), { target: { value: '120' } });
    fireEvent.change(within(form).getByLabelText('Bottom number (diastolic)'), { target: { value: '130' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save reading' }));
    const diastolic = within(form).getByLabelText('Bottom number (diastolic)');
    await waitFor(() => assert.equal(diastolic.getAttribute('aria-invalid'), 'true'));
    assert.ok(within(form).getByText('The diastolic pressure must be lower than the systolic'));
    assert.notEqual(within(form).getByLabelText('Top number (systolic)').getAttribute('aria-invalid'), 'true');
    assert.equal(within(form).queryByText('Reading saved.'), null);
  });

  test('connecting a device shows a pairing code counting down; removing one asks first', async () => {
    const expires = new Date(Date.now() + 15 * 60_000).toISOString();
    const s = serve((call) => {
      if (call.url === '/fhir/R4/Patient/ana/$pairing-code') return { body: { resourceType: 'Parameters', parameter: [{ name: 'code', valueString: 'K7QF-93XM' }, { name: 'expires', valueInstant: expires }] } };
      if (call.url === '/fhir/R4/Device/dev-1/$revoke') return { body: { resourceType: 'Device', id: 'dev-1', status: 'inactive' } };
      return undefined;
    });
    renderUi(<ReadingsPage patient={ana} whose="your" />, { path: '/patient/ana/readings' });
    const devices = await screen.findByRole('list', { name: 'Devices' });
    assert.deepEqual(
      within(devices)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('p')?.textContent),
      ['Omron M7'],
      'readings entered by hand are not a device to remove',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Connect a device' }));
    const panel = await screen.findByRole('region', { name: 'Pairing code' });
    assert.ok(within(panel).getByText('K7QF-93XM'));
    assert.match(panel.textContent ?? '', /expires in 1[45]:\d\d/);

    fireEvent.click(screen.getByRole('button', { name: 'Remove: Omron M7' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => assert.ok(s.calls.some((c) => c.method === 'POST' && c.url === '/fhir/R4/Device/dev-1/$revoke')));
  });
});
