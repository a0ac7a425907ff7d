// The lower half of a task's page: its open incident, runs (with their output), incidents,
// ping-URL messages, and how to report runs (dutyduck run, crontab lines with curl, the API).
// Each list reloads when `tick` (the task's status and newest run) changes.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, Async, ConfirmDialog, CopyButton, Field, Pagination, Time, errorText, useId, useLoad, useReloadOn } from '../components.js';
import { PriorityBadge, addPage, can } from '../monitoring.js';
import { IncidentTable } from './incidents.js';
import { RUN_STATUSES, RunStatusPill, pingUrl, shellWord, taskCauseText } from './task-parts.js';
import { SlugUrl } from './task-slug-url.js';

const incidentsOf = (id) => `/incidents?sourceType=task&sourceId=${encodeURIComponent(id)}&orderBy=createdAt&orderDirection=desc`;

/** The task's ongoing incident, if any, with its cause in words. */
export function OpenIncident({ id, tick }) {
  const open = useLoad(() => api('GET', incidentsOf(id) + '&status=ongoing&itemsPerPage=1'), [id]);
  useReloadOn(tick, open.reload);
  const incident = open.data && open.data.items[0];
  if (!incident) return null;
  return html`
    <div class="alert alert-error" role="status" data-testid="open-incident">
      <strong>${t('monitor.incidentOngoing')}</strong> <${PriorityBadge} priority=${incident.priority} />
      ${' '}${t('monitor.incidentSince')} <${Time} iso=${incident.createdAt} />.
      ${incident.cause && incident.cause.kind && html` ${taskCauseText(incident.cause)}`}
      ${' '}<a href=${`${BASE}/incidents/${incident.id}`} onClick=${linkClick}>${t('monitor.viewIncident')}</a>
    </div>`;
}

