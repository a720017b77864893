import { Alert, Box, Button, Group, Progress, Select, Stack, Text } from '@mantine/core';
import { IconMicrophone } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { listDevices, openMedia, stopMedia, useMicLevel, type DeviceChoice, type Devices } from './media.js';
import { VideoView } from './video-view.js';

/** The camera and microphone of a visit page: opened once, switched on request, stopped when the page goes. */
export function useLocalMedia(enabled = true): {
  stream: MediaStream | undefined;
  error: string | undefined;
  devices: Devices;
  choice: DeviceChoice;
  choose: (choice: DeviceChoice) => void;
  retry: () => void;
} {
  const [stream, setStream] = useState<MediaStream>();
  const [error, setError] = useState<string>();
  const [devices, setDevices] = useState<Devices>({ cameras: [], microphones: [] });
  const [choice, setChoice] = useState<DeviceChoice>({});
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let opened: MediaStream | undefined;
    let cancelled = false;
    openMedia(choice).then(
      async (s) => {
        if (cancelled) return stopMedia(s);
        opened = s;
        setStream(s);
        setError(undefined);
        // Labels are revealed once the browser has been allowed to use the devices.
        setDevices(await listDevices());
      },
      (e: Error) => !cancelled && setError(e.message),
    );
    return () => {
      cancelled = true;
      stopMedia(opened);
    };
  }, [enabled, choice, round]);
  const retry = useCallback(() => setRound((n) => n + 1), []);
  return { stream, error, devices, choice, choose: setChoice, retry };
}

/** The microphone's level as a meter: it moves when the person speaks. */
export function MicMeter({ stream }: { stream: MediaStream | undefined }) {
  const level = useMicLevel(stream);
  const percent = Math.round(level * 100);
  return (
    <Group gap="xs" wrap="nowrap">
      <IconMicrophone size={18} aria-hidden />
      <Progress
        value={percent}
        color={percent > 5 ? 'green' : 'gray'}
        size="lg"
        style={{ flex: 1 }}
        aria-label="Microphone level"
        transitionDuration={80}
      />
    </Group>
  );
}

function DeviceSelect({ label, options, value, onChange }: { label: string; options: Devices['cameras']; value: string | null; onChange: (id: string) => void }) {
  return (
    <Select
      label={label}
      data={options.map((d) => ({ value: d.id, label: d.label }))}
      value={value}
      onChange={(v) => v && onChange(v)}
      allowDeselect={false}
      disabled={options.length === 0}
    />
  );
}

/**
 * Camera and microphone test before a visit: the person sees themselves, sees the meter move when
 * they speak, and can pick another camera or microphone.
 */
export function DeviceCheck({ media }: { media: ReturnType<typeof useLocalMedia> }) {
  const { stream, error, devices, choice, choose, retry } = media;
  const cameraId = choice.camera ?? stream?.getVideoTracks()[0]?.getSettings().deviceId ?? null;
  const microphoneId = choice.microphone ?? stream?.getAudioTracks()[0]?.getSettings().deviceId ?? null;
  return (
    <Stack gap="sm">
      <Box style={{ aspectRatio: '4 / 3', borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', maxWidth: 480, width: '100%' }}>
        <VideoView stream={stream} self label="Your camera" />
      </Box>
      {error ? (
        <Alert color="red" variant="light" title="Camera or microphone not working" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{error}</Text>
            <Button size="xs" variant="light" color="red" onClick={retry}>
              Try again
            </Button>
          </Stack>
        </Alert>
      ) : (
        <Stack gap={4} maw={480}>
          <MicMeter stream={stream} />
          <Text size="xs" c="dimmed">
            Say something: the bar moves when your microphone hears you.
          </Text>
        </Stack>
      )}
      <Group grow maw={480} align="flex-start">
        <DeviceSelect label="Camera" options={devices.cameras} value={cameraId} onChange={(camera) => choose({ ...choice, camera })} />
        <DeviceSelect label="Microphone" options={devices.microphones} value={microphoneId} onChange={(microphone) => choose({ ...choice, microphone })} />
      </Group>
    </Stack>
  );
}
