import { Alert, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { AlertList } from './alert-list.js';
import { AdviceBadge, LiveBadge, News2Badge } from './badges.js';
import { chartKinds } from './chart-data.js';
import { ClinicianDevices } from './devices.js';
import { EcgStripView } from './ecg-strip.js';
import { useMonitoringLive } from './live-alerts.js';
import { applyLiveToPatient, BAND_STYLE, NEWS2_PARAMETER_LABEL, news2Response, news2ValueText, readingText } from './monitoring.js';
import { loadEcg, loadPatientMonitoring, type LatestReading, type LiveMessage, type MonitoringAlert, type News2Summary, type PatientMonitoring } from './monitoring-api.js';
import { PlanEditor } from './plan-editor.js';
import { ReadingChart } from './reading-chart.js';
import { Section } from '../layout/section.js';

/**
 * The chart's Monitoring tab: NEWS2 with each parameter's score and the response its band calls
 * for, the patient's alerts, the latest readings with their advice, zoomable charts of each kind,
 * the latest ECG strips, the monitoring plan and the devices. Alerts, readings and NEWS2 stay
 * current through the live socket.
 */

function News2Panel({ news2 }: { news2: News2Summary | undefined }) {
  if (!news2) return <EmptyState>No NEWS2 score yet: it needs respiration rate, SpO₂, blood pressure, pulse, consciousness and temperature from about the same time.</EmptyState>;
  const response = news2Response(news2);
  return (
    <Stack gap="sm">
      <Group gap="sm" align="center">
        <Text fz={32} fw={700} lh={1}>
          {news2.total}
        </Text>
        <News2Badge news2={news2} />
        <Text size="sm" c="dimmed">
          {formatDateTime(news2.time)} · SpO₂ scale {news2.scale}
        </Text>
      </Group>
      <Paper withBorder p="sm" radius="md" style={{ borderLeft: `6px solid var(--mantine-color-${BAND_STYLE[news2.band].color}-7)` }}>
        <Text size="sm" fw={600}>
          {BAND_STYLE[news2.band].label} clinical risk
        </Text>
        {response && <Text size="sm">{response}</Text>}
      </Paper>
      <Table.ScrollContainer minWidth={360}>
        <Table aria-label="NEWS2 parameters" verticalSpacing={4} striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Parameter</Table.Th>
              <Table.Th scope="col">Value</Table.Th>
              <Table.Th scope="col">Score</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {news2.parameters.map((p) => (
              <Table.Tr key={p.parameter}>
                <Table.Td>{NEWS2_PARAMETER_LABEL[p.parameter]}</Table.Td>
                <Table.Td>{news2ValueText(p.parameter, p.value)}</Table.Td>
                <Table.Td fw={p.score >= 3 ? 700 : undefined} c={p.score >= 3 ? 'red.8' : undefined}>
                  {p.score}
                  {p.score >= 3 ? ' (extreme)' : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function LatestTable({ latest }: { latest: LatestReading[] }) {
  if (latest.length === 0) return <EmptyState>No readings yet.</EmptyState>;
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table aria-label="Latest readings" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Reading</Table.Th>
            <Table.Th scope="col">Value</Table.Th>
            <Table.Th scope="col">Taken</Table.Th>
            <Table.Th scope="col">Advice</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {latest.map((r) => (
            <Table.Tr key={r.kind}>
              <Table.Td>{r.text}</Table.Td>
              <Table.Td fw={600} style={{ whiteSpace: 'nowrap' }}>
                {r.kind === 'ecg' ? 'Strip recorded' : readingText(r)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.time)}</Table.Td>
              <Table.Td>
                {r.advice ? (
                  <Stack gap={2} align="flex-start">
                    <AdviceBadge level={r.advice.level} />
                    <Text size="sm">{r.advice.text}</Text>
                  </Stack>
                ) : (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function EcgStrips({ patientId }: { patientId: string }) {
  const strips = useAsync((signal) => loadEcg(patientId, 3, signal), [patientId]);
  return (
    <AsyncView async={strips} loadingLabel="Loading ECG strips…">
      {(list) =>
        list.length === 0 ? (
          <EmptyState>No ECG strips.</EmptyState>
        ) : (
          <Stack gap="lg">
            {list.map((s) => (
              <EcgStripView key={s.time} strip={s} />
            ))}
          </Stack>
        )
      }
    </AsyncView>
  );
}

export function ClinicianMonitoring({ patientId }: { patientId: string }) {
  const data = useAsync((signal) => loadPatientMonitoring(patientId, signal), [patientId]);
  const [view, setView] = useState<PatientMonitoring>();
  // Live messages are applied to what is on screen now, not to the state React last rendered.
  const current = useRef<PatientMonitoring | undefined>(undefined);
  const { reload } = data;

  useEffect(() => {
    if (data.state.status !== 'ready') return;
    current.current = data.state.data;
    setView(data.state.data);
  }, [data.state]);

  const onMessage = useCallback((message: LiveMessage) => {
    if (!current.current) return;
    const next = applyLiveToPatient(current.current, message);
    if (next === current.current) return;
    current.current = next;
    setView(next);
  }, []);
  const live = useMonitoringLive(onMessage, reload);
  const alertChanged = (alert: MonitoringAlert) => onMessage({ type: 'alert', alert });

  return (
    <AsyncView async={data} loadingLabel="Loading monitoring…">
      {(loaded) => {
        // After switching patients the previous one's live state must not show for a moment.
        const pm = view && view.patient.id === loaded.patient.id ? view : loaded;
        const unresolved = pm.alerts.filter((a) => a.status !== 'resolved');
        return (
          <Stack gap="xl">
            <Group justify="space-between" align="center">
              <Text size="sm" c="dimmed">
                Home readings and their alerts.
              </Text>
              <LiveBadge state={live} />
            </Group>
            {!pm.enrolled && (
              <Alert color="blue" variant="light" title="Not enrolled in remote monitoring">
                Choose the conditions in the plan below, use their defaults or set rules, and save the plan to start monitoring this patient’s readings.
              </Alert>
            )}
            <Section title="Early warning score (NEWS2)">
              <News2Panel news2={pm.news2} />
            </Section>
            <Section title={`Alerts (${unresolved.length} needing action)`}>
              <AlertList alerts={pm.alerts} label="Alerts for this patient" showPatient={false} empty="No open alerts." onChanged={alertChanged} />
            </Section>
            <Section title="Latest readings">
              <LatestTable latest={pm.latest} />
            </Section>
            <Section title="Trends">
              {chartKinds(pm.latest).length === 0 ? (
                <EmptyState>No readings to chart yet.</EmptyState>
              ) : (
                <Stack gap="xl">
                  {chartKinds(pm.latest).map((kind) => (
                    <ReadingChart key={kind} patientId={patientId} kind={kind} goals={pm.plan.goals} ranges={['24h', '7d', '30d', '90d']} initialRange="7d" />
                  ))}
                </Stack>
              )}
            </Section>
            {pm.latest.some((r) => r.kind === 'ecg') && (
              <Section title="ECG">
                <EcgStrips patientId={patientId} />
              </Section>
            )}
            <Section title="Monitoring plan">
              <PlanEditor key={pm.patient.id} patientId={patientId} plan={pm.plan} onSaved={reload} />
            </Section>
            <Section title="Devices">
              <ClinicianDevices patientId={patientId} devices={pm.devices} onChanged={reload} />
            </Section>
          </Stack>
        );
      }}
    </AsyncView>
  );
}
