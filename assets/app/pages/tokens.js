// The "API tokens" section of My account: list, create (secret shown once), delete.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, CopyButton, Field, errorText, useLoad } from '../components.js';

/** yyyy-mm-dd of a local date. */
function isoDate(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function addDays(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return d;
}

/** The same calendar day next year (29 February → 28 February), as the server counts it. */
export function sameDayNextYear(today = new Date()) {
  const d = new Date(today.getFullYear() + 1, today.getMonth(), today.getDate());
  if (d.getMonth() !== today.getMonth()) d.setDate(0);
  return d;
}

/** End of the picked day in the user's time zone, with its UTC offset (RFC 3339). */
function endOfDay(dateString) {
  const [y, m, d] = dateString.split('-').map(Number);
  const local = new Date(y, m - 1, d, 23, 59, 59);
  const offset = -local.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${dateString}T23:59:59${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

export function TokensSection() {
  const tokens = useLoad(() => api('GET', '/api-tokens'));
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState(null);
  const [deleting, setDeleting] = useState(null);

  const created = (token) => {
    setCreating(false);
    setIssued(token);
    tokens.reload();
  };
  return html`
    <section class="card" id="api-tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">${t('tokens.title')}</h2>
      <p>${t('tokens.intro')}</p>
      <${Alert} kind="warning">${t('tokens.warning')}<//>
      ${issued && html`<${IssuedToken} token=${issued} onDone=${() => setIssued(null)} />`}
      ${creating
        ? html`<${CreateForm} onCreated=${created} onCancel=${() => setCreating(false)} />`
        : !issued && html`<button type="button" onClick=${() => setCreating(true)}>${t('tokens.create')}</button>`}
      <${Async} state=${tokens} retry=${tokens.reload}>
        <${TokenList} tokens=${tokens.data?.apiTokens || []} onDelete=${setDeleting} />
      <//>
      ${deleting && html`<${DeleteDialog} token=${deleting} onClose=${(done) => { setDeleting(null); if (done) tokens.reload(); }} />`}
    </section>`;
}

function CreateForm({ onCreated, onCancel }) {
  const min = isoDate(addDays(1));
  const max = isoDate(sameDayNextYear());
  const [label, setLabel] = useState('');
  const [expiry, setExpiry] = useState(isoDate(addDays(90)));
  const [state, setState] = useState({ busy: false, error: null });

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      onCreated(await api('POST', '/api-tokens', { label, expiresAt: endOfDay(expiry) }));
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <form class="subcard" onSubmit=${submit}>
      <${Field} label=${t('tokens.label')} value=${label} onInput=${(e) => setLabel(e.currentTarget.value)}
        required maxlength="100" hint=${t('tokens.labelHint')} autofocus />
      <${Field} label=${t('tokens.expiresAt')} type="date" value=${expiry} min=${min} max=${max}
        onInput=${(e) => setExpiry(e.currentTarget.value)} required hint=${t('tokens.expiresHint')} />
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${onCancel}>${t('tokens.cancel')}</button>
        <button type="submit" disabled=${state.busy || !label.trim() || !expiry}>${t('tokens.submit')}</button>
      </div>
    </form>`;
}

function IssuedToken({ token, onDone }) {
  const example = `curl "${location.origin}/users/me" \\\n  -H "X-Api-Token-Id: ${token.id}" \\\n  -H "X-Api-Token-Secret-Key: ${token.secretKey}"`;
  return html`
    <div class="subcard issued" role="region" aria-labelledby="issued-title">
      <h3 id="issued-title">${t('tokens.newTitle')} — ${token.label}</h3>
      <${Alert} kind="warning">${t('tokens.shownOnce')}<//>
      <dl class="secret">
        <dt>${t('tokens.id')}</dt>
        <dd><code data-testid="issued-id" data-copy=${token.id}>${token.id}</code> <${CopyButton} text=${token.id} label=${t('tokens.copy') + ' ' + t('tokens.id')} /></dd>
        <dt>${t('tokens.secret')}</dt>
        <dd><code data-testid="issued-secret" data-copy=${token.secretKey}>${token.secretKey}</code> <${CopyButton} text=${token.secretKey} label=${t('tokens.copy') + ' ' + t('tokens.secret')} /></dd>
      </dl>
      <p>${t('tokens.example')}</p>
      <pre class="example"><code>${example}</code></pre>
      <button type="button" onClick=${onDone}>${t('tokens.done')}</button>
    </div>`;
}

function TokenList({ tokens, onDelete }) {
  if (!tokens.length) return html`<p class="muted">${t('tokens.empty')}</p>`;
  const now = Date.now();
  return html`
    <ul class="token-list">
      ${tokens.map((token) => {
        const expired = new Date(token.expiresAt).getTime() <= now;
        return html`
          <li key=${token.id} class=${expired ? 'expired' : ''} data-testid="token-row">
            <div class="token-head">
              <strong>${token.label}</strong>
              ${expired && html`<span class="badge">${t('tokens.expired')}</span>`}
              <button type="button" class="danger small" onClick=${() => onDelete(token)}
                aria-label=${t('tokens.deleteLabel', { label: token.label })}>${t('tokens.delete')}</button>
            </div>
            <dl class="token-facts">
              <div><dt>${t('tokens.id')}</dt><dd><code>${token.id}</code></dd></div>
              <div><dt>${t('tokens.created')}</dt><dd>${formatDateTime(token.createdAt)}</dd></div>
              <div><dt>${t('tokens.expires')}</dt><dd>${formatDateTime(token.expiresAt)}</dd></div>
              <div><dt>${t('tokens.lastUsed')}</dt><dd>${token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t('tokens.never')}</dd></div>
            </dl>
          </li>`;
      })}
    </ul>`;
}

function DeleteDialog({ token, onClose }) {
  const [state, setState] = useState({ busy: false, error: null });
  const confirm = async () => {
    setState({ busy: true, error: null });
    try {
      await api('DELETE', `/api-tokens/${encodeURIComponent(token.id)}`);
      onClose(true);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<${ConfirmDialog} title=${t('tokens.confirmTitle')} text=${t('tokens.confirmText', { label: token.label })}
    confirmLabel=${t('tokens.confirm')} onConfirm=${confirm} onCancel=${() => onClose(false)} busy=${state.busy} error=${state.error} />`;
}
