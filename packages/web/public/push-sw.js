/*
 * Web Push in the app's service worker. vite-plugin-pwa generates the worker (precaching the app
 * shell); this script is added to it with workbox.importScripts (vite.config.ts), so it is plain
 * JavaScript served as is.
 *
 * A push carries { title, body, url, tag } (see packages/server/src/notify/web-push.ts).
 */

/** The page a notification opens: its path on this origin, whatever origin the server named. */
function targetOf(url) {
  try {
    const u = new URL(url || '/', self.location.origin);
    return new URL(`${u.pathname}${u.search}${u.hash}`, self.location.origin).href;
  } catch {
    return new URL('/', self.location.origin).href;
  }
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Salus', {
      body: data.body || '',
      // One notification per visit: a newer notice (or a retried send) replaces the older one.
      ...(data.tag ? { tag: data.tag, renotify: true } : {}),
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: { url: targetOf(data.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || targetOf('/');
  event.waitUntil(
    (async () => {
      // An open window of the app is brought forward rather than a second one opened.
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        // A window the worker does not control cannot be navigated; a new one is opened instead.
        if (await open.navigate(url).catch(() => null)) return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});

// The browser renewed the subscription on its own: tell the server, as the signed-in page would.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const renewed = event.newSubscription || (event.oldSubscription && (await self.registration.pushManager.subscribe(event.oldSubscription.options)));
      const send = (method, body) =>
        fetch('/me/push-subscriptions', { method, credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (renewed) await send('POST', renewed.toJSON());
      if (event.oldSubscription && event.oldSubscription.endpoint !== (renewed && renewed.endpoint)) await send('DELETE', { endpoint: event.oldSubscription.endpoint });
    })(),
  );
});
