import { Alert, Anchor, Button, Code, CopyButton, Group, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { accountApi, type DemoInfo } from '../api/account.js';
import { ApiError } from '../api/http.js';
import { PublicFrame } from '../layout/public-frame.js';
import { landingPath } from '../lib/spaces.js';
import { useSession } from './session.js';

/**
 * Sign-in in up to three steps: email and password; then the authenticator code (or a recovery
 * code) for accounts that use one; or, for staff signing in for the first time, setting the
 * authenticator up. In demo mode the demo people are listed beside the form.
 */

type Step = 'password' | 'mfa' | 'setup';

export function SignInPage() {
  const { state, refresh } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState<DemoInfo>();

  useEffect(() => {
    accountApi.demo().then(setDemo, () => setDemo(undefined));
  }, []);

  useEffect(() => {
    if (state.status === 'pending-mfa' && step === 'password') setStep(state.me.mfaEnrolled ? 'mfa' : 'setup');
  }, [state, step]);

  async function finish() {
    const s = await refresh();
    if (s.status === 'signed-in') navigate(landingPath(s.me.account.roles, next), { replace: true });
  }

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await accountApi.login(email.trim(), password);
      if (r.complete) await finish();
      else setStep(r.mfa === 'setup-required' ? 'setup' : 'mfa');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const reason = state.status === 'signed-out' ? state.reason : undefined;
  return (
    <PublicFrame title={step === 'password' ? 'Sign in' : step === 'mfa' ? 'Enter your code' : 'Set up your authenticator'} aside={demo && step === 'password' ? <DemoPanel demo={demo} onPick={(e) => { setEmail(e); setPassword(demo.password); }} /> : undefined}>
      {reason === 'expired' && (
        <Alert color="yellow" mb="md" icon={<IconInfoCircle aria-hidden />}>
          Your session ended. Sign in again to carry on.
        </Alert>
      )}
      {reason === 'signed-out' && (
        <Alert color="salus" mb="md">
          You are signed out.
        </Alert>
      )}
      {step === 'password' && (
        <form onSubmit={submitPassword} noValidate>
          <Stack>
            <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            {error && (
              <Text c="red.8" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Button type="submit" loading={busy} disabled={!email || !password}>
              Sign in
            </Button>
            <Group justify="space-between">
              <Anchor component={Link} to="/forgot-password" size="sm">
                Forgot your password?
              </Anchor>
              <Anchor component={Link} to="/register" size="sm">
                Create an account
              </Anchor>
            </Group>
          </Stack>
        </form>
      )}
      {step === 'mfa' && <MfaStep demoCode={demo?.currentCode} onDone={finish} />}
      {step === 'setup' && <TotpSetupStep demoCode={demo?.currentCode} onDone={finish} />}
    </PublicFrame>
  );
}

function MfaStep({ onDone, demoCode }: { onDone: () => Promise<void>; demoCode?: string | undefined }) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(e?: FormEvent) {
    e?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await accountApi.loginMfa(code.trim());
      await onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 && /Sign in first/.test(err.message) ? 'Your sign-in took too long. Start again.' : (err as Error).message);
      setCode('');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit}>
      <Stack>
        <Text size="sm">{recovery ? 'Type one of your recovery codes.' : 'Open your authenticator app and type the 6-digit code it shows for Salus.'}</Text>
        {recovery ? (
          <TextInput label="Recovery code" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        ) : (
          // One plain field rather than six boxes: screen readers announce it as one code, and phones offer the code from SMS or the keychain.
          <TextInput
            label="Authenticator code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))}
            data-autofocus
          />
        )}
        {demoCode && !recovery && (
          <Text size="xs" c="dimmed">
            Demo: the staff authenticator shows <Code>{demoCode}</Code> now.
          </Text>
        )}
        {error && (
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Button type="submit" loading={busy} disabled={recovery ? code.length < 4 : code.length !== 6}>
          Continue
        </Button>
        <Anchor component="button" type="button" size="sm" onClick={() => { setRecovery(!recovery); setCode(''); }}>
          {recovery ? 'Use the authenticator app' : 'Use a recovery code instead'}
        </Anchor>
      </Stack>
    </form>
  );
}

/**
 * Setting up an authenticator: required at staff's first sign-in, chosen by a patient from their
 * security settings (`required` false).
 */
export function TotpSetupStep({ onDone, demoCode, required = true }: { onDone: () => Promise<void>; demoCode?: string | undefined; required?: boolean }) {
  const [secret, setSecret] = useState<{ secret: string; uri: string }>();
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    accountApi.beginTotp().then(setSecret, (e: Error) => setError(e.message));
  }, []);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await accountApi.confirmTotp(code);
      setCodes(r.recoveryCodes);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  if (codes) {
    return <RecoveryCodes codes={codes} onDone={() => void onDone()} />;
  }
  return (
    <form onSubmit={submit}>
      <Stack>
        <Text size="sm">
          {required ? 'Your account needs a second step at sign-in. ' : 'A code from your phone at each sign-in keeps your record safe even if your password leaks. '}
          Scan the code with an authenticator app (or type the key below into it), then type the code it shows.
        </Text>
        {secret && <TotpQrCode uri={secret.uri} />}
        {secret && (
          <Group gap="xs">
            <Code fz="md">{secret.secret}</Code>
            <CopyButton value={secret.secret}>{({ copied, copy }) => <Button size="compact-xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          </Group>
        )}
        {demoCode && (
          <Text size="xs" c="dimmed">
            Demo accounts share a published key; its code is <Code>{demoCode}</Code> now.
          </Text>
        )}
        <TextInput label="Code from the app" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        {error && (
          <Text c="red.8" size="sm" role="alert">
            {error}
          </Text>
        )}
        <Button type="submit" disabled={code.length !== 6}>
          Turn on
        </Button>
      </Stack>
    </form>
  );
}

/**
 * The `otpauth://` address as a QR code, which authenticator apps scan; the key stays written out
 * beside it for people who cannot scan. The QR library loads only here.
 */
function TotpQrCode({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    import('qrcode')
      .then((qr) => qr.toDataURL(uri, { margin: 1, width: 184, errorCorrectionLevel: 'M' }))
      .then((url) => live && setSrc(url), () => undefined);
    return () => {
      live = false;
    };
  }, [uri]);
  return src ? <img src={src} width={184} height={184} alt="QR code to scan with your authenticator app; the same key is written below" /> : null;
}

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <Stack>
      <Text size="sm">Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone.</Text>
      <Code block>{codes.join('\n')}</Code>
      <CopyButton value={codes.join('\n')}>{({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy the codes'}</Button>}</CopyButton>
      <Button onClick={onDone}>I have saved them</Button>
    </Stack>
  );
}

function DemoPanel({ demo, onPick }: { demo: DemoInfo; onPick: (email: string) => void }) {
  return (
    <Paper withBorder p="md" radius="md" w={{ base: '100%', sm: 460 }} component="aside" aria-labelledby="demo-title">
      <Title order={2} size="h5" id="demo-title">
        Demo sign-ins
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        Every demo password is <Code>{demo.password}</Code>. Staff also enter the code from an authenticator set up with <Code>{demo.totpSecret}</Code> (shown on the next step).
      </Text>
      <Table verticalSpacing={4} fz="sm">
        <Table.Tbody>
          {demo.people.map((p) => (
            <Table.Tr key={p.email}>
              <Table.Td>
                <Anchor component="button" type="button" size="sm" onClick={() => onPick(p.email)} aria-label={`Use ${p.name} (${p.description})`}>
                  {p.name}
                </Anchor>
              </Table.Td>
              <Table.Td c="dimmed">{p.description}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
