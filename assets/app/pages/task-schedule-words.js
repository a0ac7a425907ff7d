// A task's schedule in words for each kind (cron, every N, OnCalendar), for the task page, the
// list and the form; the kinds beside cron come from the API's periodSeconds and onCalendar.
import { html } from '../lib.js';
import { formatDuration, t } from '../i18n.js';

/** Whether the task expects runs (any kind of schedule). */
export const hasSchedule = (task) => Boolean(task.cronSchedule || task.periodSeconds || task.onCalendar);

/** "Every 1 h, counted from the last ping" or the OnCalendar lines with the zone. */
export function KindText({ task, zone = true }) {
  if (task.periodSeconds) {
    return html`<span class="schedule" data-kind="period">${t('schedule.everyFromPing', { duration: formatDuration(task.periodSeconds * 1000) })}
      ${zone && html`<span class="muted small"> · ${t('schedule.graceShort', { duration: formatDuration(task.startWindowSeconds * 1000) })}</span>`}</span>`;
  }
  const lines = task.onCalendar.split('\n').filter((l) => l.trim());
  return html`<span class="schedule" data-kind="onCalendar">${t('schedule.calendarShort')}${t('app.colon')}${lines.map((l, i) => html`${i ? ', ' : ''}<code class="cron">${l.trim().replace(/ /g, '\u00a0')}</code>`)}
    ${zone && html`<span class="muted small"> (${task.timezone})</span>`}</span>`;
}
