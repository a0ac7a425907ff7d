// The status pages list: each page's title, address (a link to it as visitors see it) and
// visibility; editors create, edit, post announcements and delete.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Async, ConfirmDialog, Pagination, useAction, useListFilters, useLoad } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { pagePath } from './status-page-parts.js';

const PAGE_SIZE = 20;

export function StatusPagesPage({ profile }) {
  const filters = useListFilters({ all: [] });
  const { page } = filters;
  const list = useLoad(() => api('GET', '/status-pages?' + addPage(new URLSearchParams(), page, PAGE_SIZE)), [page], { every: 60000 });
  const writer = can(profile, 'writeHttpMonitors');
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('sp.title')}</h1>
        ${writer && html`<a class="button" href=${BASE + '/status-pages/new'} onClick=${linkClick}>${t('sp.new')}</a>`}
      </div>
      <p class="muted">${t('sp.intro')}</p>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => (data.items.length === 0
          ? html`<div class="card empty"><p>${t('sp.empty')}</p></div>`
          : html`<${Pages} items=${data.items} writer=${writer} reload=${list.reload} />
            <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.totalNumberOfFilteredResults}
              onPage=${(p) => filters.go({ page: p > 1 ? p : '' })} label=${t('sp.title')} />`)}
      <//>
    </main>`;
}

function Pages({ items, writer, reload }) {
  const [confirm, setConfirm] = useState(null);
  const action = useAction(() => { setConfirm(null); reload(); });
  const remove = () => action.act(() => api('DELETE', pagePath(confirm.id)));
  return html`
    <table class="table cards-on-phone" data-testid="status-pages">
      <caption class="visually-hidden">${t('sp.title')}</caption>
      <thead><tr>
        <th scope="col">${t('sp.col.title')}</th>
        <th scope="col">${t('sp.col.slug')}</th>
        <th scope="col">${t('sp.col.visibility')}</th>
        <th scope="col"><span class="visually-hidden">${t('sp.edit')}</span></th>
      </tr></thead>
      <tbody>${items.map((p) => html`
        <tr key=${p.id} data-testid="status-page-row">
          <td data-label=${t('sp.col.title')} class="main-cell"><span class="strong">${p.title}</span>
            ${p.description && html`<div class="muted small">${p.description}</div>`}</td>
          <td data-label=${t('sp.col.slug')}><a href=${p.url} target="_blank" rel="noopener"
            title=${t('sp.openTitle', { title: p.title })}>${p.url}</a></td>
          <td data-label=${t('sp.col.visibility')}><${Visibility} value=${p.visibility} /></td>
          <td><div class="window-actions">
            ${writer && html`<button type="button" class="secondary small" onClick=${() => navigate(`${BASE}/status-pages/${p.id}`)}>${t('sp.edit')}</button>`}
            <button type="button" class="secondary small" onClick=${() => navigate(`${BASE}/status-pages/${p.id}/announcements`)}>${t('sp.announcements')}</button>
            ${writer && html`<button type="button" class="secondary small" onClick=${() => setConfirm(p)}>${t('sp.delete')}</button>`}
          </div></td>
        </tr>`)}</tbody>
    </table>
    ${confirm && html`<${ConfirmDialog} title=${t('sp.deleteTitle')} text=${t('sp.deleteText', { title: confirm.title })}
      confirmLabel=${t('sp.delete')} onConfirm=${remove} busy=${action.busy} error=${action.error}
      onCancel=${() => { setConfirm(null); action.reset(); }} />`}`;
}

function Visibility({ value }) {
  const open = value === 'public';
  return html`<span class=${'pill ' + (open ? 'pill-ok' : 'pill-neutral')} data-visibility=${value}>
    <span aria-hidden="true" class="pill-icon">${open ? '●' : '◆'}</span>${t('sp.visibility.' + value)}</span>`;
}
