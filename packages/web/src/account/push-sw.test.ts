import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';

/**
 * public/push-sw.js runs inside the service worker vite-plugin-pwa generates (importScripts). Here
 * it runs in a fresh context whose `self` records what the worker would do: the notifications it
 * shows and the windows it opens or focuses.
 */
const SOURCE = readFileSync(new URL('../../public/push-sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://app.example';

interface FakeWindow {
  url: string;
  focused: boolean;
  navigatedTo?: string;
  focus(): Promise<void>;
  navigate(url: string): Promise<unknown>;
}

function worker(windows: FakeWindow[] = []) {
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: { title: string; options: Record<string, unknown> }[] = [];
  const opened: string[] = [];
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, fn: (event: unknown) => void) => listeners.set(type, fn),
    registration: {
      showNotification: async (title: string, options: Record<string, unknown>) => {
        shown.push({ title, options });
      },
    },
    clients: {
      matchAll: async () => windows,
      openWindow: async (url: string) => {
        opened.push(url);
      },
    },
  };
  runInNewContext(SOURCE, { self, URL });
  /** Dispatches an event and waits for what it handed to waitUntil. */
  const dispatch = async (type: string, event: Record<string, unknown>): Promise<void> => {
    let pending: Promise<unknown> = Promise.resolve();
    listeners.get(type)!({ ...event, waitUntil: (p: Promise<unknown>) => (pending = p) });
    await pending;
  };
  return { shown, opened, dispatch };
}

const pushEvent = (payload: string) => ({ data: { json: () => JSON.parse(payload), text: () => payload } });

describe('the service worker push handler', () => {
  test('shows the pushed title and body, one notification per tag, opening the app page on this origin', async () => {
    const w = worker();
    await w.dispatch('push', pushEvent(JSON.stringify({ title: 'Visit booked', body: 'Video visit with Dr Okafor.', url: 'https://salus.example/patient/appointments?x=1', tag: 'appointment-a1' })));
    assert.equal(w.shown.length, 1);
    assert.equal(w.shown[0]!.title, 'Visit booked');
    assert.equal(w.shown[0]!.options.body, 'Video visit with Dr Okafor.');
    assert.equal(w.shown[0]!.options.tag, 'appointment-a1');
    // The notification remembers the page by path on this origin, whatever origin the server named.
    assert.equal((w.shown[0]!.options.data as { url: string }).url, `${ORIGIN}/patient/appointments?x=1`);
  });

  test('a push that is not JSON still shows, as text', async () => {
    const w = worker();
    await w.dispatch('push', { data: { json: () => JSON.parse('plain words'), text: () => 'plain words' } });
    assert.deepEqual([w.shown[0]!.title, w.shown[0]!.options.body], ['Salus', 'plain words']);
  });

  test('a click focuses an open window of the app and takes it to the page, or opens one', async () => {
    const open: FakeWindow = {
      url: `${ORIGIN}/patient`,
      focused: false,
      async focus() {
        this.focused = true;
      },
      async navigate(url) {
        this.navigatedTo = url;
        return this;
      },
    };
    const withWindow = worker([open]);
    let closed = false;
    const click = { notification: { data: { url: `${ORIGIN}/patient/appointments` }, close: () => (closed = true) } };
    await withWindow.dispatch('notificationclick', click);
    assert.equal(closed, true);
    assert.deepEqual([open.focused, open.navigatedTo, withWindow.opened], [true, `${ORIGIN}/patient/appointments`, []]);

    const none = worker([]);
    await none.dispatch('notificationclick', click);
    assert.deepEqual(none.opened, [`${ORIGIN}/patient/appointments`]);
  });
});
