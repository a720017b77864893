import { Button, Group, Paper, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { SIGNAL_LIMITS, type VisitRole } from '@salus/core';
import { IconSend } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { formatTime } from '../lib/format.js';
import type { ChatLine } from './use-visit-call.js';

/**
 * Text chat beside the call: for a link, a spelling, or when sound fails. Every line is kept in
 * the record with the visit.
 */
export function ChatPanel({ lines, me, names, onSend, disabled }: { lines: ChatLine[]; me: VisitRole; names: Record<VisitRole, string>; onSend: (text: string) => void; disabled?: boolean }) {
  const [text, setText] = useState('');
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [lines.length]);
  function submit(e: FormEvent) {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    onSend(t);
    setText('');
  }
  return (
    <Paper withBorder p="sm" h="100%">
      <Stack gap="xs" h="100%">
        <Text fw={600} size="sm" id="chat-title">
          Chat
        </Text>
        <ScrollArea.Autosize mah={320} type="auto">
          <Stack gap={6} role="log" aria-labelledby="chat-title" aria-live="polite">
            {lines.length === 0 && (
              <Text size="sm" c="dimmed">
                Messages you send here are kept with the visit.
              </Text>
            )}
            {lines.map((l) => (
              <Paper key={l.id} px="sm" py={6} radius="md" bg={l.from === me ? 'salus.0' : 'gray.1'} style={{ alignSelf: l.from === me ? 'flex-end' : 'flex-start', maxWidth: '85%' }}>
                <Text size="xs" c="dimmed">
                  {l.from === me ? 'You' : names[l.from]} · {formatTime(l.sent)}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {l.text}
                </Text>
              </Paper>
            ))}
            <div ref={end} />
          </Stack>
        </ScrollArea.Autosize>
        <form onSubmit={submit} aria-label="Send a chat message">
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <TextInput label="Message" style={{ flex: 1 }} value={text} maxLength={SIGNAL_LIMITS.maxChatChars} onChange={(e) => setText(e.currentTarget.value)} disabled={disabled} autoComplete="off" />
            <Button type="submit" leftSection={<IconSend size={16} aria-hidden />} disabled={disabled || !text.trim()}>
              Send
            </Button>
          </Group>
        </form>
      </Stack>
    </Paper>
  );
}
