// The webhook form's "Custom body" section: a method, a content type and a template whose
// {{placeholders}} name the documented payload's fields (src/notify/channels/webhook_template.rs
// keeps the same list, refuses other names and escapes each value for the content type).
// Off, the webhook sends its documented JSON payload and `template` is null.
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { Field } from '../components.js';

export const TEMPLATE_FIELDS = [
  'id', 'event', 'occurredAt', 'organization.name', 'subject', 'text',
  'incident.id', 'incident.title', 'incident.status', 'incident.priority', 'incident.createdAt', 'incident.resolvedAt',
  'incident.acknowledgedBy', 'incident.url', 'source.type', 'source.id', 'source.name', 'source.url',
  'digest.count', 'digest.url', 'digest.titles',
];

const METHODS = ['POST', 'PUT', 'PATCH'];
const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/xml'];

/** What each content type's template looks like, shown until the user writes one. */
const EXAMPLES = {
  'application/json': '{"title": "{{incident.title}}", "status": "{{incident.status}}", "link": "{{incident.url}}"}',
  'application/x-www-form-urlencoded': 'title={{incident.title}}&status={{incident.status}}&link={{incident.url}}',
  'text/plain': '{{subject}}\n{{incident.url}}',
  'application/xml': '<alert><title>{{incident.title}}</title><link>{{incident.url}}</link></alert>',
};

/** How the form reads `config.template` and writes it back (see TYPES in channel-kinds.js). */
export const TEMPLATE_TYPE = {
  read: (v) => ({ on: Boolean(v), method: v?.method || 'POST', contentType: v?.contentType || 'application/json', body: v?.body || '' }),
  write: (v) => (v.on ? { method: v.method, contentType: v.contentType, body: v.body } : null),
};

/** The section; `fieldId` names controls as the form does, so a server 422 finds them. */
export function TemplateField({ value, onChange, err, fieldId }) {
  const set = (key) => (e) => {
    const input = e.currentTarget;
    onChange({ ...value, [key]: input.type === 'checkbox' ? input.checked : input.value });
  };
  const bodyId = fieldId('config.template.body');
  /** Puts `{{name}}` where the cursor is in the template (at its end without a cursor). */
  const insert = (name) => {
    const area = document.getElementById(bodyId);
    const at = area ? area.selectionStart : value.body.length;
    const end = area ? area.selectionEnd : at;
    onChange({ ...value, body: value.body.slice(0, at) + `{{${name}}}` + value.body.slice(end) });
  };
  const options = (list) => list.map((v) => html`<option value=${v} key=${v}>${v}</option>`);
  return html`
    <fieldset class="webhook-template">
      <legend>${t('tpl.title')}</legend>
      <label class="check"><input type="checkbox" id=${fieldId('config.template')} checked=${value.on} onChange=${set('on')} /> ${t('tpl.on')}</label>
      ${!value.on && html`<p class="hint small">${t('tpl.off')}</p>`}
      ${value.on && html`
        <div class="row">
          <${Field} as="select" id=${fieldId('config.template.method')} label=${t('tpl.method')} value=${value.method}
            onChange=${set('method')} error=${err('config.template.method')}>${options(METHODS)}<//>
          <${Field} as="select" id=${fieldId('config.template.contentType')} label=${t('tpl.contentType')} value=${value.contentType}
            onChange=${set('contentType')} error=${err('config.template.contentType')}>${options(CONTENT_TYPES)}<//>
        </div>
        <${Field} as="textarea" id=${bodyId} class="mono" label=${t('tpl.body')} value=${value.body} onInput=${set('body')} rows="7"
          spellcheck=${false} placeholder=${EXAMPLES[value.contentType]} maxlength="16384"
          hint=${t('tpl.escaping.' + value.contentType)} error=${err('config.template.body') || err('config.template')} />
        <div class="template-fields">
          <p class="small">${t('tpl.fields')}</p>
          <ul>
            ${TEMPLATE_FIELDS.map((name) => html`
              <li key=${name}><button type="button" class="secondary small mono" onClick=${() => insert(name)}
                aria-label=${t('tpl.insert', { name })}>${`{{${name}}}`}</button></li>`)}
          </ul>
        </div>`}
    </fieldset>`;
}
