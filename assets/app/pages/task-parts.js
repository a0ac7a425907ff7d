// Shared pieces of the tasks pages: task and run status pills, the strip of recent runs, the
// schedule in words, dates in a given time zone, and a task incident's cause in words.
import { html } from '../lib.js';
import { formatDateTime, formatDuration, formatRelative, getLang, t } from '../i18n.js';
import { cronToWords } from '../cron-words.js';
import { KindText } from './task-schedule-words.js';

export const TASK_STATUSES = ['healthy', 'failing', 'running', 'due', 'late', 'absent'];
const TASK_TONE = { healthy: 'ok', failing: 'bad', running: 'info', due: 'neutral', late: 'warn', absent: 'bad' };
export const RUN_STATUSES = ['running', 'finished', 'failed', 'dead', 'aborted'];
const RUN_TONE = { running: 'info', finished: 'ok', failed: 'bad', dead: 'bad', aborted: 'warn' };
const TONE_ICON = { ok: '●', warn: '▲', bad: '■', neutral: '○', info: '◆' };

function Pill({ tone, status, text }) {
  return html`<span class=${'pill pill-' + tone} data-status=${status}>
    <span aria-hidden="true" class="pill-icon">${TONE_ICON[tone]}</span>${text}</span>`;
}

export function TaskStatusPill({ status }) {
  return html`<${Pill} tone=${TASK_TONE[status] || 'neutral'} status=${status} text=${t('taskStatus.' + status)} />`;
}

export function RunStatusPill({ status }) {
  return html`<${Pill} tone=${RUN_TONE[status] || 'neutral'} status=${status} text=${t('runStatus.' + status)} />`;
}

/** A run in one line: "Failed · 5 minutes ago · 1.2 s · exit code 3". */
export function runSummary(run) {
  const parts = [t('runStatus.' + run.status), formatRelative(run.startedAt)];
  if (run.status === 'running') parts.push(t('task.runningFor', { duration: formatDuration(Date.now() - new Date(run.startedAt).getTime()) }));
  else if (run.durationMs !== null && run.durationMs !== undefined) parts.push(formatDuration(run.durationMs));
  if (run.exitCode !== null && run.exitCode !== undefined) parts.push(t('task.exitCode', { code: run.exitCode }));
  return parts.join(' · ');
}

/** The last runs as coloured squares, oldest left, newest right; empty slots keep strips aligned. */
export function RunStrip({ runs, slots = 10 }) {
  const shown = runs.slice(0, slots).reverse();
  const counts = {};
  for (const r of shown) counts[r.status] = (counts[r.status] || 0) + 1;
  const label = shown.length
    ? t('task.stripLabel', { n: shown.length, list: Object.entries(counts).map(([s, n]) => `${n} × ${t('runStatus.' + s)}`).join(', ') })
    : t('task.noRuns');
  return html`
    <span class="run-strip" role="img" aria-label=${label} data-testid="run-strip">
      ${Array.from({ length: slots - shown.length }, () => html`<span class="run-square run-none" aria-hidden="true"></span>`)}
      ${shown.map((r) => html`<span class=${'run-square run-' + (RUN_TONE[r.status] || 'neutral')} title=${runSummary(r) + ' — ' + formatDateTime(r.startedAt, { seconds: true })}
        data-status=${r.status}></span>`)}
    </span>`;
}

/** The schedule in words with the expression and zone, or "Ad hoc". */
export function ScheduleText({ task, zone = true }) {
  if (!task.cronSchedule && (task.periodSeconds || task.onCalendar)) return html`<${KindText} task=${task} zone=${zone} />`;
  if (!task.cronSchedule) return html`<span class="muted">${t('task.adHoc')}</span>`;
  const words = cronToWords(task.cronSchedule);
  return html`<span class="schedule">
    ${words ? html`<span>${words}</span> ` : null}<code class="cron">${task.cronSchedule.replace(/ /g, '\u00a0')}</code>
    ${zone && html`<span class="muted small"> (${task.timezone})</span>`}</span>`;
}

/** The browser's IANA time zone. */
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Sun, Nov 29, 02:30" in `zone`, in the user's language (with the year when it is not this one). */
export function formatInZone(iso, zone) {
  const date = new Date(iso);
  const year = date.getFullYear() !== new Date().getFullYear() ? { year: 'numeric' } : {};
  const options = { weekday: 'short', day: 'numeric', month: 'short', ...year, hour: '2-digit', minute: '2-digit', timeZone: zone };
  try {
    return new Intl.DateTimeFormat(getLang(), options).format(date);
  } catch {
    return new Intl.DateTimeFormat(getLang(), { ...options, timeZone: 'UTC' }).format(date) + ' UTC';
  }
}

/** The next occurrences, in the task's zone and (when it differs) the browser's. */
export function Occurrences({ items, zone }) {
  const local = browserZone();
  const both = local !== zone;
  return html`
    <table class="table occurrences" data-testid="occurrences">
      <thead><tr>
        <th scope="col">${t('task.inZone', { zone })}</th>
        ${both && html`<th scope="col">${t('task.inYourZone', { zone: local })}</th>`}
        <th scope="col">${t('task.when')}</th>
      </tr></thead>
      <tbody>${items.map((iso) => html`
        <tr key=${iso}>
          <td><time datetime=${iso}>${formatInZone(iso, zone)}</time></td>
          ${both && html`<td>${formatInZone(iso, local)}</td>`}
          <td class="muted">${formatRelative(iso)}</td>
        </tr>`)}</tbody>
    </table>`;
}

let zoneList = null;
/** Every IANA zone the browser knows, UTC included. */
export function useZones() {
  if (!zoneList) {
    let all = [];
    try { all = Intl.supportedValuesOf('timeZone'); } catch { /* an old browser: typing still works */ }
    zoneList = all.includes('UTC') ? all : ['UTC', ...all];
  }
  return zoneList;
}

/** The ping URL of a task (null when the user may not see its key). */
export function pingUrl(task) {
  return task.pingKey ? `${location.origin}/ping/${task.pingKey}` : null;
}

/** A word as a shell argument: as is when plain, single-quoted otherwise. */
export function shellWord(text) {
  return /^[\w.\/@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A task incident's cause ({causeType: 'TaskIncidentCause', kind, …}) in words. */
export function taskCauseText(cause) {
  const date = (iso) => (iso ? formatDateTime(iso, { seconds: true }) : t('time.never'));
  switch (cause.kind) {
    case 'late': return t('taskCause.late', { date: date(cause.dueAt) });
    case 'absent': return t('taskCause.absent', { date: date(cause.dueAt) });
    case 'dead': return t('taskCause.dead', { date: date(cause.runStartedAt), last: date(cause.lastHeartbeatAt) });
    case 'failed': {
      const code = cause.exitCode === null || cause.exitCode === undefined ? t('taskCause.noExitCode') : t('task.exitCode', { code: cause.exitCode });
      return t('taskCause.failed', { date: date(cause.runStartedAt), code })
        + (cause.errorMessage ? t('app.colon') + cause.errorMessage : '.');
    }
    default: return null;
  }
}
