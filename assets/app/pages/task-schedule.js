// The task form's schedule: cron, every N (counted from the last ping, with the grace), systemd
// OnCalendar, or ad hoc. The next five expected times come from POST /tasks/schedule-preview
// (debounced) as the user types, with the same complaint a save would give under the field.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, t } from '../i18n.js';
import { Field, useDebounced } from '../components.js';
import { whole } from '../forms.js';
import { cronToWords } from '../cron-words.js';
import { Occurrences, browserZone, useZones } from './task-parts.js';

const PRESETS = ['*/5 * * * *', '0 * * * *', '30 2 * * *', '0 9 * * 1-5', '0 3 * * 0', '0 4 1 * *'];
const CALENDAR_PRESETS = ['hourly', 'daily', 'Mon..Fri 09:00', 'Sat,Sun 10:00', '*-*-01 04:00'];
const KINDS = ['cron', 'period', 'calendar', 'adhoc'];
const KIND_LABELS = { cron: 'form.task.cron', period: 'schedule.kind.period', calendar: 'schedule.kind.calendar', adhoc: 'form.task.adHoc' };
/** Units of a period, in seconds; the server takes 60 s to a year. */
const UNITS = [['60', 'schedule.minutes'], ['3600', 'schedule.hours'], ['86400', 'schedule.days']];
const PERIOD = { min: 60, max: 31536000 };

const fieldId = (field) => 'tf-' + field;
const stripField = (message) => (message || '').replace(/^\w+:\s*/, '');

/** The form's schedule fields from a task (or a new task's: cron). */
export function scheduleForm(task) {
  const seconds = task?.periodSeconds || 3600;
  const [unit] = [...UNITS].reverse().find(([u]) => seconds % Number(u) === 0) || UNITS[0];
  const kind = !task ? 'cron' : task.cronSchedule ? 'cron' : task.periodSeconds ? 'period' : task.onCalendar ? 'calendar' : 'adhoc';
  return { kind, scheduled: kind !== 'adhoc', cron: task?.cronSchedule || '', every: String(seconds / Number(unit)), unit, calendar: task?.onCalendar || '' };
}

const periodSeconds = (form) => Number(form.every) * Number(form.unit);

/** The API's three schedule fields: the chosen kind's, the others null. */
export function scheduleBody(form) {
  return {
    cronSchedule: form.kind === 'cron' ? form.cron.trim() : null,
    periodSeconds: form.kind === 'period' ? periodSeconds(form) : null,
    onCalendar: form.kind === 'calendar' ? form.calendar.trim() : null,
  };
}

/** Errors found without asking the server, by API field name. */
export function scheduleErrors(form) {
  const e = {};
  if (form.kind === 'cron' && !form.cron.trim()) e.cronSchedule = t('form.task.cronRequired');
  if (form.kind === 'calendar' && !form.calendar.trim()) e.onCalendar = t('schedule.calendarRequired');
  if (form.kind === 'period' && !(whole(form.every, 1, PERIOD.max) && whole(String(periodSeconds(form)), PERIOD.min, PERIOD.max))) {
    e.periodSeconds = t('schedule.periodRange');
  }
  return e;
}

