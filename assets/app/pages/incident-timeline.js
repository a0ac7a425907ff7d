// An incident's timeline, oldest first: who did what and when; checks with their HTTP code,
// response time and error; task runs with their due or start time, exit code and error;
// notifications with their channel, outcome, error and next attempt; the dependents whose
// failures were folded into it, in one entry. Comments are shown as text, never as HTML.
import { html } from '../lib.js';
import { formatDateTime, formatMs, t } from '../i18n.js';
import { Time } from '../components.js';
import { PriorityBadge, checkText, userName } from '../monitoring.js';
import { AffectedDependents, foldDependents } from './dependencies.js';
import { escalationText } from './escalation-parts.js';

const TONE = {
  creation: 'bad', confirmation: 'bad', resolution: 'ok', comment: 'info', acknowledged: 'info', prioritychanged: 'info',
  monitorpinged: 'neutral', monitorswitchedtorecovering: 'warn', monitorswitchedtosuspicious: 'warn', monitorswitchedtodown: 'bad',
  tasklate: 'warn', taskabsent: 'bad', taskrunstarted: 'info', taskrunsucceeded: 'ok', taskrunfailed: 'bad', taskrundead: 'bad',
  taskrunaborted: 'warn',
  sourcedeleted: 'neutral', notificationssilenced: 'info', maintenanceended: 'info',
  dependentsuppressed: 'warn',
  escalation: 'warn',
};
/** A notification's tone by its outcome. */
const NOTIFY_TONE = { sent: 'ok', failed: 'warn', gaveup: 'bad' };

const isNotification = (e) => e.eventType === 'notification' && e.payload && NOTIFY_TONE[e.payload.outcome];
const toneOf = (e) => (isNotification(e) ? NOTIFY_TONE[e.payload.outcome] : TONE[e.eventType] || 'neutral');
const titleOf = (e) => {
  if (e.dependents && e.dependents.length > 1) return t('deps.affectedTitle');
  return t(isNotification(e) ? 'event.notification.' + e.payload.outcome : 'event.' + e.eventType);
};

export function Timeline({ items }) {
  if (!items.length) return html`<p class="muted">${t('timeline.empty')}</p>`;
  return html`
    <ol class="timeline" data-testid="timeline">
      ${foldDependents(items).map((e) => html`
        <li key=${e.id} class=${'tl-' + toneOf(e)} data-event=${e.eventType}>
          <div class="tl-head">
            <strong>${titleOf(e)}</strong>
            <span class="muted small">${userName(e.user)} · <${Time} iso=${e.createdAt} absolute seconds /></span>
          </div>
          <${Details} event=${e} />
        </li>`)}
    </ol>`;
}

function Details({ event }) {
  const p = event.payload;
  if (event.dependents) return html`<${AffectedDependents} dependents=${event.dependents} />`;
  if (!p) return null;
  if (event.eventType === 'comment') {
    return html`<div class="tl-comment">
      <p class="pre">${typeof p.text === 'string' ? p.text : JSON.stringify(p)}</p>
      ${p.format === 'markdown' && html`<span class="tag">${t('comment.markdownTag')}</span>`}
    </div>`;
  }
  if (event.eventType === 'prioritychanged' && p.priority) {
    return html`<div class="small">${t('event.newPriority')} <${PriorityBadge} priority=${p.priority} /></div>`;
  }
  if (event.eventType === 'notificationssilenced') {
    return html`<div class="tl-check small" data-testid="silenced-event">
      <span>${t('event.silencedUntil', { date: formatDateTime(p.until) })}</span>
      ${p.reason && html`<span class="muted">${p.reason}</span>`}
    </div>`;
  }
  if (event.eventType.startsWith('task')) return html`<${TaskDetails} payload=${p} />`;
  if (event.eventType === 'maintenanceended' && p.windowId) {
    return html`<div class="small" data-testid="maintenance-event">${t('event.maintenanceWindow', {
      title: p.title, start: formatDateTime(p.startsAt), end: formatDateTime(p.endsAt) })}</div>`;
  }
  if (isNotification(event)) return html`<${NotificationDetails} payload=${p} />`;
  if (event.eventType === 'escalation') return html`<div class="small" data-testid="escalation-event">${escalationText(p)}</div>`;
  if (p.tlsExpiresAt !== undefined) {
    return html`<div class="small">${p.tlsExpiresAt ? t('event.tlsRenewed', { date: formatDateTime(p.tlsExpiresAt) }) : t('check.tls')}</div>`;
  }
  if (p.errorKind) {
    const ok = p.errorKind === 'none';
    return html`
      <div class="tl-check small" data-testid="check-event">
        <span class=${'pill pill-' + (ok ? 'ok' : 'bad')}>${ok ? t('checks.ok') : t('checks.failed')}</span>
        <span>${checkText(p)}</span>
        ${p.httpCode && p.errorKind !== 'none' && p.errorKind !== 'httpcode' ? html`<span>HTTP ${p.httpCode}</span>` : null}
        ${p.responseTimeMs !== null && p.responseTimeMs !== undefined && p.httpCode ? html`<span>${formatMs(p.responseTimeMs)}</span>` : null}
        ${p.error && html`<code>${p.error}</code>`}
      </div>`;
  }
  return null;
}

/** A task event: when the run was due or started, its exit code, error and last heartbeat. */
function TaskDetails({ payload: p }) {
  const date = (iso) => formatDateTime(iso, { seconds: true });
  return html`
    <div class="tl-check small" data-testid="task-event">
      ${p.dueAt && html`<span>${t('event.dueAt', { date: date(p.dueAt) })}</span>`}
      ${p.runStartedAt && html`<span>${t('event.runStartedAt', { date: date(p.runStartedAt) })}</span>`}
      ${p.exitCode !== null && p.exitCode !== undefined && html`<span>${t('task.exitCode', { code: p.exitCode })}</span>`}
      ${p.lastHeartbeatAt && p.kind === 'dead' && html`<span>${t('event.lastHeartbeat', { date: date(p.lastHeartbeatAt) })}</span>`}
      ${p.errorMessage && html`<code>${p.errorMessage}</code>`}
    </div>`;
}

/** A notification attempt: "Sent to Ops webhook (Webhook)", or the error and the next attempt. */
function NotificationDetails({ payload: p }) {
  const where = { channel: p.channelName, kind: t('notif.kind.' + p.channelKind), n: p.attempt };
  return html`
    <div class="tl-check small" data-testid="notification-event" data-outcome=${p.outcome}>
      <span>${t('event.notify.' + p.outcome, where)}</span>
      <span class="muted">${t('event.notifyAbout', { event: t('notif.event.' + p.event) })}</span>
      ${p.error && html`<code>${p.error}</code>`}
      ${p.nextAttemptAt && html`<span>${t('event.nextAttempt', { date: formatDateTime(p.nextAttemptAt, { seconds: true }) })}</span>`}
    </div>`;
}