export function RunsPanel({ id, tick }) {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const size = 10;
  const runs = useLoad(() => {
    const qs = addPage(new URLSearchParams(), page, size);
    if (status) qs.append('includeStatuses', status);
    return api('GET', `/tasks/${encodeURIComponent(id)}/runs?${qs}`);
  }, [id, page, status]);
  useReloadOn(tick, runs.reload);
  const titleId = useId('runs');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <div class="card-head">
        <h2 id=${titleId}>${t('runs.title')}</h2>
        <${Field} as="select" label=${t('runs.filter')} value=${status} class="inline-field"
          onChange=${(e) => { setStatus(e.currentTarget.value); setPage(1); }}>
          <option value="">${t('runs.filter.all')}</option>
          ${RUN_STATUSES.map((s) => html`<option value=${s}>${t('runStatus.' + s)}</option>`)}
        <//>
      </div>
      <${Async} state=${runs} retry=${runs.reload}>
        ${(data) => html`
          ${data.runs.length === 0 ? html`<p class="muted">${t(data.totalRuns ? 'runs.noMatch' : 'runs.empty')}</p>` : html`
            <table class="table cards-on-phone runs-table" data-testid="runs">
              <caption class="visually-hidden">${t('runs.title')}</caption>
              <thead><tr>
                <th scope="col">${t('runs.started')}</th>
                <th scope="col">${t('runs.status')}</th>
                <th scope="col" class="num">${t('runs.duration')}</th>
                <th scope="col" class="num">${t('runs.exitCode')}</th>
                <th scope="col">${t('runs.details')}</th>
              </tr></thead>
              <tbody>${data.runs.map((run) => html`<${RunRow} key=${run.startedAt} run=${run} />`)}</tbody>
            </table>`}
          <${Pagination} page=${page} size=${size} total=${data.totalFilteredRuns} onPage=${setPage} label=${t('runs.title')} />`}
      <//>
    </section>`;
}

function RunRow({ run }) {
  const running = run.status === 'running';
  const duration = running ? Date.now() - new Date(run.startedAt).getTime() : run.durationMs;
  return html`
    <tr data-testid="run-row" data-status=${run.status}>
      <td data-label=${t('runs.started')}><${Time} iso=${run.startedAt} absolute seconds /></td>
      <td data-label=${t('runs.status')}><${RunStatusPill} status=${run.status} /></td>
      <td data-label=${t('runs.duration')} class="num">${duration === null || duration === undefined ? '—'
        : (running ? t('task.runningFor', { duration: formatDuration(duration) }) : formatDuration(duration))}</td>
      <td data-label=${t('runs.exitCode')} class="num">${run.exitCode ?? '—'}</td>
      <td data-label=${t('runs.details')} class="details-cell">
        ${run.errorMessage && html`<code class="run-error">${run.errorMessage}</code>`}
        ${run.output ? html`<${Output} text=${run.output} />` : !run.errorMessage && html`<span class="muted">${t('runs.noOutput')}</span>`}
        ${running && run.lastHeartbeatAt && html`<div class="muted small">${t('runs.lastHeartbeat')} <${Time} iso=${run.lastHeartbeatAt} /></div>`}
      </td>
    </tr>`;
}

/** The output's last line as a summary, the whole excerpt in a <pre> when opened. */
function Output({ text }) {
  const lines = text.replace(/\s+$/, '').split('\n');
  const last = lines[lines.length - 1] || '';
  return html`
    <details class="run-output">
      <summary><span class="visually-hidden">${t('runs.output')}: </span><code>${last.length > 80 ? last.slice(0, 80) + '…' : last}</code>
        ${lines.length > 1 && html` <span class="muted small">(${t('runs.lines', { n: lines.length })})</span>`}</summary>
      <pre class="output" data-testid="run-output">${text}</pre>
    </details>`;
}

export function TaskIncidentsPanel({ id, tick }) {
  const [page, setPage] = useState(1);
  const size = 5;
  const list = useLoad(() => api('GET', `${incidentsOf(id)}&${addPage(new URLSearchParams(), page, size)}`), [id, page]);
  useReloadOn(tick, list.reload);
  const titleId = useId('inc');
  return html`
    <section class="card" aria-labelledby=${titleId} data-testid="task-incidents">
      <h2 id=${titleId}>${t('monitor.incidents')}</h2>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          ${data.items.length ? html`<${IncidentTable} items=${data.items} compact />` : html`<p class="muted">${t('task.noIncidents')}</p>`}
          <${Pagination} page=${page} size=${size} total=${data.totalNumberOfFilteredResults} onPage=${setPage} label=${t('monitor.incidents')} />`}
      <//>
    </section>`;
}

