// Create or edit a maintenance window: once (start and end in the browser's zone) or recurring
// (cron, duration and IANA zone, its next occurrences from /cron-preview), and what it covers
// (the organization, or chosen monitors, tasks and a tag) with a live preview from
// /maintenance-windows/preview. The server's 422 ("field: problem") lands next to its field.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDuration, t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, Field, errorText, useDebounced, useLoad } from '../components.js';
import { useForm, whole } from '../forms.js';
import { cronToWords } from '../cron-words.js';
import { browserZone, useZones } from './task-parts.js';
import { spanText } from './maintenance-parts.js';

const PRESETS = ['0 2 * * 0', '0 3 * * *', '0 22 * * 5', '0 6 1 * *'];
const MAX_MINUTES = 10080;
const fieldId = (field) => 'mw-' + field.replace('.', '-');
const windowPath = (id) => `/maintenance-windows/${encodeURIComponent(id)}`;

export function MaintenanceFormPage({ params }) {
  if (params.id) return html`<${EditWindow} id=${params.id} />`;
  const initial = {
    title: '', description: '', recurring: false, startsAt: '', endsAt: '', cron: '', duration: '120', timezone: browserZone(),
    organization: false, monitorIds: [], taskIds: [], tag: '', pauseChecks: false,
  };
  return html`<main><${Back} /><h1>${t('form.maintenance.newTitle')}</h1><${WindowForm} initial=${initial} /></main>`;
}

function EditWindow({ id }) {
  const w = useLoad(() => api('GET', windowPath(id)), [id]);
  return html`
    <main>
      <${Back} />
      <h1>${t('form.maintenance.editTitle')}</h1>
      <${Async} state=${w} retry=${w.reload}>${(d) => html`<${WindowForm} key=${d.id} id=${d.id} initial=${fromWindow(d)} />`}<//>
    </main>`;
}

function Back() {
  return html`<p class="back"><a href=${BASE + '/maintenance'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('form.maintenance.back')}</a></p>`;
}

/** An ISO instant as a datetime-local value in the browser's zone. */
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const toIso = (local) => (local ? new Date(local).toISOString() : null);

function fromWindow(w) {
  return {
    title: w.title, description: w.description || '', recurring: Boolean(w.cronSchedule),
    startsAt: toLocal(w.startsAt), endsAt: toLocal(w.endsAt), cron: w.cronSchedule || '',
    duration: String(w.durationMinutes || 120), timezone: w.timezone,
    organization: w.selection.organization, monitorIds: w.selection.monitorIds, taskIds: w.selection.taskIds,
    tag: w.selection.tag || '', pauseChecks: w.pauseChecks,
  };
}

function selectionOf(f) {
  if (f.organization) return { organization: true };
  return { monitorIds: f.monitorIds, taskIds: f.taskIds, ...(f.tag.trim() ? { tag: f.tag.trim() } : {}) };
}

function toBody(f) {
  const when = f.recurring
    ? { cronSchedule: f.cron.trim(), durationMinutes: Number(f.duration), timezone: f.timezone.trim() }
    : { startsAt: toIso(f.startsAt), endsAt: toIso(f.endsAt) };
  return {
    title: f.title.trim(), description: f.description.trim() || null, ...when, selection: selectionOf(f), pauseChecks: f.pauseChecks,
  };
}

/** Errors found without asking the server, by API field (in form order). */
function validate(f) {
  const e = {};
  if (!f.title.trim()) e.title = t('form.maintenance.titleRequired');
  if (f.recurring) {
    if (!f.cron.trim()) e.cronSchedule = t('form.maintenance.cronRequired');
    if (!whole(f.duration, 1, MAX_MINUTES)) e.durationMinutes = t('form.maintenance.durationRange');
  } else {
    if (!f.startsAt) e.startsAt = t('form.maintenance.startRequired');
    if (!f.endsAt || (f.startsAt && new Date(f.endsAt) <= new Date(f.startsAt))) e.endsAt = t('form.maintenance.endAfter');
  }
  if (!f.organization && !f.monitorIds.length && !f.taskIds.length && !f.tag.trim()) e.selection = t('form.maintenance.selectionRequired');
  return e;
}

