// The tasks list: status filter, debounced search, server-side pages, each task's schedule in
// words, next due time, last run and a strip of its recent runs; refreshed every 15 s. Filters
// live in the query string (back/forward keep them). Without any task: what tasks are and how to
// start.
import { html, useEffect } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, formatNumber, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Async, ListToolbar, Pagination, Time, useIncidentsSignal, useListFilters, useLoad } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { RunStatusPill, RunStrip, ScheduleText, TASK_STATUSES, TaskStatusPill } from './task-parts.js';
import { BulkBar, ListControls, SelectBox, listOrder, useSelection } from '../bulk.js';
import { QuietPill } from './maintenance-parts.js';
import { useLive } from '../live.js';
import { hasSchedule } from './task-schedule-words.js';

const SORTS = ['name', 'id', 'status', 'createdAt', 'nextDueAt'];
/** What may be done to a selection of tasks: tasks have no pause, archive or tags yet. */
// Maintenance windows are written like monitors.
const ACTIONS = (profile) => [
  { action: 'delete', label: t('bulk.delete') },
  can(profile, 'writeHttpMonitors') && { action: 'maintenance', label: t('bulk.maintenance'), ask: 'maintenance' },
].filter(Boolean);
/** Status filter → the statuses asked for (none: all). */
const FILTERS = {
  all: [],
  problems: ['failing', 'late', 'absent'],
  ...Object.fromEntries(TASK_STATUSES.map((s) => [s, [s]])),
};

