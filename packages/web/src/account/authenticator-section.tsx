import { Alert, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { accountApi } from '../api/account.js';
import { RecoveryCodes, TotpSetupStep } from '../session/sign-in-page.js';
import { useMe, useSession } from '../session/session.js';

type Mode = { step: 'idle' } | { step: 'setup' } | { step: 'confirm-codes' } | { step: 'codes'; codes: string[] };

/**
 * The authenticator app: set it up (staff already have; for patients it is optional), or replace
 * the recovery codes, which also makes any old printed copy useless.
 */
export function AuthenticatorSection() {
  const me = useMe();
  const { refresh } = useSession();
  const [mode, setMode] = useState<Mode>({ step: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function newCodes() {
    setBusy(true);
    setError(undefined);
    try {
      const { recoveryCodes } = await accountApi.regenerateRecoveryCodes();
      setMode({ step: 'codes', codes: recoveryCodes });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (mode.step === 'setup') {
    return (
      // The key is one long word; on a narrow phone it must wrap rather than push the page sideways.
      <Paper withBorder p="md" maw={480} style={{ overflowWrap: 'anywhere' }}>
        <Stack>
          <TotpSetupStep
            required={false}
            onDone={async () => {
              await refresh();
              setMode({ step: 'idle' });
            }}
          />
          <Button variant="subtle" w="fit-content" onClick={() => setMode({ step: 'idle' })}>
            Cancel
          </Button>
        </Stack>
      </Paper>
    );
  }
  if (mode.step === 'codes') {
    return (
      <Paper withBorder p="md" maw={480}>
        <RecoveryCodes codes={mode.codes} onDone={() => setMode({ step: 'idle' })} />
      </Paper>
    );
  }
  if (!me.mfaEnrolled) {
    return (
      <Stack align="flex-start">
        <Text size="sm">
          No authenticator app is set up. With one, signing in also asks for a 6-digit code from your phone, so a stolen password alone cannot open your account.
        </Text>
        <Button onClick={() => setMode({ step: 'setup' })}>Set up an authenticator app</Button>
      </Stack>
    );
  }
  return (
    <Stack align="flex-start">
      <Group gap="xs" wrap="nowrap">
        <IconShieldCheck size={20} color="var(--mantine-color-salus-7)" aria-hidden />
        <Text size="sm">An authenticator app is set up. Signing in asks for its code.</Text>
      </Group>
      <Text size="sm" c="dimmed">
        Recovery codes let you in if you lose your phone. Make new ones if yours are used up or someone may have seen them.
      </Text>
      {mode.step === 'confirm-codes' ? (
        <Alert color="yellow" title="Make new recovery codes?" maw={480}>
          <Stack gap="xs">
            <Text size="sm">Your current codes stop working at once.</Text>
            <Group gap="xs">
              <Button size="xs" loading={busy} onClick={() => void newCodes()}>
                Make new codes
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setMode({ step: 'idle' })}>
                Keep the current ones
              </Button>
            </Group>
          </Stack>
        </Alert>
      ) : (
        <Button variant="light" onClick={() => setMode({ step: 'confirm-codes' })}>
          Make new recovery codes
        </Button>
      )}
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}
