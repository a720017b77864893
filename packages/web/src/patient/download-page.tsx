import { Alert, Button, Group, List, Paper, Stack, Text } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { IconDownload, IconLock } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { FHIR_BASE, patientEverything } from '../api/fhir.js';
import { ErrorState } from '../layout/async.js';
import { formatBytes } from '../lib/format.js';
import { PatientPage } from './patient-page.js';
import { recordBundle, recordFileName } from './download.js';

interface Prepared {
  url: string;
  fileName: string;
  bytes: number;
  items: number;
}

/**
 * "Download my record": the whole record fetched fresh from the server and offered as one JSON
 * file. Preparing and saving are two steps so the person sees the size before saving, and the
 * saving is an ordinary link (keyboard, "save link as", no pop-up blocker).
 */
export function DownloadPage({ patient, whose }: { patient: Patient; whose: string }) {
  const [prepared, setPrepared] = useState<Prepared>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  // The file's Blob URL holds the whole record in memory: release it when a new one replaces it or the page closes.
  useEffect(() => (prepared ? () => URL.revokeObjectURL(prepared.url) : undefined), [prepared]);

  async function prepare() {
    setBusy(true);
    setError(undefined);
    try {
      const resources = await patientEverything(patient.id!);
      const bundle = recordBundle(resources, `${window.location.origin}${FHIR_BASE}`);
      const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' });
      setPrepared({ url: URL.createObjectURL(blob), fileName: recordFileName(patient), bytes: blob.size, items: resources.length });
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <PatientPage title="Download my record" patient={patient} intro={`Save a copy of everything in ${whose} record that Salus holds, as one file you keep.`}>
      <Paper withBorder p="md" maw={720}>
        <Stack gap="sm">
          <Text size="sm">The file has:</Text>
          <List size="sm" spacing={4}>
            <List.Item>personal details, problems, medicines, allergies and vaccinations;</List.Item>
            <List.Item>results and measurements, visits, appointments, notes and documents;</List.Item>
            <List.Item>the clinicians, clinics and places they mention.</List.Item>
          </List>
          <Text size="sm">
            It is in FHIR format, the international standard for health records, so another clinic or a health app that reads FHIR can import it. It is not meant for reading by eye.
          </Text>
          <Alert color="yellow" variant="light" icon={<IconLock aria-hidden />}>
            Anyone who has this file can read the health information in it. Keep it somewhere private, and delete it from shared computers.
          </Alert>
          {error && <ErrorState error={error} onRetry={() => void prepare()} title="The record could not be prepared" />}
          {!prepared ? (
            <Button onClick={() => void prepare()} loading={busy} style={{ alignSelf: 'flex-start' }}>
              Prepare the file
            </Button>
          ) : (
            <Stack gap="xs" role="status">
              <Text size="sm">
                Ready: {prepared.items} {prepared.items === 1 ? 'item' : 'items'}, {formatBytes(prepared.bytes)}, as{' '}
                <Text span ff="monospace" size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {prepared.fileName}
                </Text>
              </Text>
              <Group gap="sm">
                <Button component="a" href={prepared.url} download={prepared.fileName} leftSection={<IconDownload size={16} aria-hidden />}>
                  Save the file
                </Button>
                <Button variant="subtle" onClick={() => void prepare()} loading={busy}>
                  Prepare again
                </Button>
              </Group>
            </Stack>
          )}
        </Stack>
      </Paper>
    </PatientPage>
  );
}
