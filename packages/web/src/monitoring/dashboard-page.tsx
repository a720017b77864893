import { Anchor, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { AsyncView, useAsync } from '../layout/async.js';
import { DataTable } from '../layout/data-table.js';
import { formatAge, formatDateTime } from '../lib/format.js';
import { AlertList } from './alert-list.js';
import { AlertSeverityBadge, LiveBadge, News2Badge } from './badges.js';
import { useMonitoringLive } from './live-alerts.js';
import { applyLiveToDashboard, dashboardReadings, readingText, SHORT_LABEL, sortAlerts, timeSince, type DashboardView } from './monitoring.js';
import { loadAlerts, loadDashboard, type DashboardRow, type LiveMessage, type MonitoringAlert } from './monitoring-api.js';
import { Sparkline } from './sparkline.js';
import { useNow } from './use-now.js';
import { Section } from '../layout/section.js';

/**
 * The clinician's remote-monitoring dashboard: every enrolled patient they look after, the most
 * at risk first, with the latest readings and a week of each as a sparkline; and the alert feed,
 * where alerts are acknowledged and resolved. Both stay current through the live socket: a new
 * alert appears (a high one is also announced), and a patient whose risk changed moves.
 */

function LatestCell({ row }: { row: DashboardRow }) {
  const shown = dashboardReadings(row.latest);
  if (shown.length === 0) return <Text size="sm" c="dimmed">No readings yet</Text>;
  return (
    <ul className="monitoring-latest">
      {shown.map((r) => (
        <li key={r.kind}>
          <Text span size="sm" c="dimmed" className="monitoring-latest-label">
            {SHORT_LABEL[r.kind] ?? r.text}
          </Text>
          <Text span size="sm" fw={500} className="monitoring-latest-value">
            {readingText(r)}
          </Text>
          <Sparkline points={row.sparklines[r.kind]} />
        </li>
      ))}
    </ul>
  );
}

function AlertsCell({ row }: { row: DashboardRow }) {
  if (row.openAlerts === 0) return <Text size="sm">None</Text>;
  return (
    <Stack gap={4} align="flex-start">
      <Text size="sm" fw={600}>
        {row.openAlerts} open
      </Text>
      {row.topAlert && (
        <>
          <AlertSeverityBadge severity={row.topAlert.severity} />
          <Text size="sm">{row.topAlert.title}</Text>
        </>
      )}
    </Stack>
  );
}

function PatientRows({ rows, now }: { rows: DashboardRow[]; now: Date }) {
  return (
    <DataTable
      label="Monitored patients, most at risk first"
      rows={rows}
      rowKey={(r) => r.patient.id}
      empty="No patients are enrolled in remote monitoring yet. Enrol one from the Monitoring tab of their chart."
      columns={[
        {
          label: 'Patient',
          render: (r) => (
            <div>
              <Anchor component={Link} to={`/clinician/patients/${encodeURIComponent(r.patient.id)}/monitoring`} fw={600}>
                {r.patient.name || 'Unnamed patient'}
              </Anchor>
              {r.patient.birthDate && (
                <Text size="xs" c="dimmed">
                  {formatAge(r.patient.birthDate)}
                </Text>
              )}
            </div>
          ),
        },
        { label: 'NEWS2', render: (r) => <News2Badge news2={r.news2} /> },
        { label: 'Latest readings', render: (r) => <LatestCell row={r} /> },
        { label: 'Alerts', render: (r) => <AlertsCell row={r} /> },
        {
          label: 'Last reading',
          render: (r) => (r.lastReadingAt ? <span title={formatDateTime(r.lastReadingAt)}>{timeSince(r.lastReadingAt, now)}</span> : 'Never'),
        },
      ]}
    />
  );
}

async function loadView(signal: AbortSignal): Promise<DashboardView> {
  const [rows, alerts] = await Promise.all([loadDashboard(signal), loadAlerts(undefined, signal)]);
  return { rows, alerts: sortAlerts(alerts) };
}

export function MonitoringDashboardPage() {
  const data = useAsync(loadView, []);
  const [view, setView] = useState<DashboardView>();
  // The live handler reads and writes the view outside React's updater, so that announcing an
  // alert (a side effect) happens once per message.
  const current = useRef<DashboardView | undefined>(undefined);
  const now = useNow(30_000);
  const { reload } = data;

  useEffect(() => {
    document.title = 'Monitoring · Salus';
  }, []);
  useEffect(() => {
    if (data.state.status !== 'ready') return;
    current.current = data.state.data;
    setView(data.state.data);
  }, [data.state]);

  const onMessage = useCallback((message: LiveMessage) => {
    if (!current.current) return;
    const { view: next, announce } = applyLiveToDashboard(current.current, message);
    current.current = next;
    setView(next);
    if (announce) notifications.show({ color: 'red', title: `High-severity alert: ${announce.patientName}`, message: announce.title, autoClose: 15_000 });
  }, []);
  const live = useMonitoringLive(onMessage, reload);

  const changed = (alert: MonitoringAlert) => onMessage({ type: 'alert', alert });

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Monitoring
          </Title>
          <Text c="dimmed" size="sm">
            Home readings of the patients you look after, the most at risk first.
          </Text>
        </div>
        <LiveBadge state={live} />
      </Group>
      <AsyncView async={data} loadingLabel="Loading monitored patients…">
        {(loaded) => {
          const v = view ?? loaded;
          const unresolved = v.alerts.filter((a) => a.status !== 'resolved').length;
          return (
            <Grid gap="lg">
              <Grid.Col span={{ base: 12, xl: 8 }}>
                <Section size="h3" title="Patients">
                  <PatientRows rows={v.rows} now={now} />
                </Section>
              </Grid.Col>
              <Grid.Col span={{ base: 12, xl: 4 }}>
                <Section size="h3" title="Alerts" aside={<Text size="sm" c="dimmed">{unresolved} needing action</Text>}>
                  <AlertList alerts={v.alerts} label="Monitoring alerts" showPatient empty="No open alerts." onChanged={changed} />
                </Section>
              </Grid.Col>
            </Grid>
          );
        }}
      </AsyncView>
    </Stack>
  );
}
