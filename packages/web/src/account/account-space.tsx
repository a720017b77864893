import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconShieldLock } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { accountApi } from '../api/account.js';
import { AppFrame, type NavItem } from '../layout/app-frame.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { spacesFor } from '../lib/spaces.js';
import { useMe } from '../session/session.js';
import { AuthenticatorSection } from './authenticator-section.js';
import { DeviceNotifications } from './device-notifications.js';
import { PasswordForm } from './password-form.js';
import { SessionList } from './session-list.js';

/** `/account`: the signed-in person's own sign-in and security, whatever their roles. */
export function AccountSpace() {
  const me = useMe();
  // A person with one space has no space switcher in the header: the way back is here.
  const nav: NavItem[] = [
    { to: '/account', label: 'Sign-in and security', icon: <IconShieldLock size={18} aria-hidden />, end: true },
    ...spacesFor(me.account.roles).map((s) => ({ to: s.path, label: `Back to ${s.label}`, icon: <IconArrowLeft size={18} aria-hidden /> })),
  ];
  return (
    <AppFrame nav={nav}>
      <Routes>
        <Route index element={<SecurityPage />} />
        <Route path="*" element={<Navigate to="/account" replace />} />
      </Routes>
    </AppFrame>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Stack component="section" aria-labelledby={id} gap="sm">
      <Title order={2} size="h4" id={id}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

export function SecurityPage() {
  const me = useMe();
  // A password change signs out the other sessions, so their list is read again after one.
  const [round, setRound] = useState(0);
  return (
    <Stack gap="xl" maw={760}>
      <div>
        <Title order={1} size="h2">
          Sign-in and security
        </Title>
        <Text c="dimmed" size="sm">
          Signed in as {me.account.email}
        </Text>
      </div>
      <Section id="sessions-title" title="Where you are signed in">
        <MySessions round={round} />
      </Section>
      <Section id="password-title" title="Password">
        <PasswordForm onChanged={() => setRound((r) => r + 1)} />
      </Section>
      <Section id="authenticator-title" title="Authenticator app">
        <AuthenticatorSection />
      </Section>
      {/* Visit notices go to patients; other roles have nothing to be notified of yet. */}
      {me.account.roles.includes('patient') && (
        <Section id="notifications-title" title="Notifications">
          <DeviceNotifications />
        </Section>
      )}
    </Stack>
  );
}

function MySessions({ round }: { round: number }) {
  const sessions = useAsync(() => accountApi.sessions().then((r) => r.sessions), [round]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function signOutOthers(ids: string[]) {
    setBusy(true);
    setError(undefined);
    try {
      await Promise.all(ids.map((id) => accountApi.revokeSession(id)));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      sessions.reload();
    }
  }
  return (
    <AsyncView async={sessions} loadingLabel="Loading your sessions…">
      {(list) => {
        const others = list.filter((s) => !s.current).map((s) => s.id);
        return (
          <Stack gap="sm">
            <SessionList
              sessions={list}
              empty="No sessions."
              onEnd={async (s) => {
                await accountApi.revokeSession(s.id);
                sessions.reload();
              }}
            />
            {others.length > 0 && (
              <Group>
                <Button variant="light" color="red" loading={busy} onClick={() => void signOutOthers(others)}>
                  Sign out all other sessions
                </Button>
              </Group>
            )}
            {others.length === 0 && (
              <Text size="sm" c="dimmed">
                You are signed in on this device only.
              </Text>
            )}
            {error && (
              <Text c="red.8" size="sm" role="alert">
                {error}
              </Text>
            )}
          </Stack>
        );
      }}
    </AsyncView>
  );
}
