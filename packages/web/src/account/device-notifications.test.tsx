import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { fakeServer, type FakeServer } from '../test/fake-server.js';
import { DeviceNotifications } from './device-notifications.js';

/**
 * The browser's push machinery as the switch sees it: a service worker registration whose push
 * manager hands out subscriptions, and the Notification permission. happy-dom has neither.
 */
class FakeSubscription {
  unsubscribed = false;
  constructor(
    readonly endpoint: string,
    readonly options: { applicationServerKey: ArrayBuffer | null },
    private readonly manager: FakePushManager,
  ) {}
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: 'BPubKeyOfTheBrowser', auth: 'authSecret' } };
  }
  async unsubscribe() {
    this.unsubscribed = true;
    this.manager.current = null;
    return true;
  }
}

class FakePushManager {
  current: FakeSubscription | null = null;
  subscribedWith: Uint8Array[] = [];
  async getSubscription() {
    return this.current;
  }
  async subscribe(options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) {
    assert.equal(options.userVisibleOnly, true);
    this.subscribedWith.push(options.applicationServerKey);
    this.current = new FakeSubscription('https://push.example/send/abc', { applicationServerKey: options.applicationServerKey.slice().buffer }, this);
    return this.current;
  }
}

// The server's VAPID key: 65 bytes, an uncompressed P-256 point, in base64url.
const KEY_BYTES = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : (i * 7) % 256));
const SERVER_KEY = Buffer.from(KEY_BYTES).toString('base64url');

interface Browser {
  push: FakePushManager;
  permission: NotificationPermission;
  /** What the person answers when asked for permission. */
  answer: NotificationPermission;
}

function browser(options: { supported?: boolean; permission?: NotificationPermission; answer?: NotificationPermission } = {}): Browser {
  const b: Browser = { push: new FakePushManager(), permission: options.permission ?? 'default', answer: options.answer ?? 'granted' };
  const g = globalThis as Record<string, unknown>;
  if (options.supported === false) return b;
  const reg = { pushManager: b.push };
  Object.defineProperty(navigator, 'serviceWorker', { configurable: true, value: { getRegistration: async () => reg, ready: Promise.resolve(reg) } });
  g.PushManager = FakePushManager;
  g.Notification = {
    get permission() {
      return b.permission;
    },
    requestPermission: async () => (b.permission = b.answer),
  };
  return b;
}

let server: FakeServer | undefined;
afterEach(() => {
  server?.restore();
  delete (navigator as unknown as Record<string, unknown>).serviceWorker;
  delete (globalThis as Record<string, unknown>).PushManager;
  delete (globalThis as Record<string, unknown>).Notification;
});

function serve(): FakeServer {
  return fakeServer(({ method, url }) => {
    if (url === '/me/push/key') return { body: { publicKey: SERVER_KEY } };
    if (url === '/me/push-subscriptions' && method === 'POST') return { status: 201, body: { endpoint: 'https://push.example/send/abc' } };
    if (url === '/me/push-subscriptions' && method === 'DELETE') return {};
    return undefined;
  });
}

describe('notifications on this device', () => {
  test('turning on asks permission, subscribes with the server key and registers the subscription', async () => {
    const b = browser();
    server = serve();
    renderUi(<DeviceNotifications />);
    const toggle = await screen.findByRole('switch', { name: /Notifications on this device/ });
    await waitFor(() => assert.equal((toggle as HTMLInputElement).disabled, false));
    assert.equal((toggle as HTMLInputElement).checked, false);
    fireEvent.click(toggle);
    await waitFor(() => assert.equal((toggle as HTMLInputElement).checked, true));
    assert.equal(b.permission, 'granted');
    assert.deepEqual([...b.push.subscribedWith[0]!], [...KEY_BYTES]);
    const posted = server.calls.find((c) => c.method === 'POST');
    assert.deepEqual(posted, {
      method: 'POST',
      url: '/me/push-subscriptions',
      body: { endpoint: 'https://push.example/send/abc', expirationTime: null, keys: { p256dh: 'BPubKeyOfTheBrowser', auth: 'authSecret' } },
    });
  });

  test('turning off tells the server to forget the subscription and unsubscribes the browser', async () => {
    const b = browser({ permission: 'granted' });
    b.push.current = new FakeSubscription('https://push.example/send/old', { applicationServerKey: KEY_BYTES.slice().buffer }, b.push);
    const subscription = b.push.current;
    server = serve();
    renderUi(<DeviceNotifications />);
    const toggle = await screen.findByRole('switch', { name: /Notifications on this device/ });
    await waitFor(() => assert.equal((toggle as HTMLInputElement).checked, true));
    fireEvent.click(toggle);
    await waitFor(() => assert.equal((toggle as HTMLInputElement).checked, false));
    assert.deepEqual(server.calls.filter((c) => c.method === 'DELETE'), [{ method: 'DELETE', url: '/me/push-subscriptions', body: { endpoint: 'https://push.example/send/old' } }]);
    assert.equal(subscription.unsubscribed, true);
  });

  test('a refused permission subscribes nothing and says how to allow it', async () => {
    const b = browser({ answer: 'denied' });
    server = serve();
    renderUi(<DeviceNotifications />);
    const toggle = await screen.findByRole('switch', { name: /Notifications on this device/ });
    await waitFor(() => assert.equal((toggle as HTMLInputElement).disabled, false));
    fireEvent.click(toggle);
    await screen.findByText(/Notifications are blocked for this site/);
    assert.equal((toggle as HTMLInputElement).checked, false);
    assert.equal(b.push.subscribedWith.length, 0);
    assert.equal(server.calls.length, 0);
  });

  test('when the server refuses the subscription, the browser drops it and the error shows', async () => {
    const b = browser();
    server = fakeServer(({ url }) => {
      if (url === '/me/push/key') return { body: { publicKey: SERVER_KEY } };
      if (url === '/me/push-subscriptions') {
        return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'endpoint must be an https URL', expression: ['endpoint'] }] } };
      }
      return undefined;
    });
    renderUi(<DeviceNotifications />);
    const toggle = await screen.findByRole('switch', { name: /Notifications on this device/ });
    await waitFor(() => assert.equal((toggle as HTMLInputElement).disabled, false));
    fireEvent.click(toggle);
    await screen.findByText('endpoint must be an https URL');
    assert.equal((toggle as HTMLInputElement).checked, false);
    assert.equal(b.push.current, null, 'a subscription the server does not know is not kept');
  });

  test('a browser without push says so and offers no switch', async () => {
    browser({ supported: false });
    renderUi(<DeviceNotifications />);
    await screen.findByText(/This browser cannot show notifications from Salus/);
    assert.equal(screen.queryByRole('switch'), null);
  });
});
