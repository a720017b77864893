import { Alert, Badge, Button, Code, CopyButton, Group, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCheck, IconCopy, IconPlugConnected } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { asApiError } from '../api/http.js';
import { EmptyState } from '../layout/async.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { formatDateTime } from '../lib/format.js';
import { countdown } from './monitoring.js';
import { createPairingCode, DEVICE_TYPES, enrolDevice, revokeDevice, type DeviceType, type MonitoredDevice, type PairingCode } from './monitoring-api.js';
import { useNow } from './use-now.js';

/**
 * A patient's home devices: the list, disconnecting one (its token stops working at once), and
 * connecting a new one — by a clinician, who enrols it and gets its token to set it up, or by the
 * patient, who gets a short pairing code to type into the device's app.
 */

/** Readings typed in by hand are filed under a "manual" device; there is nothing to disconnect. */
const physical = (devices: readonly MonitoredDevice[]) => devices.filter((d) => d.type !== 'manual');

function DeviceList({ devices, removeLabel, onRemove }: { devices: readonly MonitoredDevice[]; removeLabel: string; onRemove: (d: MonitoredDevice) => void }) {
  const shown = physical(devices);
  if (shown.length === 0) return <EmptyState>No devices connected.</EmptyState>;
  return (
    <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Devices">
      {shown.map((d) => (
        <Paper component="li" key={d.id} withBorder p="sm" radius="md">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <div>
              <Group gap="xs">
                <Text fw={600}>{d.display}</Text>
                <Badge color={d.status === 'active' ? 'green' : 'gray'} variant="light" tt="none">
                  {d.status === 'active' ? 'Connected' : 'Disconnected'}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {d.lastSeen ? `Last reading ${formatDateTime(d.lastSeen)}` : 'No readings yet'}
              </Text>
            </div>
            {d.status === 'active' && (
              <Button size="xs" variant="default" color="red" onClick={() => onRemove(d)} aria-label={`${removeLabel}: ${d.display}`}>
                {removeLabel}
              </Button>
            )}
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

function RemoveDialog({ device, title, onClose, onRemoved }: { device: MonitoredDevice | undefined; title: string; onClose: () => void; onRemoved: () => void }) {
  return (
    <ConfirmDialog
      opened={!!device}
      title={title}
      confirmLabel="Disconnect"
      onClose={onClose}
      onConfirm={async () => {
        await revokeDevice(device!.id);
        onRemoved();
      }}
    >
      <Text>
        {device?.display} will stop sending readings at once. Readings it already sent stay in the record. To use it again, connect it again.
      </Text>
    </ConfirmDialog>
  );
}

function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Button size="xs" variant={copied ? 'filled' : 'light'} leftSection={copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />} onClick={copy} aria-label={copied ? `${label} copied` : `Copy ${label}`}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

/** The new device's token, shown once, and how a device sends readings with it. */
function TokenPanel({ deviceId, token, onDone }: { deviceId: string; token: string; onDone: () => void }) {
  const origin = window.location.origin;
  const sample = JSON.stringify({ readings: [{ kind: 'heart-rate', time: '2026-01-01T08:00:00Z', value: 72 }] });
  return (
    <Paper withBorder p="md" radius="md" bg="yellow.0" role="region" aria-label="New device token">
      <Stack gap="sm">
        <Title order={4} size="h5">
          Device enrolled: copy its token now
        </Title>
        <Text size="sm">The token is shown only this once. Anyone holding it can send readings for this patient; set it up in the device and do not store it elsewhere.</Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {token}
          </Code>
          <CopyValue value={token} label="token" />
        </Group>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          <div>
            <Text fw={600} size="sm">
              Over HTTPS
            </Text>
            <Text size="sm">
              POST to <Code>{`${origin}/monitoring/readings`}</Code> with the header <Code>Authorization: Bearer &lt;token&gt;</Code> and a JSON body such as <Code>{sample}</Code>. FHIR
              Observations or Bundles (<Code>application/fhir+json</Code>) are accepted too.
            </Text>
          </div>
          <div>
            <Text fw={600} size="sm">
              Over MQTT
            </Text>
            <Text size="sm">
              Connect to the Salus MQTT broker at <Code>{window.location.hostname}</Code> with user name <Code>{deviceId}</Code> and the token as password. Publish readings (the same JSON) to{' '}
              <Code>{`salus/devices/${deviceId}/readings`}</Code>; results come back on <Code>{`salus/devices/${deviceId}/results`}</Code>.
            </Text>
          </div>
        </SimpleGrid>
        <Button variant="default" size="xs" onClick={onDone} style={{ alignSelf: 'flex-start' }}>
          Done, the token is set up
        </Button>
      </Stack>
    </Paper>
  );
}

function EnrolForm({ patientId, onEnrolled }: { patientId: string; onEnrolled: (deviceId: string, token: string) => void }) {
  const [type, setType] = useState<DeviceType>('blood-pressure-monitor');
  const [manufacturer, setManufacturer] = useState('');
  const [model, setModel] = useState('');
  const [serial, setSerial] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string }>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { device, token } = await enrolDevice(patientId, { type, manufacturer, model, serial });
      setManufacturer('');
      setModel('');
      setSerial('');
      onEnrolled(device.id ?? '', token);
    } catch (err) {
      const api = asApiError(err);
      setError(api.field ? { field: api.field, message: api.message } : { message: api.message });
    } finally {
      setBusy(false);
    }
  }
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);
  return (
    <form onSubmit={submit} noValidate aria-label="Enrol a device">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <NativeSelect label="Device" data={DEVICE_TYPES.map((d) => ({ ...d }))} value={type} onChange={(e) => setType(e.currentTarget.value as DeviceType)} error={fieldError('type')} />
        <TextInput label="Manufacturer" value={manufacturer} onChange={(e) => setManufacturer(e.currentTarget.value)} error={fieldError('manufacturer')} maxLength={200} />
        <TextInput label="Model" value={model} onChange={(e) => setModel(e.currentTarget.value)} error={fieldError('model')} maxLength={200} />
        <TextInput label="Serial number" value={serial} onChange={(e) => setSerial(e.currentTarget.value)} error={fieldError('serial')} maxLength={200} />
        <Button type="submit" loading={busy} leftSection={<IconPlugConnected size={16} aria-hidden />}>
          Enrol device
        </Button>
      </Group>
      {error && !['type', 'manufacturer', 'model', 'serial'].includes(error.field ?? '') && (
        <Text c="red.8" size="sm" role="alert" mt="xs">
          {error.message}
        </Text>
      )}
    </form>
  );
}

/** The clinician's view: enrol a device (its token shown once) and disconnect one. */
export function ClinicianDevices({ patientId, devices, onChanged }: { patientId: string; devices: readonly MonitoredDevice[]; onChanged: () => void }) {
  const [removing, setRemoving] = useState<MonitoredDevice>();
  const [issued, setIssued] = useState<{ deviceId: string; token: string }>();
  return (
    <Stack gap="md">
      <DeviceList devices={devices} removeLabel="Disconnect" onRemove={setRemoving} />
      {issued ? (
        <TokenPanel deviceId={issued.deviceId} token={issued.token} onDone={() => setIssued(undefined)} />
      ) : (
        <EnrolForm
          patientId={patientId}
          onEnrolled={(deviceId, token) => {
            setIssued({ deviceId, token });
            onChanged();
          }}
        />
      )}
      <RemoveDialog device={removing} title="Disconnect this device?" onClose={() => setRemoving(undefined)} onRemoved={onChanged} />
    </Stack>
  );
}

function PairingPanel({ pairing, onNew, onDone, busy }: { pairing: PairingCode; onNew: () => void; onDone: () => void; busy: boolean }) {
  const now = useNow(1000);
  const left = countdown(pairing.expires, now);
  return (
    <Paper withBorder p="md" radius="md" role="region" aria-label="Pairing code">
      <Stack gap="xs" align="flex-start">
        <Text>Type this code into your device’s app:</Text>
        <Group gap="sm" align="center">
          <Text className="monitoring-pairing-code">
            {pairing.code}
          </Text>
          {left && <CopyValue value={pairing.code} label="code" />}
        </Group>
        {left ? (
          <Text size="sm">
            It works once and expires in <strong>{left}</strong> (at {formatDateTime(pairing.expires)}).
          </Text>
        ) : (
          <Alert color="orange" variant="light" p="xs">
            This code has expired.
          </Alert>
        )}
        <Group gap="xs">
          {left && (
            <Button size="xs" onClick={onDone}>
              Done, the device is connected
            </Button>
          )}
          <Button size="xs" variant={left ? 'default' : 'filled'} loading={busy} onClick={onNew}>
            Get a new code
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The patient's (or caregiver's) view: connect a device with a pairing code, and remove one. */
export function PatientDevices({ patientId, devices, onChanged }: { patientId: string; devices: readonly MonitoredDevice[]; onChanged: () => void }) {
  const [removing, setRemoving] = useState<MonitoredDevice>();
  const [pairing, setPairing] = useState<PairingCode>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function pair() {
    setBusy(true);
    setError(undefined);
    try {
      setPairing(await createPairingCode(patientId));
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <DeviceList devices={devices} removeLabel="Remove" onRemove={setRemoving} />
      {pairing ? (
        <PairingPanel
          pairing={pairing}
          busy={busy}
          onNew={() => void pair()}
          onDone={() => {
            setPairing(undefined);
            onChanged();
          }}
        />
      ) : (
        <Button leftSection={<IconPlugConnected size={16} aria-hidden />} loading={busy} onClick={() => void pair()} style={{ alignSelf: 'flex-start' }}>
          Connect a device
        </Button>
      )}
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
      <RemoveDialog device={removing} title="Remove this device?" onClose={() => setRemoving(undefined)} onRemoved={onChanged} />
    </Stack>
  );
}
