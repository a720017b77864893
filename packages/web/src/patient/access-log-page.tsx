import { Alert, Badge, Button, Group, Paper, Stack, Switch, Text } from '@mantine/core';
import type { AuditEvent, Bundle, Patient } from '@medplum/fhirtypes';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { request } from '../api/http.js';
import { AsyncView, ErrorState, useAsync } from '../layout/async.js';
import { formatDateTime, relativeDay } from '../lib/format.js';
import { ItemList } from '../record/record-parts.js';
import { useMe } from '../session/session.js';
import { nextPage, readAccessEvent, whoLabel, type AccessEntry } from './access-log.js';
import { lookupNames } from './names.js';
import { PatientPage } from './patient-page.js';

const PAGE_SIZE = 100;
/** Entries by others wanted per "page" on screen, and the most server pages read to find them. */
const WANTED = 20;
const MAX_READS = 5;

interface LogPage {
  entries: AccessEntry[];
  names: Map<string, string>;
  next?: string | undefined;
}

/**
 * Reads the log from `url` until it has found WANTED entries by someone other than `accountId`
 * (or the end). A person's own visits fill the log quickly, and the server cannot leave them out.
 */
async function loadPage(url: string, whose: string, accountId: string, known: ReadonlyMap<string, string>, signal?: AbortSignal): Promise<LogPage> {
  const entries: AccessEntry[] = [];
  let next: string | undefined = url;
  for (let reads = 0; next && reads < MAX_READS && entries.filter((e) => e.accountId !== accountId).length < WANTED; reads++) {
    const bundle: Bundle<AuditEvent> = await request<Bundle<AuditEvent>>(next, { signal });
    for (const e of bundle.entry ?? []) if (e.resource) entries.push(readAccessEvent(e.resource, whose));
    next = nextPage(bundle.link);
  }
  const unknown = [...new Set(entries.flatMap((e) => (e.who && !known.has(e.who) ? [e.who] : [])))];
  const names = new Map([...known, ...(await lookupNames(unknown, signal))]);
  return { entries, names, next };
}

function Entry({ entry, names }: { entry: AccessEntry; names: ReadonlyMap<string, string> }) {
  const me = useMe();
  const { who, role } = whoLabel(entry, names, me.account);
  const day = relativeDay(entry.when);
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      style={entry.emergency ? { borderColor: 'var(--mantine-color-red-6)', borderWidth: 2, background: 'var(--mantine-color-red-0)' } : undefined}
    >
      <Group justify="space-between" align="flex-start" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Text fw={600}>
            {who}
            {role && (
              <Text span fw={400} c="dimmed" size="sm">
                {' '}
                · {role}
              </Text>
            )}
          </Text>
          <Text size="sm">
            {entry.what}
            {entry.app ? ', through an app' : ''}
          </Text>
        </div>
        <Group gap={4}>
          {entry.emergency && (
            <Badge color="red" variant="filled" leftSection={<IconAlertTriangle size={12} aria-hidden />}>
              Emergency access
            </Badge>
          )}
          {entry.outcome === 'refused' && (
            <Badge color="orange" variant="light">
              Refused
            </Badge>
          )}
          {entry.outcome === 'failed' && (
            <Badge color="gray" variant="light">
              Did not work
            </Badge>
          )}
        </Group>
      </Group>
      {entry.reason && (
        <Text size="sm" mt={4}>
          <Text span fw={600}>
            Reason given:
          </Text>{' '}
          {entry.reason}
        </Text>
      )}
      <Text size="xs" c="dimmed" mt={4}>
        <time dateTime={entry.when}>{day ? `${day[0]!.toUpperCase()}${day.slice(1)}, ${formatDateTime(entry.when)}` : formatDateTime(entry.when)}</time>
      </Text>
    </Paper>
  );
}

function Log({ first, whose }: { first: LogPage; whose: string }) {
  const me = useMe();
  const [pages, setPages] = useState<LogPage[]>([]);
  const [showOwn, setShowOwn] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const last = pages[pages.length - 1] ?? first;
  const names = last.names;
  const all = [first, ...pages].flatMap((p) => p.entries);
  const mine = (e: AccessEntry) => e.accountId === me.account.accountId;
  const shown = showOwn ? all : all.filter((e) => !mine(e));
  const emergencies = all.filter((e) => e.tookEmergencyAccess);

  async function older() {
    if (!last.next) return;
    setBusy(true);
    setError(undefined);
    try {
      const page = await loadPage(last.next, whose, me.account.accountId, names);
      setPages((p) => [...p, page]);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      {emergencies.length > 0 && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="Emergency access was used">
          {emergencies.length === 1 ? 'A clinician' : `Clinicians, ${emergencies.length} times,`} opened {whose} record without being part of {whose === 'your' ? 'your' : 'their'} care team, giving an emergency as the reason. These entries are highlighted below. If you do not know why, contact your clinic.
        </Alert>
      )}
      <Switch label="Show my own activity too" checked={showOwn} onChange={(e) => setShowOwn(e.currentTarget.checked)} />
      {shown.length === 0 ? (
        <Text c="dimmed">{all.length === 0 ? 'Nobody has opened this record yet.' : 'Only you have opened this record in the time shown.'}</Text>
      ) : (
        <ItemList gap="xs">
          {shown.map((e) => (
            <Entry key={e.id} entry={e} names={names} />
          ))}
        </ItemList>
      )}
      {!showOwn && all.length > shown.length && (
        <Text size="xs" c="dimmed">
          {all.length - shown.length} of your own {all.length - shown.length === 1 ? 'entry is' : 'entries are'} hidden.
        </Text>
      )}
      {error && <ErrorState error={error} onRetry={() => void older()} title="Older entries could not be loaded" />}
      {last.next && (
        <Button variant="light" onClick={() => void older()} loading={busy} style={{ alignSelf: 'flex-start' }}>
          Show older entries
        </Button>
      )}
    </Stack>
  );
}

/** "Who has seen my record": the access log of one patient, newest first, emergency access highlighted. */
export function AccessLogPage({ patient, whose }: { patient: Patient; whose: string }) {
  const me = useMe();
  const url = `/me/access-log?${new URLSearchParams({ patient: patient.id!, _count: String(PAGE_SIZE) })}`;
  const first = useAsync((signal) => loadPage(url, whose, me.account.accountId, new Map(), signal), [url, whose, me.account.accountId]);
  return (
    <PatientPage
      title="Who has seen my record"
      patient={patient}
      intro={`Every time someone opens or changes ${whose} record, Salus writes it in a log that cannot be altered afterwards. Here you can see who it was, when, and what they looked at. If something looks wrong, contact your clinic.`}
    >
      <AsyncView async={first} loadingLabel="Loading the access log…">
        {(page) => <Log first={page} whose={whose} />}
      </AsyncView>
    </PatientPage>
  );
}
