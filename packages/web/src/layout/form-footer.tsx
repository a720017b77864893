import { Button, Group, Text } from '@mantine/core';

/** The end of a form in a dialog: the form-wide error (if any), Cancel, and the submit button. */
export function FormFooter({ error, busy, submitLabel, onCancel }: { error?: string | undefined; busy: boolean; submitLabel: string; onCancel?: (() => void) | undefined }) {
  return (
    <>
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        {onCancel && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={busy}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
