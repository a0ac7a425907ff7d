// The dashboard's service worker: shows web push notifications and opens the incident they are
// about. Served at a stable URL, /dashboard/sw.js (build/hashed.rs leaves its name alone, as a
// browser looks for a new version at the URL it registered), with `Cache-Control: no-cache`, so
// an update is found at the next visit; its scope is /dashboard/, its own folder.
//
// Nothing is cached for offline use: a dashboard showing stale incident states would mislead
// more than the browser's "you are offline" page.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// The server sends {title, body, url, tag, event} (src/notify/push/send.rs, `PushMessage`).
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  // Only the dashboard's own pages are opened from a notification.
  const url = typeof message.url === 'string' && message.url.startsWith('/dashboard/') ? message.url : '/dashboard/';
  event.waitUntil(self.registration.showNotification(message.title || 'dutyduck', {
    body: message.body || '',
    // One notification per incident: a newer one (acknowledged, resolved) replaces it, and
    // still alerts (renotify).
    tag: message.tag || undefined,
    renotify: Boolean(message.tag),
    icon: '/dashboard/icons/icon-192.png',
    data: { url, event: message.event || null },
  }));
});

// Focuses a dashboard window already showing the page, else one on another page (taken there),
// else opens one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/dashboard/', self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const same = windows.find((w) => w.url === url);
    if (same) return same.focus();
    const other = windows.find((w) => new URL(w.url).pathname.startsWith('/dashboard/') && 'navigate' in w);
    if (other) {
      await other.focus();
      return other.navigate(url);
    }
    return self.clients.openWindow(url);
  })());
});
