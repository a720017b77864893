import { Badge, Button, Group, NativeSelect, Stack, Text, Title } from '@mantine/core';
import type { Bundle } from '@medplum/fhirtypes';
import { IconPill } from '@tabler/icons-react';
import { useState } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { searchBundle } from '../api/fhir.js';
import { DataTable, type Column } from '../layout/data-table.js';
import { AppFrame } from '../layout/app-frame.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { formatDate, formatDateTime } from '../lib/format.js';
import { useMe } from '../session/session.js';
import { prescriptions, queueParams, QUEUE_STATUSES, type Prescription, type QueueStatus } from './prescriptions.js';

const NAV = [{ to: '/pharmacy', label: 'Prescription queue', icon: <IconPill size={18} aria-hidden />, end: true }];

/** The pharmacy: prescriptions sent to the pharmacist's organizations. Read-only for now. */
export function PharmacySpace() {
  return (
    <AppFrame nav={NAV}>
      <Routes>
        <Route index element={<QueuePage />} />
        <Route path="*" element={<Navigate to="/pharmacy" replace />} />
      </Routes>
    </AppFrame>
  );
}

const STATUS_COLOR: Partial<Record<Prescription['status'], string>> = { active: 'salus', 'on-hold': 'yellow', completed: 'blue', stopped: 'gray', cancelled: 'gray', 'entered-in-error': 'red' };

const COLUMNS: Column<Prescription>[] = [
  {
    label: 'Patient',
    render: (p) => (
      <div>
        <Text size="sm" fw={600}>
          {p.patient}
        </Text>
        {p.patientBirthDate && (
          <Text size="xs" c="dimmed">
            Born {formatDate(p.patientBirthDate)}
          </Text>
        )}
      </div>
    ),
  },
  { label: 'Medication', render: (p) => <Text size="sm">{p.medication}</Text> },
  { label: 'Directions', render: (p) => <Text size="sm">{p.dosage}</Text> },
  { label: 'Supply', render: (p) => p.supply || <Text size="sm" c="dimmed">—</Text> },
  { label: 'Prescriber', render: (p) => p.prescriber },
  { label: 'Written', render: (p) => (p.authoredOn ? formatDateTime(p.authoredOn) : '—') },
  { label: 'Status', render: (p) => <Badge miw="max-content" color={STATUS_COLOR[p.status] ?? 'gray'} variant="light">{QUEUE_STATUSES.find((s) => s.value === p.status)?.label ?? p.status}</Badge> },
];

function nextLink(bundle: Bundle | undefined): string | undefined {
  return bundle?.link?.find((l) => l.relation === 'next')?.url;
}

export function QueuePage() {
  const me = useMe();
  const organizations = me.account.organizationIds;
  const [status, setStatus] = useState<QueueStatus>('active');
  const key = `${organizations.join(',')}|${status}`;
  const first = useAsync(
    (signal) => (organizations.length > 0 ? searchBundle('MedicationRequest', queueParams(organizations, status), signal) : Promise.resolve<Bundle>({ resourceType: 'Bundle', type: 'searchset' })),
    [key],
  );
  // Later pages, for the filter they were loaded under; a new filter starts again from the first page.
  const [more, setMore] = useState<{ key: string; bundles: Bundle[] }>({ key, bundles: [] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();
  const bundles = first.state.status === 'ready' ? [first.state.data, ...(more.key === key ? more.bundles : [])] : [];
  const next = nextLink(bundles[bundles.length - 1]);

  async function loadMore(url: string) {
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      // Paging links carry the server's public origin; the same search is asked of this one.
      const page = await searchBundle('MedicationRequest', new URL(url, window.location.origin).searchParams);
      setMore({ key, bundles: [...(more.key === key ? more.bundles : []), page] });
    } catch (e) {
      setMoreError((e as Error).message);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            Prescription queue
          </Title>
          <Text c="dimmed" size="sm">
            Prescriptions sent to your pharmacy, newest first.
          </Text>
        </div>
        <NativeSelect label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value as QueueStatus)} data={QUEUE_STATUSES} w={{ base: '100%', xs: 200 }} />
      </Group>
      {organizations.length === 0 ? (
        <EmptyState>Your account is not linked to a pharmacy yet. Ask your administrator to add you to one.</EmptyState>
      ) : (
        <AsyncView async={first} loadingLabel="Loading prescriptions…">
          {(firstPage) => {
            const rows = bundles.flatMap(prescriptions);
            return (
              <Stack gap="sm">
                {firstPage.total !== undefined && (
                  <Text size="sm" c="dimmed" aria-live="polite">
                    {firstPage.total === 1 ? '1 prescription' : `${firstPage.total} prescriptions`}
                    {rows.length < firstPage.total ? `, ${rows.length} shown` : ''}
                  </Text>
                )}
                <DataTable label="Prescriptions" columns={COLUMNS} rows={rows} rowKey={(p) => p.id} empty="No prescriptions with this status." />
                {moreError && (
                  <Text c="red.8" size="sm" role="alert">
                    {moreError}
                  </Text>
                )}
                {next && (
                  <Group justify="center">
                    <Button variant="default" loading={loadingMore} onClick={() => void loadMore(next)}>
                      Show older prescriptions
                    </Button>
                  </Group>
                )}
              </Stack>
            );
          }}
        </AsyncView>
      )}
    </Stack>
  );
}
