// Create or edit a monitor. Cheap checks run in the browser; the server's 422 ("field: problem")
// is shown next to the field it names, and that field gets the focus.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, Field, errorText, useLoad } from '../components.js';
import { useForm } from '../forms.js';
import { can } from '../monitoring.js';
import { KeyValueRows, IntervalField, fromMonitor, toBody, validate, defaults } from './monitor-form-parts.js';
import { KINDS, kindLabel } from './monitor-kinds.js';
import { NotificationFields, routingBody, routingErrors, routingForm } from './notification-routing.js';
import { UpstreamsField, upstreamsBody, upstreamsForm } from './dependencies.js';
import { LocationsField, locationsBody, locationsErrors, locationsForm } from './monitor-locations.js';


export function MonitorFormPage({ params, profile }) {
  // Those who may not see the channels keep the monitor's routing as it is (absent fields).
  const notify = can(profile, 'readNotificationChannels');
  if (params.id) return html`<${EditMonitor} id=${params.id} notify=${notify} />`;
  return html`<main><${Back} /><h1>${t('form.newTitle')}</h1><${MonitorForm} initial=${{ ...defaults(), routing: routingForm(), upstreams: [], locations: locationsForm() }} notify=${notify} /></main>`;
}

function EditMonitor({ id, notify }) {
  const monitor = useLoad(() => api('GET', `/monitors/${encodeURIComponent(id)}`), [id]);
  return html`
    <main>
      <${Back} id=${id} />
      <h1>${t('form.editTitle')}</h1>
      <${Async} state=${monitor} retry=${monitor.reload}>
        ${(d) => html`<${MonitorForm} key=${d.monitor.id} id=${d.monitor.id} notify=${notify}
          initial=${{ ...fromMonitor(d.monitor), routing: routingForm(d.monitor), upstreams: upstreamsForm(d.upstreamMonitors), locations: locationsForm(d.monitor) }} />`}
      <//>
    </main>`;
}

function Back({ id }) {
  const href = id ? `${BASE}/monitors/${id}` : `${BASE}/monitors`;
  return html`<p class="back"><a href=${href} onClick=${linkClick}><span aria-hidden="true">← </span>${id ? t('form.backToMonitor') : t('monitors.title')}</a></p>`;
}

/** Ids of the controls, by the API field they set (for errors and focus). */
const fieldId = (field) => 'mf-' + field;

/** The field a server 422 names ("field: problem"), when the form has it. */
function serverFieldError(error) {
  const field = error.status === 422 && /^(\w+)/.exec(error.message || '')?.[1];
  if (!field || !(document.getElementById(fieldId(field)) || document.querySelector(`[data-field="${field}"]`))) return null;
  return [field, error.message.slice(field.length).replace(/^[.:\s\[\]\d]*/, '') || error.message];
}

/** The errors with the first control of the page first, so that one gets the focus. */
function inFormOrder(errors) {
  const controls = [...document.querySelectorAll('[id^="mf-"], [data-field]')];
  const at = (field) => {
    const i = controls.findIndex((el) => el.id === fieldId(field) || el.dataset.field === field);
    return i < 0 ? controls.length : i;
  };
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => at(a) - at(b)));
}

function focusField(field) {
  const el = document.getElementById(fieldId(field)) || document.querySelector(`[data-field="${field}"] input`);
  if (el) el.focus();
}

