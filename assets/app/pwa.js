// The installable dashboard: registers the service worker (assets/sw.js), which shows web push
// notifications. Its URL is built so that build/hashed.rs does not see (and hash) it: a service
// worker must keep its URL from one version to the next.
export const WORKER_URL = '/dashboard/' + 'sw.js';
export const WORKER_SCOPE = '/dashboard/';

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** Registers the service worker once the page has loaded; a browser without one does nothing. */
export function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE }).catch(() => {});
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
