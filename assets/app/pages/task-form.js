// Create or edit a task. The id's availability is checked as it is typed (HEAD /tasks/{id}); the
// schedule (cron, every N, OnCalendar or ad hoc: task-schedule.js) is put in words at once, with
// its next occurrences and the server's complaint under the field. The server's 422 ("field: problem") and 400
// (bad cron) land next to the field they name, which gets the focus.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, formatNumber, t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, Field, errorText, useDebounced, useLoad } from '../components.js';
import { useForm, whole } from '../forms.js';
import { can } from '../monitoring.js';
import { browserZone } from './task-parts.js';
import { ScheduleFields, scheduleBody, scheduleErrors, scheduleForm } from './task-schedule.js';
import { NotificationFields, routingBody, routingErrors, routingForm } from './notification-routing.js';
import { UpstreamsField, upstreamsBody, upstreamsForm } from './dependencies.js';

/** Limits and defaults of the three windows, in seconds (the server's). */
const WINDOWS = {
  startWindowSeconds: { key: 'start', min: 5, max: 31536000, def: 120, label: 'form.task.startWindow', hint: 'form.task.startHint' },
  latenessWindowSeconds: { key: 'lateness', min: 5, max: 3600, def: 240, label: 'form.task.latenessWindow', hint: 'form.task.latenessHint' },
  heartbeatTimeoutSeconds: { key: 'heartbeat', min: 10, max: 3600, def: 30, label: 'form.task.heartbeat', hint: 'form.task.heartbeatHint' },
};
const ID_PATTERN = /^\S{1,200}$/;

const fieldId = (field) => 'tf-' + field;
const taskPath = (id) => `/tasks/${encodeURIComponent(id)}`;

export function TaskFormPage({ params, profile }) {
  // Those who may not see the channels keep the task's routing as it is (absent fields).
  const notify = can(profile, 'readNotificationChannels');
  // Upstreams are monitors: picked by those who may see them (the others keep them as they are).
  const monitors = can(profile, 'readHttpMonitors');
  if (params.id) return html`<${EditTask} id=${params.id} notify=${notify} monitors=${monitors} />`;
  const initial = {
    id: '', name: '', description: '', ...scheduleForm(null), timezone: browserZone(),
    start: '120', lateness: '240', heartbeat: '30', routing: routingForm(), upstreams: [],
  };
  return html`<main><${Back} /><h1>${t('form.task.newTitle')}</h1><${TaskForm} initial=${initial} notify=${notify} monitors=${monitors} /></main>`;
}

function EditTask({ id, notify, monitors }) {
  const task = useLoad(() => api('GET', taskPath(id)), [id]);
  return html`
    <main>
      <${Back} id=${id} />
      <h1>${t('form.task.editTitle')}</h1>
      <${Async} state=${task} retry=${task.reload}>
        ${(d) => html`<${TaskForm} key=${d.task.id} id=${d.task.id} initial=${fromTask(d.task, d.upstreamMonitors)} notify=${notify} monitors=${monitors} />`}
      <//>
    </main>`;
}

function fromTask(task, upstreamMonitors) {
  return {
    id: task.id, name: task.name === task.id ? '' : task.name, description: task.description || '',
    ...scheduleForm(task), timezone: task.timezone,
    start: String(task.startWindowSeconds), lateness: String(task.latenessWindowSeconds), heartbeat: String(task.heartbeatTimeoutSeconds),
    routing: routingForm(task), upstreams: upstreamsForm(upstreamMonitors),
  };
}

function Back({ id }) {
  const href = id ? `${BASE}/tasks/${encodeURIComponent(id)}` : `${BASE}/tasks`;
  return html`<p class="back"><a href=${href} onClick=${linkClick}><span aria-hidden="true">← </span>${id ? t('form.task.back') : t('tasks.title')}</a></p>`;
}


/** Errors found without asking the server, by API field name (in form order). */
function validate(form, creating) {
  const e = {};
  if (creating && !ID_PATTERN.test(form.id)) e.id = t('form.task.idInvalid');
  Object.assign(e, scheduleErrors(form));
  if (!form.timezone.trim()) e.timezone = t('form.task.zoneRequired');
  for (const [field, w] of Object.entries(WINDOWS)) {
    if (!whole(form[w.key], w.min, w.max)) e[field] = t('form.task.windowRange', { min: formatNumber(w.min), max: formatNumber(w.max) });
  }
  return e;
}

function toBody(form) {
  return {
    name: form.name.trim() || null,
    description: form.description.trim() || null,
    ...scheduleBody(form),
    timezone: form.timezone.trim(),
    ...Object.fromEntries(Object.entries(WINDOWS).map(([field, w]) => [field, Number(form[w.key])])),
  };
}

/** The field a server error names: 422 "field: problem", 400 bad cron, 409 taken id. */
function serverFieldError(error) {
  if (error.status === 409 && error.code === 'task_exists') return ['id', t('form.task.idTaken')];
  if (error.code === 'invalid_cron_schedule') return ['cronSchedule', stripField(error.message)];
  const field = error.status === 422 && /^(\w+)/.exec(error.message || '')?.[1];
  return field && document.getElementById(fieldId(field)) ? [field, stripField(error.message)] : null;
}

