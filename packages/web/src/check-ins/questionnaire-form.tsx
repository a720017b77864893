import { Button, Group, Progress, Radio, Stack, Text } from '@mantine/core';
import type { CheckInInstrument } from '@salus/core';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { asApiError } from '../api/http.js';
import { choicesOf } from './check-ins.js';

/**
 * A check-in, one question at a time: big answers to tap on a phone, the question number and a
 * progress bar, Back to change an answer. Nothing is sent until the last answer; if the server
 * refuses one, the form goes back to that question with the server's words.
 */
export function QuestionnaireForm({
  instrument,
  onSubmit,
  onCancel,
}: {
  instrument: CheckInInstrument;
  onSubmit: (chosen: Record<string, string>) => Promise<void>;
  onCancel: () => void;
}) {
  const items = (instrument.questionnaire.item ?? []).filter((i) => i.type !== 'display' && i.type !== 'group');
  const [index, setIndex] = useState(0);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const progressId = useId();
  const questionRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const item = items[index]!;
  const last = index === items.length - 1;
  const answered = items.filter((i) => chosen[i.linkId] !== undefined).length;

  // Each new question is announced and in view (not on the first, which the page opens with).
  useEffect(() => {
    if (moved.current) questionRef.current?.focus();
    moved.current = true;
  }, [index]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen[item.linkId] === undefined) return setError('Choose an answer to go on');
    setError(undefined);
    if (!last) return setIndex(index + 1);
    setBusy(true);
    try {
      await onSubmit(chosen);
    } catch (err) {
      const api = asApiError(err);
      // The server names the question it refused by linkId; take the person back to it.
      const at = api.field ? items.findIndex((i) => api.field!.includes(`'${i.linkId}'`)) : -1;
      if (at >= 0) setIndex(at);
      setError(api.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={instrument.name}>
      <Stack gap="md" maw={640}>
        {instrument.questionnaire.description && <Text c="dimmed">{instrument.questionnaire.description}</Text>}
        <div>
          <Text size="sm" fw={600} id={progressId} mb={6}>
            Question {index + 1} of {items.length}
          </Text>
          <Progress.Root size="lg" radius="xl">
            <Progress.Section value={(answered / items.length) * 100} aria-labelledby={progressId} aria-valuetext={`${answered} of ${items.length} answered`} />
          </Progress.Root>
        </div>
        <div ref={questionRef} tabIndex={-1} style={{ outline: 'none' }}>
          <Radio.Group
            key={item.linkId}
            name={item.linkId}
            value={chosen[item.linkId] ?? null}
            onChange={(v) => {
              setChosen({ ...chosen, [item.linkId]: v });
              setError(undefined);
            }}
            label={item.text}
            styles={{ label: { fontSize: 'var(--mantine-font-size-xl)', fontWeight: 600, lineHeight: 1.35, marginBottom: 'var(--mantine-spacing-sm)' } }}
          >
            <Stack gap="sm">
              {choicesOf(item).map((c) => {
                const checked = chosen[item.linkId] === c.value;
                return (
                  <Radio.Card
                    key={c.value}
                    value={c.value}
                    radius="md"
                    p="md"
                    bg={checked ? 'salus.0' : undefined}
                    style={{ borderWidth: 2, borderColor: checked ? 'var(--mantine-color-salus-6)' : undefined, minHeight: 56 }}
                  >
                    <Group wrap="nowrap" gap="md">
                      <Radio.Indicator size="md" />
                      <Text fz="lg" fw={checked ? 600 : 400}>
                        {c.label}
                      </Text>
                    </Group>
                  </Radio.Card>
                );
              })}
            </Stack>
          </Radio.Group>
        </div>
        {error && (
          <Text c="red.8" role="alert">
            {error}
          </Text>
        )}
        <Group justify="space-between">
          {index === 0 ? (
            <Button variant="default" size="md" onClick={onCancel}>
              Cancel
            </Button>
          ) : (
            <Button variant="default" size="md" onClick={() => setIndex(index - 1)}>
              Back
            </Button>
          )}
          <Button type="submit" size="md" loading={busy}>
            {last ? 'Send my answers' : 'Next'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
