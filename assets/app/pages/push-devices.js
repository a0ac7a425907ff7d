// "Notifications on this device" on My account: turning web push on in this browser (the
// permission prompt, a subscription with the server's VAPID key, saved as one of my devices),
// off again, a test to every device, and the list of my devices. What reaches them is a
// webPush channel of the organization (notifications page).
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, Field, Time, errorText, useAction, useLoad } from '../components.js';
import { DEVICE_KEY, WORKER_SCOPE, WORKER_URL, currentSubscription, forgetThisDevice, pushSupported } from '../pwa.js';

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function PushDevicesSection() {
  const devices = useLoad(() => api('GET', '/users/me/push-subscriptions'));
  const [here, setHere] = useState(null);
  const [label, setLabel] = useState('');
  const [tested, setTested] = useState(null);
  const action = useAction(() => devices.reload());
  const supported = pushSupported();

  useEffect(() => {
    currentSubscription().then((s) => setHere(s)).catch(() => setHere(null));
  }, []);

  const turnOn = () => action.act(async () => {
    if (await Notification.requestPermission() !== 'granted') throw new Error(t('push.denied'));
    const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
    await navigator.serviceWorker.ready;
    const { publicKey } = await api('GET', '/push/vapid-public-key');
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    const device = await api('POST', '/users/me/push-subscriptions', { ...subscription.toJSON(), label: label.trim() || null });
    localStorage.setItem(DEVICE_KEY, device.id);
    setHere(subscription);
  });
  const turnOff = () => action.act(async () => {
    await forgetThisDevice();
    setHere(null);
  });
  const remove = (id) => action.act(async () => {
    await api('DELETE', `/users/me/push-subscriptions/${encodeURIComponent(id)}`);
    if (id === localStorage.getItem(DEVICE_KEY)) {
      await forgetThisDevice();
      setHere(null);
    }
  });
  const test = () => action.act(async () => setTested(await api('POST', '/users/me/push-subscriptions/test')));

  return html`
    <section class="card" id="push" aria-labelledby="push-title">
      <h2 id="push-title">${t('push.title')}</h2>
      <p>${t('push.intro')}</p>
      ${!supported && html`<${Alert} kind="warning">${t('push.unsupported')}<//>`}
      ${supported && !here && html`
        <div class="push-on">
          <${Field} label=${t('push.label')} hint=${t('push.labelHint')} value=${label} maxlength="100"
            onInput=${(e) => setLabel(e.currentTarget.value)} />
          <button type="button" onClick=${turnOn} disabled=${action.busy}>${t('push.turnOn')}</button>
        </div>`}
      ${supported && here && html`
        <p class="push-here"><span class="badge">${t('push.onHere')}</span>
          <button type="button" class="secondary" onClick=${turnOff} disabled=${action.busy}>${t('push.turnOff')}</button></p>`}
      ${action.error && html`<${Alert}>${errorText(action.error)}<//>`}
      <${Async} state=${devices} retry=${devices.reload}>
        ${(data) => html`
          <h3>${t('push.devices')}</h3>
          ${data.items.length === 0
            ? html`<p class="muted">${t('push.none')}</p>`
            : html`<ul class="token-list push-devices">
                ${data.items.map((d) => html`<${DeviceRow} key=${d.id} device=${d} onRemove=${remove} busy=${action.busy} />`)}
              </ul>
              <button type="button" class="secondary" onClick=${test} disabled=${action.busy}>${t('push.test')}</button>`}`}
      <//>
      ${tested && html`<${Alert} kind=${tested.errors.length ? 'warning' : 'success'}>
        ${t('push.tested', { count: tested.delivered })} ${tested.errors.join(' ')}<//>`}
    </section>`;
}

function DeviceRow({ device, onRemove, busy }) {
  const name = device.label || device.service;
  const thisOne = device.id === localStorage.getItem(DEVICE_KEY);
  return html`
    <li class="session" data-testid="push-device">
      <div class="token-head">
        <strong>${name}</strong>
        ${thisOne && html`<span class="badge">${t('push.thisDevice')}</span>`}
        <button type="button" class="danger small" onClick=${() => onRemove(device.id)} disabled=${busy}
          aria-label=${t('push.removeLabel', { name })}>${t('push.remove')}</button>
      </div>
      <dl class="token-facts">
        <div><dt>${t('push.service')}</dt><dd>${device.service}</dd></div>
        <div><dt>${t('push.added')}</dt><dd><${Time} iso=${device.createdAt} absolute /></dd></div>
      </dl>
    </li>`;
}
