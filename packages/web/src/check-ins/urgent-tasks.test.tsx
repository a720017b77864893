import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Patient, Task } from '@medplum/fhirtypes';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { movedTask, UrgentTasks } from './urgent-tasks.js';

const patient = (id: string, given: string, family: string): Patient => ({ resourceType: 'Patient', id, name: [{ given: [given], family }] });
const task = (id: string, priority: Task['priority'], who: string, description: string): Task & { id: string } => ({
  resourceType: 'Task',
  id,
  status: 'requested',
  intent: 'order',
  priority,
  for: { reference: `Patient/${who}` },
  description,
  authoredOn: '2026-04-20T10:00:00Z',
});

let server: FakeServer | undefined;
afterEach(() => server?.restore());

describe('UrgentTasks', () => {
  test('lists stat tasks before urgent ones, each naming the patient and linking to their check-ins', async () => {
    server = fakeServer((call) => {
      const url = new URL(call.url, 'http://localhost');
      if (url.pathname !== '/fhir/R4/Task') return undefined;
      assert.equal(url.searchParams.get('priority'), 'stat,urgent');
      assert.equal(url.searchParams.get('status'), 'requested,accepted,in-progress');
      return {
        body: {
          resourceType: 'Bundle',
          type: 'searchset',
          entry: [
            { resource: task('t1', 'urgent', 'jose', 'GAD-7 check-in: severe anxiety score'), search: { mode: 'match' } },
            { resource: task('t2', 'stat', 'ana', 'PHQ-9 check-in: thoughts of self-harm'), search: { mode: 'match' } },
            { resource: patient('ana', 'Ana', 'Souza'), search: { mode: 'include' } },
            { resource: patient('jose', 'José', 'Martínez'), search: { mode: 'include' } },
          ],
        },
      };
    });
    renderUi(<UrgentTasks me="Practitioner/okafor" />);
    const list = await screen.findByRole('list', { name: 'Urgent tasks' });
    const items = within(list).getAllByRole('listitem');
    assert.deepEqual(items.map((li) => within(li).getByRole('link').textContent), ['Ana Souza', 'José Martínez']);
    assert.equal(within(items[0]!).getByRole('link').getAttribute('href'), '/clinician/patients/ana/check-ins');
    assert.ok(within(items[0]!).getByText('Stat'));
    assert.ok(within(items[1]!).getByText('Urgent'));
  });

  test('acknowledging takes the task on; the list is read again', async () => {
    let status: Task['status'] = 'requested';
    server = fakeServer((call) => {
      const url = new URL(call.url, 'http://localhost');
      if (url.pathname === '/fhir/R4/Task' && call.method === 'GET') return { body: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...task('t2', 'stat', 'ana', 'PHQ-9 check-in'), status }, search: { mode: 'match' } }] } };
      if (url.pathname === '/fhir/R4/Task/t2' && call.method === 'PUT') {
        status = (call.body as Task).status;
        return { body: call.body };
      }
      return undefined;
    });
    renderUi(<UrgentTasks me="Practitioner/okafor" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge: Patient' }));
    await waitFor(() => assert.ok(screen.getByText(/Acknowledged ·/)));
    const put = server.calls.find((c) => c.method === 'PUT')!.body as Task;
    assert.equal(put.status, 'accepted');
    assert.deepEqual(put.owner, { reference: 'Practitioner/okafor' });
    assert.equal(screen.queryByRole('button', { name: /Acknowledge/ }), null, 'only Complete is left');
  });

  test('an empty list says so', async () => {
    server = fakeServer(() => ({ body: { resourceType: 'Bundle', type: 'searchset', entry: [] } }));
    renderUi(<UrgentTasks me="Practitioner/okafor" />);
    assert.ok(await screen.findByText('No urgent tasks for your patients.'));
  });
});

test('completing closes the task and its execution period; an owner already set stays', () => {
  const t = { ...task('t', 'stat', 'ana', 'x'), owner: { reference: 'Practitioner/castillo' } };
  const done = movedTask(t, 'completed', 'Practitioner/okafor', new Date('2026-04-21T08:00:00Z'));
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.owner, { reference: 'Practitioner/castillo' });
  assert.deepEqual(done.executionPeriod, { start: '2026-04-21T08:00:00.000Z', end: '2026-04-21T08:00:00.000Z' });
});