/** The field a 422 names ("selection.monitorIds: …"), if the form has it. */
function serverFieldError(error) {
  const field = error.status === 422 && /^([\w.]+)/.exec(error.message || '')?.[1];
  const known = field && (document.getElementById(fieldId(field)) ? field : field.startsWith('selection') ? 'selection' : null);
  return known ? [known, (error.message || '').replace(/^[\w.]+:\s*/, '')] : null;
}

function WindowForm({ id, initial }) {
  const creating = !id;
  const save = async (f) => {
    await (creating ? api('POST', '/maintenance-windows', toBody(f)) : api('PUT', windowPath(id), toBody(f)));
    navigate(BASE + '/maintenance');
  };
  const { form, setForm, set, errors, err, state, submit } = useForm(initial, {
    validate, save, fieldError: serverFieldError, focus: (field) => document.getElementById(fieldId(field))?.focus(),
  });
  const pick = (recurring) => setForm((f) => ({ ...f, recurring }));
  return html`
    <form class="maintenance-form" onSubmit=${submit} novalidate>
      <fieldset class="card">
        <legend>${t('form.maintenance.what')}</legend>
        <${Field} id=${fieldId('title')} label=${t('form.maintenance.titleLabel')} value=${form.title} onInput=${set('title')}
          maxlength="200" required error=${err('title')} />
        <${Field} as="textarea" id=${fieldId('description')} label=${t('form.maintenance.description')} value=${form.description}
          onInput=${set('description')} rows="2" maxlength="4000" error=${err('description')} />
      </fieldset>
      <fieldset class="card">
        <legend>${t('form.maintenance.when')}</legend>
        <fieldset class="segmented">
          <legend class="visually-hidden">${t('form.maintenance.kind')}</legend>
          <label class=${!form.recurring ? 'checked' : ''}><input type="radio" name="window-kind" checked=${!form.recurring}
            onChange=${() => pick(false)} />${t('form.maintenance.once')}</label>
          <label class=${form.recurring ? 'checked' : ''}><input type="radio" name="window-kind" checked=${form.recurring}
            onChange=${() => pick(true)} />${t('form.maintenance.recurring')}</label>
        </fieldset>
        ${form.recurring ? html`<${Recurrence} form=${form} setForm=${setForm} set=${set} err=${err} />` : html`
          <div class="row">
            <${Field} id=${fieldId('startsAt')} label=${t('form.maintenance.startsAt')} type="datetime-local" value=${form.startsAt}
              onInput=${set('startsAt')} error=${err('startsAt')} />
            <${Field} id=${fieldId('endsAt')} label=${t('form.maintenance.endsAt')} type="datetime-local" value=${form.endsAt}
              onInput=${set('endsAt')} error=${err('endsAt')} />
          </div>
          <p class="hint">${t('form.maintenance.timesHint', { zone: browserZone() })}</p>`}
      </fieldset>
      <${Coverage} form=${form} setForm=${setForm} set=${set} err=${err} />
      ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <a class="button secondary" href=${BASE + '/maintenance'} onClick=${linkClick}>${t('tokens.cancel')}</a>
        <button type="submit" disabled=${state.busy}>${creating ? t('form.maintenance.create') : t('form.save')}</button>
      </div>
    </form>`;
}

