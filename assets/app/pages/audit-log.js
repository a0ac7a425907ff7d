// The Audit log page (Administrators and Owners): who changed what, when and from where, newest
// first; filters kept in the address (so a filtered view can be shared), pages, and the same
// selection exported as CSV or JSON (plain links: the browser downloads the file with the
// session cookie).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatNumber, t } from '../i18n.js';
import { Async, Field, Pagination, Time, useLoad } from '../components.js';
import { addPage } from '../monitoring.js';
import { queryParams, setQueryParams } from '../router.js';

const PAGE_SIZE = 25;
/** Resource types and actions the server writes; an entry of another still shows, raw. */
const RESOURCES = ['monitor', 'task', 'incident', 'notification_channel', 'notification_settings', 'silence',
  'maintenance_window', 'status_page', 'share_link', 'announcement', 'badge_key', 'api_token', 'user', 'session'];
const ACTIONS = ['create', 'update', 'delete', 'sign_in', 'sign_in_failed', 'acknowledge', 'resolve', 'comment',
  'bulk', 'toggle', 'archive', 'expire', 'end', 'test', 'post_update', 'regenerate_ping_key', 'set_password'];
const KEYS = ['resourceType', 'action', 'userId', 'tokenId', 'resourceId', 'from', 'to'];

/** A word of the log in the reader's language, or the word itself when it has none. */
function word(kind, value) {
  const key = `audit.${kind}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

/** The API's filter from the address: dates (a day, inclusive) become instants at local midnight. */
function apiFilter(params) {
  const qs = new URLSearchParams();
  for (const key of KEYS) {
    const value = (params.get(key) || '').trim();
    if (!value) continue;
    if (key === 'from' || key === 'to') {
      const day = new Date(value + 'T00:00');
      if (Number.isNaN(day.getTime())) continue;
      if (key === 'to') day.setDate(day.getDate() + 1);
      qs.set(key, day.toISOString());
    } else {
      qs.set(key, value);
    }
  }
  return qs;
}

export function AuditLogPage() {
  const params = queryParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const current = Object.fromEntries(KEYS.map((k) => [k, params.get(k) || '']));
  const filter = apiFilter(params);
  const qs = addPage(new URLSearchParams(filter), page, PAGE_SIZE).toString();
  const list = useLoad(() => api('GET', `/audit-log?${qs}`), [qs]);
  const set = (changes) => setQueryParams({ ...current, page: '', ...changes });
  const exportHref = (format) => `/audit-log/export?${new URLSearchParams([...filter, ['format', format]])}`;
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('audit.title')}</h1>
        <div class="actions">
          <a class="button secondary" href=${exportHref('csv')} download data-testid="audit-export-csv">${t('audit.exportCsv')}</a>
          <a class="button secondary" href=${exportHref('json')} download data-testid="audit-export-json">${t('audit.exportJson')}</a>
        </div>
      </div>
      <p class="muted">${t('audit.intro')}</p>
      <${Filters} current=${current} set=${set} />
      <section class="card">
        <${Async} state=${list} retry=${list.reload}>
          ${(data) => html`
            <h2 class="visually-hidden">${t('audit.title')} (${formatNumber(data.totalNumberOfFilteredResults)})</h2>
            ${data.items.length
              ? html`<${EntryTable} items=${data.items} set=${set} />`
              : html`<p class="muted empty-line">${t(filter.toString() ? 'audit.noneMatch' : 'audit.none')}</p>`}
            <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.totalNumberOfFilteredResults}
              onPage=${(p) => setQueryParams({ ...current, page: p > 1 ? p : '' })} label=${t('audit.title')} />`}
        <//>
      </section>
    </main>`;
}

