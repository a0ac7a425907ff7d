// Create or edit a monitor. Cheap checks run in the browser; the server's 422 ("field: problem")
// is shown next to the field it names, and that field gets the focus.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, Field, errorText, useLoad } from '../components.js';
import { useForm } from '../forms.js';
import { can } from '../monitoring.js';
import { KeyValueRows, IntervalField, fromMonitor, toBody, validate, DEFAULTS } from './monitor-form-parts.js';
import { NotificationFields, routingBody, routingErrors, routingForm } from './notification-routing.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ASSERTIONS = ['none', 'bodyContains', 'bodyNotContains', 'regex', 'jsonPointer'];

export function MonitorFormPage({ params, profile }) {
  // Those who may not see the channels keep the monitor's routing as it is (absent fields).
  const notify = can(profile, 'readNotificationChannels');
  if (params.id) return html`<${EditMonitor} id=${params.id} notify=${notify} />`;
  return html`<main><${Back} /><h1>${t('form.newTitle')}</h1><${MonitorForm} initial=${{ ...DEFAULTS, routing: routingForm() }} notify=${notify} /></main>`;
}

function EditMonitor({ id, notify }) {
  const monitor = useLoad(() => api('GET', `/monitors/${encodeURIComponent(id)}`), [id]);
  return html`
    <main>
      <${Back} id=${id} />
      <h1>${t('form.editTitle')}</h1>
      <${Async} state=${monitor} retry=${monitor.reload}>
        ${(d) => html`<${MonitorForm} key=${d.monitor.id} id=${d.monitor.id} notify=${notify}
          initial=${{ ...fromMonitor(d.monitor), routing: routingForm(d.monitor) }} />`}
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

function focusField(field) {
  const el = document.getElementById(fieldId(field)) || document.querySelector(`[data-field="${field}"] input`);
  if (el) el.focus();
}

function MonitorForm({ id, initial, notify }) {
  const save = async (f) => {
    const body = { ...toBody(f), ...(notify ? routingBody(f.routing) : {}) };
    const saved = id ? await api('PATCH', `/monitors/${id}`, body) : await api('POST', '/monitors', { ...body, isActive: f.active });
    navigate(`${BASE}/monitors/${saved.id}`);
  };
  const { form, set, update, errors, err, state, submit } = useForm(initial, {
    validate: (f) => ({ ...validate(f), ...(notify ? routingErrors(f.routing) : {}) }), save, fieldError: serverFieldError, focus: focusField,
  });
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(form.method);
  const kind = form.assertionKind;
  return html`
    <form class="monitor-form" onSubmit=${submit} novalidate>
      <fieldset class="card">
        <legend>${t('form.what')}</legend>
        <${Field} id=${fieldId('url')} label=${t('form.url')} type="url" value=${form.url} onInput=${set('url')} required
          placeholder="https://example.com/health" hint=${t('form.urlHint')} error=${err('url')} autocomplete="off" />
        <${Field} id=${fieldId('name')} label=${t('form.name')} value=${form.name} onInput=${set('name')} maxlength="200"
          hint=${t('form.nameHint')} error=${err('name')} />
        <div class="row">
          <${Field} as="select" id=${fieldId('method')} label=${t('form.method')} value=${form.method} onChange=${set('method')} error=${err('method')}>
            ${METHODS.map((m) => html`<option value=${m}>${m}</option>`)}
          <//>
          <${IntervalField} id=${fieldId('intervalSeconds')} form=${form} update=${update} error=${err('intervalSeconds')} />
        </div>
        ${hasBody && html`<${Field} as="textarea" id=${fieldId('requestBody')} label=${t('form.body')} value=${form.body}
          onInput=${set('body')} rows="4" class="mono" error=${err('requestBody')} />`}
        <${KeyValueRows} field="requestHeaders" legend=${t('form.headers')} rows=${form.headers} onChange=${(rows) => update('headers', rows)}
          keyLabel=${t('form.headerName')} valueLabel=${t('form.headerValue')} addLabel=${t('form.addHeader')} error=${err('requestHeaders')} />
      </fieldset>

      <fieldset class="card">
        <legend>${t('form.when')}</legend>
        <div class="row">
          <${Field} id=${fieldId('requestTimeoutMs')} label=${t('form.timeout')} type="number" min="0.5" max="60" step="0.5" inputmode="decimal"
            value=${form.timeout} onInput=${set('timeout')} error=${err('requestTimeoutMs')} hint=${t('form.timeoutHint')} />
          <${Field} id=${fieldId('responseTimeThresholdMs')} label=${t('form.slow')} type="number" min="1" max="60000" step="1"
            value=${form.slow} onInput=${set('slow')} error=${err('responseTimeThresholdMs')} hint=${t('form.slowHint')} />
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
        <${Field} id=${fieldId('acceptedStatusCodes')} label=${t('form.codes')} value=${form.codes} onInput=${set('codes')}
          hint=${t('form.codesHint')} error=${err('acceptedStatusCodes')} />
        <label class="check"><input type="checkbox" id=${fieldId('followRedirects')} checked=${form.followRedirects} onChange=${set('followRedirects')} />
          ${t('form.followRedirects')}</label>
        <label class="check"><input type="checkbox" id=${fieldId('verifyTls')} checked=${form.verifyTls} onChange=${set('verifyTls')} />
          ${t('form.verifyTls')}</label>
        <div class="row">
          <${Field} as="select" id=${fieldId('assertion')} label=${t('form.assertion')} value=${kind} onChange=${set('assertionKind')} error=${err('assertion')}>
            ${ASSERTIONS.map((a) => html`<option value=${a}>${t('form.assertion.' + a)}</option>`)}
          <//>
          ${kind === 'jsonPointer' && html`<${Field} id="mf-assertionPointer" label=${t('form.pointer')} value=${form.assertionPointer}
            onInput=${set('assertionPointer')} placeholder="/status" class="mono" />`}
        </div>
        ${kind !== 'none' && html`<${Field} id="mf-assertionValue" label=${t(kind === 'jsonPointer' ? 'form.expected' : kind === 'regex' ? 'form.pattern' : 'form.text')}
          value=${form.assertionValue} onInput=${set('assertionValue')} class="mono"
          hint=${kind === 'jsonPointer' ? t('form.expectedHint') : kind === 'regex' ? t('form.patternHint') : null} />`}
        <${Field} id=${fieldId('tlsExpiryWarningDays')} label=${t('form.tlsDays')} type="number" min="0" max="365" step="1"
          value=${form.tlsDays} onInput=${set('tlsDays')} error=${err('tlsExpiryWarningDays')} hint=${t('form.tlsDaysHint')} />
      </fieldset>

      <fieldset class="card">
        <legend>${t('form.tags')}</legend>
        <p class="hint">${t('form.tagsHint')}</p>
        <${KeyValueRows} field="metadata" legend=${t('form.tags')} hideLegend rows=${form.tags} onChange=${(rows) => update('tags', rows)}
          keyLabel=${t('form.tagKey')} valueLabel=${t('form.tagValue')} addLabel=${t('form.addTag')} error=${err('metadata')} />
      </fieldset>

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
