// The incidents list: ongoing ones on top, then resolved ones, each section paginated on the
// server; filters by status and priority, a search of titles and source names, sorting and a
// page size, all in the query string; rows picked (or all matching) for a bulk action;
// "Declare an incident" by hand.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, formatNumber, t } from '../i18n.js';
import { BASE, linkClick, navigate, queryParams, setQueryParams } from '../router.js';
import { Alert, Async, Field, Modal, Pagination, Time, errorText, incidentsChanged, useDebounced, useId, useLoad } from '../components.js';
import { useLive } from '../live.js';
import { INCIDENT_STATUSES, IncidentStatusPill, PRIORITIES, PriorityBadge, addPage, can, sourceText, userName } from '../monitoring.js';
import { BulkBar, ListControls, SelectBox, pageSize, useSelection } from '../bulk.js';

const SORTS = ['createdAt', 'priority', 'title', 'status', 'resolvedAt'];

export function IncidentsPage({ profile }) {
  const params = queryParams();
  const status = INCIDENT_STATUSES.includes(params.get('status')) ? params.get('status') : 'default';
  const priority = PRIORITIES.includes(params.get('priority')) ? params.get('priority') : '';
  const sort = SORTS.includes(params.get('sort')) ? params.get('sort') : 'createdAt';
  const order = ['asc', 'desc'].includes(params.get('order')) ? params.get('order') : '';
  const size = pageSize(params.get('size'));
  const q = params.get('q') || '';
  const [text, setText] = useState(q);
  const settled = useDebounced(text.trim(), 300);
  const [declaring, setDeclaring] = useState(false);
  const set = (changes) => setQueryParams({
    status: status === 'default' ? '' : status, priority, q, sort: sort === 'createdAt' ? '' : sort, order,
    size: size === 10 ? '' : size, ...changes,
  });
  useEffect(() => { if (settled !== q) set({ q: settled }); }, [settled]);
  const list = { priority, q, sort, order, size };
  const filterKey = [status, priority, q, sort, order, size].join('|');
  const section = (key, title, statuses, empty) => html`<${Section} key=${key + filterKey} title=${title} statuses=${statuses}
    list=${list} empty=${empty} profile=${profile} />`;
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('incidents.title')}</h1>
        ${can(profile, 'editIncidents') && html`<button type="button" data-shortcut="new" onClick=${() => setDeclaring(true)}>${t('incidents.declare')}</button>`}
      </div>
      <form class="toolbar" role="search" onSubmit=${(e) => { e.preventDefault(); set({ q: text.trim() }); }}>
        <${Field} label=${t('bulk.search')} type="search" value=${text} placeholder=${t('bulk.searchHint')} maxlength="200"
          onInput=${(e) => setText(e.currentTarget.value)} class="grow" />
        <${Field} as="select" label=${t('incidents.filterStatus')} value=${status}
          onChange=${(e) => set({ status: e.currentTarget.value === 'default' ? '' : e.currentTarget.value })}>
          <option value="default">${t('incidents.filter.default')}</option>
          ${INCIDENT_STATUSES.map((s) => html`<option value=${s}>${t('incidentStatus.' + s)}</option>`)}
        <//>
        <${Field} as="select" label=${t('incidents.filterPriority')} value=${priority}
          onChange=${(e) => set({ priority: e.currentTarget.value })}>
          <option value="">${t('incidents.filter.anyPriority')}</option>
          ${PRIORITIES.map((p) => html`<option value=${p}>${t('priority.' + p)}</option>`)}
        <//>
        <${ListControls} fields=${SORTS.map((f) => [f, t('bulk.sort.' + f)])} sort=${sort} order=${order} size=${size} onChange=${set} />
      </form>
      ${status === 'default'
        ? html`
          ${section('o', t('incidents.ongoing'), ['ongoing'], t('incidents.noneOngoing'))}
          ${section('r', t('incidents.resolved'), ['resolved'], t('incidents.noneResolved'))}`
        : section('s', t('incidentStatus.' + status), [status], t('incidents.noneMatch'))}
      ${declaring && html`<${DeclareDialog} onClose=${() => setDeclaring(false)} />`}
    </main>`;
}

/** The incidents actions `profile` may take on a selection. */
function bulkActions(profile) {
  const edit = can(profile, 'editIncidents');
  return [
    edit && { action: 'acknowledge', label: t('bulk.acknowledge') },
    edit && { action: 'resolve', label: t('bulk.resolve') },
    can(profile, 'commentIncidents') && { action: 'comment', label: t('bulk.commentAction'), ask: 'text' },
    // One silence over the selected incidents' sources (1 h, 4 h or until tomorrow).
    edit && { action: 'silence', label: t('bulk.silence'), ask: 'silence' },
  ].filter(Boolean);
}

function Section({ title, statuses, list, empty, profile }) {
  const [page, setPage] = useState(1);
  const selection = useSelection();
  // The list's filter, as the bulk body's `filter` (the same names as the query string).
  const filter = { status: statuses, ...(list.priority ? { priority: [list.priority] } : {}), ...(list.q ? { q: list.q } : {}) };
  const loaded = useLoad(() => {
    const qs = addPage(new URLSearchParams({ sort: list.sort }), page, list.size);
    if (list.order) qs.set('order', list.order);
    statuses.forEach((s) => qs.append('status', s));
    if (list.priority) qs.append('priority', list.priority);
    if (list.q) qs.set('q', list.q);
    return api('GET', '/incidents?' + qs);
  }, [page], { every: 15000 });
  useLive(['incidents'], loaded.reload);
  const titleId = useId('sec');
  const actions = bulkActions(profile);
  const noun = (count) => (count === 1 ? t('bulk.incident') : t('bulk.incidents', { count: formatNumber(count) }));
  return html`
    <section class="section" aria-labelledby=${titleId} data-testid=${'incidents-' + statuses.join('-')}>
      <h2 id=${titleId}>${title}${loaded.data && html` <span class="count">(${formatNumber(loaded.data.totalNumberOfFilteredResults)})</span>`}</h2>
      <${Async} state=${loaded} retry=${loaded.reload}>
        ${(data) => html`
          ${actions.length > 0 && html`<${BulkBar} selection=${selection} pageIds=${data.items.map((i) => i.id)}
            total=${data.totalNumberOfFilteredResults} path="/incidents/bulk" filter=${filter} actions=${actions} noun=${noun}
            onDone=${() => { loaded.reload(); incidentsChanged(); }} />`}
          ${data.items.length ? html`<${IncidentTable} items=${data.items} selection=${actions.length ? selection : null} />`
            : html`<p class="muted empty-line">${empty}</p>`}
          <${Pagination} page=${page} size=${list.size} total=${data.totalNumberOfFilteredResults} onPage=${setPage} label=${title} />`}
      <//>
    </section>`;
}

/** Incidents as a table (cards on phones); `compact` leaves out the source type; `selection`
 * (bulk.js) adds a checkbox to each row. */
export function IncidentTable({ items, compact = false, selection = null }) {
  const now = Date.now();
  const pageIds = items.map((i) => i.id);
  return html`
    <table class="table cards-on-phone incidents-table">
      <thead><tr>
        ${selection && html`<th scope="col" class="select-cell"><${SelectBox} selection=${selection} pageIds=${pageIds} label=${t('bulk.selectPage')} /></th>`}
        <th scope="col">${t('incidents.col.title')}</th>
        <th scope="col">${t('incidents.col.priority')}</th>
        <th scope="col">${t('incidents.col.status')}</th>
        <th scope="col">${t('incidents.col.created')}</th>
        <th scope="col">${t('incidents.col.duration')}</th>
        <th scope="col">${t('incidents.col.acknowledged')}</th>
      </tr></thead>
      <tbody>${items.map((i) => html`
        <tr key=${i.id} data-testid="incident-row">
          ${selection && html`<td class="select-cell"><${SelectBox} selection=${selection} pageIds=${pageIds} id=${i.id}
            label=${t('bulk.selectRow', { name: i.title })} /></td>`}
          <td data-label=${t('incidents.col.title')} class="main-cell">
            <a class="strong" href=${`${BASE}/incidents/${i.id}`} onClick=${linkClick}>${i.title}</a>
            ${!compact && html`<div class="muted small">${sourceText(i.incidentSourceType)}</div>`}</td>
          <td data-label=${t('incidents.col.priority')}><${PriorityBadge} priority=${i.priority} /></td>
          <td data-label=${t('incidents.col.status')}><${IncidentStatusPill} status=${i.status} /></td>
          <td data-label=${t('incidents.col.created')}><${Time} iso=${i.createdAt} /></td>
          <td data-label=${t('incidents.col.duration')}>
            ${formatDuration((i.resolvedAt ? new Date(i.resolvedAt).getTime() : now) - new Date(i.createdAt).getTime())}
            ${!i.resolvedAt && html` <span class="muted small">${t('incidents.soFar')}</span>`}</td>
          <td data-label=${t('incidents.col.acknowledged')}>
            ${i.acknowledgedBy.length ? i.acknowledgedBy.map(userName).join(', ') : html`<span class="muted">${t('incidents.nobody')}</span>`}</td>
        </tr>`)}</tbody>
    </table>`;
}

function DeclareDialog({ onClose }) {
  const [form, setForm] = useState({ title: '', priority: 'major', description: '' });
  const [state, setState] = useState({ busy: false, error: null, titleError: null });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    if (!form.title.trim()) return setState({ busy: false, error: null, titleError: t('incidents.titleRequired') });
    setState({ busy: true, error: null, titleError: null });
    try {
      const body = { title: form.title.trim(), priority: form.priority };
      if (form.description.trim()) body.description = form.description;
      const incident = await api('POST', '/incidents', body);
      incidentsChanged();
      onClose();
      navigate(`${BASE}/incidents/${incident.id}`);
    } catch (error) {
      const onTitle = error.status === 422 && /^title\b/.test(error.message);
      setState({ busy: false, error: onTitle ? null : error, titleError: onTitle ? error.message : null });
    }
  };
  return html`
    <${Modal} title=${t('incidents.declareTitle')} onClose=${onClose}>
      <form onSubmit=${submit} novalidate>
        <p class="muted">${t('incidents.declareIntro')}</p>
        <${Field} label=${t('incidents.field.title')} value=${form.title} onInput=${set('title')} required maxlength="200"
          autofocus error=${state.titleError} />
        <${Field} as="select" label=${t('incidents.field.priority')} value=${form.priority} onChange=${set('priority')}>
          ${PRIORITIES.map((p) => html`<option value=${p}>${t('priority.' + p)}</option>`)}
        <//>
        <${Field} as="textarea" label=${t('incidents.field.description')} value=${form.description} onInput=${set('description')}
          rows="4" hint=${t('incidents.field.descriptionHint')} />
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${onClose}>${t('tokens.cancel')}</button>
          <button type="submit" disabled=${state.busy}>${t('incidents.declareSubmit')}</button>
        </div>
      </form>
    <//>`;
}
