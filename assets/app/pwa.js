// The installable dashboard: registers the service worker (assets/sw.js), which shows web push
// notifications, and ends this browser's push subscription. The worker's URL is built so that
// build/hashed.rs does not see (and hash) it: a service worker must keep its URL from one
// version to the next.
import { api } from './api.js';

export const WORKER_URL = '/dashboard/' + 'sw.js';
export const WORKER_SCOPE = '/dashboard/';
/** Which of my devices is this browser: the id the server gave its subscription. */
export const DEVICE_KEY = 'dutyduck.pushDevice';

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** Registers the service worker once the page has loaded; a browser without one does nothing. */
export function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE }).catch(() => {});
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/** This browser's push subscription, if it has one. */
export async function currentSubscription() {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration(WORKER_SCOPE);
  return registration ? registration.pushManager.getSubscription() : null;
}

/**
 * This browser stops receiving: its subscription ends and the server forgets the device (if the
 * session still works). Also at sign-out, so a shared computer does not keep showing the
 * account's incidents to the next person.
 */
export async function forgetThisDevice() {
  const id = localStorage.getItem(DEVICE_KEY);
  localStorage.removeItem(DEVICE_KEY);
  // Already gone on the server (removed from another device): nothing more to do there.
  if (id) await api('DELETE', `/users/me/push-subscriptions/${encodeURIComponent(id)}`).catch(() => {});
  const subscription = await currentSubscription().catch(() => null);
  if (subscription) await subscription.unsubscribe().catch(() => {});
}
