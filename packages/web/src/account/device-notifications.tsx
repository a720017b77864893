import { Stack, Switch, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { pushApi } from './push-api.js';

type State = 'checking' | 'unsupported' | 'blocked' | 'off' | 'on';

/** The service worker that receives pushes, when this browser can have one. */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined' || typeof Notification === 'undefined') return undefined;
  return (await navigator.serviceWorker.getRegistration()) ?? undefined;
}

function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/**
 * "Notifications on this device": subscribes this browser to Web Push through the app's service
 * worker with the server's key, and tells the server, so visit confirmations and reminders also
 * appear as notifications here. Off unsubscribes the browser and tells the server to forget it.
 */
export function DeviceNotifications() {
  const [state, setState] = useState<State>('checking');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    void (async () => {
      const reg = await registration();
      const next: State = !reg ? 'unsupported' : Notification.permission === 'denied' ? 'blocked' : (await reg.pushManager.getSubscription()) ? 'on' : 'off';
      if (live) setState(next);
    })().catch(() => live && setState('unsupported'));
    return () => {
      live = false;
    };
  }, []);

  async function turnOn(): Promise<State> {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
    const reg = await navigator.serviceWorker.ready;
    const key = fromBase64Url((await pushApi.key()).publicKey);
    let subscription = await reg.pushManager.getSubscription();
    // A subscription made for another server key (the server's changed) cannot carry our messages.
    if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    try {
      await pushApi.subscribe(subscription.toJSON());
    } catch (e) {
      // Unknown to the server, the subscription would only ever be silent.
      await subscription.unsubscribe();
      throw e;
    }
    return 'on';
  }

  async function turnOff(): Promise<State> {
    const reg = await navigator.serviceWorker.ready;
    const subscription = await reg.pushManager.getSubscription();
    if (subscription) {
      await pushApi.unsubscribe(subscription.endpoint);
      await subscription.unsubscribe();
    }
    return 'off';
  }

  async function toggle(on: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      setState(await (on ? turnOn() : turnOff()));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (state === 'unsupported') {
    return (
      <Text size="sm" c="dimmed">
        This browser cannot show notifications from Salus. Visit confirmations and reminders still come by email.
      </Text>
    );
  }
  return (
    <Stack gap="xs" align="flex-start">
      <Switch
        label="Notifications on this device"
        description="Visit confirmations, changes and reminders also appear as notifications here."
        checked={state === 'on'}
        disabled={state === 'checking' || state === 'blocked' || busy}
        onChange={(e) => void toggle(e.currentTarget.checked)}
      />
      {state === 'blocked' && (
        <Text size="sm" role="status">
          Notifications are blocked for this site. To get them, allow notifications in your browser&apos;s settings for this site, then come back here.
        </Text>
      )}
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}
