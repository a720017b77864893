import { Badge, Box, Button, Center, Grid, Group, Stack, Text } from '@mantine/core';
import type { VisitRole } from '@salus/core';
import { IconMicrophone, IconMicrophoneOff, IconPhoneOff, IconVideo, IconVideoOff } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { ChatPanel } from './chat-panel.js';
import type { VisitCall, VisitCallState } from './use-visit-call.js';
import { VideoView } from './video-view.js';

/** What the connection is doing, in words, and a colour for its badge. */
export function connectionStatus(s: VisitCallState, other: string): { text: string; color: string } {
  if (s.ended) return { text: 'The visit has ended', color: 'gray' };
  if (s.closed === 'replaced') return { text: 'This visit is open in another window', color: 'gray' };
  if (s.closed === 'unreachable') return { text: 'Salus cannot be reached. Check your connection and reload the page.', color: 'red' };
  if (s.socket === 'reconnecting') return { text: 'Connection to Salus lost. Reconnecting…', color: 'orange' };
  if (s.socket === 'connecting') return { text: 'Connecting to Salus…', color: 'gray' };
  if (s.hungUp === 'me') return { text: 'You left the call', color: 'gray' };
  if (s.hungUp === 'them') return { text: `${other} ended the call`, color: 'gray' };
  if (!s.remotePresent) return { text: `Waiting for ${other} to join…`, color: 'gray' };
  switch (s.call) {
    case 'connected':
      return { text: 'Connected', color: 'green' };
    case 'reconnecting':
      return { text: 'Connection interrupted. Reconnecting…', color: 'orange' };
    case 'failed':
      return { text: 'The connection failed. Trying again…', color: 'red' };
    default:
      return { text: 'Connecting the call…', color: 'gray' };
  }
}

/**
 * A button turning a kind of the local tracks off and on (sending silence or black instead,
 * without renegotiating the call).
 */
function TrackToggle({ stream, kind, onChange, labels, icons }: { stream: MediaStream | undefined; kind: 'audio' | 'video'; onChange?: (on: boolean) => void; labels: [string, string]; icons: [ReactNode, ReactNode] }) {
  const [on, setOn] = useState(true);
  useEffect(() => {
    for (const t of stream?.getTracks() ?? []) if (t.kind === kind) t.enabled = on;
    onChange?.(on);
  }, [stream, kind, on, onChange]);
  return (
    <Button variant={on ? 'default' : 'filled'} color={on ? undefined : 'orange'} leftSection={on ? icons[0] : icons[1]} aria-pressed={!on} onClick={() => setOn((v) => !v)}>
      {on ? labels[0] : labels[1]}
    </Button>
  );
}

/**
 * The call: the other person large, oneself small in the corner, the controls under it and the
 * chat beside it (below it on a phone). The connection's state is announced as it changes.
 */
export function CallScreen({ call, local, me, names, onHangUp }: { call: VisitCall; local: MediaStream | undefined; me: VisitRole; names: Record<VisitRole, string>; onHangUp: () => void }) {
  const other = names[me === 'patient' ? 'practitioner' : 'patient'];
  const [cameraOn, setCameraOn] = useState(true);
  const status = connectionStatus(call, other);
  const showRemote = call.remoteStream !== undefined && call.hungUp === undefined && !call.ended;
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="sm">
          <Group justify="space-between" gap="xs">
            <Text fw={600}>{other}</Text>
            <Badge color={status.color} variant="light" role="status" aria-live="polite" style={{ textTransform: 'none' }}>
              {status.text}
            </Badge>
          </Group>
          <Box pos="relative" style={{ aspectRatio: '16 / 9', borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', background: '#1a1b1e' }}>
            {showRemote ? (
              <VideoView stream={call.remoteStream} label={`Video of ${other}`} style={{ objectFit: 'contain' }} />
            ) : (
              <Center h="100%" p="md">
                <Text c="gray.3" ta="center">
                  {status.text}
                </Text>
              </Center>
            )}
            <Box pos="absolute" right={12} bottom={12} w="26%" miw={96} style={{ aspectRatio: '4 / 3', borderRadius: 8, overflow: 'hidden', border: '2px solid rgba(255,255,255,0.7)' }}>
              <VideoView stream={cameraOn ? local : undefined} self label="Your camera" />
            </Box>
          </Box>
          <Group justify="center" gap="sm">
            <TrackToggle stream={local} kind="audio" labels={['Mute', 'Unmute']} icons={[<IconMicrophone size={18} aria-hidden />, <IconMicrophoneOff size={18} aria-hidden />]} />
            <TrackToggle stream={local} kind="video" onChange={setCameraOn} labels={['Stop camera', 'Start camera']} icons={[<IconVideo size={18} aria-hidden />, <IconVideoOff size={18} aria-hidden />]} />
            <Button color="red" leftSection={<IconPhoneOff size={18} aria-hidden />} onClick={onHangUp} disabled={call.ended}>
              Hang up
            </Button>
          </Group>
          {call.notice && (
            <Text size="sm" c="red.8" role="alert">
              {call.notice}
            </Text>
          )}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <ChatPanel lines={call.chat} me={me} names={names} onSend={call.sendChat} disabled={call.ended || call.socket !== 'open'} />
      </Grid.Col>
    </Grid>
  );
}
