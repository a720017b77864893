import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { SessionRow } from '../api/account.js';
import { EmptyState } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import { describeUserAgent } from './user-agent.js';

/**
 * Sessions as people recognise them: the device, where from, since when, last used. The session
 * being used to look at the list is marked and cannot be ended from here (signing out does that).
 */
export function SessionList({ sessions, onEnd, empty }: { sessions: SessionRow[]; onEnd: (session: SessionRow) => Promise<void>; empty: string }) {
  const [ending, setEnding] = useState<string>();
  const [error, setError] = useState<string>();
  if (sessions.length === 0) return <EmptyState>{empty}</EmptyState>;
  async function end(session: SessionRow) {
    setEnding(session.id);
    setError(undefined);
    try {
      await onEnd(session);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setEnding(undefined);
    }
  }
  return (
    <Stack gap="xs">
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
      <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
        {sessions.map((s) => {
          const device = describeUserAgent(s.userAgent);
          return (
            <Paper component="li" key={s.id} withBorder p="sm" radius="md">
              <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
                <div style={{ minWidth: 0, flex: '1 1 14rem' }}>
                  <Group gap="xs" wrap="wrap">
                    <Text fw={600} title={s.userAgent}>
                      {device}
                    </Text>
                    {s.current && (
                      <Badge color="salus" variant="light">
                        This device
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed">
                    {s.ip ? `From ${s.ip} · ` : ''}Signed in {formatDateTime(s.createdAt)} · Last active {formatDateTime(s.lastSeenAt)}
                  </Text>
                </div>
                {!s.current && (
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    loading={ending === s.id}
                    disabled={ending !== undefined && ending !== s.id}
                    onClick={() => void end(s)}
                    aria-label={`Sign out ${device}, signed in ${formatDateTime(s.createdAt)}`}
                  >
                    Sign out
                  </Button>
                )}
              </Group>
            </Paper>
          );
        })}
      </Stack>
    </Stack>
  );
}