/** Cron with presets and words, duration, zone, and the next occurrences with their ends. */
function Recurrence({ form, setForm, set, err }) {
  const cron = useDebounced(form.cron.trim(), 400);
  const zone = useDebounced(form.timezone.trim(), 400);
  const [preview, setPreview] = useState({ key: null, items: null, error: null });
  useEffect(() => {
    if (!cron) return undefined;
    let live = true;
    const key = cron + '|' + zone;
    api('GET', '/cron-preview?' + new URLSearchParams({ cronSchedule: cron, timezone: zone || 'UTC' })).then(
      (data) => live && setPreview({ key, items: data.occurrences, error: null }),
      (error) => live && setPreview({ key, items: null, error }),
    );
    return () => { live = false; };
  }, [cron, zone]);
  const zones = useZones();
  const current = preview.key === form.cron.trim() + '|' + form.timezone.trim() ? preview : {};
  const problem = current.error && [400, 422].includes(current.error.status) ? current.error.message.replace(/^\w+:\s*/, '') : null;
  const zoneProblem = problem && /^timezone/.test(current.error.message) ? problem : null;
  const minutes = whole(form.duration, 1, MAX_MINUTES) ? Number(form.duration) : 0;
  const shownZone = form.timezone.trim() || 'UTC';
  return html`
    <${Field} id=${fieldId('cronSchedule')} label=${t('form.maintenance.cron')} value=${form.cron} onInput=${set('cron')}
      class="mono" placeholder="0 2 * * 0" autocomplete="off" spellcheck="false" hint=${t('form.maintenance.cronHint')}
      error=${err('cronSchedule') || (problem && !zoneProblem ? problem : null)} />
    <div class="presets" role="group" aria-label=${t('form.task.presets')}>
      ${PRESETS.map((p) => html`<button type="button" class="secondary small" onClick=${() => setForm((f) => ({ ...f, cron: p }))}>${cronToWords(p)}</button>`)}
    </div>
    ${form.cron.trim() && html`<p><span class="strong">${t('form.task.inWords')}</span>${t('app.colon')}${cronToWords(form.cron) || t('form.task.noWords')}
      ${minutes > 0 && ' · ' + formatDuration(minutes * 60000)}</p>`}
    <div class="row">
      <${Field} id=${fieldId('durationMinutes')} label=${t('form.maintenance.duration')} type="number" min="1" max=${MAX_MINUTES} step="1"
        inputmode="numeric" value=${form.duration} onInput=${set('duration')} hint=${t('form.maintenance.durationHint')} error=${err('durationMinutes')} />
      <${Field} id=${fieldId('timezone')} label=${t('form.maintenance.timezone')} value=${form.timezone} onInput=${set('timezone')}
        list="mw-tz-list" autocomplete="off" spellcheck="false" hint=${t('form.maintenance.timezoneHint')} error=${err('timezone') || zoneProblem} />
    </div>
    <datalist id="mw-tz-list">${zones.map((z) => html`<option value=${z} />`)}</datalist>
    ${current.items && minutes > 0 && html`
      <div aria-live="polite" data-testid="window-occurrences">
        <p class="small strong">${t('form.maintenance.occurrences')}</p>
        <ul class="calendar">${current.items.map((iso) => html`<li key=${iso}><span class="span">
          ${spanText(iso, new Date(new Date(iso).getTime() + minutes * 60000).toISOString(), shownZone)}</span></li>`)}</ul>
      </div>`}`;
}

