// The Notifications page: the organization's channels, each with where it sends, its last
// delivery and its actions, then its settings (language of the messages, how often to repeat
// while nobody acknowledges). Editors see it all without the means to change it.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, Async, Field, Time, errorText, useLoad, useReloadOn } from '../components.js';
import { can } from '../monitoring.js';
import { DeliveryPill, EnabledPill, KindBadge, RenotifyField, channelSummary, renotifyError, renotifyForm, renotifyLabel,
  renotifyValue } from './notification-parts.js';
import { ChannelActions, channelPath } from './notification-channel.js';

export function NotificationsPage({ profile }) {
  const writer = can(profile, 'writeNotificationChannels');
  const channels = useLoad(() => api('GET', '/notification-channels'));
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('notif.title')}</h1>
        ${writer && html`<a class="button" href=${BASE + '/notifications/new'} onClick=${linkClick}>${t('notif.add')}</a>`}
      </div>
      <p class="lead">${t('notif.intro')}</p>
      <p><a href=${BASE + '/escalation'} onClick=${linkClick}>${t('esc.title')}</a> · ${t('esc.linkHint')}</p>
      ${!writer && html`<${Alert} kind="info">${t('notif.readOnly')}<//>`}
      <section aria-labelledby="channels-title" class="section">
        <h2 id="channels-title">${t('notif.channels')}</h2>
        <${Async} state=${channels} retry=${channels.reload}>
          ${(data) => (data.items.length === 0 ? html`<${Empty} writer=${writer} />` : html`
            <ul class="channel-list">
              ${data.items.map((c) => html`<${ChannelCard} key=${c.id} channel=${c} writer=${writer} onChange=${channels.reload} />`)}
            </ul>`)}
        <//>
      </section>
      <${SettingsCard} writer=${writer} />
    </main>`;
}

function Empty({ writer }) {
  return html`
    <div class="card empty" data-testid="channels-empty">
      <h3>${t('notif.empty.title')}</h3>
      <p>${t('notif.empty.text')}</p>
      ${writer && html`<a class="button" href=${BASE + '/notifications/new'} onClick=${linkClick}>${t('notif.empty.create')}</a>`}
    </div>`;
}

function ChannelCard({ channel: c, writer, onChange }) {
  const [tick, setTick] = useState(0);
  const changed = () => { onChange(); setTick((n) => n + 1); };
  return html`
    <li class="card channel-card" data-testid="channel-card" data-kind=${c.kind}>
      <div class="channel-head">
        <a class="strong channel-name" href=${`${BASE}/notifications/${encodeURIComponent(c.id)}`} onClick=${linkClick}>${c.name}</a>
        <${KindBadge} kind=${c.kind} />
        <${EnabledPill} enabled=${c.enabled} />
      </div>
      <p class="channel-summary">${channelSummary(c)}</p>
      <${LastDelivery} id=${c.id} tick=${tick} />
      ${writer && html`<${ChannelActions} channel=${c} onChange=${changed} onDeleted=${onChange} compact />`}
    </li>`;
}

/** The newest delivery of a channel: its status, what it was about, when, and its error. */
function LastDelivery({ id, tick }) {
  const last = useLoad(() => api('GET', `${channelPath(id)}/deliveries?pageNumber=1&itemsPerPage=1`), [id], { every: 30000 });
  useReloadOn(tick, last.reload);
  const d = last.data && last.data.items[0];
  if (!last.data) return null;
  return html`
    <div class="last-delivery small" data-testid="last-delivery">
      <span class="muted">${t('notif.lastDelivery')}</span>
      ${d ? html`<${DeliveryPill} delivery=${d} /> <span>${t('notif.event.' + d.event)} · <${Time} iso=${d.createdAt} /></span>
        ${d.lastError && d.status !== 'sent' && html`<code class="run-error">${d.lastError}</code>`}`
        : html`<span>${t('notif.noDeliveryYet')}</span>`}
    </div>`;
}

/** The language of the messages sent, the organization's re-notification interval and when a
 * storm of incidents is told in digests. */
function SettingsCard({ writer }) {
  const settings = useLoad(() => api('GET', '/notification-settings'));
  return html`
    <section class="card" aria-labelledby="settings-title" data-testid="notification-settings">
      <h2 id="settings-title">${t('notif.settings')}</h2>
      <${Async} state=${settings} retry=${settings.reload}>
        ${(s) => (writer ? html`<${SettingsForm} initial=${s} />` : html`
          <dl class="facts settings-facts">
            <div><dt>${t('notif.language')}</dt><dd>${t('notif.lang.' + s.language)}</dd></div>
            <div><dt>${t('notif.renotifyOrg')}</dt><dd>${renotifyLabel(s.renotifyMinutes)}</dd></div>
            <div class="span-2"><dt>${t('notif.storm')}</dt><dd>${t('notif.stormRule', { n: s.stormThreshold, s: s.stormWindowSeconds })}</dd></div>
          </dl>`)}
      <//>
    </section>`;
}

function SettingsForm({ initial }) {
  const [language, setLanguage] = useState(initial.language);
  const [renotify, setRenotify] = useState(renotifyForm(initial.renotifyMinutes));
  const [storm, setStorm] = useState({ threshold: String(initial.stormThreshold), window: String(initial.stormWindowSeconds) });
  const [state, setState] = useState({ busy: false, error: null, saved: false, invalid: null });
  // A change hides "Saved" until the next save.
  const edit = (setter) => (value) => { setter(value); setState((st) => ({ ...st, saved: false })); };
  const submit = async (e) => {
    e.preventDefault();
    const invalid = renotifyError(renotify);
    if (invalid) {
      setState({ busy: false, error: null, saved: false, invalid });
      document.getElementById('ns-renotify')?.focus();
      return;
    }
    setState({ busy: true, error: null, saved: false, invalid: null });
    try {
      await api('PUT', '/notification-settings', {
        language, renotifyMinutes: renotifyValue(renotify),
        stormThreshold: Number(storm.threshold), stormWindowSeconds: Number(storm.window),
      });
      setState({ busy: false, error: null, saved: true, invalid: null });
    } catch (error) {
      setState({ busy: false, error, saved: false, invalid: null });
    }
  };
  return html`
    <form onSubmit=${submit} novalidate>
      <div class="row">
        <${Field} as="select" id="ns-language" label=${t('notif.language')} value=${language} hint=${t('notif.languageHint')}
          onChange=${(e) => edit(setLanguage)(e.currentTarget.value)}>
          <option value="en">${t('notif.lang.en')}</option>
          <option value="fr">${t('notif.lang.fr')}</option>
        <//>
        <${RenotifyField} id="ns-renotify" label=${t('notif.renotifyOrg')} value=${renotify} firstLabel=${renotifyLabel(null)}
          onChange=${edit(setRenotify)} error=${state.invalid} hint=${t('notif.renotifyOrgHint')} />
      </div>
      <div class="row">
        <${Field} id="ns-storm-threshold" type="number" min="1" max="1000" required label=${t('notif.stormThreshold')}
          value=${storm.threshold} hint=${t('notif.stormThresholdHint')}
          onInput=${(e) => edit(setStorm)({ ...storm, threshold: e.currentTarget.value })} />
        <${Field} id="ns-storm-window" type="number" min="10" max="3600" required label=${t('notif.stormWindow')}
          value=${storm.window} hint=${t('notif.stormWindowHint')}
          onInput=${(e) => edit(setStorm)({ ...storm, window: e.currentTarget.value })} />
      </div>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        ${state.saved && html`<span class="saved" role="status">✓ ${t('notif.settingsSaved')}</span>`}
        <button type="submit" disabled=${state.busy}>${t('notif.saveSettings')}</button>
      </div>
    </form>`;
}
