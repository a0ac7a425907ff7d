// Shared pieces of the notifications pages and of the monitor and task forms: channel kinds with
// their icons and where a channel sends in one line (from channel-kinds.js), delivery statuses in words and colours, and the
// re-notification interval picker.
import { html } from '../lib.js';
import { formatDuration, t } from '../i18n.js';
import { Field } from '../components.js';
import { CHANNEL_KINDS } from './channel-kinds.js';

export { KINDS } from './channel-kinds.js';

export function KindIcon({ kind }) {
  return html`<svg class="kind-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    ${(CHANNEL_KINDS[kind]?.icon || []).map((d) => html`<path d=${d} />`)}</svg>`;
}

/** The kind with its icon, always in words too. */
export function KindBadge({ kind }) {
  return html`<span class=${'kind-badge kind-' + kind} data-kind=${kind}><${KindIcon} kind=${kind} />${t('notif.kind.' + kind)}</span>`;
}

/** Where a channel sends, in one line: "ops@example.com, +2 more", "POST hooks.example.com/in · signed". */
export function channelSummary({ kind, config }) {
  return CHANNEL_KINDS[kind]?.summary(config || {}) ?? '';
}

const TONE_ICON = { ok: '●', warn: '▲', bad: '■', neutral: '○', info: '◆' };

/** A delivery's status in words and tone: a failed test "failed", a failed incident message "gave up". */
export function deliveryState(d) {
  if (d.status === 'sent') return { tone: 'ok', text: t('notif.status.sent') };
  if (d.status === 'pending') return d.attempts > 0 ? { tone: 'warn', text: t('notif.status.retrying') } : { tone: 'neutral', text: t('notif.status.pending') };
  return { tone: 'bad', text: t(d.event === 'test' ? 'notif.status.failed' : 'notif.status.gaveup') };
}

export function DeliveryPill({ delivery }) {
  const { tone, text } = deliveryState(delivery);
  return html`<span class=${'pill pill-' + tone} data-status=${delivery.status}>
    <span aria-hidden="true" class="pill-icon">${TONE_ICON[tone]}</span>${text}</span>`;
}

export function EnabledPill({ enabled }) {
  return enabled ? null : html`<span class="pill pill-neutral" data-testid="disabled-pill">
    <span aria-hidden="true" class="pill-icon">${TONE_ICON.neutral}</span>${t('notif.disabled')}</span>`;
}

/** "every 30 minutes", "every 2 hours", "every day", or "never" (lower case, for inside a sentence). */
export function renotifyText(minutes) {
  if (!minutes) return t('notif.never');
  if (minutes < 60) return t('notif.everyMinutes', { n: minutes });
  if (minutes % 1440 === 0) return minutes === 1440 ? t('notif.everyDay') : t('notif.everyDays', { n: minutes / 1440 });
  if (minutes % 60 === 0) return minutes === 60 ? t('notif.everyHour') : t('notif.everyHours', { n: minutes / 60 });
  return t('notif.every', { duration: formatDuration(minutes * 60000) });
}

/** The same, starting with a capital (on its own: an option, a value). */
export function renotifyLabel(minutes) {
  const text = renotifyText(minutes);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const PRESETS = [15, 30, 60, 120, 240, 720, 1440];
const [MIN, MAX] = [5, 10080];

/** The picker's state for a stored value (null: the first option). */
export function renotifyForm(minutes) {
  if (minutes === null || minutes === undefined) return { choice: '', custom: '' };
  return PRESETS.includes(minutes) ? { choice: String(minutes), custom: '' } : { choice: 'custom', custom: String(minutes) };
}

/** The minutes the picker stands for (null: the first option). */
export function renotifyValue(r) {
  if (r.choice === '') return null;
  return Number(r.choice === 'custom' ? r.custom : r.choice);
}

/** A browser-side complaint about a custom interval, or null. */
export function renotifyError(r) {
  if (r.choice !== 'custom') return null;
  const n = Number(r.custom);
  return r.custom !== '' && Number.isInteger(n) && n >= MIN && n <= MAX ? null : t('notif.error.renotify');
}

/**
 * How often to repeat while nobody acknowledges: `firstLabel` (never, or the organization's
 * default), common intervals, or a custom number of minutes.
 */
export function RenotifyField({ id, label, value, onChange, firstLabel, error, hint }) {
  const custom = value.choice === 'custom';
  return html`
    <div class=${'renotify' + (custom ? ' row' : '')}>
      <${Field} as="select" id=${custom ? id + '-choice' : id} label=${label} value=${value.choice} hint=${custom ? null : hint}
        onChange=${(e) => onChange({ ...value, choice: e.currentTarget.value })} error=${custom ? null : error}>
        <option value="">${firstLabel}</option>
        ${PRESETS.map((m) => html`<option value=${String(m)}>${renotifyLabel(m)}</option>`)}
        <option value="custom">${t('notif.customMinutes')}</option>
      <//>
      ${custom && html`<${Field} id=${id} label=${t('notif.minutes')} type="number" min=${MIN} max=${MAX} step="1" inputmode="numeric"
        value=${value.custom} onInput=${(e) => onChange({ ...value, custom: e.currentTarget.value })} error=${error}
        hint=${t('notif.minutesHint')} />`}
    </div>`;
}
