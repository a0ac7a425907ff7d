// The incidents list: ongoing ones on top, then resolved ones, each section paginated on the
// server; filters by status and priority in the query string; "Declare an incident" by hand.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, formatNumber, t } from '../i18n.js';
import { BASE, linkClick, navigate, queryParams, setQueryParams } from '../router.js';
import { Alert, Async, Field, Modal, Pagination, Time, errorText, incidentsChanged, useId, useLoad } from '../components.js';
import { INCIDENT_STATUSES, IncidentStatusPill, PRIORITIES, PriorityBadge, addPage, can, sourceText, userName } from '../monitoring.js';

const PAGE_SIZE = 10;

export function IncidentsPage({ profile }) {
  const params = queryParams();
  const status = INCIDENT_STATUSES.includes(params.get('status')) ? params.get('status') : 'default';
  const priority = PRIORITIES.includes(params.get('priority')) ? params.get('priority') : '';
  const [declaring, setDeclaring] = useState(false);
  const set = (changes) => setQueryParams({ status: status === 'default' ? '' : status, priority, ...changes });
  const filterKey = status + priority;
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('incidents.title')}</h1>
        ${can(profile, 'editIncidents') && html`<button type="button" onClick=${() => setDeclaring(true)}>${t('incidents.declare')}</button>`}
      </div>
      <form class="toolbar" onSubmit=${(e) => e.preventDefault()}>
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
      </form>
      ${status === 'default'
        ? html`
          <${Section} key=${'o' + filterKey} title=${t('incidents.ongoing')} statuses=${['ongoing']} priority=${priority}
            empty=${t('incidents.noneOngoing')} />
          <${Section} key=${'r' + filterKey} title=${t('incidents.resolved')} statuses=${['resolved']} priority=${priority}
            empty=${t('incidents.noneResolved')} />`
        : html`<${Section} key=${filterKey} title=${t('incidentStatus.' + status)} statuses=${[status]} priority=${priority}
            empty=${t('incidents.noneMatch')} />`}
      ${declaring && html`<${DeclareDialog} onClose=${() => setDeclaring(false)} />`}
    </main>`;
}

function Section({ title, statuses, priority, empty }) {
  const [page, setPage] = useState(1);
  const list = useLoad(() => {
    const qs = addPage(new URLSearchParams({ orderBy: 'createdAt', orderDirection: 'desc' }), page, PAGE_SIZE);
    statuses.forEach((s) => qs.append('status', s));
    if (priority) qs.append('priority', priority);
    return api('GET', '/incidents?' + qs);
  }, [page], { every: 15000 });
  const titleId = useId('sec');
  return html`
    <section class="section" aria-labelledby=${titleId} data-testid=${'incidents-' + statuses.join('-')}>
      <h2 id=${titleId}>${title}${list.data && html` <span class="count">(${formatNumber(list.data.totalNumberOfFilteredResults)})</span>`}</h2>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          ${data.items.length ? html`<${IncidentTable} items=${data.items} />` : html`<p class="muted empty-line">${empty}</p>`}
          <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.totalNumberOfFilteredResults} onPage=${setPage} label=${title} />`}
      <//>
    </section>`;
}

/** Incidents as a table (cards on phones); `compact` leaves out the source type. */
export function IncidentTable({ items, compact = false }) {
  const now = Date.now();
  return html`
    <table class="table cards-on-phone incidents-table">
      <thead><tr>
        <th scope="col">${t('incidents.col.title')}</th>
        <th scope="col">${t('incidents.col.priority')}</th>
        <th scope="col">${t('incidents.col.status')}</th>
        <th scope="col">${t('incidents.col.created')}</th>
        <th scope="col">${t('incidents.col.duration')}</th>
        <th scope="col">${t('incidents.col.acknowledged')}</th>
      </tr></thead>
      <tbody>${items.map((i) => html`
        <tr key=${i.id} data-testid="incident-row">
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
