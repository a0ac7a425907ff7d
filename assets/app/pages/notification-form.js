// Add or edit a notification channel: the kind first (it cannot change later), then the fields
// that kind needs. Cheap checks run in the browser; the server's 422 ("config.url: problem") is
// shown next to the field it names, which gets the focus.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, CopyButton, Field, errorText, useId, useLoad } from '../components.js';
import { useForm } from '../forms.js';
import { KeyValueRows } from './monitor-form-parts.js';
import { KINDS, KindBadge, KindIcon } from './notification-parts.js';
import { channelPath } from './notification-channel.js';

const NTFY = 'https://ntfy.sh';
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

const rows = (object) => Object.entries(object || {}).map(([k, v]) => ({ k, v }));

function fromChannel({ name = '', kind, enabled = true, config: c }) {
  return {
    name, kind, enabled,
    recipients: c.recipients && c.recipients.length ? c.recipients : [''], allMembers: Boolean(c.allMembers),
    url: c.url || '', headers: rows(c.headers), secret: c.secret || '',
    webhookUrl: c.webhookUrl || '', serverUrl: c.serverUrl || NTFY, topic: c.topic || '', token: c.token || '',
  };
}

function toConfig(f) {
  switch (f.kind) {
    case 'email': return { recipients: f.recipients.map((r) => r.trim()).filter(Boolean), allMembers: f.allMembers };
    case 'webhook': return {
      url: f.url.trim(),
      headers: Object.fromEntries(f.headers.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v])),
      secret: f.secret.trim() || null,
    };
    case 'ntfy': return { serverUrl: f.serverUrl.trim() || NTFY, topic: f.topic.trim(), token: f.token.trim() || null };
    default: return { webhookUrl: f.webhookUrl.trim() };
  }
}

const isAddress = (text) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());

function httpUrl(text) {
  try {
    const u = new URL(text.trim());
    return ['http:', 'https:'].includes(u.protocol) && Boolean(u.hostname);
  } catch { return false; }
}

/** Errors found without asking the server, by API field (in form order). */
function validate(f) {
  const e = {};
  if (!f.name.trim()) e.name = t('notif.error.name');
  if (f.kind === 'email') {
    const list = f.recipients.map((r) => r.trim()).filter(Boolean);
    const bad = list.find((r) => !isAddress(r));
    if (bad) e['config.recipients'] = t('notif.error.address', { address: bad });
    else if (!list.length && !f.allMembers) e['config.recipients'] = t('notif.error.recipients');
  }
  if (f.kind === 'webhook') {
    if (!httpUrl(f.url)) e['config.url'] = t('form.error.url');
    if (f.headers.some((r) => !r.k.trim() && r.v.trim())) e['config.headers'] = t('form.error.rowKey');
    if (f.secret.trim() && f.secret.trim().length < 16) e['config.secret'] = t('notif.error.secret');
  }
  if ((f.kind === 'slack' || f.kind === 'discord') && !httpUrl(f.webhookUrl)) e['config.webhookUrl'] = t('form.error.url');
  if (f.kind === 'ntfy') {
    if (f.serverUrl.trim() && !httpUrl(f.serverUrl)) e['config.serverUrl'] = t('form.error.url');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(f.topic.trim())) e['config.topic'] = t('notif.error.topic');
  }
  return e;
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
    const body = { name: f.name.trim(), enabled: f.enabled, config: toConfig(f) };
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
        ${form.kind === 'email' && html`<${EmailFields} ...${props} />`}
        ${form.kind === 'webhook' && html`<${WebhookFields} ...${props} />`}
        ${(form.kind === 'slack' || form.kind === 'discord') && html`
          <${Field} id=${fieldId('config.webhookUrl')} label=${t('notif.webhookUrl')} type="url" value=${form.webhookUrl}
            onInput=${set('webhookUrl')} class="mono" autocomplete="off" spellcheck=${false} error=${err('config.webhookUrl')}
            placeholder=${form.kind === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://discord.com/api/webhooks/…'}
            hint=${t('notif.' + form.kind + 'Hint')} />`}
        ${form.kind === 'ntfy' && html`<${NtfyFields} ...${props} />`}
        <label class="check"><input type="checkbox" checked=${form.enabled} onChange=${set('enabled')} /> ${t('notif.enabled')}</label>
      </fieldset>
      ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <a class="button secondary" href=${id ? `${BASE}/notifications/${encodeURIComponent(id)}` : `${BASE}/notifications`} onClick=${linkClick}>${t('tokens.cancel')}</a>
        <button type="submit" disabled=${state.busy}>${id ? t('form.save') : t('notif.create')}</button>
      </div>
    </form>`;
}

/** The five kinds as large radio buttons, each with its icon and what it is for. */
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

function EmailFields({ form, set, update, err }) {
  const base = useId('rcpt');
  const list = form.recipients;
  const change = (i) => (e) => update('recipients', list.map((r, j) => (j === i ? e.currentTarget.value : r)));
  const error = err('config.recipients');
  return html`
    <fieldset class="kv recipients" id=${fieldId('config.recipients')} aria-describedby=${error ? base + '-error' : undefined}>
      <legend>${t('notif.recipients')}</legend>
      ${list.map((r, i) => html`
        <div class="recipient-row" key=${i}>
          <label class="visually-hidden" for=${`${base}-${i}`}>${t('notif.recipient', { n: i + 1 })}</label>
          <input id=${`${base}-${i}`} type="email" value=${r} onInput=${change(i)} placeholder="oncall@example.com" autocomplete="off"
            aria-invalid=${error && r.trim() && !isAddress(r) ? 'true' : undefined} />
          ${list.length > 1 && html`<button type="button" class="secondary small" aria-label=${t('notif.removeRecipient', { n: i + 1 })}
            onClick=${() => update('recipients', list.filter((_, j) => j !== i))}>✕</button>`}
        </div>`)}
      <button type="button" class="secondary small" onClick=${() => update('recipients', [...list, ''])}>+ ${t('notif.addRecipient')}</button>
      ${error && html`<small id=${base + '-error'} class="field-error" role="alert">${error}</small>`}
    </fieldset>
    <label class="check"><input type="checkbox" checked=${form.allMembers} onChange=${set('allMembers')} /> ${t('notif.allMembers')}</label>
    <p class="hint small">${t('notif.emailHint')}</p>
    <${NoRelayWarning} />`;
}

/** Said before the channel is saved: on a server without an SMTP relay, e-mails never leave. */
function NoRelayWarning() {
  const channels = useLoad(() => api('GET', '/notification-channels'));
  if (channels.data?.emailConfigured !== false) return null;
  return html`<div data-testid="no-relay"><${Alert} kind="warning">${t('notif.noRelay')}<//></div>`;
}