/** Messages sent to the ping URL's /log. */
export function LogsPanel({ id, tick }) {
  const logs = useLoad(() => api('GET', `/tasks/${encodeURIComponent(id)}/logs?itemsPerPage=20`), [id]);
  useReloadOn(tick, logs.reload);
  const titleId = useId('logs');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('logs.title')}</h2>
      <${Async} state=${logs} retry=${logs.reload}>
        ${(data) => (data.items.length === 0 ? html`<p class="muted">${t('logs.empty')}</p>` : html`
          <ol class="task-logs">${data.items.map((item) => html`
            <li key=${item.createdAt}><${Time} iso=${item.createdAt} absolute seconds /><pre class="output">${item.body}</pre></li>`)}
          </ol>`)}
      <//>
    </section>`;
}

/** A command in a dark block with its copy button. */
export function Snippet({ text, label, testid }) {
  return html`
    <div class="snippet">
      <pre class="example"><code data-copy=${text} data-testid=${testid}>${text}</code></pre>
      <${CopyButton} text=${text} label=${t('tokens.copy') + ': ' + label} />
    </div>`;
}

/** How to report runs: the dutyduck wrapper, crontab lines with the ping URL, the API. */
export function ReportPanel({ task, profile, onChange }) {
  const titleId = useId('report');
  const origin = location.origin;
  const job = '/path/to/job';
  const ping = pingUrl(task);
  const id = encodeURIComponent(task.id);
  const curl = 'curl -fsS -m 10 --retry 5';
  const cron = task.cronSchedule ? task.cronSchedule + ' ' : '';
  return html`
    <section class="card report" aria-labelledby=${titleId} data-testid="report">
      <h2 id=${titleId}>${t('report.title')}</h2>
      ${!can(profile, 'writeTaskRuns') ? html`<p class="muted">${t('report.notAllowed')}</p>` : html`
        <h3>${t('report.run')}</h3>
        <p>${t('report.runText')} <a href=${BASE + '/account'} onClick=${linkClick}>${t('report.tokenLink')}</a></p>
        <${Snippet} label=${t('report.run')} testid="run-line"
          text=${`DUTYDUCK_SERVER=${origin} DUTYDUCK_TOKEN_ID=… DUTYDUCK_TOKEN_SECRET=… dutyduck run --task ${shellWord(task.id)} -- ${job}`} />
        <h3>${t('report.cron')}</h3>
        <p>${t('report.cronText')}</p>
        <div class="ping-url"><span class="strong">${t('report.pingUrl')}</span> <code data-testid="ping-url">${ping}</code></div>
        <p class="small">${t('report.success')}</p>
        <${Snippet} label=${t('report.success')} text=${`${cron}${job} && ${curl} ${ping}`} />
        <p class="small">${t('report.startEnd')}</p>
        <${Snippet} label=${t('report.startEnd')} text=${`${cron}${curl} ${ping}/start; ${job}; ${curl} ${ping}/$?`} />
        <p class="small">${t('report.fail')}</p>
        <${Snippet} label=${t('report.fail')}
          text=${`${cron}m=$(${job} 2>&1) && ${curl} ${ping} || ${curl} --data-raw "$m" ${ping}/fail`} />
        <p class="small">${t('report.log')}</p>
        <${Snippet} label=${t('report.log')} text=${`${curl} --data-raw "backup size: 3.2 GB" ${ping}/log`} />
        ${can(profile, 'writeTasks') && html`<${RegenerateKey} task=${task} onDone=${onChange} />`}
        <${SlugUrl} task=${task} profile=${profile} />
        <h3>${t('report.api')}</h3>
        <p>${t('report.apiText')}</p>
        <${Snippet} label=${t('report.api')} text=${[
          'H=(-H "X-Api-Token-Id: …" -H "X-Api-Token-Secret-Key: …")',
          `curl "\${H[@]}" -X POST ${origin}/tasks/${id}/start`,
          `curl "\${H[@]}" -X POST ${origin}/tasks/${id}/heartbeat`,
          `curl "\${H[@]}" -X POST ${origin}/tasks/${id}/finish -H 'Content-Type: application/json' \\`,
          `  -d '{"status": "success", "exitCode": 0, "output": "…"}'`,
        ].join('\n')} />`}
    </section>`;
}

function RegenerateKey({ task, onDone }) {
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState({ busy: false, error: null, done: false });
  const regenerate = async () => {
    setState({ busy: true, error: null, done: false });
    try {
      await api('POST', `/tasks/${encodeURIComponent(task.id)}/ping-key`);
      // "Saved" only once the new URL is on screen: one copied meanwhile would be the dead one.
      await onDone();
      setAsking(false);
      setState({ busy: false, error: null, done: true });
    } catch (error) {
      setState({ busy: false, error, done: false });
    }
  };
  return html`
    <div class="regenerate">
      <button type="button" class="secondary" onClick=${() => setAsking(true)}>${t('report.regenerate')}</button>
      ${state.done && html`<${Alert} kind="success">${t('report.regenerated')}<//>`}
      ${state.error && !asking && html`<${Alert}>${errorText(state.error)}<//>`}
      ${asking && html`<${ConfirmDialog} title=${t('report.regenerateTitle')} text=${t('report.regenerateText')}
        confirmLabel=${t('report.regenerate')} busy=${state.busy} error=${state.error} onConfirm=${regenerate}
        onCancel=${() => { setAsking(false); setState({ busy: false, error: null, done: false }); }} />`}
    </div>`;
}