const stripField = (message) => (message || '').replace(/^\w+:\s*/, '');

function TaskForm({ id, initial, notify, monitors }) {
  const creating = !id;
  const save = async (f) => {
    const body = { ...toBody(f), ...(notify ? routingBody(f.routing) : {}), ...(monitors ? upstreamsBody(f.upstreams) : {}) };
    const saved = creating ? await api('POST', '/tasks', { id: f.id, ...body }) : await api('PATCH', taskPath(id), body);
    navigate(`${BASE}/tasks/${encodeURIComponent(saved.id)}`);
  };
  const { form, setForm, set, errors, err, state, submit } = useForm(initial, {
    validate: (f) => ({ ...validate(f, creating), ...(notify ? routingErrors(f.routing) : {}) }),
    save, fieldError: serverFieldError, focus: (field) => document.getElementById(fieldId(field))?.focus(),
  });
  return html`
    <form class="task-form" onSubmit=${submit} novalidate>
      <fieldset class="card">
        <legend>${t('form.task.what')}</legend>
        ${creating
          ? html`<${IdField} value=${form.id} onInput=${set('id')} error=${err('id')} />`
          : html`<p><span class="strong">${t('form.task.id')}</span>${t('app.colon')}<code>${id}</code></p>`}
        <${Field} id=${fieldId('name')} label=${t('form.name')} value=${form.name} onInput=${set('name')} maxlength="200"
          hint=${t('form.task.nameHint')} error=${err('name')} />
        <${Field} as="textarea" id=${fieldId('description')} label=${t('form.task.description')} value=${form.description}
          onInput=${set('description')} rows="3" maxlength="4000" hint=${t('form.task.descriptionHint')} error=${err('description')} />
      </fieldset>
      <${ScheduleFields} form=${form} setForm=${setForm} set=${set} err=${err} />
      <fieldset class="card">
        <legend>${t('form.task.windows')}</legend>
        <p class="hint">${t('form.task.windowsIntro')}</p>
        <div class="row windows">
          ${Object.entries(WINDOWS).filter(([field]) => form.scheduled || field === 'heartbeatTimeoutSeconds').map(([field, w]) => html`
            <${Field} key=${field} id=${fieldId(field)} label=${t('form.task.inSeconds', { label: t(field === 'startWindowSeconds' && form.kind === 'period' ? 'schedule.grace' : w.label) })} type="number" min=${w.min} max=${w.max} step="1"
              inputmode="numeric" value=${form[w.key]} onInput=${set(w.key)} error=${err(field)}
              hint=${t(w.hint, { def: formatNumber(w.def), min: formatNumber(w.min), max: formatNumber(w.max) })
                + (whole(form[w.key], w.min, w.max) ? ' ' + t('form.task.isDuration', { duration: formatDuration(form[w.key] * 1000) }) : '')} />`)}
        </div>
      </fieldset>
      ${monitors && html`<${UpstreamsField} value=${form.upstreams} onChange=${(upstreams) => setForm((f) => ({ ...f, upstreams }))}
        id=${fieldId('upstreams')} error=${err('upstreams')} />`}
      ${notify && html`<${NotificationFields} value=${form.routing} onChange=${(routing) => setForm((f) => ({ ...f, routing }))}
        fieldId=${fieldId} err=${err} />`}
      ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <a class="button secondary" href=${creating ? `${BASE}/tasks` : `${BASE}/tasks/${encodeURIComponent(id)}`} onClick=${linkClick}>${t('tokens.cancel')}</a>
        <button type="submit" disabled=${state.busy}>${creating ? t('form.task.create') : t('form.save')}</button>
      </div>
    </form>`;
}

/** The id, with its rules and whether it is still free (HEAD /tasks/{id}: 404 when free). */
function IdField({ value, onInput, error }) {
  const settled = useDebounced(value, 350);
  const [free, setFree] = useState({ id: null, taken: null });
  useEffect(() => {
    if (!ID_PATTERN.test(settled)) return undefined;
    let live = true;
    api('HEAD', taskPath(settled)).then(
      () => live && setFree({ id: settled, taken: true }),
      (e) => live && setFree({ id: settled, taken: e.status === 404 ? false : null }),
    );
    return () => { live = false; };
  }, [settled]);
  const known = free.id === value ? free.taken : null;
  const local = value && !ID_PATTERN.test(value) ? t('form.task.idInvalid') : null;
  return html`
    <${Field} id=${fieldId('id')} label=${t('form.task.id')} value=${value} onInput=${onInput} required maxlength="200"
      autocomplete="off" autocapitalize="off" spellcheck="false" class="mono" placeholder="nightly-backup"
      hint=${t('form.task.idHint')} error=${error || local || (known === true ? t('form.task.idTaken') : null)} />
    ${known === false && !error && html`<p class="id-free small" role="status">✓ ${t('form.task.idFree')}</p>`}`;
}
