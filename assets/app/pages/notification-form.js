// Add or edit a notification channel: the kind first (it cannot change later), then the fields
// that kind needs, rendered from its entry in channel-kinds.js. Cheap checks run in the browser; the server's 422 ("config.url: problem") is
// shown next to the field it names, which gets the focus.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, CopyButton, Field, errorText, useId, useLoad } from '../components.js';
import { useForm } from '../forms.js';
import { KeyValueRows } from './monitor-form-parts.js';
import { KindBadge, KindIcon } from './notification-parts.js';
import { CHANNEL_KINDS, KINDS, configOf, fieldErrors, formValues } from './channel-kinds.js';
import { channelPath } from './notification-channel.js';
import { TemplateField } from './webhook-template.js';
import { MembersField } from './members-field.js';
import { PERSONAL_KINDS } from './escalation-parts.js';

/** Ids of the controls, by the API field they set ("config.url" → "nf-config-url"). */
const fieldId = (field) => 'nf-' + field.replace(/\./g, '-');

export function ChannelFormPage({ params }) {
  if (params.id) return html`<${EditChannel} id=${params.id} />`;
  return html`<main><${Back} /><h1>${t('notif.newTitle')}</h1><${ChannelForm} initial=${fromChannel({ kind: KINDS[0], config: {} })} /></main>`;
}

function EditChannel({ id }) {
  const channel = useLoad(() => api('GET', channelPath(id)), [id]);
  return html`
    <main>
      <${Back} id=${id} />
      <h1>${t('notif.editTitle')}</h1>
      <${Async} state=${channel} retry=${channel.reload}>
        ${(c) => html`<${ChannelForm} key=${c.id} id=${c.id} initial=${fromChannel(c)} />`}
      <//>
    </main>`;
}

function Back({ id }) {
  const href = id ? `${BASE}/notifications/${encodeURIComponent(id)}` : `${BASE}/notifications`;
  return html`<p class="back"><a href=${href} onClick=${linkClick}><span aria-hidden="true">← </span>${id ? t('notif.backToChannel') : t('notif.title')}</a></p>`;
}

function fromChannel({ name = '', kind, enabled = true, config, personal = false }) {
  return { name, kind, enabled, personal, ...formValues(config) };
}

/** Errors found without asking the server, by API field (in form order). */
function validate(f) {
  const e = {};
  if (!f.name.trim()) e.name = t('notif.error.name');
  return { ...e, ...fieldErrors(f.kind, f) };
}

/**
 * The field a server 422 names, with its problem: "config.recipients[1]: …" lands on the
 * recipients, "config.headers.bad name: is not…" on the headers as "“bad name” is not…".
 */
function serverFieldError(error) {
  const match = error.status === 422 && /^([\w.[\]-]+(?: [^:]*)?):\s*(.*)$/s.exec(error.message || '');
  if (!match) return null;
  const parts = match[1].replace(/\[\d+\]/g, '').split('.');
  for (let n = parts.length; n > 0; n--) {
    const field = parts.slice(0, n).join('.');
    const rest = parts.slice(n).join('.');
    if (document.getElementById(fieldId(field))) return [field, (rest ? `“${rest}” ` : '') + (match[2] || error.message)];
  }
  return null;
}

/** The field's control, or in a group of them the first one marked invalid (else the first one). */
function focusField(field) {
  const el = document.getElementById(fieldId(field));
  if (!el) return;
  (el.matches('input, select, textarea') ? el : el.querySelector('input[aria-invalid="true"]') || el.querySelector('input') || el).focus();
}

