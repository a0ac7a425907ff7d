// One notification channel: where it sends, its actions (send a test with the outcome shown in
// place, edit, enable or disable, delete behind a confirmation), and its deliveries, newest first,
// refreshed while some are still being retried.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, ConfirmDialog, Pagination, Time, errorText, useId, useLoad, useReloadOn } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { DeliveryPill, EnabledPill, KindBadge } from './notification-parts.js';
import { CHANNEL_KINDS } from './channel-kinds.js';

export const channelPath = (id) => `/notification-channels/${encodeURIComponent(id)}`;

export function ChannelPage({ profile, params }) {
  const channel = useLoad(() => api('GET', channelPath(params.id)), [params.id]);
  const [tick, setTick] = useState(0);
  if (channel.error && channel.error.status === 404) {
    return html`<main><${BackLink} /><h1>${t('notif.notFound')}</h1><p>${t('notif.notFoundText')}</p></main>`;
  }
  const changed = () => { channel.reload(); setTick((n) => n + 1); };
  return html`
    <main class="wide">
      <${BackLink} />
      <${Async} state=${channel} retry=${channel.reload}>
        ${(c) => html`
          <h1>${c.name}</h1>
          <p class="status-line"><${KindBadge} kind=${c.kind} /> <${EnabledPill} enabled=${c.enabled} /></p>
          ${can(profile, 'writeNotificationChannels') && html`<${ChannelActions} channel=${c} onChange=${changed}
            onDeleted=${() => navigate(BASE + '/notifications')} />`}
          <${ChannelDetails} channel=${c} />
          <${DeliveriesPanel} id=${c.id} tick=${tick} />`}
      <//>
    </main>`;
}

function BackLink() {
  return html`<p class="back"><a href=${BASE + '/notifications'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('notif.title')}</a></p>`;
}

