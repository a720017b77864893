import { Alert, Anchor, Badge, Button, Code, Group, List, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import type { AuditEvent } from '@medplum/fhirtypes';
import { IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { adminApi, type LedgerReport } from '../api/admin.js';
import { matches } from '../api/fhir.js';
import { AsyncView, ErrorState, useAsync } from '../layout/async.js';
import { formatDate, formatDateTime, formatTime } from '../lib/format.js';
import { AUDIT_SUBTYPES, auditQuery, auditRow, DEFAULT_AUDIT_FILTERS, nextBefore, type AuditFilters, type AuditRow } from './audit-entries.js';
import { DataTable, type Column } from '../layout/data-table.js';

const OUTCOME: Record<AuditRow['outcome'], { label: string; color: string }> = {
  success: { label: 'Success', color: 'salus' },
  denied: { label: 'Denied', color: 'orange' },
  failure: { label: 'Failed', color: 'red' },
};

/**
 * The audit ledger: every access and sign-in, newest first, filtered by person, patient and kind,
 * with emergency (break-the-glass) access standing out; and a check that the chain of entries
 * is intact.
 */
export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>(DEFAULT_AUDIT_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(DEFAULT_AUDIT_FILTERS);
  // The `before` of each page seen, so "Newer" can step back; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const page = useAsync(
    async (signal) => {
      const bundle = await adminApi.audit(auditQuery(filters, before), signal);
      return { rows: matches<AuditEvent>(bundle).map(auditRow), next: nextBefore(bundle) };
    },
    [filters, before],
  );
  // Names make the "who" column readable; the ledger itself only knows account ids.
  const people = useAsync((signal) => adminApi.accounts({ limit: 200 }, signal), []);
  const names = new Map<string, string>();
  if (people.state.status === 'ready') {
    for (const a of people.state.data.accounts) {
      names.set(a.id, a.displayName);
      if (a.fhirUser) names.set(a.fhirUser, a.displayName);
    }
  }

  const apply = (next: AuditFilters) => {
    setDraft(next);
    setFilters(next);
    setCursors([undefined]);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const whoOf = (r: AuditRow): string =>
    (r.accountId && names.get(r.accountId)) || (r.reference && names.get(r.reference)) || r.reference || (r.accountId && `Account ${r.accountId}`) || (r.clientId ? `App ${r.clientId}` : 'Anonymous');

  const columns: Column<AuditRow>[] = [
    {
      label: 'When',
      render: (r) => (
        <div style={{ whiteSpace: 'nowrap' }}>
          {formatDate(r.recorded)}
          <Text size="xs" c="dimmed">
            {formatTime(r.recorded)} · #{r.id}
          </Text>
        </div>
      ),
    },
    {
      label: 'Who',
      render: (r) => (
        <div>
          {r.accountId ? (
            <Anchor component="button" type="button" size="sm" ta="left" onClick={() => apply({ ...filters, account: r.accountId! })} aria-label={`Only entries of ${whoOf(r)}`}>
              {whoOf(r)}
            </Anchor>
          ) : (
            <Text size="sm">{whoOf(r)}</Text>
          )}
          {(r.roles.length > 0 || r.ip) && (
            <Text size="xs" c="dimmed">
              {[r.roles.join(', '), r.ip].filter(Boolean).join(' · ')}
            </Text>
          )}
        </div>
      ),
    },
    {
      label: 'Action',
      render: (r) => (
        <div>
          <Text size="sm">{r.action}</Text>
          {r.query && (
            <Code fz="xs" style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
              {r.query}
            </Code>
          )}
        </div>
      ),
    },
    {
      label: 'Outcome',
      render: (r) => (
        <div>
          <Group gap={4}>
            <Badge miw="max-content" color={OUTCOME[r.outcome].color} variant="light">
              {OUTCOME[r.outcome].label}
            </Badge>
            {r.flagged && (
              <Badge miw="max-content" color="red" variant="filled" leftSection={<IconAlertTriangle size={12} aria-hidden />}>
                Flagged
              </Badge>
            )}
          </Group>
          {r.purpose && (
            <Text size="xs" fw={600} c="red.9">
              {r.purpose}
            </Text>
          )}
          {r.detail && (
            <Text size="xs" c="dimmed">
              {r.detail}
            </Text>
          )}
        </div>
      ),
    },
    {
      label: 'Patient',
      render: (r) =>
        r.patientIds.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          <Group gap={6}>
            {r.patientIds.map((p) => (
              <Anchor key={p} component="button" type="button" size="sm" ta="left" onClick={() => apply({ ...filters, patient: p })} aria-label={`Only entries about Patient ${p}`}>
                {p}
              </Anchor>
            ))}
          </Group>
        ),
    },
  ];

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Audit ledger
        </Title>
        <Text c="dimmed" size="sm">
          Every sign-in and every access to a record, newest first. Entries are chained, so a changed or removed entry shows when the chain is verified.
        </Text>
      </div>
      <ChainCheck />
      <Paper component="form" onSubmit={submit} aria-label="Filter the ledger" withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm">
          <NativeSelect
            label="Person"
            value={draft.account}
            onChange={(e) => setDraft({ ...draft, account: e.currentTarget.value })}
            data={[
              { value: '', label: 'Anyone' },
              ...(people.state.status === 'ready' ? people.state.data.accounts.map((a) => ({ value: a.id, label: a.displayName })) : []),
              ...(draft.account && !names.has(draft.account) ? [{ value: draft.account, label: `Account ${draft.account}` }] : []),
            ]}
          />
          <TextInput label="Patient id" placeholder="e.g. demo-ana-souza" value={draft.patient} onChange={(e) => setDraft({ ...draft, patient: e.currentTarget.value })} />
          <NativeSelect
            label="Kind of entry"
            value={draft.subtype}
            onChange={(e) => setDraft({ ...draft, subtype: e.currentTarget.value })}
            data={[{ value: '', label: 'All kinds' }, ...Object.entries(AUDIT_SUBTYPES).map(([value, label]) => ({ value, label: `${label} (${value})` }))]}
          />
          <NativeSelect
            label="Entries per page"
            value={String(draft.count)}
            onChange={(e) => setDraft({ ...draft, count: Number(e.currentTarget.value) })}
            data={['25', '50', '100', '200']}
          />
        </SimpleGrid>
        <Group mt="sm" gap="xs">
          <Button type="submit">Show entries</Button>
          <Button variant="subtle" onClick={() => apply(DEFAULT_AUDIT_FILTERS)}>
            Clear filters
          </Button>
        </Group>
      </Paper>
      <AsyncView async={page} loadingLabel="Reading the ledger…">
        {(p) => (
          <Stack gap="sm">
            <DataTable label="Ledger entries" columns={columns} rows={p.rows} rowKey={(r) => r.id} highlight={(r) => (r.flagged ? 'red.0' : undefined)} empty="No entries match these filters." />
            <Group justify="space-between" component="nav" aria-label="Pages of the ledger">
              <Button size="xs" variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer entries
              </Button>
              <Button size="xs" variant="default" disabled={!p.next} onClick={() => setCursors([...cursors, p.next])}>
                Older entries
              </Button>
            </Group>
          </Stack>
        )}
      </AsyncView>
    </Stack>
  );
}