/** The scope, the chosen sources, the tag, pausing, and what that covers now. */
function Coverage({ form, setForm, set, err }) {
  const sources = useLoad(() => Promise.all([
    api('GET', '/monitors?itemsPerPage=50'), api('GET', '/tasks?itemsPerPage=50').catch(() => ({ items: [] })),
  ]).then(([monitors, tasks]) => ({ monitors: monitors.items, tasks: tasks.items })), []);
  const selection = JSON.stringify(selectionOf(form));
  const settled = useDebounced(selection, 300);
  const [preview, setPreview] = useState(null);
  useEffect(() => {
    const s = JSON.parse(settled);
    if (!s.organization && !s.monitorIds.length && !s.taskIds.length && !s.tag) { setPreview(null); return undefined; }
    let live = true;
    api('POST', '/maintenance-windows/preview', { selection: s }).then((p) => live && setPreview(p), () => live && setPreview(null));
    return () => { live = false; };
  }, [settled]);
  const toggle = (key, id) => (e) => {
    const on = e.currentTarget.checked;
    setForm((f) => ({ ...f, [key]: on ? [...f[key], id] : f[key].filter((x) => x !== id) }));
  };
  const scope = (organization) => setForm((f) => ({ ...f, organization }));
  return html`
    <fieldset class="card" id=${fieldId('selection')} tabindex="-1">
      <legend>${t('form.maintenance.covers')}</legend>
      <fieldset class="segmented">
        <legend class="visually-hidden">${t('form.maintenance.scope')}</legend>
        <label class=${!form.organization ? 'checked' : ''}><input type="radio" name="window-scope" checked=${!form.organization}
          onChange=${() => scope(false)} />${t('form.maintenance.scopeChosen')}</label>
        <label class=${form.organization ? 'checked' : ''}><input type="radio" name="window-scope" checked=${form.organization}
          onChange=${() => scope(true)} />${t('form.maintenance.scopeAll')}</label>
      </fieldset>
      ${!form.organization && html`
        <${Async} state=${sources} retry=${sources.reload}>${(s) => html`
          <${Checklist} title=${t('form.maintenance.monitors')} items=${s.monitors.map((m) => [m.id, m.name])}
            chosen=${form.monitorIds} onToggle=${(id) => toggle('monitorIds', id)} />
          <${Checklist} title=${t('form.maintenance.tasks')} items=${s.tasks.map((task) => [task.id, task.name])}
            chosen=${form.taskIds} onToggle=${(id) => toggle('taskIds', id)} />`}<//>
        <${Field} id=${fieldId('selection.tag')} label=${t('form.maintenance.tag')} value=${form.tag} onInput=${set('tag')}
          maxlength="301" placeholder="team=payments" autocomplete="off" spellcheck="false" hint=${t('form.maintenance.tagHint')} />`}
      ${err('selection') && html`<p class="field-error" role="alert">${err('selection')}</p>`}
      <label class="check"><input type="checkbox" id=${fieldId('pauseChecks')} checked=${form.pauseChecks} onChange=${set('pauseChecks')}
        aria-describedby="mw-pause-hint" /> ${t('form.maintenance.pauseChecks')}</label>
      <p class="hint" id="mw-pause-hint">${t('form.maintenance.pauseHint')}</p>
      <${CoveragePreview} preview=${preview} />
    </fieldset>`;
}

function Checklist({ title, items, chosen, onToggle }) {
  return html`
    <p class="strong small">${title}</p>
    ${items.length === 0 ? html`<p class="muted small">${t('form.maintenance.none')}</p>` : html`
      <ul class="checklist">${items.map(([id, name]) => html`
        <li key=${id}><label><input type="checkbox" checked=${chosen.includes(id)} onChange=${onToggle(id)} />${name}</label></li>`)}</ul>`}`;
}

function CoveragePreview({ preview }) {
  if (!preview) return html`<p class="coverage muted" aria-live="polite" data-testid="coverage">${t('form.maintenance.previewNone')}</p>`;
  const shown = preview.items.slice(0, 10);
  const more = preview.monitors + preview.tasks - shown.length;
  return html`
    <div class="coverage alert alert-info" aria-live="polite" data-testid="coverage">
      <strong>${t('form.maintenance.preview', { monitors: preview.monitors, tasks: preview.tasks })}</strong>
      ${shown.length > 0 && html`<ul>${shown.map((c) => html`<li key=${c.sourceType + c.id}>${c.name} <span class="muted small">(${c.kind})</span></li>`)}
        ${more > 0 && html`<li class="muted">${t('form.maintenance.andMore', { n: more })}</li>`}</ul>`}
    </div>`;
}
