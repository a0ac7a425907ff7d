// The monitors list: status filter, debounced search, server-side pages, a 24 h sparkline per
// visible monitor, refreshed every 15 s. Filters live in the query string (back/forward keep them).
import { html, useEffect } from '../lib.js';
import { api } from '../api.js';
import { formatMs, formatNumber, formatPercent, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Async, Field, ListToolbar, Pagination, Time, useIncidentsSignal, useListFilters, useLoad } from '../components.js';
import { StatusPill, addPage, can } from '../monitoring.js';
import { QuietPill } from './maintenance-parts.js';
import { Sparkline } from '../charts.js';
import { KINDS, KindIcon, kindLabel, kindOf } from './monitor-kinds.js';
import { BulkBar, ListControls, SelectBox, listOrder, useSelection } from '../bulk.js';
import { TagChips, TagFilter, tagsOf } from '../tags.js';
import { useLive } from '../live.js';

const SORTS = ['name', 'status', 'kind', 'createdAt', 'lastCheckAt'];
const DAY = 86400000;
/** Status filter → the statuses asked for (none: the server's default, all but archived). */
const FILTERS = {
  all: [],
  up: ['up'],
  problems: ['suspicious', 'down', 'recovering'],
  // The Overview's "unconfirmed" count links here.
  degraded: ['suspicious', 'recovering'],
  down: ['down'],
  paused: ['inactive'],
  pending: ['unknown'],
  archived: ['archived'],
};

export function MonitorsPage({ profile }) {
  const filters = useListFilters(FILTERS, ['kind', 'sort', 'order', 'size', 'tag']);
  const { page, status, query } = filters;
  const kind = KINDS[filters.extra.kind] ? filters.extra.kind : '';
  const sorting = listOrder(filters.extra, SORTS, 10);
  const tags = tagsOf(filters.extra);
  const setTags = (next) => filters.go({ tag: next, page: '' });
  const pickTag = (tag) => !tags.includes(tag) && setTags([...tags, tag]);
  const list = useLoad(() => {
    const qs = addPage(new URLSearchParams(sorting.query), page, sorting.size);
    FILTERS[status].forEach((s) => qs.append('include', s));
    if (query) qs.set('query', query);
    if (kind) qs.set('kind', kind);
    tags.forEach((tag) => qs.append('tag', tag));
    return api('GET', '/monitors?' + qs);
  }, [page, status, query, kind, tags.join('\n'), sorting.sort, sorting.order, sorting.size], { every: 15000 });
  // A status change shows at once; the 15 s poll keeps last checks and sparklines fresh.
  useLive(['monitors', 'maintenance'], list.reload);
  const selection = useSelection();
  useEffect(selection.clear, [page, status, query, kind, tags.join('\n'), sorting.size]);
  // The list's filter, as the bulk body's `filter` (the same names as the query string).
  const filter = { include: FILTERS[status], ...(kind ? { kind: [kind] } : {}), ...(query ? { query } : {}), ...(tags.length ? { tag: tags } : {}) };

  // A status change seen here may have opened or closed an incident: refresh the badge.
  const statuses = list.data ? list.data.items.map((m) => m.id + m.status).join() : null;
  useIncidentsSignal(statuses);

  const writer = can(profile, 'writeHttpMonitors');
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('monitors.title')}</h1>
        ${writer && html`<a class="button" href=${BASE + '/monitors/new'} onClick=${linkClick}>${t('monitors.new')}</a>`}
      </div>
      ${!(list.data && list.data.totalNumberOfResults === 0 && status === 'all' && !query && !kind) && html`<${ListToolbar} list=${filters}
        filters=${FILTERS} searchLabel=${t('monitors.search')} searchHint=${t('monitors.searchHint')} filterLabel=${t('monitors.filter')}
        optionLabel=${(key) => t('monitors.filter.' + key)}>
        <${Field} as="select" label=${t('monitors.kind')} value=${kind} onChange=${(e) => filters.go({ kind: e.currentTarget.value, page: '' })}>
          <option value="">${t('monitors.kind.all')}</option>
          ${Object.keys(KINDS).map((k) => html`<option value=${k}>${kindLabel(k)}</option>`)}
        <//>
        <${ListControls} ...${sorting} onChange=${filters.go} />
      <//>`}
      ${!(list.data && list.data.totalNumberOfResults === 0 && !tags.length) && html`<${TagFilter} tags=${tags} onChange=${setTags} />`}
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          ${writer && html`<${BulkBar} selection=${selection} pageIds=${data.items.map((m) => m.id)}
            total=${data.totalNumberOfFilteredResults} path="/monitors/bulk" filter=${filter} actions=${ACTIONS()}
            noun=${(n) => (n === 1 ? t('bulk.monitor') : t('bulk.monitors', { count: formatNumber(n) }))} onDone=${list.reload} />`}
          <${Results} data=${data} writer=${writer} filtered=${status !== 'all' || query || kind || tags.length}
            onClear=${filters.clear} selection=${writer ? selection : null} onTag=${pickTag} />
          <${Pagination} page=${page} size=${sorting.size} total=${data.totalNumberOfFilteredResults}
            onPage=${(p) => filters.go({ page: p > 1 ? p : '' })} label=${t('monitors.pages')} />`}
      <//>
    </main>`;
}