function Filters({ current, set }) {
  const [resourceId, setResourceId] = useState(current.resourceId);
  const select = (key, values, kind) => html`
    <${Field} as="select" label=${t('audit.filter.' + key)} value=${current[key]} onChange=${(e) => set({ [key]: e.currentTarget.value })}>
      <option value="">${t('audit.filter.any')}</option>
      ${values.map((v) => html`<option value=${v}>${word(kind, v)}</option>`)}
    <//>`;
  const day = (key) => html`
    <${Field} label=${t('audit.filter.' + key)} type="date" value=${current[key]} onChange=${(e) => set({ [key]: e.currentTarget.value })} />`;
  const by = current.userId || current.tokenId;
  return html`
    <form class="toolbar audit-filters" role="search" onSubmit=${(e) => { e.preventDefault(); set({ resourceId: resourceId.trim() }); }}>
      ${select('resourceType', RESOURCES, 'resource')}
      ${select('action', ACTIONS, 'action')}
      <${Field} label=${t('audit.filter.resourceId')} type="search" value=${resourceId} maxlength="100"
        onInput=${(e) => setResourceId(e.currentTarget.value)} onChange=${(e) => set({ resourceId: e.currentTarget.value.trim() })} />
      ${day('from')}
      ${day('to')}
      ${by && html`<p class="audit-by">${t(current.tokenId ? 'audit.filter.byToken' : 'audit.filter.byUser')}
        <button type="button" class="secondary small" onClick=${() => set({ userId: '', tokenId: '' })}>${t('audit.filter.clearActor')}</button></p>`}
    </form>`;
}

function EntryTable({ items, set }) {
  return html`
    <table class="table cards-on-phone audit-table">
      <thead><tr>
        <th scope="col">${t('audit.col.when')}</th>
        <th scope="col">${t('audit.col.who')}</th>
        <th scope="col">${t('audit.col.what')}</th>
        <th scope="col">${t('audit.col.fields')}</th>
        <th scope="col">${t('audit.col.address')}</th>
      </tr></thead>
      <tbody>${items.map((e) => html`
        <tr key=${e.id} data-testid="audit-row">
          <td data-label=${t('audit.col.when')}><${Time} iso=${e.at} absolute seconds /></td>
          <td data-label=${t('audit.col.who')}><${Who} entry=${e} set=${set} /></td>
          <td data-label=${t('audit.col.what')} class="main-cell">
            <strong>${word('action', e.action)}</strong> · ${word('resource', e.resourceType)}
            ${e.resourceId && html` <code class="audit-id">${e.resourceId}</code>`}
            ${e.details && html`<${Details} details=${e.details} />`}</td>
          <td data-label=${t('audit.col.fields')}>${e.fields.length ? e.fields.join(', ') : html`<span class="muted">—</span>`}</td>
          <td data-label=${t('audit.col.address')}>${e.address || html`<span class="muted">—</span>`}</td>
        </tr>`)}</tbody>
    </table>`;
}

/** The actor, a button filtering the log by them (the user, or the token when one was used). */
function Who({ entry, set }) {
  const name = entry.actorKind === 'cli' ? t('audit.actor.cli')
    : entry.actorKind === 'unknown' ? t('audit.actor.unknown')
      : entry.actorName || '—';
  if (!entry.userId) return html`<span>${name}</span>`;
  return html`
    <button type="button" class="link" title=${t('audit.filter.byUser')} onClick=${() => set({ userId: entry.userId, tokenId: '' })}>${name}</button>
    ${entry.tokenId && html` <button type="button" class="link muted small" title=${t('audit.filter.byToken')}
      onClick=${() => set({ tokenId: entry.tokenId, userId: '' })}>${t('audit.actor.viaToken')}</button>`}`;
}

/** A bulk request's counts, or other harmless details, as "key: value" pairs. */
function Details({ details }) {
  const pairs = Object.entries(details).filter(([, v]) => v !== null && typeof v !== 'object');
  if (!pairs.length) return null;
  return html`<div class="muted small">${pairs.map(([k, v]) => `${word('detail', k)}: ${word('action', String(v))}`).join(' · ')}</div>`;
}
