// One incident: status, priority (editable), source, cause in words, who acknowledged it,
// acknowledge/resolve, comments, and the timeline. Reloaded on live changes (polled every 60 s).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, Async, Field, Time, errorText, incidentsChanged, useId, useIncidentsSignal, useLoad } from '../components.js';
import { IncidentStatusPill, PRIORITIES, PriorityBadge, can, checkText, sourceText, userName } from '../monitoring.js';
import { Timeline } from './incident-timeline.js';
import { SilencePanel } from './silence-parts.js';
import { taskCauseText } from './task-parts.js';
import { useLive } from '../live.js';

export function IncidentPage({ profile, params }) {
  const path = `/incidents/${encodeURIComponent(params.id)}`;
  // Live changes (live.js) reload it at once; the slow poll only backs them up.
  const detail = useLoad(() => api('GET', path), [params.id], { every: 60000 });
  const events = useLoad(() => api('GET', path + '/events'), [params.id], { every: 60000 });
  useLive(['incidents'], () => { detail.reload(); events.reload(); });
  const reload = () => { detail.reload(); events.reload(); incidentsChanged(); };
  // Resolved (or confirmed) while we look: the navigation badge follows at once.
  useIncidentsSignal(detail.data ? detail.data.incident.status : null);
  if (detail.error && detail.error.status === 404) {
    return html`<main><${BackLink} /><h1>${t('incident.notFound')}</h1><p>${t('incident.notFoundText')}</p></main>`;
  }
  return html`
    <main class="wide">
      <${BackLink} />
      <${Async} state=${detail} retry=${detail.reload}>
        ${(d) => html`<${IncidentView} detail=${d} events=${events} profile=${profile} reload=${reload} />`}
      <//>
    </main>`;
}

function BackLink() {
  return html`<p class="back"><a href=${BASE + '/incidents'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('incidents.title')}</a></p>`;
}

function IncidentView({ detail, events, profile, reload }) {
  const { incident: i, source } = detail;
  const resolved = i.status === 'resolved';
  const end = i.resolvedAt ? new Date(i.resolvedAt).getTime() : Date.now();
  return html`
    <div class="page-head">
      <h1>${i.title}</h1>
      ${can(profile, 'editIncidents') && !resolved && html`<${Actions} incident=${i} profile=${profile} reload=${reload} />`}
    </div>
    <p class="status-line" data-testid="incident-status">
      <${IncidentStatusPill} status=${i.status} /> <${PriorityBadge} priority=${i.priority} />
      <span class="muted">${t('incident.openedAgo')} <${Time} iso=${i.createdAt} /></span>
    </p>
    ${!resolved && i.incidentSourceId && html`
      <${SilencePanel} profile=${profile} sourceType=${i.incidentSourceType} sourceId=${i.incidentSourceId} />`}
    <dl class="facts card">
      <div class="span-2"><dt>${t('incident.source')}</dt><dd><${SourceText} incident=${i} source=${source} /></dd></div>
      <div class="span-2"><dt>${t('incident.cause')}</dt><dd data-testid="incident-cause"><${Cause} incident=${i} events=${events.data?.items} /></dd></div>
      <div><dt>${t('incident.created')}</dt><dd><${Time} iso=${i.createdAt} absolute /></dd></div>
      <div><dt>${t('incident.resolved')}</dt><dd>${i.resolvedAt ? html`<${Time} iso=${i.resolvedAt} absolute />` : t('incident.notResolved')}</dd></div>
      <div><dt>${t('incidents.col.duration')}</dt><dd>${formatDuration(end - new Date(i.createdAt).getTime())}</dd></div>
      <div><dt>${t('incidents.col.acknowledged')}</dt><dd data-testid="acknowledged-by">
        ${i.acknowledgedBy.length ? i.acknowledgedBy.map(userName).join(', ') : t('incidents.nobody')}</dd></div>
      ${i.createdBy && html`<div><dt>${t('incident.declaredBy')}</dt><dd>${userName(i.createdBy)}</dd></div>`}
      ${can(profile, 'editIncidents') && html`<div><dt>${t('incidents.col.priority')}</dt><dd><${PriorityEditor} incident=${i} reload=${reload} /></dd></div>`}
    </dl>
    ${can(profile, 'commentIncidents') && html`<${CommentForm} id=${i.id} onDone=${reload} />`}
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">${t('timeline.title')}</h2>
      <${Async} state=${events} retry=${events.reload}>
        ${(data) => html`<${Timeline} items=${data.items} />`}
      <//>
    </section>`;
}

