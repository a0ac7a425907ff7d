// Maintenance windows: what they do, the occurrences coming up (a calendar merged from every
// window's next ones), and the windows themselves with their state, timing and selection;
// editors create, edit, end now and delete. Refreshed every 30 s.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Async, ConfirmDialog, Pagination, useLoad, useListFilters } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { browserZone } from './task-parts.js';
import { selectionText, spanText, windowWhen } from './maintenance-parts.js';

const PAGE_SIZE = 20;
const path = (id) => `/maintenance-windows/${encodeURIComponent(id)}`;

export function MaintenancePage({ profile }) {
  const filters = useListFilters({ all: [] });
  const { page } = filters;
  const list = useLoad(async () => {
    const data = await api('GET', '/maintenance-windows?' + addPage(new URLSearchParams(), page, PAGE_SIZE));
    // The calendar: each window's next occurrences, merged.
    const next = await Promise.all(data.items.map((w) => api('GET', path(w.id) + '/occurrences?count=5')
      .then((o) => o.items.map((occurrence) => ({ ...occurrence, window: w })), () => [])));
    const calendar = next.flat().sort((a, b) => a.startsAt.localeCompare(b.startsAt)).slice(0, 12);
    return { ...data, calendar };
  }, [page], { every: 30000 });
  const writer = can(profile, 'writeHttpMonitors');
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('maintenance.title')}</h1>
        ${writer && html`<a class="button" href=${BASE + '/maintenance/new'} onClick=${linkClick}>${t('maintenance.new')}</a>`}
      </div>
      <p class="muted">${t('maintenance.intro')}</p>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          <section class="card" data-testid="maintenance-calendar">
            <h2>${t('maintenance.calendar')}</h2>
            <${Calendar} items=${data.calendar} />
          </section>
          <h2>${t('maintenance.windows')}</h2>
          ${data.items.length === 0 ? html`<div class="card empty"><p>${t('maintenance.empty')}</p></div>` : html`
            <${Windows} items=${data.items} writer=${writer} reload=${list.reload} />
            <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.totalNumberOfFilteredResults}
              onPage=${(p) => filters.go({ page: p > 1 ? p : '' })} label=${t('maintenance.windows')} />`}`}
      <//>
    </main>`;
}

function Calendar({ items }) {
  if (!items.length) return html`<p class="muted">${t('maintenance.calendarEmpty')}</p>`;
  const zone = browserZone();
  return html`
    <ul class="calendar">
      ${items.map((o) => html`
        <li key=${o.window.id + o.startsAt} data-testid="calendar-item">
          <span class="span"><time datetime=${o.startsAt}>${spanText(o.startsAt, o.endsAt, zone)}</time></span>
          <span class="strong">${o.window.title}</span>
        </li>`)}
    </ul>`;
}

function Windows({ items, writer, reload }) {
  const [confirm, setConfirm] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  const act = async () => {
    setState({ busy: true, error: null });
    try {
      if (confirm.action === 'end') await api('POST', path(confirm.window.id) + '/end');
      else await api('DELETE', path(confirm.window.id));
      setConfirm(null);
      setState({ busy: false, error: null });
      reload();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <table class="table cards-on-phone" data-testid="maintenance-windows">
      <caption class="visually-hidden">${t('maintenance.windows')}</caption>
      <thead><tr>
        <th scope="col">${t('maintenance.col.title')}</th>
        <th scope="col">${t('maintenance.col.when')}</th>
        <th scope="col">${t('maintenance.col.covers')}</th>
        <th scope="col">${t('maintenance.col.state')}</th>
        ${writer && html`<th scope="col"><span class="visually-hidden">${t('maintenance.edit')}</span></th>`}
      </tr></thead>
      <tbody>${items.map((w) => html`
        <tr key=${w.id} data-testid="maintenance-row">
          <td data-label=${t('maintenance.col.title')} class="main-cell"><span class="strong">${w.title}</span>
            ${w.description && html`<div class="muted small">${w.description}</div>`}</td>
          <td data-label=${t('maintenance.col.when')}>${windowWhen(w)}</td>
          <td data-label=${t('maintenance.col.covers')}>${selectionText(w.selection)}${w.pauseChecks ? ' · ' + t('maintenance.paused') : ''}</td>
          <td data-label=${t('maintenance.col.state')}><${WindowState} w=${w} /></td>
          ${writer && html`<td><div class="window-actions">
            <button type="button" class="secondary small" onClick=${() => navigate(`${BASE}/maintenance/${w.id}/edit`)}>${t('maintenance.edit')}</button>
            ${w.active && html`<button type="button" class="secondary small" onClick=${() => setConfirm({ action: 'end', window: w })}>${t('maintenance.endNow')}</button>`}
            <button type="button" class="secondary small" onClick=${() => setConfirm({ action: 'delete', window: w })}>${t('maintenance.delete')}</button>
          </div></td>`}
        </tr>`)}</tbody>
    </table>
    ${confirm && html`<${ConfirmDialog}
      title=${t(confirm.action === 'end' ? 'maintenance.endTitle' : 'maintenance.deleteTitle')}
      text=${confirm.action === 'end' ? t('maintenance.endText') : t('maintenance.deleteText', { title: confirm.window.title })}
      confirmLabel=${t(confirm.action === 'end' ? 'maintenance.endNow' : 'maintenance.delete')}
      onConfirm=${act} onCancel=${() => { setConfirm(null); setState({ busy: false, error: null }); }} busy=${state.busy} error=${state.error} />`}`;
}

function WindowState({ w }) {
  if (w.active) {
    return html`<span class="pill pill-info" data-state="active"><span aria-hidden="true" class="pill-icon">◆</span>${t('maintenance.activeUntil', { end: formatDateTime(w.active.endsAt) })}</span>`;
  }
  if (w.next) return html`<span>${t('maintenance.nextAt', { start: formatDateTime(w.next.startsAt) })}</span>`;
  return html`<span class="muted">${t('maintenance.over')}</span>`;
}