/** 24 random bytes as hex (48 characters). */
function randomSecret() {
  return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function ChannelForm({ id, initial }) {
  const save = async (f) => {
    const body = { name: f.name.trim(), enabled: f.enabled, config: configOf(f.kind, f),
      ...(PERSONAL_KINDS.includes(f.kind) && { personal: f.personal }) };
    const saved = id ? await api('PATCH', channelPath(id), body) : await api('POST', '/notification-channels', { ...body, kind: f.kind });
    navigate(`${BASE}/notifications/${encodeURIComponent(saved.id)}`);
  };
  const { form, set, update, errors, setErrors, err, state, submit } = useForm(initial, {
    validate, save, fieldError: serverFieldError, focus: focusField,
  });
  const props = { form, set, update, err };
  return html`
    <form class="channel-form" onSubmit=${submit} novalidate>
      ${id ? html`<p class="kind-line"><span class="strong">${t('notif.kind')}</span>${t('app.colon')}<${KindBadge} kind=${form.kind} /></p>`
        : html`<${KindPicker} kind=${form.kind} onPick=${(kind) => { update('kind', kind); setErrors({}); }} />`}
      <fieldset class="card">
        <legend>${t('notif.where', { kind: t('notif.kind.' + form.kind) })}</legend>
        <${Field} id=${fieldId('name')} label=${t('notif.name')} value=${form.name} onInput=${set('name')} maxlength="100" required
          hint=${t('notif.nameHint')} error=${err('name')} autocomplete="off" />
        <${KindFields} key=${form.kind} ...${props} />
        <label class="check"><input type="checkbox" checked=${form.enabled} onChange=${set('enabled')} /> ${t('notif.enabled')}</label>
        ${PERSONAL_KINDS.includes(form.kind) && html`<label class="check"><input type="checkbox" checked=${form.personal}
          onChange=${set('personal')} /> ${t('channel.personal')}</label>`}
      </fieldset>
      ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <a class="button secondary" href=${id ? `${BASE}/notifications/${encodeURIComponent(id)}` : `${BASE}/notifications`} onClick=${linkClick}>${t('tokens.cancel')}</a>
        <button type="submit" disabled=${state.busy}>${id ? t('form.save') : t('notif.create')}</button>
      </div>
    </form>`;
}

/** The kinds as large radio buttons, each with its icon and what it is for. */
function KindPicker({ kind, onPick }) {
  return html`
    <fieldset class="card kind-picker">
      <legend>${t('notif.kind')}</legend>
      <div class="kind-options">
        ${KINDS.map((k) => html`
          <label class=${'kind-option' + (k === kind ? ' checked' : '')} key=${k}>
            <input type="radio" name="channel-kind" value=${k} checked=${k === kind} onChange=${() => onPick(k)} />
            <span class="kind-option-name"><${KindIcon} kind=${k} />${t('notif.kind.' + k)}</span>
            <span class="kind-option-text">${t('notif.kindHint.' + k)}</span>
          </label>`)}
      </div>
    </fieldset>`;
}

/** The fields of the form's kind, in order; consecutive `row` fields side by side. */
function KindFields(props) {
  const { fields, Extra } = CHANNEL_KINDS[props.form.kind];
  const out = [];
  for (let i = 0; i < fields.length; i++) {
    if (fields[i].row) {
      const row = [];
      while (i < fields.length && fields[i].row) row.push(fields[i++]);
      i--;
      out.push(html`<div class="row" key=${row[0].name}>${row.map((field) => html`<${KindField} key=${field.name} field=${field} ...${props} />`)}</div>`);
    } else {
      out.push(html`<${KindField} key=${fields[i].name} field=${fields[i]} ...${props} />`);
    }
  }
  return html`${out}${Extra && html`<${Extra} />`}`;
}

function KindField({ field, form, set, update, err }) {
  const name = field.name;
  const error = err('config.' + name);
  switch (field.type) {
    case 'list': return html`<${ListField} field=${field} list=${form[name]} onChange=${(list) => update(name, list)} error=${error} />`;
    case 'members': return html`<${MembersField} id=${fieldId('config.' + name)} label=${field.label} value=${form[name]} onChange=${(v) => update(name, v)} error=${error} />`;
    case 'template': return html`<${TemplateField} value=${form[name]} onChange=${(v) => update(name, v)} err=${err} fieldId=${fieldId} />`;
    case 'checkbox': return html`<label class="check"><input type="checkbox" checked=${form[name]} onChange=${set(name)} /> ${t(field.label)}</label>`;
    case 'headers': return html`
      <div id=${fieldId('config.' + name)}>
        <${KeyValueRows} field=${'config.' + name} legend=${t(field.label)} rows=${form[name]} onChange=${(r) => update(name, r)}
          keyLabel=${t('form.headerName')} valueLabel=${t('form.headerValue')} addLabel=${t('form.addHeader')} error=${error} />
      </div>`;
    case 'generatedSecret': return html`<${SecretField} id=${fieldId('config.' + name)} label=${t(field.label)} hint=${t(field.hint)}
      value=${form[name]} onInput=${set(name)} onGenerate=${() => update(name, randomSecret())} error=${error} />`;
    default: return html`<${Field} id=${fieldId('config.' + name)} label=${t(field.label)} type=${field.type === 'url' ? 'url' : undefined}
      value=${form[name]} onInput=${set(name)} class="mono" placeholder=${field.placeholder} autocomplete="off" spellcheck=${false}
      maxlength=${field.maxlength} error=${error} hint=${field.hint && t(field.hint)} />`;
  }
}

/** A list of one-line values (addresses, numbers), one input each, with add and remove buttons. */
function ListField({ field, list, onChange, error }) {
  const base = useId('rcpt');
  const { item } = field;
  const change = (i) => (e) => onChange(list.map((r, j) => (j === i ? e.currentTarget.value : r)));
  return html`
    <fieldset class="kv recipients" id=${fieldId('config.' + field.name)} aria-describedby=${error ? base + '-error' : undefined}>
      <legend>${t(field.label)}</legend>
      ${list.map((r, i) => html`
        <div class="recipient-row" key=${i}>
          <label class="visually-hidden" for=${`${base}-${i}`}>${t(item.itemLabel, { n: i + 1 })}</label>
          <input id=${`${base}-${i}`} type=${item.type} value=${r} onInput=${change(i)} placeholder=${item.placeholder} autocomplete="off"
            aria-invalid=${error && r.trim() && !item.valid(r) ? 'true' : undefined} />
          ${list.length > 1 && html`<button type="button" class="secondary small" aria-label=${t(item.removeLabel, { n: i + 1 })}
            onClick=${() => onChange(list.filter((_, j) => j !== i))}>✕</button>`}
        </div>`)}
      <button type="button" class="secondary small" onClick=${() => onChange([...list, ''])}>+ ${t(item.addLabel)}</button>
      ${error && html`<small id=${base + '-error'} class="field-error" role="alert">${error}</small>`}
    </fieldset>`;
}

/** A secret with "Generate" and "Copy" beside the input (below it on a phone). */
function SecretField({ id, label, hint, value, onInput, onGenerate, error }) {
  const describedBy = [id + '-hint', error && id + '-error'].filter(Boolean).join(' ');
  return html`
    <div class="field secret-field">
      <label for=${id}>${label}</label>
      <div class="input-buttons mono">
        <input id=${id} value=${value} onInput=${onInput} autocomplete="off" spellcheck=${false} aria-describedby=${describedBy}
          aria-invalid=${error ? 'true' : undefined} />
        <button type="button" class="secondary small" onClick=${onGenerate}>${t('notif.generate')}</button>
        ${value && html`<${CopyButton} text=${value} label=${t('tokens.copy') + ': ' + label} />`}
      </div>
      <small id=${id + '-hint'} class="hint">${hint}</small>
      ${error && html`<small id=${id + '-error'} class="field-error" role="alert">${error}</small>`}
    </div>`;
}
