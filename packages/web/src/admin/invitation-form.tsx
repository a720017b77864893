import { Button, Checkbox, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { Organization } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import type { Role } from '../api/account.js';
import { adminApi } from '../api/admin.js';
import { ApiError, asApiError } from '../api/http.js';
import { EMPTY_INVITATION, invitationBody, invitationField, invitationProblems, isLicensed, ROLE_LABEL, STAFF_ROLES, type InvitationForm as Form } from './staff.js';

export interface InvitationResult {
  email: string;
  displayName: string;
  /** False when the address already had an account, which was added to the organization instead. */
  created: boolean;
}

/**
 * Inviting a member of staff to one of the administrator's organizations. The person gets an
 * email to choose a password; clinicians and pharmacists also need their licence number, which
 * the administrator verifies later against the register.
 */
export function InvitationForm({ organizations, onInvited, onCancel }: { organizations: Organization[]; onInvited: (r: InvitationResult) => void; onCancel: () => void }) {
  const [form, setForm] = useState<Form>({ ...EMPTY_INVITATION, organizationId: organizations.length === 1 ? organizations[0]!.id! : '' });
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<ApiError>();
  const problems = invitationProblems(form);
  const serverField = invitationField(serverError?.field);
  const error = (field: keyof Form): string | undefined => (shown ? problems[field] : undefined) ?? (serverField === field ? serverError?.message : undefined);
  const text = (field: keyof Form) => ({
    value: form[field] as string,
    error: error(field),
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [field]: e.currentTarget.value }),
  });
  const licensed = isLicensed(form.roles);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setShown(true);
    setServerError(undefined);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const body = invitationBody(form);
      const r = await adminApi.invite(body);
      onInvited({ email: body.email, displayName: body.displayName, created: r.created });
    } catch (err) {
      setServerError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Invite staff">
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Email" type="email" autoComplete="off" required {...text('email')} />
          <TextInput label="Name" description="As colleagues and patients will see it" required {...text('displayName')} />
        </SimpleGrid>
        <NativeSelect
          label="Organization"
          required
          data={[{ value: '', label: 'Choose…', disabled: true }, ...organizations.map((o) => ({ value: o.id!, label: o.name ?? o.id! }))]}
          {...text('organizationId')}
        />
        <Checkbox.Group label="Roles" required value={form.roles} onChange={(v) => setForm({ ...form, roles: v as Role[] })} error={error('roles')}>
          <Group mt={6} gap="md">
            {STAFF_ROLES.map((r) => (
              <Checkbox key={r} value={r} label={ROLE_LABEL[r]} />
            ))}
          </Group>
        </Checkbox.Group>
        {licensed && (
          <Fieldset legend="Licence">
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                The licence is checked against the register before this person may prescribe or dispense.
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label="Licence number" required {...text('licence')} />
                <TextInput label="Register" description="URI of the licence register (optional)" {...text('licenceSystem')} />
                <TextInput label="Qualification" description="For example MD, RN, PharmD (optional)" {...text('degree')} />
                <TextInput label="Issued by" description="The licensing board (optional)" {...text('issuer')} />
              </SimpleGrid>
            </Stack>
          </Fieldset>
        )}
        {serverError && !serverField && (
          <Text c="red.8" size="sm" role="alert">
            {serverError.message}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={busy}>
            Send the invitation
          </Button>
          <Button variant="subtle" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
