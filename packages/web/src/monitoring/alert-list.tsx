import { Anchor, Button, Group, Modal, Paper, Stack, Text, Textarea } from '@mantine/core';
import { IconArrowUpRight } from '@tabler/icons-react';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { asApiError } from '../api/http.js';
import { EmptyState } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { AlertSeverityBadge, AlertStatusBadge } from './badges.js';
import { readingText, SEVERITY_STYLE } from './monitoring.js';
import { acknowledgeAlert, resolveAlert, type MonitoringAlert } from './monitoring-api.js';

/**
 * Monitoring alerts with what the care team does about them: acknowledge (someone is on it) and
 * resolve (with an optional note). Each card says who did what and when, and whether the alert
 * was escalated because nobody acknowledged it in time. The server's answer replaces the card's
 * state at once; the live feed brings other people's actions.
 */

function ResolveDialog({ alert, opened, onClose, onResolved }: { alert: MonitoringAlert; opened: boolean; onClose: () => void; onResolved: (a: MonitoringAlert) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function resolve() {
    setBusy(true);
    setError(undefined);
    try {
      onResolved(await resolveAlert(alert.id, note));
      setNote('');
      onClose();
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={opened} onClose={onClose} title={`Resolve: ${alert.title}`} centered>
      <Stack>
        <Text size="sm">
          {alert.patientName} · opened {formatDateTime(alert.openedAt)}
        </Text>
        {/* Mantine's autosize measures layout that test DOMs do not have; a fixed height does the job. */}
        <Textarea label="Note (optional)" description="What was done, for the record." rows={3} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={2000} />
        {error && (
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button loading={busy} onClick={() => void resolve()}>
            Resolve alert
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function AlertCard({ alert, showPatient, onChanged }: { alert: MonitoringAlert; showPatient: boolean; onChanged: (a: MonitoringAlert) => void }) {
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [resolving, setResolving] = useState(false);
  const about = showPatient ? `${alert.title}, ${alert.patientName}` : alert.title;

  async function acknowledge() {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await acknowledgeAlert(alert.id));
    } catch (e) {
      // A 409 means someone else got there first; their action arrives on the live feed.
      setError(asApiError(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      radius="md"
      aria-labelledby={titleId}
      className="monitoring-alert"
      data-status={alert.status}
      style={{ borderLeftColor: `var(--mantine-color-${SEVERITY_STYLE[alert.severity].color}-7)` }}
    >
      <Stack gap={4}>
        <Group gap="xs" wrap="wrap">
          <AlertSeverityBadge severity={alert.severity} />
          <AlertStatusBadge status={alert.status} />
          {showPatient && (
            <Anchor component={Link} to={`/clinician/patients/${encodeURIComponent(alert.patientId)}/monitoring`} fw={600}>
              {alert.patientName}
            </Anchor>
          )}
        </Group>
        <Text fw={600} id={titleId}>
          {alert.title}
        </Text>
        {alert.detail && <Text size="sm">{alert.detail}</Text>}
        {alert.reading && (
          <Text size="sm">
            Reading: {readingText(alert.reading)} at {formatDateTime(alert.reading.time)}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          Opened {formatDateTime(alert.openedAt)}
          {alert.owner ? ` · assigned to ${alert.owner}` : ''}
        </Text>
        {alert.escalatedAt && (
          <Text size="sm" c="red.8" fw={600} style={{ display: 'flex', gap: 4, alignItems: 'center' }}>
            <IconArrowUpRight size={16} aria-hidden />
            Escalated{alert.escalatedTo ? ` to ${alert.escalatedTo}` : ''} · {formatDateTime(alert.escalatedAt)}
          </Text>
        )}
        {alert.acknowledgedAt && (
          <Text size="sm">
            Acknowledged by {alert.acknowledgedBy ?? 'a clinician'} · {formatDateTime(alert.acknowledgedAt)}
          </Text>
        )}
        {alert.resolvedAt && (
          <Text size="sm">
            Resolved by {alert.resolvedBy ?? 'a clinician'} · {formatDateTime(alert.resolvedAt)}
          </Text>
        )}
        {error && (
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
        )}
        {alert.status !== 'resolved' && (
          <Group gap="xs" mt={4}>
            {alert.status === 'open' && (
              <Button size="xs" variant="light" loading={busy} onClick={() => void acknowledge()} aria-label={`Acknowledge: ${about}`}>
                Acknowledge
              </Button>
            )}
            <Button size="xs" variant="default" disabled={busy} onClick={() => setResolving(true)} aria-label={`Resolve: ${about}`}>
              Resolve
            </Button>
          </Group>
        )}
      </Stack>
      <ResolveDialog alert={alert} opened={resolving} onClose={() => setResolving(false)} onResolved={onChanged} />
    </Paper>
  );
}

export function AlertList({ alerts, label, showPatient, empty, onChanged }: { alerts: readonly MonitoringAlert[]; label: string; showPatient: boolean; empty: string; onChanged: (a: MonitoringAlert) => void }) {
  if (alerts.length === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={label}>
      {alerts.map((a) => (
        <AlertCard key={a.id} alert={a} showPatient={showPatient} onChanged={onChanged} />
      ))}
    </Stack>
  );
}
