import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { accountApi } from '../api/account.js';
import { ApiError, asApiError } from '../api/http.js';
import { PublicFrame } from '../layout/public-frame.js';

/** The account screens reached before sign-in or from an emailed link. */

/** The server names the offending field; show the message under that input. */
function fieldError(error: ApiError | undefined, field: string): string | undefined {
  return error && error.field === field ? error.message : undefined;
}

function FormError({ error, fields }: { error: ApiError | undefined; fields: string[] }) {
  if (!error || (error.field && fields.includes(error.field))) return null;
  return (
    <Text c="red.8" size="sm" role="alert">
      {error.message}
    </Text>
  );
}

function useSubmit<T>(action: () => Promise<T>): { busy: boolean; error: ApiError | undefined; result: T | undefined; submit: (e: FormEvent) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<T>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    action().then(
      (r) => setResult(r),
      (err: unknown) => setError(asApiError(err)),
    ).finally(() => setBusy(false));
  };
  return { busy, error, result, submit };
}

const PASSWORD_HINT = 'At least 12 characters. A few unrelated words make a strong one.';

export function RegisterPage() {
  const [form, setForm] = useState({ givenName: '', familyName: '', birthDate: '', email: '', password: '' });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.currentTarget.value });
  const { busy, error, result, submit } = useSubmit(() => accountApi.register({ ...form, email: form.email.trim() }));
  if (result) {
    return (
      <PublicFrame title="Check your inbox">
        <Text>{result.message}</Text>
        <Text size="sm" c="dimmed" mt="sm">
          We sent it to {form.email}. The link works once.
        </Text>
      </PublicFrame>
    );
  }
  return (
    <PublicFrame title="Create your account">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="First name" autoComplete="given-name" required value={form.givenName} onChange={set('givenName')} error={fieldError(error, 'givenName')} />
          <TextInput label="Last name" autoComplete="family-name" required value={form.familyName} onChange={set('familyName')} error={fieldError(error, 'familyName')} />
          <TextInput label="Date of birth" type="date" autoComplete="bday" required value={form.birthDate} onChange={set('birthDate')} error={fieldError(error, 'birthDate')} max={new Date().toISOString().slice(0, 10)} />
          <TextInput label="Email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} error={fieldError(error, 'email')} />
          <PasswordInput label="Password" description={PASSWORD_HINT} autoComplete="new-password" required value={form.password} onChange={set('password')} error={fieldError(error, 'password')} />
          <FormError error={error} fields={Object.keys(form)} />
          <Button type="submit" loading={busy}>
            Create account
          </Button>
          <Text size="sm">
            Already have one?{' '}
            <Anchor component={Link} to="/sign-in">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </PublicFrame>
  );
}

function LinkResult({ title, children }: { title: string; children: ReactNode }) {
  return <PublicFrame title={title}>{children}</PublicFrame>;
}

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<'working' | 'done' | Error>('working');
  const sent = useRef(false);
  useEffect(() => {
    // The link works once: a second effect run (development double-render) must not spend it again.
    if (sent.current) return;
    sent.current = true;
    if (!token) {
      setState(new Error('This link has no token. Open the link from the email again.'));
      return;
    }
    accountApi.verifyEmail(token).then(() => setState('done'), (e: Error) => setState(e));
  }, [token]);
  if (state === 'working') return <LinkResult title="Confirming your email…"><Text role="status">One moment.</Text></LinkResult>;
  if (state instanceof Error) {
    return (
      <LinkResult title="That link did not work">
        <Alert color="red" role="alert">{state.message}</Alert>
        <Text size="sm" mt="md">Links work once and expire. <Anchor component={Link} to="/sign-in">Sign in</Anchor> to have a new one sent.</Text>
      </LinkResult>
    );
  }
  return (
    <LinkResult title="Email confirmed">
      <Text>Your account is active.</Text>
      <Button component={Link} to="/sign-in" mt="md">Sign in</Button>
    </LinkResult>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const { busy, error, result, submit } = useSubmit(() => accountApi.forgotPassword(email.trim()));
  return (
    <PublicFrame title="Choose a new password">
      {result ? (
        <Text role="status">{result.message}</Text>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">Type the email of your account. We will send a link to choose a new password.</Text>
            <TextInput label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(error, 'email')} />
            <FormError error={error} fields={['email']} />
            <Button type="submit" loading={busy} disabled={!email}>Send the link</Button>
            <Anchor component={Link} to="/sign-in" size="sm">Back to sign-in</Anchor>
          </Stack>
        </form>
      )}
    </PublicFrame>
  );
}

function NewPasswordForm({ title, intro, action, done }: { title: string; intro: string; action: (token: string, password: string) => Promise<unknown>; done: string }) {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again.length > 0 && again !== password;
  const { busy, error, result, submit } = useSubmit(() => action(token, password));
  return (
    <PublicFrame title={title}>
      {result ? (
        <Stack>
          <Text role="status">{done}</Text>
          <Button component={Link} to="/sign-in">Sign in</Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">{intro}</Text>
            {!token && <Alert color="red">This link has no token. Open the link from the email again.</Alert>}
            <PasswordInput label="New password" description={PASSWORD_HINT} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(error, 'password')} />
            <PasswordInput label="Type it again" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.currentTarget.value)} error={mismatch ? 'The two passwords differ' : undefined} />
            <FormError error={error} fields={['password']} />
            <Button type="submit" loading={busy} disabled={!token || !password || password !== again}>Save the password</Button>
          </Stack>
        </form>
      )}
    </PublicFrame>
  );
}

export function ResetPasswordPage() {
  return <NewPasswordForm title="Choose a new password" intro="Your other sessions will be signed out." action={accountApi.resetPassword} done="Your password is changed." />;
}

export function AcceptInvitationPage() {
  return (
    <NewPasswordForm
      title="Finish your account"
      intro="Choose a password. When you first sign in you will set up an authenticator app."
      action={accountApi.acceptInvitation}
      done="Your account is ready. Sign in to set up your authenticator."
    />
  );
}
