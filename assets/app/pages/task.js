// One task: status and since when, schedule in words with its next occurrences (in the task's
// zone and the browser's), facts, actions (edit, delete), then its runs, incidents, messages and
// how to report runs (task-panels.js). Reloaded at once when a task changes status (live.js:
// a run starting, a failure), and polled every 5 s for what changes no status (a run ending as
// the task was, a running run's heartbeats); the panels reload when a run starts or ends.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, ConfirmDialog, Time, errorText, useId, useIncidentsSignal, useLoad } from '../components.js';
import { can } from '../monitoring.js';
import { useLive } from '../live.js';
import { Occurrences, ScheduleText, TaskStatusPill, runSummary } from './task-parts.js';
import { DependenciesPanel, QuietNote } from './dependencies.js';
import { LogsPanel, OpenIncident, ReportPanel, RunsPanel, TaskIncidentsPanel } from './task-panels.js';
import { NextDue } from './tasks.js';
import { SilencePanel } from './silence-parts.js';
import { MaintenanceNote, QuietPill } from './maintenance-parts.js';
import { BadgePanel } from './badge-panel.js';
import { hasSchedule } from './task-schedule-words.js';

export function TaskPage({ profile, params }) {
  const detail = useLoad(() => api('GET', `/tasks/${encodeURIComponent(params.id)}`), [params.id], { every: 5000 });
  useLive(['tasks'], detail.reload);
  const task = detail.data && detail.data.task;
  // A run starting or ending changes the status or the newest run: the panels reload then.
  const tick = task ? `${task.status}|${task.recentRuns[0]?.startedAt}|${task.recentRuns[0]?.status}` : null;
  useIncidentsSignal(task ? task.status : null);

  if (detail.error && detail.error.status === 404) {
    return html`<main><${BackLink} /><h1>${t('task.notFound')}</h1><p>${t('task.notFoundText')}</p></main>`;
  }
  return html`
    <main class="wide">
      <${BackLink} />
      <${Async} state=${detail} retry=${detail.reload}>
        ${(d) => html`
          <${TaskView} detail=${d} profile=${profile} tick=${tick} />
          ${can(profile, 'readTaskRuns') && html`<${RunsPanel} id=${d.task.id} tick=${tick} />`}
          ${can(profile, 'readIncidents') && html`<${TaskIncidentsPanel} id=${d.task.id} tick=${tick} />`}
          <${ReportPanel} task=${d.task} profile=${profile} onChange=${detail.reload} />
          <${LogsPanel} id=${d.task.id} tick=${tick} />
          <${BadgePanel} path=${`/tasks/${encodeURIComponent(d.task.id)}`} name=${d.task.name} canWrite=${can(profile, 'writeTasks')} />`}
      <//>
    </main>`;
}

function BackLink() {
  return html`<p class="back"><a href=${BASE + '/tasks'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('tasks.title')}</a></p>`;
}

function TaskView({ detail, profile, tick }) {
  const task = detail.task;
  const last = task.recentRuns[0];
  const occurrencesId = useId('occ');
  return html`
    <div class="page-head">
      <div class="title-block">
        <h1>${task.name}</h1>
        ${task.name !== task.id && html`<code class="task-id">${task.id}</code>`}
      </div>
      ${can(profile, 'writeTasks') && html`<${Actions} task=${task} />`}
    </div>
    <p class="status-line" data-testid="task-status">
      <${TaskStatusPill} status=${task.status} /> <${QuietPill} status=${task.status} quiet=${task.quiet} />
      ${task.lastStatusChangeAt && html`
        <span>${t('monitor.for', { duration: formatDuration(Date.now() - new Date(task.lastStatusChangeAt).getTime()) })}</span>
        <time class="muted" datetime=${task.lastStatusChangeAt}>${t('monitor.sinceDate', { date: formatDateTime(task.lastStatusChangeAt) })}</time>`}
    </p>
    <${MaintenanceNote} scheduled=${detail.maintenance} />
    <${QuietNote} status=${task.status} quiet=${task.quiet} />
    ${can(profile, 'readIncidents') && html`<${OpenIncident} id=${task.id} tick=${tick} />`}
    ${can(profile, 'readIncidents') && html`<${SilencePanel} profile=${profile} sourceType="task" sourceId=${task.id} />`}
    ${task.description && html`<p class="pre task-description">${task.description}</p>`}
    <dl class="facts card">
      <div class="span-2"><dt>${t('task.schedule')}</dt><dd data-testid="task-schedule"><${ScheduleText} task=${task} /></dd></div>
      <div><dt>${t('task.nextDue')}</dt><dd><${NextDue} task=${task} /></dd></div>
      <div><dt>${t('task.lastRun')}</dt><dd>${last ? runSummary(last) : t('task.noRuns')}</dd></div>
      ${task.previousStatus && html`<div class="span-2"><dt>${t('task.statusChange')}</dt><dd data-testid="status-change">
        ${t('taskStatus.' + task.previousStatus)} <span aria-hidden="true">→</span><span class="visually-hidden">${t('task.then')}</span>
        ${' '}${t('taskStatus.' + task.status)}, <${Time} iso=${task.lastStatusChangeAt} /></dd></div>`}
      ${hasSchedule(task) && html`
        <div><dt>${t(task.periodSeconds ? 'schedule.grace' : 'form.task.startWindow')}</dt><dd>${formatDuration(task.startWindowSeconds * 1000)}</dd></div>
        <div><dt>${t('form.task.latenessWindow')}</dt><dd>${formatDuration(task.latenessWindowSeconds * 1000)}</dd></div>`}
      <div><dt>${t('form.task.heartbeat')}</dt><dd>${formatDuration(task.heartbeatTimeoutSeconds * 1000)}</dd></div>
      <div><dt>${t('task.created')}</dt><dd><${Time} iso=${task.createdAt} absolute /></dd></div>
    </dl>
    ${hasSchedule(task) && html`
      <section class="card" aria-labelledby=${occurrencesId}>
        <h2 id=${occurrencesId}>${t('task.nextOccurrences')}</h2>
        <${Occurrences} items=${detail.nextOccurrences} zone=${task.timezone} />
      </section>`}
    <${DependenciesPanel} upstreams=${detail.upstreamMonitors} />`;
}

/** Edit, and delete behind a confirmation that says the runs go too. */
function Actions({ task }) {
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState({ busy: false, error: null });
  const remove = async () => {
    setState({ busy: true, error: null });
    try {
      await api('DELETE', `/tasks/${encodeURIComponent(task.id)}`);
      navigate(BASE + '/tasks');
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <div class="actions head-actions">
      <a class="button secondary" href=${`${BASE}/tasks/${encodeURIComponent(task.id)}/edit`} onClick=${linkClick}>${t('monitor.edit')}</a>
      <button type="button" class="danger" onClick=${() => setAsking(true)}>${t('monitor.delete')}</button>
    </div>
    ${state.error && !asking && html`<${Alert}>${errorText(state.error)}<//>`}
    ${asking && html`<${ConfirmDialog} title=${t('task.deleteTitle')} text=${t('task.deleteText', { name: task.name })}
      confirmLabel=${t('monitor.delete')} busy=${state.busy} error=${state.error} onConfirm=${remove}
      onCancel=${() => { setAsking(false); setState({ busy: false, error: null }); }} />`}`;
}
