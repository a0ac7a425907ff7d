// Shared pieces of the notifications pages and of the monitor and task forms: channel kinds with
// their icons, where a channel sends in one line, delivery statuses in words and colours, and the
// re-notification interval picker.
import { html } from '../lib.js';
import { formatDuration, t } from '../i18n.js';
import { Field } from '../components.js';

export const KINDS = ['email', 'webhook', 'slack', 'discord', 'ntfy'];

/** Line icons (24 × 24, stroked): an envelope, code brackets, a hash, a speech bubble, a bell. */
const ICONS = {
  email: ['M5 5h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z', 'm3 7 9 6 9-6'],
  webhook: ['m8 7-5 5 5 5', 'm16 7 5 5-5 5', 'm13.5 4-3 16'],
  slack: ['M4 9h16', 'M4 15h16', 'M10 3 8 21', 'M16 3l-2 18'],
  discord: ['M21 11.5a8.5 8.5 0 0 1-12.3 7.6L3 20.5l1.4-5.2A8.5 8.5 0 1 1 21 11.5z'],
  ntfy: ['M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9', 'M10.3 21a1.94 1.94 0 0 0 3.4 0'],
};

export function KindIcon({ kind }) {
  return html`<svg class="kind-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    ${(ICONS[kind] || []).map((d) => html`<path d=${d} />`)}</svg>`;
}

/** The kind with its icon, always in words too. */
export function KindBadge({ kind }) {
  return html`<span class=${'kind-badge kind-' + kind} data-kind=${kind}><${KindIcon} kind=${kind} />${t('notif.kind.' + kind)}</span>`;
}

function host(url) {
  try { return new URL(url).host; } catch { return url || ''; }
}

/** "host/path" of a URL, without scheme or query (where a webhook posts). */
function hostPath(url) {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch { return url || ''; }
}

/** Where a channel sends, in one line: "ops@example.com, +2 more", "POST hooks.example.com/in · signed". */
export function channelSummary({ kind, config }) {
  const c = config || {};
  switch (kind) {
    case 'email': {
      const list = c.recipients || [];
      const shown = list.slice(0, 2).join(', ') + (list.length > 2 ? ' ' + t('notif.summary.more', { n: list.length - 2 }) : '');
      if (!c.allMembers) return shown;
      return list.length ? t('notif.summary.plusMembers', { list: shown }) : t('notif.summary.allMembers');
    }
    case 'webhook': return `POST ${hostPath(c.url)}` + (c.secret ? ' · ' + t('notif.summary.signed') : '');
    case 'slack': case 'discord': return t('notif.summary.chat', { host: host(c.webhookUrl) });
    case 'ntfy': return t('notif.summary.ntfy', { topic: c.topic, server: host(c.serverUrl) });
    default: return '';
  }
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