function MonitorForm({ id, initial, notify }) {
  const save = async (f) => {
    const body = { ...toBody(f), ...(notify ? routingBody(f.routing) : {}), ...upstreamsBody(f.upstreams), ...locationsBody(f.locations) };
    const saved = id ? await api('PATCH', `/monitors/${id}`, body) : await api('POST', '/monitors', { ...body, isActive: f.active });
    navigate(`${BASE}/monitors/${saved.id}`);
  };
  const { form, set, setForm, update, errors, err, state, submit } = useForm(initial, {
    validate: (f) => inFormOrder({ ...validate(f), ...locationsErrors(f.locations), ...(notify ? routingErrors(f.routing) : {}) }), save, fieldError: serverFieldError, focus: focusField,
  });
  // The kind's controls in their places (see monitor-kinds.js); the kind is picked on create only.
  const Fields = KINDS[form.kind].Fields;
  const kindFields = (place) => html`<${Fields} place=${place} form=${form} set=${set} update=${update} err=${err} fieldId=${fieldId} />`;
  const kinds = Object.keys(KINDS);
  return html`
    <form class="monitor-form" onSubmit=${submit} novalidate>
      <fieldset class="card">
        <legend>${t('form.what')}</legend>
        ${!id && kinds.length > 1 && html`<${Field} as="select" id=${fieldId('kind')} label=${t('form.kind')} value=${form.kind}
          onChange=${set('kind')} error=${err('kind')}>
          ${kinds.map((k) => html`<option value=${k}>${kindLabel(k)}</option>`)}
        <//>`}
        ${kindFields('target')}
        <${Field} id=${fieldId('name')} label=${t('form.name')} value=${form.name} onInput=${set('name')} maxlength="200"
          hint=${t('form.nameHint')} error=${err('name')} />
        <div class="row">
          ${kindFields('withInterval')}
          <${IntervalField} id=${fieldId('intervalSeconds')} form=${form} update=${update} error=${err('intervalSeconds')} />
        </div>
        ${kindFields('details')}
      </fieldset>

      <fieldset class="card">
        <legend>${t('form.when')}</legend>
        <div class="row">
          <${Field} id=${fieldId('requestTimeoutMs')} label=${t('form.timeout')} type="number" min="0.5" max="60" step="0.5" inputmode="decimal"
            value=${form.timeout} onInput=${set('timeout')} error=${err('requestTimeoutMs')} hint=${t('form.timeoutHint')} />
          ${kindFields('withTimeout')}
        </div>
        <div class="row">
          <${Field} id=${fieldId('downtimeConfirmationThreshold')} label=${t('form.downThreshold')} type="number" min="1" max="10" step="1"
            value=${form.down} onInput=${set('down')} error=${err('downtimeConfirmationThreshold')} hint=${t('form.downHint')} />
          <${Field} id=${fieldId('recoveryConfirmationThreshold')} label=${t('form.upThreshold')} type="number" min="1" max="10" step="1"
            value=${form.up} onInput=${set('up')} error=${err('recoveryConfirmationThreshold')} hint=${t('form.upHint')} />
        </div>
      </fieldset>

      <fieldset class="card">
        <legend>${t('form.success')}</legend>
        ${kindFields('success')}
        ${KINDS[form.kind].certificate && html`<${Field} id=${fieldId('tlsExpiryWarningDays')} label=${t('form.tlsDays')} type="number" min="0" max="365" step="1"
          value=${form.tlsDays} onInput=${set('tlsDays')} error=${err('tlsExpiryWarningDays')} hint=${t('form.tlsDaysHint')} />`}
      </fieldset>

      <fieldset class="card">
        <legend>${t('form.tags')}</legend>
        <p class="hint">${t('form.tagsHint')}</p>
        <${KeyValueRows} field="metadata" legend=${t('form.tags')} hideLegend rows=${form.tags} onChange=${(rows) => update('tags', rows)}
          keyLabel=${t('form.tagKey')} valueLabel=${t('form.tagValue')} addLabel=${t('form.addTag')} error=${err('metadata')} />
      </fieldset>

      <${LocationsField} value=${form.locations} onChange=${(change) => setForm((f) => ({ ...f, locations: { ...f.locations, ...change } }))}
        fieldId=${fieldId} err=${err} />
      <${UpstreamsField} value=${form.upstreams} onChange=${(list) => update('upstreams', list)} self=${id}
        id=${fieldId('upstreams')} error=${err('upstreams')} />
      ${notify && html`<${NotificationFields} value=${form.routing} onChange=${(routing) => update('routing', routing)}
        fieldId=${fieldId} err=${err} />`}
      ${!id && html`<label class="check"><input type="checkbox" checked=${form.active} onChange=${set('active')} /> ${t('form.active')}</label>`}
      ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <a class="button secondary" href=${id ? `${BASE}/monitors/${id}` : `${BASE}/monitors`} onClick=${linkClick}>${t('tokens.cancel')}</a>
        <button type="submit" disabled=${state.busy}>${id ? t('form.save') : t('form.create')}</button>
      </div>
    </form>`;
}