type Check = { status: 'idle' } | { status: 'running' } | { status: 'done'; report: LedgerReport } | { status: 'error'; error: Error };

function ChainCheck() {
  const [check, setCheck] = useState<Check>({ status: 'idle' });
  async function run() {
    setCheck({ status: 'running' });
    try {
      setCheck({ status: 'done', report: await adminApi.verifyAudit() });
    } catch (e) {
      setCheck({ status: 'error', error: e as Error });
    }
  }
  return (
    <Stack gap="xs" align="flex-start" component="section" aria-label="Chain verification">
      <Button variant="light" leftSection={<IconShieldCheck size={16} aria-hidden />} loading={check.status === 'running'} onClick={() => void run()}>
        Verify the chain
      </Button>
      <div aria-live="polite" style={{ alignSelf: 'stretch' }}>
        {check.status === 'error' && <ErrorState error={check.error} onRetry={() => void run()} title="The chain could not be verified" />}
        {check.status === 'done' && <ChainReport report={check.report} />}
      </div>
    </Stack>
  );
}

export function ChainReport({ report }: { report: LedgerReport }) {
  const summary = `${report.entries} entries read up to seq ${report.head.seq}; ${report.checkpoints} signed checkpoint${report.checkpoints === 1 ? '' : 's'}${
    report.latestCheckpoint ? `, the latest at seq ${report.latestCheckpoint.seq} (${formatDateTime(report.latestCheckpoint.created)})` : ''
  }.`;
  if (report.ok) {
    return (
      <Alert color="salus" icon={<IconShieldCheck aria-hidden />} title="The chain is intact">
        <Text size="sm">{summary}</Text>
      </Alert>
    );
  }
  return (
    <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={`The ledger was tampered with: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`}>
      <Stack gap="xs">
        <Text size="sm">{summary}</Text>
        <List size="sm" spacing={4}>
          {report.problems.map((p, i) => (
            <List.Item key={i}>
              <Text span fw={600} size="sm">
                {p.kind} in {p.in}, seq {p.seq}
                {p.lastSeq ? `–${p.lastSeq}` : ''}
                {p.belongsAt ? ` (written at ${p.belongsAt})` : ''}:
              </Text>{' '}
              {p.detail}
            </List.Item>
          ))}
        </List>
        {!report.complete && <Text size="sm">So much was wrong that reading stopped before the end; there may be more.</Text>}
      </Stack>
    </Alert>
  );
}
