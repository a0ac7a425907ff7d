// The "Badge" panel of a monitor's or task's page: its badge key (create, regenerate, delete),
// a preview of every badge, and README-ready snippets (Markdown, HTML, the image URL and
// shields.io's endpoint badge) for the chosen one. The badges are public images anyone with the
// URL can see, so making them is an explicit step.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, errorText, useId, useLoad } from '../components.js';
import { Snippet } from './task-panels.js';

/** The badge URLs' keys (`urls` of `GET …/badge-key`), in the order shown. */
const METRICS = ['status', 'uptime24h', 'uptime7d', 'uptime30d', 'uptime90d', 'responseTime', 'certificate'];

/**
 * `path`: the monitor's or task's API path; `canWrite`: may create, regenerate and delete.
 * Folded until opened: most pages never need their badges, and the key is asked for only then.
 */
export function BadgePanel({ path, name, canWrite }) {
  const [open, setOpen] = useState(false);
  return html`
    <details class="card badge-panel" data-testid="badge-panel" onToggle=${(e) => setOpen(e.currentTarget.open)}>
      <summary><h2>${t('badges.title')}</h2></summary>
      ${open && html`<${BadgeKey} path=${path} name=${name} canWrite=${canWrite} />`}
    </details>`;
}

function BadgeKey({ path, name, canWrite }) {
  // No key is an answer (404), not an error to show.
  const key = useLoad(() => api('GET', `${path}/badge-key`).catch((e) => (e.status === 404 ? { key: null } : Promise.reject(e))), [path]);
  return html`
    <${Async} state=${key} retry=${key.reload}>
      ${(data) => html`
        ${data.key ? html`<${Badges} data=${data} name=${name} />` : html`<p class="muted">${t('badges.none')}</p>`}
        <${KeyActions} path=${path} hasKey=${Boolean(data.key)} canWrite=${canWrite} onDone=${key.reload} />`}
    <//>`;
}

function Badges({ data, name }) {
  const available = METRICS.filter((m) => data.urls[m]);
  const [chosen, setChosen] = useState('status');
  const selectId = useId('badge-metric');
  const metric = available.includes(chosen) ? chosen : 'status';
  const url = location.origin + data.urls[metric];
  const alt = `${name}: ${t('badges.metric.' + metric)}`;
  const endpoint = 'https://img.shields.io/endpoint?url=' + encodeURIComponent(url.replace(/\.svg$/, '.json'));
  return html`
    <p>${t('badges.intro')}</p>
    <ul class="badge-previews" aria-label=${t('badges.previews')}>
      ${available.map((m) => html`
        <li><img src=${data.urls[m]} alt=${t('badges.metric.' + m)} height="20" data-testid=${'badge-' + m} />
          <span class="muted small">${t('badges.metric.' + m)}</span></li>`)}
    </ul>
    <div class="field badge-choice">
      <label for=${selectId}>${t('badges.choose')}</label>
      <select id=${selectId} value=${metric} onChange=${(e) => setChosen(e.target.value)}>
        ${available.map((m) => html`<option value=${m}>${t('badges.metric.' + m)}</option>`)}
      </select>
    </div>
    <h3>${t('badges.markdown')}</h3>
    <${Snippet} label=${t('badges.markdown')} testid="badge-markdown" text=${`![${alt}](${url})`} />
    <h3>${t('badges.html')}</h3>
    <${Snippet} label=${t('badges.html')} text=${`<img src="${url}" alt="${alt.replace(/"/g, '&quot;')}" height="20">`} />
    <h3>${t('badges.url')}</h3>
    <${Snippet} label=${t('badges.url')} testid="badge-url" text=${url} />
    <h3>${t('badges.shields')}</h3>
    <p class="small">${t('badges.shieldsText')}</p>
    <${Snippet} label=${t('badges.shields')} text=${`![${alt}](${endpoint})`} />`;
}

/** Create (no key yet), or regenerate and delete, each of the last two behind a confirmation. */
function KeyActions({ path, hasKey, canWrite, onDone }) {
  const [asking, setAsking] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  if (!canWrite) return hasKey ? null : html`<p class="muted small">${t('badges.notAllowed')}</p>`;
  const run = async (method) => {
    setState({ busy: true, error: null });
    try {
      await api(method, `${path}/badge-key`);
      setAsking(null);
      setState({ busy: false, error: null });
      onDone();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const dialogs = {
    regenerate: { title: t('badges.regenerateTitle'), text: t('badges.regenerateText'), confirm: t('badges.regenerate'), method: 'POST' },
    delete: { title: t('badges.deleteTitle'), text: t('badges.deleteText'), confirm: t('badges.delete'), method: 'DELETE' },
  };
  const dialog = asking && dialogs[asking];
  return html`
    <div class="actions">
      ${hasKey
        ? html`
          <button type="button" class="secondary" onClick=${() => setAsking('regenerate')}>${t('badges.regenerate')}</button>
          <button type="button" class="danger" onClick=${() => setAsking('delete')}>${t('badges.delete')}</button>`
        : html`<button type="button" disabled=${state.busy} onClick=${() => run('POST')}>${t('badges.create')}</button>`}
    </div>
    ${state.error && !dialog && html`<${Alert}>${errorText(state.error)}<//>`}
    ${dialog && html`<${ConfirmDialog} title=${dialog.title} text=${dialog.text} confirmLabel=${dialog.confirm}
      busy=${state.busy} error=${state.error} onConfirm=${() => run(dialog.method)}
      onCancel=${() => { setAsking(null); setState({ busy: false, error: null }); }} />`}`;
}