function WebhookFields({ form, set, update, err }) {
  return html`
    <${Field} id=${fieldId('config.url')} label=${t('notif.url')} type="url" value=${form.url} onInput=${set('url')} class="mono"
      placeholder="https://hooks.example.com/dutyduck" autocomplete="off" spellcheck=${false} error=${err('config.url')} hint=${t('notif.urlHint')} />
    <div id=${fieldId('config.headers')}>
      <${KeyValueRows} field="config.headers" legend=${t('notif.headers')} rows=${form.headers} onChange=${(r) => update('headers', r)}
        keyLabel=${t('form.headerName')} valueLabel=${t('form.headerValue')} addLabel=${t('form.addHeader')} error=${err('config.headers')} />
    </div>
    <${SecretField} value=${form.secret} onInput=${set('secret')} onGenerate=${() => update('secret', randomSecret())}
      error=${err('config.secret')} />
    <details class="signature-help">
      <summary>${t('notif.verifyTitle')}</summary>
      <p>${t('notif.verifyText')}</p>
      <pre class="example"><code>${'X-Dutyduck-Signature: t=1764374400,v1=5f1c…\n\nv1 == hex(HMAC-SHA256(secret, t + "." + raw body))'}</code></pre>
      <p class="small">${t('notif.verifyMore')}</p>
    </details>`;
}

/** The signing secret, with "Generate" and "Copy" beside the input (below it on a phone). */
function SecretField({ value, onInput, onGenerate, error }) {
  const id = fieldId('config.secret');
  const describedBy = [id + '-hint', error && id + '-error'].filter(Boolean).join(' ');
  return html`
    <div class="field secret-field">
      <label for=${id}>${t('notif.secret')}</label>
      <div class="input-buttons mono">
        <input id=${id} value=${value} onInput=${onInput} autocomplete="off" spellcheck=${false} aria-describedby=${describedBy}
          aria-invalid=${error ? 'true' : undefined} />
        <button type="button" class="secondary small" onClick=${onGenerate}>${t('notif.generate')}</button>
        ${value && html`<${CopyButton} text=${value} label=${t('tokens.copy') + ': ' + t('notif.secret')} />`}
      </div>
      <small id=${id + '-hint'} class="hint">${t('notif.secretHint')}</small>
      ${error && html`<small id=${id + '-error'} class="field-error" role="alert">${error}</small>`}
    </div>`;
}

function NtfyFields({ form, set, err }) {
  return html`
    <div class="row">
      <${Field} id=${fieldId('config.serverUrl')} label=${t('notif.serverUrl')} type="url" value=${form.serverUrl} onInput=${set('serverUrl')}
        class="mono" autocomplete="off" spellcheck=${false} error=${err('config.serverUrl')} hint=${t('notif.serverHint')} />
      <${Field} id=${fieldId('config.topic')} label=${t('notif.topic')} value=${form.topic} onInput=${set('topic')} class="mono"
        placeholder="ops-alerts" autocomplete="off" spellcheck=${false} maxlength="64" error=${err('config.topic')} hint=${t('notif.topicHint')} />
    </div>
    <${Field} id=${fieldId('config.token')} label=${t('notif.token')} value=${form.token} onInput=${set('token')} class="mono"
      autocomplete="off" spellcheck=${false} error=${err('config.token')} hint=${t('notif.tokenHint')} />`;
}