export function TasksPage({ profile }) {
  const filters = useListFilters(FILTERS, ['sort', 'order', 'size']);
  const { page, status, query } = filters;
  const sorting = listOrder(filters.extra, SORTS, 20);
  const list = useLoad(() => {
    const qs = addPage(new URLSearchParams(sorting.query), page, sorting.size);
    FILTERS[status].forEach((s) => qs.append('include', s));
    if (query) qs.set('searchQuery', query);
    return api('GET', '/tasks?' + qs);
  }, [page, status, query, sorting.sort, sorting.order, sorting.size], { every: 15000 });
  useLive(['tasks', 'maintenance'], list.reload);
  const selection = useSelection();
  useEffect(selection.clear, [page, status, query, sorting.size]);
  // The list's filter, as the bulk body's `filter` (the same names as the query string).
  const filter = { include: FILTERS[status], ...(query ? { searchQuery: query } : {}) };
  // A task going wrong (or right) opens or resolves an incident: refresh the badge.
  useIncidentsSignal(list.data ? list.data.items.map((task) => task.id + task.status).join() : null);

  const writer = can(profile, 'writeTasks');
  const empty = list.data && list.data.totalNumberOfResults === 0 && status === 'all' && !query;
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('tasks.title')}</h1>
        ${writer && html`<a class="button" href=${BASE + '/tasks/new'} onClick=${linkClick}>${t('tasks.new')}</a>`}
      </div>
      ${!empty && html`<${ListToolbar} list=${filters} filters=${FILTERS} searchLabel=${t('tasks.search')}
        searchHint=${t('tasks.searchHint')} filterLabel=${t('tasks.filter')}
        optionLabel=${(key) => t(FILTERS[key].length === 1 ? 'taskStatus.' + key : 'tasks.filter.' + key)}>
        <${ListControls} ...${sorting} onChange=${filters.go} />
      <//>`}
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => (empty ? html`<${EmptyState} writer=${writer} />` : html`
          ${writer && html`<${BulkBar} selection=${selection} pageIds=${data.items.map((task) => task.id)}
            total=${data.totalNumberOfFilteredResults} path="/tasks/bulk" filter=${filter} actions=${ACTIONS(profile)}
            noun=${(n) => (n === 1 ? t('bulk.task') : t('bulk.tasks', { count: formatNumber(n) }))} onDone=${list.reload} />`}
          <${Results} data=${data} onClear=${filters.clear} selection=${writer ? selection : null} />
          <${Pagination} page=${page} size=${sorting.size} total=${data.totalNumberOfFilteredResults}
            onPage=${(p) => filters.go({ page: p > 1 ? p : '' })} label=${t('tasks.pages')} />`)}
      <//>
    </main>`;
}

/** What tasks are, and the two ways of reporting runs. */
function EmptyState({ writer }) {
  const origin = location.origin;
  return html`
    <div class="card empty tasks-empty" data-testid="tasks-empty">
      <h2>${t('tasks.empty.title')}</h2>
      <p>${t('tasks.empty.text')}</p>
      <div class="how">
        <p>${t('tasks.empty.curl')}</p>
        <pre class="example"><code>${`30 2 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 ${origin}/ping/<ping-key>`}</code></pre>
        <p>${t('tasks.empty.run')}</p>
        <pre class="example"><code>${`DUTYDUCK_SERVER=${origin} DUTYDUCK_TOKEN_ID=… DUTYDUCK_TOKEN_SECRET=… dutyduck run --task nightly-backup -- /usr/local/bin/backup.sh`}</code></pre>
      </div>
      ${writer && html`<a class="button" href=${BASE + '/tasks/new'} onClick=${linkClick}>${t('tasks.empty.create')}</a>`}
    </div>`;
}

function Results({ data, onClear, selection }) {
  const pageIds = data.items.map((task) => task.id);
  if (data.items.length === 0) {
    return html`
      <div class="card empty">
        <p>${t('tasks.noMatch')}</p>
        <button type="button" class="secondary" onClick=${onClear}>${t('monitors.clearFilters')}</button>
      </div>`;
  }
  return html`
    <p class="muted small" aria-live="polite">${t('monitors.count', {
      shown: formatNumber(data.totalNumberOfFilteredResults), total: formatNumber(data.totalNumberOfResults) })}</p>
    <table class="table cards-on-phone tasks-table">
      <caption class="visually-hidden">${t('tasks.title')}</caption>
      <thead>
        <tr>
          ${selection && html`<th scope="col" class="select-cell"><${SelectBox} selection=${selection} pageIds=${pageIds}
            label=${t('bulk.selectPage')} /></th>`}
          <th scope="col">${t('tasks.col.status')}</th>
          <th scope="col">${t('tasks.col.task')}</th>
          <th scope="col">${t('tasks.col.schedule')}</th>
          <th scope="col">${t('tasks.col.next')}</th>
          <th scope="col">${t('tasks.col.last')}</th>
          <th scope="col">${t('tasks.col.runs')}</th>
        </tr>
      </thead>
      <tbody>${data.items.map((task) => html`<${TaskRow} key=${task.id} task=${task} selection=${selection} pageIds=${pageIds} />`)}</tbody>
    </table>`;
}

function TaskRow({ task, selection, pageIds }) {
  const last = task.recentRuns[0];
  return html`
    <tr data-testid="task-row">
      ${selection && html`<td class="select-cell"><${SelectBox} selection=${selection} pageIds=${pageIds} id=${task.id}
        label=${t('bulk.selectRow', { name: task.name })} /></td>`}
      <td data-label=${t('tasks.col.status')}><${TaskStatusPill} status=${task.status} /> <${QuietPill} status=${task.status} quiet=${task.quiet} /></td>
      <td data-label=${t('tasks.col.task')} class="main-cell">
        <a href=${`${BASE}/tasks/${encodeURIComponent(task.id)}`} onClick=${linkClick} class="strong">${task.name}</a>
        ${task.name !== task.id && html`<div class="muted small"><code>${task.id}</code></div>`}
      </td>
      <td data-label=${t('tasks.col.schedule')} class="schedule-cell"><${ScheduleText} task=${task} /></td>
      <td data-label=${t('tasks.col.next')}><${NextDue} task=${task} /></td>
      <td data-label=${t('tasks.col.last')}>${last ? html`<span class="last-run">
        <${RunStatusPill} status=${last.status} />
        <span class="small"><${Time} iso=${last.startedAt} />${last.durationMs !== null && last.status !== 'running'
          ? ' · ' + formatDuration(last.durationMs) : ''}</span></span>` : html`<span class="muted">${t('task.noRuns')}</span>`}</td>
      <td data-label=${t('tasks.col.runs')}><${RunStrip} runs=${task.recentRuns} /></td>
    </tr>`;
}

/** When the next run is due; for a due, late or absent task, since when it has been waited for. */
export function NextDue({ task }) {
  if (!hasSchedule(task)) return html`<span class="muted">—</span>`;
  if (!task.nextDueAt && task.periodSeconds) return html`<span class="muted">${t('schedule.afterFirstPing')}</span>`;
  if (!task.nextDueAt) return html`<span class="muted">${t('time.never')}</span>`;
  if (['due', 'late', 'absent'].includes(task.status)) {
    return html`<span class=${task.status === 'due' ? '' : 'overdue'}>${t('task.wasDue')} <${Time} iso=${task.nextDueAt} /></span>`;
  }
  return html`<${Time} iso=${task.nextDueAt} />`;
}
