// Shared pieces of maintenance: a source's quiet state as a pill (next to its status, on the
// monitors and tasks pages), the window covering a source on its page, and a window's timing
// and selection in words.
import { html } from '../lib.js';
import { formatDateTime, formatDuration, getLang, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { cronToWords } from '../cron-words.js';
import { formatInZone } from './task-parts.js';
import { QuietTag } from './dependencies.js';

/** "Maintenance" (with the window in its title) or "down (upstream)" next to a status; nothing
 * if the source is not quiet. */
export function QuietPill({ status, quiet }) {
  if (!quiet) return null;
  if (quiet.reason !== 'maintenance') return html`<${QuietTag} status=${status} quiet=${quiet} />`;
  const title = t('quiet.maintenanceTitle', { title: quiet.title, end: formatDateTime(quiet.endsAt) });
  return html`<span class="pill pill-info" data-quiet=${quiet.reason} title=${title}>
    <span aria-hidden="true" class="pill-icon">◆</span>${t('quiet.maintenance')}</span>`;
}

/** On a monitor's or task's page: the window in force, or the next one, covering it. */
export function MaintenanceNote({ scheduled }) {
  if (!scheduled) return null;
  const now = Date.now();
  const active = new Date(scheduled.startsAt).getTime() <= now;
  const text = active
    ? t('maintenance.onPage', { title: scheduled.title, end: formatDateTime(scheduled.endsAt) })
    : t('maintenance.nextOnPage', { title: scheduled.title, start: formatDateTime(scheduled.startsAt), end: formatDateTime(scheduled.endsAt) });
  return html`<p class=${'alert ' + (active ? 'alert-info' : 'alert-neutral')} role="status" data-testid="maintenance-note">
    ${text}${scheduled.pauseChecks ? ' ' + t('maintenance.pausedNote') : ''}
    ${' '}<a href=${BASE + '/maintenance'} onClick=${linkClick}>${t('nav.maintenance')}</a></p>`;
}

/** An occurrence in `zone`: "Sun, Dec 13, 02:00 → 04:00", the end's date only when it differs. */
export function spanText(startIso, endIso, zone) {
  const day = (iso) => {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(iso));
    } catch {
      return iso.slice(0, 10);
    }
  };
  if (day(startIso) !== day(endIso)) return `${formatInZone(startIso, zone)} → ${formatInZone(endIso, zone)}`;
  let end;
  try {
    end = new Intl.DateTimeFormat(getLang(), { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(endIso));
  } catch {
    end = formatInZone(endIso, zone);
  }
  return `${formatInZone(startIso, zone)} → ${end}`;
}

/** When a window is in force, in words. */
export function windowWhen(w) {
  if (!w.cronSchedule) return t('maintenance.once', { start: formatDateTime(w.startsAt), end: formatDateTime(w.endsAt) });
  return t('maintenance.every', {
    words: cronToWords(w.cronSchedule) || w.cronSchedule, duration: formatDuration(w.durationMinutes * 60000), zone: w.timezone,
  });
}

/** What a window's selection covers, in words. */
export function selectionText(selection) {
  if (selection.organization) return t('maintenance.all');
  const parts = [];
  if (selection.monitorIds.length) parts.push(t('maintenance.monitorsN', { n: selection.monitorIds.length }));
  if (selection.taskIds.length) parts.push(t('maintenance.tasksN', { n: selection.taskIds.length }));
  if (selection.tag) parts.push(t('maintenance.tagged', { tag: selection.tag }));
  return parts.join(', ');
}
