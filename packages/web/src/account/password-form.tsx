import { Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { accountApi } from '../api/account.js';
import { ApiError, asApiError } from '../api/http.js';

/** The server's rule, checked here too so that a short password is caught before sending. */
export const MIN_PASSWORD_LENGTH = 12;

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  again: string;
}

/** What is wrong with the form, by field; empty when it can be sent. */
export function passwordChangeProblems(form: PasswordChange): Partial<Record<keyof PasswordChange, string>> {
  const problems: Partial<Record<keyof PasswordChange, string>> = {};
  if (!form.currentPassword) problems.currentPassword = 'Type your current password';
  if (form.newPassword.length < MIN_PASSWORD_LENGTH) problems.newPassword = `At least ${MIN_PASSWORD_LENGTH} characters`;
  else if (form.newPassword === form.currentPassword) problems.newPassword = 'Choose a password different from the current one';
  if (form.again !== form.newPassword) problems.again = 'The two new passwords differ';
  return problems;
}

const EMPTY: PasswordChange = { currentPassword: '', newPassword: '', again: '' };

/** Changing the password keeps this session and signs out every other one (the server does that). */
export function PasswordForm({ onChanged }: { onChanged: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const [shown, setShown] = useState(false);
  const [serverError, setServerError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const problems = passwordChangeProblems(form);
  // The server names the new password `password`, as its password rules do everywhere.
  const serverField = serverError?.field === 'password' ? 'newPassword' : serverError?.field;
  const error = (field: keyof PasswordChange): string | undefined => (shown ? problems[field] : undefined) ?? (serverField === field ? serverError?.message : undefined);
  const set = (field: keyof PasswordChange) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm({ ...form, [field]: e.currentTarget.value });
    setDone(false);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setShown(true);
    setServerError(undefined);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      await accountApi.changePassword(form.currentPassword, form.newPassword);
      setForm(EMPTY);
      setShown(false);
      setDone(true);
      onChanged();
    } catch (err) {
      setServerError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Change password">
      <Stack maw={420}>
        <PasswordInput label="Current password" autoComplete="current-password" required value={form.currentPassword} onChange={set('currentPassword')} error={error('currentPassword')} />
        <PasswordInput
          label="New password"
          description="At least 12 characters. A few unrelated words make a strong one."
          autoComplete="new-password"
          required
          value={form.newPassword}
          onChange={set('newPassword')}
          error={error('newPassword')}
        />
        <PasswordInput label="New password again" autoComplete="new-password" required value={form.again} onChange={set('again')} error={error('again')} />
        {serverError && !(serverField && serverField in EMPTY) && (
          <Text c="red.8" size="sm" role="alert">
            {serverError.message}
          </Text>
        )}
        {done && (
          <Text c="salus.8" size="sm" role="status">
            Your password is changed. Your other sessions were signed out.
          </Text>
        )}
        <Button type="submit" loading={busy} w="fit-content">
          Change password
        </Button>
      </Stack>
    </form>
  );
}
