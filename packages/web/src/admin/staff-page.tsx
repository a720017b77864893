import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { Organization, Practitioner } from '@medplum/fhirtypes';
import { IconCertificate, IconSearch, IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Role } from '../api/account.js';
import { adminApi, type AccountFilter, type AccountStatus, type AdminAccount } from '../api/admin.js';
import { readResource, search } from '../api/fhir.js';
import { AsyncView, ErrorState, useAsync } from '../layout/async.js';
import { formatConcept, formatDateTime } from '../lib/format.js';
import { useMe } from '../session/session.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { DataTable, type Column } from '../layout/data-table.js';
import { InvitationForm, type InvitationResult } from './invitation-form.js';
import { isLicensed, ROLE_LABEL, STAFF_ROLES } from './staff.js';

const PAGE_SIZE = 25;

const STATUS: Record<AccountStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'salus' },
  pending: { label: 'Invited', color: 'yellow' },
  disabled: { label: 'Disabled', color: 'gray' },
};

/**
 * The administrator's staff screen: people waiting for their licence to be checked first, then
 * everyone working for the administrator's organizations, with invitations, verification and
 * disabling.
 */
export function StaffPage() {
  const me = useMe();
  const orgIds = me.account.organizationIds.join(',');
  const organizations = useAsync((signal) => search<Organization>('Organization', { _id: orgIds, _count: 100 }, signal), [orgIds]);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const [inviting, setInviting] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [verifying, setVerifying] = useState<AdminAccount>();
  const [disabling, setDisabling] = useState<AdminAccount>();

  function invited(r: InvitationResult) {
    setInviting(false);
    setNotice(r.created ? `Invitation sent to ${r.displayName} at ${r.email}.` : `${r.email} already had an account; it was given the new roles and told by email.`);
    reload();
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Staff
          </Title>
          <Text c="dimmed" size="sm">
            Everyone who works for your organizations on Salus.
          </Text>
        </div>
        {!inviting && (
          <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setInviting(true)}>
            Invite staff
          </Button>
        )}
      </Group>
      {notice && (
        <Alert color="salus" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(undefined)} role="status">
          {notice}
        </Alert>
      )}
      {inviting && (
        <Paper withBorder p="md" component="section" aria-labelledby="invite-title">
          <Title order={2} size="h4" id="invite-title" mb="sm">
            Invite staff
          </Title>
          <AsyncView async={organizations} loadingLabel="Loading your organizations…">
            {(list) => <InvitationForm organizations={list} onInvited={invited} onCancel={() => setInviting(false)} />}
          </AsyncView>
        </Paper>
      )}
      <VerificationQueue round={round} onVerify={setVerifying} />
      <AccountList round={round} myId={me.account.accountId} onVerify={setVerifying} onDisable={setDisabling} />
      <ConfirmDialog
        opened={verifying !== undefined}
        title={verifying ? `Verify ${verifying.displayName}'s licence` : 'Verify the licence'}
        confirmLabel="Licence checked: verify"
        color="salus"
        onConfirm={async () => {
          await adminApi.verifyPractitioner(verifying!.id);
          setNotice(`${verifying!.displayName}'s licence is verified.`);
          reload();
        }}
        onClose={() => setVerifying(undefined)}
      >
        {verifying && <LicenceDetails account={verifying} />}
      </ConfirmDialog>
      <ConfirmDialog
        opened={disabling !== undefined}
        title={disabling ? `Disable ${disabling.displayName}'s account?` : 'Disable the account?'}
        confirmLabel="Disable the account"
        onConfirm={async () => {
          await adminApi.disable(disabling!.id);
          setNotice(`${disabling!.displayName}'s account is disabled.`);
          reload();
        }}
        onClose={() => setDisabling(undefined)}
      >
        {disabling && (
          <Text size="sm">
            {disabling.displayName} ({disabling.email}) is signed out everywhere at once and can no longer sign in. Apps they connected lose access too.
          </Text>
        )}
      </ConfirmDialog>
    </Stack>
  );
}

