import { Anchor, Badge, Box, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { Patient, Task } from '@medplum/fhirtypes';
import { IconUrgent } from '@tabler/icons-react';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { matches, searchBundle, updateResource } from '../api/fhir.js';
import { asApiError } from '../api/http.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDateTime, formatName } from '../lib/format.js';

/**
 * Open urgent and stat Tasks about the clinician's patients, most pressing first: what a
 * concerning check-in (or any other workflow) asks of the care team today. The server decides
 * which patients are theirs; acknowledging takes the task on, completing closes it.
 */

interface UrgentTask {
  task: Task & { id: string };
  patient?: Patient;
}

const OPEN = 'requested,accepted,in-progress';
const RANK: Record<string, number> = { stat: 0, asap: 1, urgent: 2 };

async function loadUrgentTasks(signal?: AbortSignal): Promise<UrgentTask[]> {
  const bundle = await searchBundle('Task', { status: OPEN, priority: 'stat,urgent', _include: 'Task:patient', _sort: '-authored-on', _count: 100 }, signal);
  const patients = new Map((bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient').map((p) => [`Patient/${p.id}`, p]));
  // Monitoring alerts are Tasks too, but they have their own feed and life (acknowledge, resolve,
  // escalation) on the monitoring dashboard; changing them here would bypass it.
  const tasks = matches<Task>(bundle).filter((t): t is Task & { id: string } => t.resourceType === 'Task' && !!t.id && !t.code?.coding?.some((c) => c.code === 'monitoring-alert'));
  // Stat before urgent; within each, the newest first as the server sorted them.
  const ranked = tasks.map((task, i) => ({ task, i })).sort((a, b) => (RANK[a.task.priority ?? ''] ?? 9) - (RANK[b.task.priority ?? ''] ?? 9) || a.i - b.i);
  return ranked.map(({ task }) => {
    const patient = task.for?.reference ? patients.get(task.for.reference) : undefined;
    return patient ? { task, patient } : { task };
  });
}

/** The task taken on by `me` (acknowledged), or closed. */
export function movedTask(task: Task & { id: string }, to: 'accepted' | 'completed', me: string | undefined, now: Date): Task & { id: string } {
  const at = now.toISOString();
  return {
    ...task,
    status: to,
    lastModified: at,
    ...(!task.owner && me ? { owner: { reference: me } } : {}),
    ...(to === 'completed' ? { executionPeriod: { ...task.executionPeriod, start: task.executionPeriod?.start ?? at, end: at } } : { executionPeriod: { ...task.executionPeriod, start: at } }),
  };
}

const STATUS_TEXT: Record<string, string> = { requested: 'New', accepted: 'Acknowledged', 'in-progress': 'In progress' };

function TaskCard({ item, me, onChanged }: { item: UrgentTask; me: string | undefined; onChanged: () => void }) {
  const { task, patient } = item;
  const [busy, setBusy] = useState<'accepted' | 'completed'>();
  const [error, setError] = useState<string>();
  const stat = task.priority === 'stat';
  const patientId = task.for?.reference?.split('/')[1];
  const name = formatName(patient?.name) || task.for?.display || 'Patient';
  const titleId = useId();

  async function move(to: 'accepted' | 'completed') {
    setBusy(to);
    setError(undefined);
    try {
      await updateResource(movedTask(task, to, me, new Date()));
      onChanged();
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <Paper component="li" withBorder p="md" radius="md" aria-labelledby={titleId} style={{ borderLeft: `6px solid var(--mantine-color-${stat ? 'red-7' : 'orange-6'})` }}>
      <Stack gap={6}>
        <Group gap="xs" wrap="wrap" id={titleId}>
          <Badge color={stat ? 'red' : 'orange'} variant="filled" tt="none">
            {stat ? 'Stat' : 'Urgent'}
          </Badge>
          {patientId ? (
            <Anchor component={Link} to={`/clinician/patients/${encodeURIComponent(patientId)}/check-ins`} fw={600}>
              {name}
            </Anchor>
          ) : (
            <Text fw={600}>{name}</Text>
          )}
          <Text size="sm" c="dimmed">
            {STATUS_TEXT[task.status] ?? task.status} · {formatDateTime(task.authoredOn)}
          </Text>
        </Group>
        <Text>{task.description ?? task.code?.text ?? 'Task'}</Text>
        {error && (
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Group gap="xs">
          {task.status === 'requested' && (
            <Button size="xs" variant="light" loading={busy === 'accepted'} disabled={!!busy} onClick={() => void move('accepted')} aria-label={`Acknowledge: ${name}`}>
              Acknowledge
            </Button>
          )}
          <Button size="xs" variant="default" loading={busy === 'completed'} disabled={!!busy} onClick={() => void move('completed')} aria-label={`Complete: ${name}`}>
            Complete
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function UrgentTasks({ me }: { me: string | undefined }) {
  const list = useAsync((signal) => loadUrgentTasks(signal), []);
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="xs" style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <IconUrgent size={22} aria-hidden color="var(--mantine-color-red-7)" />
        Urgent tasks
      </Title>
      <AsyncView async={list} loadingLabel="Loading urgent tasks…">
        {(items) =>
          items.length === 0 ? (
            <EmptyState>No urgent tasks for your patients.</EmptyState>
          ) : (
            <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Urgent tasks">
              {items.map((item) => (
                <TaskCard key={item.task.id} item={item} me={me} onChanged={list.reload} />
              ))}
            </Stack>
          )
        }
      </AsyncView>
    </Box>
  );
}