/** What may be done to a selection of monitors (by those who may change monitors). */
const ACTIONS = () => [
  { action: 'pause', label: t('bulk.pause') },
  { action: 'resume', label: t('bulk.resume') },
  { action: 'archive', label: t('bulk.archive') },
  { action: 'delete', label: t('bulk.delete') },
  { action: 'tag', label: t('bulk.tag'), ask: 'tag' },
  { action: 'maintenance', label: t('bulk.maintenance'), ask: 'maintenance', pauseChecks: true },
];

function Results({ data, writer, filtered, onClear, selection, onTag }) {
  if (data.totalNumberOfResults === 0 && !filtered) {
    return html`
      <div class="card empty">
        <h2>${t('monitors.empty.title')}</h2>
        <p>${t('monitors.empty.text')}</p>
        ${writer && html`<a class="button" href=${BASE + '/monitors/new'} onClick=${linkClick}>${t('monitors.empty.create')}</a>`}
      </div>`;
  }
  if (data.items.length === 0) {
    return html`
      <div class="card empty">
        <p>${t('monitors.noMatch')}</p>
        <button type="button" class="secondary" onClick=${onClear}>${t('monitors.clearFilters')}</button>
      </div>`;
  }
  return html`
    <p class="muted small" aria-live="polite">${t('monitors.count', {
      shown: formatNumber(data.totalNumberOfFilteredResults), total: formatNumber(data.totalNumberOfResults) })}</p>
    <table class="table cards-on-phone">
      <caption class="visually-hidden">${t('monitors.title')}</caption>
      <thead>
        <tr>
          ${selection && html`<th scope="col" class="select-cell"><${SelectBox} selection=${selection}
            pageIds=${data.items.map((m) => m.id)} label=${t('bulk.selectPage')} /></th>`}
          <th scope="col">${t('monitors.col.status')}</th>
          <th scope="col">${t('monitors.col.monitor')}</th>
          <th scope="col" class="num">${t('monitors.col.uptime')}</th>
          <th scope="col" class="num">${t('monitors.col.response')}</th>
          <th scope="col">${t('monitors.col.trend')}</th>
        </tr>
      </thead>
      <tbody>${data.items.map((m) => html`<${MonitorRow} key=${m.id} monitor=${m} selection=${selection}
        pageIds=${data.items.map((i) => i.id)} onTag=${onTag} />`)}</tbody>
    </table>`;
}

function MonitorRow({ monitor, selection, pageIds, onTag }) {
  // Per visible row only (at most one page), reloaded when the status changes or every minute.
  const stats = useLoad(() => api('GET', `/monitors/${monitor.id}/stats?range=24h&resolution=hour`), [monitor.id, monitor.status], { every: 60000 });
  const to = Date.now();
  const href = `${BASE}/monitors/${monitor.id}`;
  return html`
    <tr data-testid="monitor-row">
      ${selection && html`<td class="select-cell"><${SelectBox} selection=${selection} pageIds=${pageIds} id=${monitor.id}
        label=${t('bulk.selectRow', { name: monitor.name })} /></td>`}
      <td data-label=${t('monitors.col.status')}><${StatusPill} status=${monitor.status} /> <${QuietPill} status=${monitor.status} quiet=${monitor.quiet} /></td>
      <td data-label=${t('monitors.col.monitor')} class="main-cell">
        <a href=${href} onClick=${linkClick} class="strong">${monitor.name}</a>
        <div class="muted small url"><${KindIcon} monitor=${monitor} /> ${kindOf(monitor).summary(monitor)}</div>
        ${monitor.lastCheckAt && html`<div class="muted small">${t('monitors.lastCheck')} <${Time} iso=${monitor.lastCheckAt} /></div>`}
        <${TagChips} metadata=${monitor.metadata} onPick=${onTag} />
      </td>
      <td data-label=${t('monitors.col.uptime')} class="num">
        ${stats.data ? formatPercent(stats.data.uptime) : stats.error ? '?' : '…'}</td>
      <td data-label=${t('monitors.col.response')} class="num">${formatMs(monitor.lastResponseTimeMs)}</td>
      <td data-label=${t('monitors.col.trend')} class="trend">
        ${stats.data ? html`<${Sparkline} buckets=${stats.data.buckets} from=${to - DAY} to=${to} />` : null}</td>
    </tr>`;
}
