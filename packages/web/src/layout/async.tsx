import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState, type DependencyList, type ReactNode } from 'react';

/**
 * Loading and error states, the same on every screen: a spinner with words while waiting, the
 * server's own message with a retry button when something failed.
 */

export type AsyncState<T> = { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; data: T };

export interface Async<T> {
  state: AsyncState<T>;
  reload: () => void;
}

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Async<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastRound = useRef(round);
  useEffect(() => {
    const controller = new AbortController();
    // A reload keeps what is on screen until the new data arrives; new inputs (another patient,
    // another search) must never show the previous answer meanwhile.
    const reloading = lastRound.current !== round;
    lastRound.current = round;
    setState((s) => (reloading && s.status === 'ready' ? s : { status: 'loading' }));
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: 'ready', data }),
      (error: Error) => !controller.signal.aborted && setState({ status: 'error', error }),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { state, reload };
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

export function ErrorState({ error, onRetry, title = 'Something went wrong' }: { error: Error; onRetry?: () => void; title?: string }) {
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{error.message}</Text>
        {onRetry && (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/** Renders `children(data)` once loaded; the loading and error states otherwise. */
export function AsyncView<T>({ async: a, children, loadingLabel }: { async: Async<T>; children: (data: T) => ReactNode; loadingLabel?: string }) {
  if (a.state.status === 'loading') return <Loading {...(loadingLabel ? { label: loadingLabel } : {})} />;
  if (a.state.status === 'error') return <ErrorState error={a.state.error} onRetry={a.reload} />;
  return <>{children(a.state.data)}</>;
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" size="sm" py="sm">
      {children}
    </Text>
  );
}
