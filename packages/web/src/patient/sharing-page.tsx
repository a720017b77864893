import { Alert, Badge, Box, Button, Checkbox, Group, List, Modal, Paper, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import type { Consent, Organization, Patient, Practitioner, Reference, RelatedPerson } from '@medplum/fhirtypes';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { createResource, search, updateResource } from '../api/fhir.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { formatDate } from '../lib/format.js';
import { ItemList } from '../record/record-parts.js';
import { referenceKey, resourceName } from '../record/use-patient-record.js';
import { useMe } from '../session/session.js';
import { buildConsent, consentRules, DATA_GROUPS, describeRule, inForce, type DataGroupId, type SharingChoice } from './consents.js';
import { lookupNames } from './names.js';
import { PatientPage } from './patient-page.js';
import { Section } from '../layout/section.js';

/**
 * "Sharing": the patient's own decisions about who sees their record, on top of the care
 * relationships that open it by default. Each choice is a FHIR Consent the server enforces;
 * withdrawing one makes it inactive, which keeps it on record as a past choice.
 */

function Defaults({ whose }: { whose: string }) {
  return (
    <Section maw={760} title={`Who can see ${whose} record now`}>
      <Text size="sm">Without you doing anything:</Text>
      <List size="sm" spacing={4} my="xs">
        <List.Item>the clinic that holds the record, and the clinicians who work there;</List.Item>
        <List.Item>clinicians on the care team, such as a specialist you were referred to;</List.Item>
        <List.Item>a pharmacy, for the prescriptions sent to it.</List.Item>
      </List>
      <Text size="sm">
        Below you can let someone else see the record, or stop someone from seeing it. In an emergency a clinician can still open the record by giving a reason; that always shows in “Who has seen my
        record”, and you are told by email.
      </Text>
    </Section>
  );
}

interface SharingData {
  consents: Consent[];
  names: Map<string, string>;
}

function ChoiceItem({ consent, names, whose, onWithdraw }: { consent: Consent; names: ReadonlyMap<string, string>; whose: string; onWithdraw?: () => void }) {
  const rules = consentRules(consent);
  const ends = rules.map((r) => r.end).find(Boolean);
  const current = onWithdraw !== undefined;
  return (
    <Paper component="li" withBorder p="sm">
      <Group justify="space-between" align="flex-start" gap="xs">
        <div style={{ minWidth: 0, flex: 1 }}>
          {rules.map((r, i) => (
            <Text key={i} fw={500}>
              {describeRule(r, names.get(referenceKey(r.actor) ?? '') || r.actor.display || '', whose)}
            </Text>
          ))}
          <Text size="xs" c="dimmed">
            {[consent.dateTime && `Chosen ${formatDate(consent.dateTime)}`, ends && `${current ? 'until' : 'ended'} ${formatDate(ends)}`].filter(Boolean).join(', ')}
          </Text>
        </div>
        {current ? (
          <Button size="xs" variant="light" color="red" onClick={onWithdraw}>
            Withdraw
          </Button>
        ) : (
          <Badge color="gray" variant="light">
            {consent.status === 'active' ? 'Ended' : 'Withdrawn'}
          </Badge>
        )}
      </Group>
    </Paper>
  );
}

function Choices({ data, whose, onChanged }: { data: SharingData; whose: string; onChanged: () => void }) {
  const [withdrawing, setWithdrawing] = useState<Consent>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const withRules = data.consents.filter((c) => consentRules(c).length > 0).sort((a, b) => (b.dateTime ?? '').localeCompare(a.dateTime ?? ''));
  const current = withRules.filter((c) => inForce(c));
  const past = withRules.filter((c) => !inForce(c));

  async function withdraw() {
    if (!withdrawing?.id) return;
    setBusy(true);
    setError(undefined);
    try {
      await updateResource({ ...withdrawing, id: withdrawing.id, status: 'inactive' });
      setWithdrawing(undefined);
      notifications.show({ color: 'salus', title: 'Choice withdrawn', message: 'Access is back to what it was before this choice.' });
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section maw={760} title="Your choices">
      {current.length === 0 ? (
        <Text size="sm" c="dimmed">
          You have not made any choices, so only the people above can see {whose} record.
        </Text>
      ) : (
        <ItemList gap="xs">
          {current.map((c) => (
            <ChoiceItem key={c.id} consent={c} names={data.names} whose={whose} onWithdraw={() => setWithdrawing(c)} />
          ))}
        </ItemList>
      )}
      {past.length > 0 && (
        <Box component="details" mt="sm">
          <Text component="summary" size="sm" c="salus.8" style={{ cursor: 'pointer' }}>
            Past choices ({past.length})
          </Text>
          <Box mt="xs">
            <ItemList gap="xs">
              {past.map((c) => (
                <ChoiceItem key={c.id} consent={c} names={data.names} whose={whose} />
              ))}
            </ItemList>
          </Box>
        </Box>
      )}
      <Modal opened={withdrawing !== undefined} onClose={() => setWithdrawing(undefined)} title="Withdraw this choice?">
        <Stack gap="sm">
          <Text size="sm">
            {withdrawing &&
              consentRules(withdrawing)
                .map((r) => describeRule(r, data.names.get(referenceKey(r.actor) ?? '') || r.actor.display || '', whose))
                .join(' ')}
          </Text>
          <Text size="sm">Withdrawing it puts access back to what it was before. It stays listed under past choices.</Text>
          {error && (
            <Text c="red.8" size="sm" role="alert">
              {error}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setWithdrawing(undefined)}>
              Keep it
            </Button>
            <Button color="red" loading={busy} onClick={() => void withdraw()}>
              Withdraw
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}

type ActorType = 'Practitioner' | 'Organization';

/** A search of the directory by name, for the clinician or organization a choice is about. */
function ActorPicker({ type, value, onChange }: { type: ActorType; value: Reference<Practitioner | Organization> | undefined; onChange: (v: Reference<Practitioner | Organization> | undefined) => void }) {
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 300);
  const found = useAsync(
    (signal) => (debounced.length < 2 ? Promise.resolve([]) : search<Practitioner | Organization>(type, { name: debounced, _count: 10 }, signal)),
    [type, debounced],
  );
  const results = found.state.status === 'ready' ? found.state.data : [];
  const options = results.map((r) => {
    const city = r.resourceType === 'Organization' ? r.address?.[0]?.city : undefined;
    return { value: `${r.resourceType}/${r.id}`, label: [resourceName(r), city].filter(Boolean).join(', ') };
  });
  // The chosen one stays an option while the person types another search.
  if (value?.reference && !options.some((o) => o.value === value.reference)) options.unshift({ value: value.reference, label: value.display ?? value.reference });
  const searching = debounced.length >= 2 && found.state.status === 'loading';
  return (
    <Select
      label={type === 'Practitioner' ? 'Find the clinician by name' : 'Find the clinic or organization by name'}
      placeholder="Type at least 2 letters"
      required
      searchable
      clearable
      data={options}
      value={value?.reference ?? null}
      searchValue={query}
      onSearchChange={setQuery}
      filter={({ options: all }) => all}
      nothingFoundMessage={debounced.length < 2 ? 'Type at least 2 letters' : searching ? 'Searching…' : found.state.status === 'error' ? 'The search did not work; try again' : 'Nobody found by that name'}
      onChange={(ref) => {
        const option = options.find((o) => o.value === ref);
        onChange(ref && option ? { reference: ref, display: option.label.split(', ')[0] } : undefined);
      }}
    />
  );
}

function NewChoice({ patient, whose, performer, onSaved }: { patient: Patient; whose: string; performer: Reference<Patient | RelatedPerson> | undefined; onSaved: () => void }) {
  const [type, setType] = useState<ActorType>('Practitioner');
  const [actor, setActor] = useState<Reference<Practitioner | Organization>>();
  const [effect, setEffect] = useState<'permit' | 'deny'>('permit');
  const [scope, setScope] = useState<'all' | 'some'>('all');
  const [groups, setGroups] = useState<DataGroupId[]>([]);
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const today = new Date().toISOString().slice(0, 10);
  const ready = actor !== undefined && (scope === 'all' || groups.length > 0) && (!until || until >= today);
  const choice: SharingChoice | undefined = actor ? { effect, actor, ...(scope === 'some' ? { groups } : {}), ...(until ? { until } : {}) } : undefined;
  const preview = choice && ready ? consentRules(buildConsent(patient.id!, choice, performer)).map((r) => describeRule(r, actor?.display ?? '', whose)).join(' ') : undefined;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!choice || !ready) return;
    setBusy(true);
    setError(undefined);
    try {
      await createResource(buildConsent(patient.id!, choice, performer));
      notifications.show({ color: 'salus', title: 'Choice saved', message: preview ?? 'Your choice applies from now on.' });
      setActor(undefined);
      setScope('all');
      setGroups([]);
      setUntil('');
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section maw={760} title="Make a new choice">
      <Paper withBorder p="md">
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <Radio.Group label="Who is it about?" value={type} onChange={(v) => { setType(v as ActorType); setActor(undefined); }}>
              <Group mt={6} gap="lg">
                <Radio value="Practitioner" label="A clinician" />
                <Radio value="Organization" label="A clinic or organization" />
              </Group>
            </Radio.Group>
            <ActorPicker key={type} type={type} value={actor} onChange={setActor} />
            <Radio.Group label="What do you want?" value={effect} onChange={(v) => setEffect(v as 'permit' | 'deny')}>
              <Stack mt={6} gap="sm">
                <Radio value="permit" label="Let them see it" description="For someone outside the usual care, such as a specialist at another hospital. They can see what you choose until you withdraw it." />
                <Radio value="deny" label="Stop them from seeing it" description="For someone who would otherwise see it, such as a colleague at the clinic. They will no longer see what you choose, except in an emergency." />
              </Stack>
            </Radio.Group>
            <Radio.Group label={`Which parts of ${whose} record?`} value={scope} onChange={(v) => setScope(v as 'all' | 'some')}>
              <Stack mt={6} gap="sm">
                <Radio value="all" label="All of it" />
                <Radio value="some" label="Only some kinds of information" description={effect === 'permit' ? 'They will also see the name and date of birth, so they know whose information it is.' : undefined} />
              </Stack>
            </Radio.Group>
            {scope === 'some' && (
              <Checkbox.Group label="Kinds of information" value={groups} onChange={(v) => setGroups(v as DataGroupId[])} required>
                <Stack mt={6} gap={6}>
                  {DATA_GROUPS.map((g) => (
                    <Checkbox key={g.id} value={g.id} label={g.label} />
                  ))}
                </Stack>
              </Checkbox.Group>
            )}
            <TextInput
              type="date"
              label="Until (optional)"
              description="Leave empty to keep this choice until you withdraw it."
              value={until}
              min={today}
              onChange={(e) => setUntil(e.currentTarget.value)}
              error={until && until < today ? 'Choose today or a later day' : undefined}
              maw={260}
            />
            {preview && (
              <Alert color="salus" variant="light" icon={<IconInfoCircle aria-hidden />} aria-live="polite">
                {preview}
              </Alert>
            )}
            {error && (
              <Text c="red.8" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Button type="submit" loading={busy} disabled={!ready} style={{ alignSelf: 'flex-start' }}>
              Save this choice
            </Button>
          </Stack>
        </form>
      </Paper>
    </Section>
  );
}

/** The sharing page of one patient's record. */
export function SharingPage({ patient, whose }: { patient: Patient; whose: string }) {
  const me = useMe();
  const data = useAsync(
    async (signal): Promise<SharingData> => {
      const consents = await search<Consent>('Consent', { patient: patient.id!, _count: 200 }, signal);
      const actors = consents.flatMap((c) => consentRules(c).flatMap((r) => (r.actor.reference ? [r.actor.reference] : [])));
      return { consents, names: await lookupNames(actors, signal) };
    },
    [patient.id],
  );
  const fhirUser = me.account.fhirUser;
  const performer = fhirUser && /^(Patient|RelatedPerson)\//.test(fhirUser) ? ({ reference: fhirUser } as Reference<Patient | RelatedPerson>) : undefined;
  return (
    <PatientPage title="Sharing" patient={patient} intro={`Decide who else may see ${whose} record, or who may not.`}>
      <Defaults whose={whose} />
      <AsyncView async={data} loadingLabel="Loading your choices…">
        {(d) => <Choices data={d} whose={whose} onChanged={data.reload} />}
      </AsyncView>
      <NewChoice patient={patient} whose={whose} performer={performer} onSaved={data.reload} />
    </PatientPage>
  );
}