/** The kind, its fields, their words and next expected times; the time zone. */
export function ScheduleFields({ form, setForm, set, err }) {
  const body = form.kind === 'adhoc' ? null : JSON.stringify({ ...scheduleBody(form), timezone: form.timezone.trim() || 'UTC' });
  const settled = useDebounced(body, 400);
  const [preview, setPreview] = useState({ key: null, data: null, error: null });
  const ready = settled && Object.keys(scheduleErrors(form)).length === 0;
  useEffect(() => {
    if (!ready) return undefined;
    let live = true;
    api('POST', '/tasks/schedule-preview', JSON.parse(settled)).then(
      (data) => live && setPreview({ key: settled, data, error: null }),
      (error) => live && setPreview({ key: settled, data: null, error }),
    );
    return () => { live = false; };
  }, [settled, ready]);
  const zones = useZones();
  const current = preview.key === body ? preview : { data: null, error: null };
  const message = current.error && [400, 422].includes(current.error.status) ? current.error.message || '' : '';
  const problemOf = (field) => (message.startsWith(field + ':') ? stripField(message) : null);
  const pick = (kind) => setForm((f) => ({ ...f, kind, scheduled: kind !== 'adhoc' }));
  return html`
    <fieldset class="card">
      <legend>${t('form.task.when')}</legend>
      <fieldset class="segmented schedule-kind" data-testid="schedule-kind">
        <legend class="visually-hidden">${t('form.task.kind')}</legend>
        ${KINDS.map((k) => html`<label key=${k} class=${form.kind === k ? 'checked' : ''}><input type="radio" name="schedule-kind" value=${k}
          checked=${form.kind === k} onChange=${() => pick(k)} />${t(KIND_LABELS[k])}</label>`)}
      </fieldset>
      ${form.kind === 'adhoc' && html`<p class="hint">${t('form.task.adHocHint')}</p>`}
      ${form.kind === 'cron' && html`
        <${Field} id=${fieldId('cronSchedule')} label=${t('form.task.cronLabel')} value=${form.cron} onInput=${set('cron')}
          class="mono" placeholder="30 2 * * *" autocomplete="off" spellcheck="false" hint=${t('form.task.cronHint')}
          error=${err('cronSchedule') || problemOf('cronSchedule')} />
        <div class="presets" role="group" aria-label=${t('form.task.presets')}>
          ${PRESETS.map((p) => html`<button type="button" class="secondary small" onClick=${() => setForm((f) => ({ ...f, cron: p }))}>${cronToWords(p)}</button>`)}
        </div>`}
      ${form.kind === 'period' && html`
        <div class="row period-fields">
          <${Field} id=${fieldId('periodSeconds')} label=${t('schedule.every')} type="number" min="1" step="1" inputmode="numeric"
            value=${form.every} onInput=${set('every')} error=${err('periodSeconds') || problemOf('periodSeconds')} />
          <${Field} as="select" id=${fieldId('periodUnit')} label=${t('schedule.unit')} value=${form.unit} onChange=${set('unit')}>
            ${UNITS.map(([u, key]) => html`<option value=${u} selected=${form.unit === u}>${t(key)}</option>`)}
          <//>
        </div>
        <p class="hint">${t('schedule.periodHint')}</p>`}
      ${form.kind === 'calendar' && html`
        <${Field} as="textarea" id=${fieldId('onCalendar')} label=${t('schedule.calendarLabel')} value=${form.calendar} onInput=${set('calendar')}
          rows="3" class="mono" placeholder="Mon..Fri 09:00" autocomplete="off" spellcheck="false" hint=${t('schedule.calendarHint')}
          error=${err('onCalendar') || problemOf('onCalendar')} />
        <div class="presets" role="group" aria-label=${t('form.task.presets')}>
          ${CALENDAR_PRESETS.map((p) => html`<button type="button" class="secondary small" onClick=${() => setForm((f) => ({ ...f, calendar: p }))}><code>${p}</code></button>`)}
        </div>`}
      ${form.kind !== 'adhoc' && html`<div class="cron-preview" aria-live="polite" data-testid=${form.kind === 'cron' ? 'cron-preview' : 'schedule-preview'}>
        ${form.kind === 'cron' && form.cron.trim() && html`<p><span class="strong">${t('form.task.inWords')}</span>${t('app.colon')}${cronToWords(form.cron) || html`<span class="muted">${t('form.task.noWords')}</span>`}</p>`}
        ${form.kind === 'period' && whole(form.every, 1, PERIOD.max) && html`<p><span class="strong">${t('form.task.inWords')}</span>${t('app.colon')}${t('schedule.everyFromPing', { duration: formatDuration(periodSeconds(form) * 1000) })}</p>`}
        ${current.data && html`<p class="small strong">${t(form.kind === 'period' ? 'schedule.ifPingedNow' : 'task.nextOccurrences')}</p>
          <${Occurrences} items=${current.data.occurrences} zone=${form.timezone.trim() || 'UTC'} />`}
      </div>`}
      <${Field} id=${fieldId('timezone')} label=${t('form.task.timezone')} value=${form.timezone} onInput=${set('timezone')}
        list="tz-list" autocomplete="off" spellcheck="false" error=${err('timezone') || problemOf('timezone')}
        hint=${t('form.task.timezoneHint', { zone: browserZone() })} />
      <datalist id="tz-list">${zones.map((z) => html`<option value=${z} />`)}</datalist>
    </fieldset>`;
}