/** Send a test (the outcome in place), edit, enable or disable, delete after a confirmation. */
export function ChannelActions({ channel, onChange, onDeleted, compact }) {
  const [state, setState] = useState({ busy: null, error: null, outcome: null });
  const [asking, setAsking] = useState(false);
  const path = channelPath(channel.id);
  const run = async (busy, call, after) => {
    setState({ busy, error: null, outcome: null });
    try {
      const answer = await call();
      setState({ busy: null, error: null, outcome: busy === 'test' ? answer : null });
      after && after();
    } catch (error) {
      setState({ busy: null, error, outcome: null });
    }
  };
  const test = () => run('test', () => api('POST', path + '/test'), onChange);
  const toggle = () => run('toggle', () => api('PATCH', path, { enabled: !channel.enabled }), onChange);
  const remove = () => run('delete', () => api('DELETE', path), () => { setAsking(false); onDeleted(); });
  const outcome = state.outcome;
  // In a list of channels, quieter buttons; on the channel's own page, the test stands out.
  const size = compact ? ' small' : '';
  return html`
    <div class="channel-actions">
      <div class="actions">
        <button type="button" class=${(compact ? 'secondary' : '') + size} onClick=${test} disabled=${state.busy}>${state.busy === 'test' ? t('notif.testing') : t('notif.test')}</button>
        <a class=${'button secondary' + size} href=${`${BASE}/notifications/${encodeURIComponent(channel.id)}/edit`} onClick=${linkClick}>${t('monitor.edit')}</a>
        <button type="button" class=${'secondary' + size} onClick=${toggle} disabled=${state.busy}>${t(channel.enabled ? 'notif.disable' : 'notif.enable')}</button>
        <button type="button" class=${'danger' + size} onClick=${() => setAsking(true)}>${t('monitor.delete')}</button>
      </div>
      <div aria-live="polite" data-testid="test-outcome">
        ${outcome && outcome.outcome === 'sent' && html`<${Alert} kind="success">✓ ${t('notif.testSent', { name: channel.name })}<//>`}
        ${outcome && outcome.outcome !== 'sent' && html`<${Alert}>${t('notif.testFailed')} <code class="test-error">${outcome.error}</code><//>`}
      </div>
      ${state.error && !asking && html`<${Alert}>${errorText(state.error)}<//>`}
      ${asking && html`<${ConfirmDialog} title=${t('notif.deleteTitle')} text=${t('notif.deleteText', { name: channel.name })}
        confirmLabel=${t('monitor.delete')} busy=${state.busy} error=${state.error} onConfirm=${remove}
        onCancel=${() => { setAsking(false); setState({ busy: null, error: null, outcome: null }); }} />`}
    </div>`;
}

/** Everything the channel is set up with; secrets only as "set", header values not at all. */
function ChannelDetails({ channel }) {
  const c = channel.config || {};
  const fact = (label, value, wide) => html`<div class=${wide ? 'span-all' : ''}><dt>${label}</dt><dd>${value}</dd></div>`;
  const yesNo = (value) => t(value ? 'notif.yes' : 'notif.no');
  const facts = CHANNEL_KINDS[channel.kind]?.facts(c, { fact, yesNo }) || [];
  return html`
    <dl class="facts card" data-testid="channel-details">
      ${facts}
      <div><dt>${t('notif.created')}</dt><dd><${Time} iso=${channel.createdAt} absolute /></dd></div>
      <div><dt>${t('notif.updated')}</dt><dd><${Time} iso=${channel.updatedAt} absolute /></dd></div>
    </dl>`;
}

/** Refresh soon while a delivery is still being tried, slowly otherwise. */
const pace = (data) => (data && data.items.some((d) => d.status === 'pending') ? 5000 : 30000);

export function DeliveriesPanel({ id, tick }) {
  const [page, setPage] = useState(1);
  const size = 10;
  const list = useLoad(() => api('GET', `${channelPath(id)}/deliveries?${addPage(new URLSearchParams(), page, size)}`), [id, page], { every: pace });
  useReloadOn(tick, list.reload);
  const titleId = useId('deliveries');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('notif.deliveries')}</h2>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          ${data.items.length === 0 ? html`<p class="muted">${t('notif.noDeliveries')}</p>` : html`
            <table class="table cards-on-phone deliveries-table" data-testid="deliveries">
              <caption class="visually-hidden">${t('notif.deliveries')}</caption>
              <thead><tr>
                <th scope="col">${t('notif.col.when')}</th>
                <th scope="col">${t('notif.col.event')}</th>
                <th scope="col">${t('notif.col.status')}</th>
                <th scope="col" class="num">${t('notif.col.attempts')}</th>
                <th scope="col">${t('notif.col.details')}</th>
              </tr></thead>
              <tbody>${data.items.map((d) => html`<${DeliveryRow} key=${d.id} delivery=${d} />`)}</tbody>
            </table>`}
          <${Pagination} page=${page} size=${size} total=${data.totalNumberOfResults} onPage=${setPage} label=${t('notif.deliveries')} />`}
      <//>
    </section>`;
}

function DeliveryRow({ delivery: d }) {
  return html`
    <tr data-testid="delivery-row" data-status=${d.status} data-event=${d.event}>
      <td data-label=${t('notif.col.when')} class="when"><${Time} iso=${d.createdAt} absolute seconds /></td>
      <td data-label=${t('notif.col.event')}><div>${t('notif.event.' + d.event)}${d.incidentId && html`
        <div class="small"><a href=${`${BASE}/incidents/${d.incidentId}`} onClick=${linkClick}>${t('monitor.viewIncident')}</a></div>`}</div></td>
      <td data-label=${t('notif.col.status')}><${DeliveryPill} delivery=${d} /></td>
      <td data-label=${t('notif.col.attempts')} class="num">${d.attempts}</td>
      <td data-label=${t('notif.col.details')} class="details-cell">
        ${d.lastError && html`<code class="run-error">${d.lastError}</code>`}
        ${d.status === 'pending' && d.nextAttemptAt && html`<div class="small">${t('notif.nextAttempt')} <${Time} iso=${d.nextAttemptAt} /></div>`}
        ${d.sentAt && html`<div class="small muted">${t('notif.sentAt')} <${Time} iso=${d.sentAt} /></div>`}
      </td>
    </tr>`;
}
