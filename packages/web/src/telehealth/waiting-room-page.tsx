import { Anchor, Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import type { Bundle } from '@medplum/fhirtypes';
import type { WaitingRoomSignal } from '@salus/core';
import { IconPhone, IconVideo } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { FHIR_BASE } from '../api/fhir.js';
import { asApiError, request } from '../api/http.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { DataTable } from '../layout/data-table.js';
import { formatTime } from '../lib/format.js';
import { useMe } from '../session/session.js';
import { SignalSocket, type SocketState } from './signal-socket.js';
import { applyPresence, changesList, modeLabel, personName, visitOperation, waitingRoomQuery, waitingRows, type WaitingRow } from './visit-info.js';

/** Where a visit stands, in words and a colour. */
export function rowStatus(row: WaitingRow): { label: string; color: string } {
  const a = row.appointment;
  if (a.status === 'noshow') return { label: row.mode === 'phone' ? 'No answer' : 'Did not attend', color: 'gray' };
  if (row.done) return { label: 'Finished', color: 'gray' };
  if (row.encounter?.status === 'in-progress') return { label: 'In the visit', color: 'blue' };
  if (row.mode === 'phone') return { label: 'To call', color: 'gray' };
  if (row.arrived && row.online) return { label: 'Waiting now', color: 'green' };
  if (row.arrived) return { label: 'Checked in, page closed', color: 'orange' };
  return { label: 'Not arrived', color: 'gray' };
}

function Action({ row, onError }: { row: WaitingRow; onError: (message: string) => void }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const name = personName(row.patient, 'the patient');
  const to = `/clinician/visit/${encodeURIComponent(row.appointment.id)}`;
  if (row.done) {
    return (
      <Anchor component={Link} to={to} size="sm">
        Open
      </Anchor>
    );
  }
  if (row.mode === 'phone' || row.encounter?.status === 'in-progress') {
    return (
      <Button size="xs" variant="light" component={Link} to={to} leftSection={row.mode === 'phone' ? <IconPhone size={14} aria-hidden /> : <IconVideo size={14} aria-hidden />} aria-label={`${row.mode === 'phone' ? 'Call' : 'Return to the visit with'} ${name}`}>
        {row.mode === 'phone' ? 'Call' : 'Return'}
      </Button>
    );
  }
  async function admit() {
    setBusy(true);
    try {
      await visitOperation(row.appointment.id, 'admit');
      navigate(to);
    } catch (e) {
      onError(asApiError(e).message);
      setBusy(false);
    }
  }
  return (
    <Button size="xs" onClick={admit} loading={busy} disabled={!row.arrived} leftSection={<IconVideo size={14} aria-hidden />} aria-label={`Admit ${name}`}>
      Admit
    </Button>
  );
}

const EMPTY: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [] };

/**
 * The clinician's virtual waiting room: today's video and phone visits, who has checked in and
 * who is waiting on the page now, kept current by the waiting-room socket.
 */
export function WaitingRoomPage() {
  const me = useMe();
  const practitioner = me.account.fhirUser;
  const list = useAsync((signal) => (practitioner ? request<Bundle>(`${FHIR_BASE}/Appointment?${waitingRoomQuery(practitioner)}`, { signal }) : Promise.resolve(EMPTY)), [practitioner]);
  const [online, setOnline] = useState<Set<string>>(new Set());
  const [live, setLive] = useState<SocketState>('connecting');
  const [error, setError] = useState<string>();
  const { reload } = list;

  useEffect(() => {
    document.title = 'Waiting room · Salus';
    if (!practitioner) return;
    const socket = new SignalSocket<WaitingRoomSignal, never>({
      path: '/telehealth/waiting-room',
      onMessage: (e) => {
        setOnline((o) => applyPresence(o, e));
        if (changesList(e)) reload();
      },
      onState: (s) => setLive(s),
      // Whatever happened while the socket was away is read again.
      onReconnect: reload,
    });
    return () => socket.close();
  }, [practitioner, reload]);

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Waiting room
          </Title>
          <Text c="dimmed" size="sm">
            Today’s video and phone visits. Patients who check in appear here as they arrive.
          </Text>
        </div>
        <Badge variant="light" color={live === 'open' ? 'green' : 'orange'} role="status" style={{ textTransform: 'none' }}>
          {live === 'open' ? 'Live' : live === 'closed' ? 'Not updating; reload the page' : 'Connecting…'}
        </Badge>
      </Group>
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
      <AsyncView async={list} loadingLabel="Loading today’s visits…">
        {(bundle) => (
          <DataTable
            label="Today’s video and phone visits"
            rows={waitingRows(bundle, online)}
            rowKey={(r) => r.appointment.id}
            highlight={(r) => (rowStatus(r).color === 'green' ? 'var(--mantine-color-green-0)' : undefined)}
            empty="No video or phone visits today."
            columns={[
              { label: 'Patient', render: (r) => personName(r.patient, 'Unnamed patient') },
              { label: 'Time', render: (r) => formatTime(r.appointment.start) },
              {
                label: 'Visit',
                render: (r) => (
                  <Group gap={4} wrap="nowrap">
                    {r.mode === 'phone' ? <IconPhone size={14} aria-hidden /> : <IconVideo size={14} aria-hidden />}
                    <span>{modeLabel(r.mode)}</span>
                  </Group>
                ),
              },
              {
                label: 'Status',
                render: (r) => {
                  const s = rowStatus(r);
                  return (
                    <Badge color={s.color} variant="light" style={{ textTransform: 'none' }}>
                      {s.label}
                    </Badge>
                  );
                },
              },
              { label: 'Action', render: (r) => <Action row={r} onError={setError} /> },
            ]}
          />
        )}
      </AsyncView>
    </Stack>
  );
}