/** Shown prominently: an unverified clinician cannot prescribe, so checking them is the administrator's first job. */
function VerificationQueue({ round, onVerify }: { round: number; onVerify: (a: AdminAccount) => void }) {
  const waiting = useAsync((signal) => adminApi.accounts({ verified: false, limit: 100 }, signal), [round]);
  if (waiting.state.status === 'error') return <ErrorState error={waiting.state.error} onRetry={waiting.reload} title="Could not load who waits for verification" />;
  // A disabled account's licence no longer matters until someone enables it again.
  const accounts = waiting.state.status === 'ready' ? waiting.state.data.accounts.filter((a) => a.status !== 'disabled') : [];
  if (accounts.length === 0) return null;
  return (
    <Paper component="section" aria-labelledby="verify-title" withBorder p="md" radius="md" bg="orange.0" style={{ borderColor: 'var(--mantine-color-orange-4)' }}>
      <Group gap="xs" mb="xs" wrap="nowrap">
        <IconCertificate size={22} color="var(--mantine-color-orange-8)" aria-hidden />
        <Title order={2} size="h4" id="verify-title">
          {accounts.length === 1 ? '1 licence to verify' : `${accounts.length} licences to verify`}
        </Title>
      </Group>
      <Text size="sm" mb="sm">
        Until their licence is checked against the register, these people cannot prescribe or dispense.
      </Text>
      <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
        {accounts.map((a) => (
          <Group component="li" key={a.id} justify="space-between" wrap="wrap" gap="xs">
            <div>
              <Text fw={600}>{a.displayName}</Text>
              <Text size="sm" c="dimmed">
                {a.roles.map((r) => ROLE_LABEL[r]).join(', ')} · {a.email}
                {a.status === 'pending' ? ' · has not accepted the invitation yet' : ''}
              </Text>
            </div>
            <Button size="xs" color="orange" onClick={() => onVerify(a)} aria-label={`Check and verify ${a.displayName}'s licence`}>
              Check and verify
            </Button>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

/** The licence as recorded on the person's Practitioner, for the administrator to check against the register. */
function LicenceDetails({ account }: { account: AdminAccount }) {
  const id = account.fhirUser?.startsWith('Practitioner/') ? account.fhirUser.slice('Practitioner/'.length) : undefined;
  const practitioner = useAsync((signal) => (id ? readResource<Practitioner>('Practitioner', id, signal) : Promise.resolve(undefined)), [id]);
  return (
    <AsyncView async={practitioner} loadingLabel="Loading the licence…">
      {(p) => {
        const qualifications = p?.qualification ?? [];
        if (qualifications.length === 0) return <Text size="sm">No licence is recorded for {account.displayName}. Check it with them before verifying.</Text>;
        return (
          <Stack gap="xs">
            <Text size="sm">Check these details with the register, then verify:</Text>
            {qualifications.map((q, i) => (
              <Paper key={i} withBorder p="xs" component="dl" m={0}>
                <Text component="dt" size="xs" c="dimmed">
                  {formatConcept(q.code) || 'Licence'}
                </Text>
                <Text component="dd" m={0} fw={600}>
                  {q.identifier?.map((x) => x.value).join(', ') || 'no number recorded'}
                </Text>
                {(q.issuer?.display || q.identifier?.[0]?.system) && (
                  <Text component="dd" m={0} size="sm" c="dimmed">
                    {[q.issuer?.display && `Issued by ${q.issuer.display}`, q.identifier?.[0]?.system && `Register ${q.identifier[0].system}`].filter(Boolean).join(' · ')}
                  </Text>
                )}
              </Paper>
            ))}
          </Stack>
        );
      }}
    </AsyncView>
  );
}

function AccountList({ round, myId, onVerify, onDisable }: { round: number; myId: string; onVerify: (a: AdminAccount) => void; onDisable: (a: AdminAccount) => void }) {
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<AccountStatus | ''>('');
  const [offset, setOffset] = useState(0);
  const [debouncedQ] = useDebouncedValue(q.trim(), 300);
  const filter: AccountFilter = { ...(debouncedQ ? { q: debouncedQ } : {}), ...(role ? { role } : {}), ...(status ? { status } : {}), limit: PAGE_SIZE, offset };
  const page = useAsync((signal) => adminApi.accounts(filter, signal), [debouncedQ, role, status, offset, round]);

  const columns: Column<AdminAccount>[] = [
    {
      label: 'Person',
      render: (a) => (
        <div>
          <Text fw={500} size="sm">
            {a.displayName}
            {a.id === myId ? ' (you)' : ''}
          </Text>
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {a.email}
          </Text>
        </div>
      ),
    },
    { label: 'Roles', render: (a) => a.roles.map((r) => ROLE_LABEL[r]).join(', ') },
    { label: 'Status', render: (a) => <Badge miw="max-content" color={STATUS[a.status].color} variant="light">{STATUS[a.status].label}</Badge> },
    {
      label: 'Licence',
      render: (a) =>
        !isLicensed(a.roles) ? (
          <Text size="sm" c="dimmed">
            Not needed
          </Text>
        ) : a.verified ? (
          <Badge miw="max-content" color="salus" variant="light">
            Verified
          </Badge>
        ) : (
          <Badge miw="max-content" color="orange" variant="filled">
            Not verified
          </Badge>
        ),
    },
    { label: 'Last sign-in', render: (a) => (a.lastSignInAt ? formatDateTime(a.lastSignInAt) : <Text size="sm" c="dimmed">Never</Text>) },
    {
      label: 'Actions',
      render: (a) => (
        <Group gap={6} wrap="wrap">
          {isLicensed(a.roles) && !a.verified && a.status !== 'disabled' && (
            <Button size="compact-xs" color="orange" onClick={() => onVerify(a)} aria-label={`Verify ${a.displayName}'s licence`}>
              Verify
            </Button>
          )}
          <Button size="compact-xs" variant="light" component={Link} to={`/administration/sessions?account=${encodeURIComponent(a.id)}`} aria-label={`Sessions of ${a.displayName}`}>
            Sessions
          </Button>
          {a.status !== 'disabled' && a.id !== myId && (
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => onDisable(a)} aria-label={`Disable ${a.displayName}`}>
              Disable
            </Button>
          )}
        </Group>
      ),
    },
  ];

  return (
    <Stack component="section" aria-labelledby="people-title" gap="sm">
      <Title order={2} size="h4" id="people-title">
        People
      </Title>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label="Name or email"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setOffset(0);
          }}
          w={{ base: '100%', xs: 260 }}
        />
        <NativeSelect
          label="Role"
          value={role}
          onChange={(e) => {
            setRole(e.currentTarget.value as Role | '');
            setOffset(0);
          }}
          data={[{ value: '', label: 'All roles' }, ...STAFF_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))]}
        />
        <NativeSelect
          label="Status"
          value={status}
          onChange={(e) => {
            setStatus(e.currentTarget.value as AccountStatus | '');
            setOffset(0);
          }}
          data={[{ value: '', label: 'Any status' }, ...(Object.keys(STATUS) as AccountStatus[]).map((s) => ({ value: s, label: STATUS[s].label }))]}
        />
      </Group>
      <AsyncView async={page} loadingLabel="Loading accounts…">
        {(p) => (
          <Stack gap="sm">
            <DataTable label="People" columns={columns} rows={p.accounts} rowKey={(a) => a.id} empty="Nobody matches these filters." />
            <Pager offset={p.offset} limit={p.limit} total={p.total} shown={p.accounts.length} onChange={setOffset} />
          </Stack>
        )}
      </AsyncView>
    </Stack>
  );
}

function Pager({ offset, limit, total, shown, onChange }: { offset: number; limit: number; total: number; shown: number; onChange: (offset: number) => void }) {
  if (total <= limit && offset === 0) return null;
  return (
    <Group justify="space-between" component="nav" aria-label="Pages of people">
      <Text size="sm" c="dimmed" aria-live="polite">
        {shown === 0 ? `None of ${total}` : `${offset + 1}–${offset + shown} of ${total}`}
      </Text>
      <Group gap="xs">
        <Button size="xs" variant="default" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
          Previous
        </Button>
        <Button size="xs" variant="default" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
