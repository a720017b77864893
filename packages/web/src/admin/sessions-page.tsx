import { Button, Group, Paper, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { adminApi, type AdminAccount } from '../api/admin.js';
import { SessionList } from '../account/session-list.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { ROLE_LABEL } from './staff.js';

/**
 * Someone's sessions, for when a device was lost or an account misused: pick the person, see
 * where they are signed in, and end one session or all of them. The person is in the address
 * (`?account=`), so the staff list can link here.
 */
export function SessionsPage() {
  const [params, setParams] = useSearchParams();
  const accountId = params.get('account') ?? undefined;
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q.trim(), 300);
  const people = useAsync((signal) => adminApi.accounts({ ...(debouncedQ ? { q: debouncedQ } : {}), status: 'active', limit: 20 }, signal), [debouncedQ]);
  // Kept once seen, so the heading keeps the name when a new search no longer lists the person.
  const [chosen, setChosen] = useState<AdminAccount>();
  const known = chosen?.id === accountId ? chosen : people.state.status === 'ready' ? people.state.data.accounts.find((a) => a.id === accountId) : undefined;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          Sessions
        </Title>
        <Text c="dimmed" size="sm">
          Where people are signed in. Ending a session signs that device out at once.
        </Text>
      </div>
      <Group align="flex-start" gap="lg" wrap="wrap">
        <Stack component="section" aria-labelledby="pick-title" gap="xs" w={{ base: '100%', md: 300 }}>
          <Title order={2} size="h4" id="pick-title">
            Person
          </Title>
          <TextInput label="Find by name or email" leftSection={<IconSearch size={16} aria-hidden />} value={q} onChange={(e) => setQ(e.currentTarget.value)} />
          <AsyncView async={people} loadingLabel="Searching…">
            {(page) =>
              page.accounts.length === 0 ? (
                <EmptyState>Nobody active matches.</EmptyState>
              ) : (
                <Stack component="ul" gap={4} p={0} m={0} style={{ listStyle: 'none' }}>
                  {page.accounts.map((a) => (
                    <li key={a.id}>
                      <UnstyledButton
                        w="100%"
                        p="xs"
                        bg={a.id === accountId ? 'salus.0' : undefined}
                        style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                        aria-current={a.id === accountId ? 'true' : undefined}
                        onClick={() => {
                          setChosen(a);
                          setParams({ account: a.id });
                        }}
                      >
                        <Text size="sm" fw={500}>
                          {a.displayName}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {a.roles.map((r) => ROLE_LABEL[r]).join(', ')} · {a.email}
                        </Text>
                      </UnstyledButton>
                    </li>
                  ))}
                </Stack>
              )
            }
          </AsyncView>
        </Stack>
        <Paper component="section" aria-labelledby="sessions-of-title" withBorder p="md" style={{ flex: '1 1 320px', minWidth: 0 }}>
          {accountId ? (
            <AccountSessions accountId={accountId} name={known?.displayName} />
          ) : (
            <>
              <Title order={2} size="h4" id="sessions-of-title">
                No one chosen
              </Title>
              <EmptyState>Choose a person to see their sessions.</EmptyState>
            </>
          )}
        </Paper>
      </Group>
    </Stack>
  );
}

function AccountSessions({ accountId, name }: { accountId: string; name: string | undefined }) {
  const sessions = useAsync((signal) => adminApi.sessions(accountId, signal).then((r) => r.sessions), [accountId]);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const who = name ?? 'this person';
  // Choosing someone moves focus (and, on a phone, the view) to their sessions below the list.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [accountId]);
  return (
    <Stack gap="sm">
      <Title order={2} size="h4" id="sessions-of-title" tabIndex={-1} ref={heading}>
        Sessions of {who}
      </Title>
      {notice && (
        <Text size="sm" c="salus.8" role="status">
          {notice}
        </Text>
      )}
      <AsyncView async={sessions} loadingLabel="Loading sessions…">
        {(list) => (
          <Stack gap="sm">
            <SessionList
              sessions={list}
              empty={`${name ?? 'This person'} is not signed in anywhere.`}
              onEnd={async (s) => {
                await adminApi.endSession(accountId, s.id);
                setNotice('The session was ended.');
                sessions.reload();
              }}
            />
            {list.some((s) => !s.current) && (
              <Group>
                <Button color="red" variant="light" onClick={() => setConfirming(true)}>
                  Sign {name ?? 'them'} out everywhere
                </Button>
              </Group>
            )}
          </Stack>
        )}
      </AsyncView>
      <ConfirmDialog
        opened={confirming}
        title={`Sign ${who} out everywhere?`}
        confirmLabel="End every session"
        onConfirm={async () => {
          const { ended } = await adminApi.endAllSessions(accountId);
          setNotice(ended === 1 ? '1 session was ended.' : `${ended} sessions were ended.`);
          sessions.reload();
        }}
        onClose={() => setConfirming(false)}
      >
        <Text size="sm">Every device {who} is signed in on is signed out at once, and apps connected through those sessions lose access. They can sign in again with their password and authenticator.</Text>
      </ConfirmDialog>
    </Stack>
  );
}
