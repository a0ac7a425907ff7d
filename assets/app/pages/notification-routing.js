// The "Notifications" section of the monitor and task forms: every channel of the organization
// (the default) or the ones ticked, and how often to repeat while nobody acknowledges (the
// organization's default, or every N minutes). The Notifications page opens in a new tab, and
// the list of channels reloads when this tab gets the focus back.
import { html, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE } from '../router.js';
import { Async, useLoad } from '../components.js';
import { EscalationPicker } from './escalation-parts.js';
import { KindIcon, RenotifyField, renotifyError, renotifyForm, renotifyText, renotifyValue } from './notification-parts.js';

/** The section's state for a monitor or task as the API returns it (or a new one). */
export function routingForm(source = {}) {
  const chosen = source.notificationChannels;
  return { mode: chosen ? 'chosen' : 'all', channels: chosen || [], renotify: renotifyForm(source.renotifyMinutes), sourceId: source.id, escalation: undefined };
}

/** The fields of a monitor or task body. */
export function routingBody(r) {
  return { notificationChannels: r.mode === 'all' ? null : r.channels, renotifyMinutes: renotifyValue(r.renotify),
    ...(r.escalation !== undefined && { escalationPolicy: r.escalation }) };
}

/** Browser-side errors, by API field. */
export function routingErrors(r) {
  const renotify = renotifyError(r.renotify);
  return renotify ? { renotifyMinutes: renotify } : {};
}

export function NotificationFields({ value, onChange, fieldId, err }) {
  const data = useLoad(() => Promise.all([api('GET', '/notification-channels'), api('GET', '/notification-settings')]));
  // Back from the Notifications page (another tab): its new channels show up.
  useEffect(() => {
    const again = () => data.reload();
    window.addEventListener('focus', again);
    return () => window.removeEventListener('focus', again);
  }, []);
  const channels = data.data ? data.data[0].items : null;
  // A chosen channel deleted since: forget it, or saving would be refused.
  useEffect(() => {
    if (!channels) return;
    const known = value.channels.filter((id) => channels.some((c) => c.id === id));
    if (known.length !== value.channels.length) onChange({ ...value, channels: known });
  }, [channels]);
  const pick = (mode) => onChange({ ...value, mode });
  const toggle = (id, on) => onChange({ ...value, channels: on ? [...value.channels, id] : value.channels.filter((c) => c !== id) });
  return html`
    <fieldset class="card notify-fields" data-testid="notification-fields">
      <legend>${t('notif.section')}</legend>
      <${Async} state=${data} retry=${data.reload}>
        ${([list, settings]) => html`
          <fieldset class="segmented notify-mode">
            <legend class="visually-hidden">${t('notif.section')}</legend>
            <label class=${value.mode === 'all' ? 'checked' : ''}><input type="radio" name="notify-mode" checked=${value.mode === 'all'}
              onChange=${() => pick('all')} />${t('notif.allChannels')}</label>
            <label class=${value.mode === 'chosen' ? 'checked' : ''}><input type="radio" name="notify-mode" checked=${value.mode === 'chosen'}
              onChange=${() => pick('chosen')} />${t('notif.chosenChannels')}</label>
          </fieldset>
          ${list.items.length === 0 ? html`<${NoChannel} />` : value.mode === 'all'
            ? html`<p class="hint">${t('notif.allHint', { list: list.items.filter((c) => c.enabled).map((c) => c.name).join(', ') || t('notif.noneEnabled') })}</p>`
            : html`<${ChannelChecks} channels=${list.items} chosen=${value.channels} toggle=${toggle} id=${fieldId('notificationChannels')}
              error=${err('notificationChannels')} />`}
          <${RenotifyField} id=${fieldId('renotifyMinutes')} label=${t('notif.renotify')} value=${value.renotify}
            onChange=${(renotify) => onChange({ ...value, renotify })} error=${err('renotifyMinutes')} hint=${t('notif.renotifySourceHint')}
            firstLabel=${t('notif.orgDefault', { value: renotifyText(settings.renotifyMinutes) })} />
          <${EscalationPicker} sourceId=${value.sourceId} value=${value.escalation} onChange=${(escalation) => onChange({ ...value, escalation })} />`}
      <//>
    </fieldset>`;
}

function NoChannel() {
  return html`<p class="alert alert-info" role="status">${t('notif.noChannelYet')}
    ${' '}<a href=${BASE + '/notifications'} target="_blank" rel="noopener">${t('notif.setUpChannel')}</a></p>`;
}

function ChannelChecks({ channels, chosen, toggle, id, error }) {
  const errorId = error ? id + '-error' : undefined;
  return html`
    <fieldset class="channel-checks" id=${id} tabindex="-1" aria-describedby=${errorId}>
      <legend class="visually-hidden">${t('notif.chosenChannels')}</legend>
      ${channels.map((c) => html`
        <label class="check" key=${c.id}>
          <input type="checkbox" checked=${chosen.includes(c.id)} onChange=${(e) => toggle(c.id, e.currentTarget.checked)} />
          <${KindIcon} kind=${c.kind} /><span>${c.name} <span class="muted small">(${t('notif.kind.' + c.kind)})</span></span>
          ${!c.enabled && html`<span class="tag">${t('notif.disabled')}</span>`}
        </label>`)}
      ${chosen.length === 0 && html`<p class="hint small">${t('notif.noneChosen')}</p>`}
      ${error && html`<small id=${errorId} class="field-error" role="alert">${error}</small>`}
    </fieldset>`;
}
