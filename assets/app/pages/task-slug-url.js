// The task's ping URL in its slug form, `/ping/<organization key>/<task id>` (Healthchecks'
// form: one key for every task of the organization, each named by its id; `?create=1` makes a
// task on its first ping). Shown on the task page under its own ping URL; editors make or
// replace the organization's key here. Texts in messages-pings.js.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, errorText, useLoad } from '../components.js';
import { can } from '../monitoring.js';

export function SlugUrl({ task, profile }) {
  const key = useLoad(() => api('GET', '/task-ping-key'), []);
  return html`
    <div class="slug-url" data-testid="slug-url">
      <p class="small">${t('pings.slugText')}</p>
      <${Async} state=${key} retry=${key.reload}>${(data) => html`
        ${data.pingKey
          ? html`<div class="ping-url"><span class="strong">${t('pings.slugUrl')}</span> <code data-testid="slug-ping-url">${`${location.origin}/ping/${data.pingKey}/${encodeURIComponent(task.id)}`}</code></div>
            <p class="small muted">${t('pings.orgKey')} <code data-testid="org-ping-key">${data.pingKey}</code></p>`
          : html`<p class="small muted">${t('pings.noOrgKey')}</p>`}
        ${can(profile, 'writeTasks') && html`<${MakeKey} exists=${Boolean(data.pingKey)} onDone=${key.reload} />`}`}
      <//>
    </div>`;
}

/** Makes the organization's key, or replaces it after a confirmation (old slug URLs stop). */
function MakeKey({ exists, onDone }) {
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState({ busy: false, error: null });
  const make = async () => {
    setState({ busy: true, error: null });
    try {
      await api('POST', '/task-ping-key');
      await onDone();
      setAsking(false);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const label = exists ? t('pings.regenerate') : t('pings.make');
  return html`
    <div class="regenerate">
      <button type="button" class="secondary" disabled=${state.busy}
        onClick=${() => (exists ? setAsking(true) : make())}>${label}</button>
      ${state.error && !asking && html`<${Alert}>${errorText(state.error)}<//>`}
      ${asking && html`<${ConfirmDialog} title=${t('pings.regenerateTitle')} text=${t('pings.regenerateText')}
        confirmLabel=${label} busy=${state.busy} error=${state.error} onConfirm=${make}
        onCancel=${() => { setAsking(false); setState({ busy: false, error: null }); }} />`}
    </div>`;
}