function SourceText({ incident, source }) {
  const type = incident.incidentSourceType;
  const section = { httpmonitor: 'monitors', tlscertificate: 'monitors', task: 'tasks' }[type];
  const link = section && incident.incidentSourceId && source;
  return html`
    ${sourceText(type)}${source && t('app.colon')}
    ${link
      ? html`<a href=${`${BASE}/${section}/${encodeURIComponent(incident.incidentSourceId)}`} onClick=${linkClick}>${source.name}</a>`
      : source && source.name}
    ${source && source.url && html`<div class="muted small url">${source.url}</div>`}
    ${!source && type !== 'manual' && html` <span class="muted">${t('incident.sourceGone')}</span>`}`;
}

/** Why the incident opened, in words. */
function Cause({ incident, events }) {
  const cause = incident.cause;
  if (!cause) return t('incident.noCause');
  if (cause.causeType === 'HttpMonitorIncidentCause' && cause.lastPing) {
    // The error text (refused, reset, DNS…) is in the check events, not in the cause.
    const match = (events || []).filter((e) => e.payload && e.payload.errorKind === cause.lastPing.errorKind).pop();
    const previous = (cause.previousPings || []).map((p) => checkText(p));
    return html`${checkText({ ...cause.lastPing, error: match?.payload.error })}
      ${previous.length > 0 && html`<div class="muted small">${t('incident.previously', { list: previous.join(', ') })}</div>`}`;
  }
  if (cause.causeType === 'TlsCertificateExpiry') {
    return t('incident.tlsCause', { date: formatDateTime(cause.expiresAt), days: cause.daysLeft });
  }
  if (cause.causeType === 'Manual') return html`<span class="pre">${cause.description}</span>`;
  if (cause.causeType === 'TaskIncidentCause' && taskCauseText(cause)) return taskCauseText(cause);
  return html`<code>${JSON.stringify(cause)}</code>`;
}

function Actions({ incident, profile, reload }) {
  const [state, setState] = useState({ busy: null, error: null });
  const mine = incident.acknowledgedBy.some((u) => u.id === profile.user.id);
  const run = async (action) => {
    setState({ busy: action, error: null });
    try {
      await api('POST', `/incidents/${incident.id}/${action}`);
      setState({ busy: null, error: null });
      reload();
    } catch (error) {
      setState({ busy: null, error });
      reload();
    }
  };
  return html`
    <div class="actions head-actions">
      ${!mine && html`<button type="button" data-shortcut="acknowledge" disabled=${state.busy} onClick=${() => run('acknowledge')}>${t('incident.acknowledge')}</button>`}
      <button type="button" class="secondary" disabled=${state.busy} onClick=${() => run('resolve')}>${t('incident.resolve')}</button>
    </div>
    ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}`;
}

function PriorityEditor({ incident, reload }) {
  const [state, setState] = useState({ busy: false, error: null });
  const change = async (e) => {
    const priority = e.currentTarget.value;
    setState({ busy: true, error: null });
    try {
      await api('PATCH', `/incidents/${incident.id}`, { priority });
      setState({ busy: false, error: null });
      reload();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <label class="visually-hidden" for="priority-select">${t('incident.changePriority')}</label>
    <select id="priority-select" class="inline-select" value=${incident.priority} onChange=${change} disabled=${state.busy}>
      ${PRIORITIES.map((p) => html`<option value=${p}>${t('priority.' + p)}</option>`)}
    </select>
    ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}`;
}

function CommentForm({ id, onDone }) {
  const [text, setText] = useState('');
  const [markdown, setMarkdown] = useState(false);
  const [state, setState] = useState({ busy: false, error: null });
  const titleId = useId('comment');
  const submit = async (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    setState({ busy: true, error: null });
    try {
      await api('POST', `/incidents/${id}/comment`, { text, format: markdown ? 'markdown' : 'plain' });
      setText('');
      setState({ busy: false, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('comment.title')}</h2>
      <form onSubmit=${submit}>
        <${Field} as="textarea" label=${t('comment.label')} value=${text} rows="3" maxlength="10000"
          onInput=${(e) => setText(e.currentTarget.value)} hint=${t('comment.hint')} />
        <label class="check"><input type="checkbox" checked=${markdown} onChange=${(e) => setMarkdown(e.currentTarget.checked)} />
          ${t('comment.markdown')}</label>
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        <div class="actions">
          <button type="submit" disabled=${state.busy || !text.trim()}>${t('comment.submit')}</button>
        </div>
      </form>
    </section>`;
}
