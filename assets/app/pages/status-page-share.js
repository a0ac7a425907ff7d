// A status page's share links: each opens the private page to someone outside the organization.
// The secret URL is shown once, right after creation, with a copy button; revoking shuts it.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, CopyButton, Field, Time, errorText, useAction, useLoad } from '../components.js';
import { pagePath } from './status-page-parts.js';

export function ShareLinks({ pageId, visibility }) {
  const links = useLoad(() => api('GET', pagePath(pageId) + '/share-links'), [pageId]);
  const [label, setLabel] = useState('');
  const [made, setMade] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, invalid: null });
  const [confirm, setConfirm] = useState(null);

  const create = async (e) => {
    e.preventDefault();
    if (!label.trim()) { setState({ busy: false, error: null, invalid: t('sp.shareLabelRequired') }); return; }
    setState({ busy: true, error: null, invalid: null });
    try {
      setMade(await api('POST', pagePath(pageId) + '/share-links', { label: label.trim() }));
      setLabel('');
      setState({ busy: false, error: null, invalid: null });
      links.reload();
    } catch (error) {
      setState({ busy: false, error, invalid: null });
    }
  };
  const action = useAction(() => { setConfirm(null); links.reload(); });
  const revoke = () => action.act(() => api('DELETE', `${pagePath(pageId)}/share-links/${encodeURIComponent(confirm.id)}`));
  // The server may give a path: the link is for someone else, so it must be absolute.
  const full = made && (made.url.startsWith('/') ? location.origin + made.url : made.url);
  return html`
    <section class="card" aria-labelledby="sp-share-title" data-testid="share-links">
      <h2 id="sp-share-title">${t('sp.share')}</h2>
      <p class="muted">${visibility === 'private' ? t('sp.shareIntro') : t('sp.sharePublic')}</p>
      ${made && html`
        <div class="alert alert-success" role="status" data-testid="share-secret">
          <p class="strong">${t('sp.shareOnce')}</p>
          <dl class="secret"><dt>${t('sp.shareUrl')}</dt>
            <dd><code data-copy=${full}>${full}</code><${CopyButton} text=${full} label=${t('sp.shareCopy')} /></dd></dl>
          <button type="button" class="secondary small" onClick=${() => setMade(null)}>${t('sp.shareDone')}</button>
        </div>`}
      <form class="sp-share-form" onSubmit=${create} novalidate>
        <${Field} id="sp-share-label" label=${t('sp.shareLabel')} value=${label} maxlength="100" class="grow"
          onInput=${(e) => setLabel(e.currentTarget.value)} error=${state.invalid} />
        <button type="submit" disabled=${state.busy}>${t('sp.shareCreate')}</button>
      </form>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <${Async} state=${links} retry=${links.reload}>${(data) => (data.items.length === 0
        ? html`<p class="muted">${t('sp.shareEmpty')}</p>`
        : html`<ul class="deps-list" data-testid="share-link-list">${data.items.map((l) => html`
          <li key=${l.id} data-testid="share-link">
            <span class="strong">${l.label}</span>
            <span class="muted small">${t('sp.shareCreated')} <${Time} iso=${l.createdAt} />${' · '}${l.lastUsedAt
              ? html`${t('sp.shareUsed')} <${Time} iso=${l.lastUsedAt} />` : t('sp.shareNeverUsed')}</span>
            ${l.revokedAt ? html`<span class="pill pill-neutral">${t('sp.shareRevoked')}</span>`
              : html`<button type="button" class="secondary small" onClick=${() => setConfirm(l)}>${t('sp.revoke')}</button>`}
          </li>`)}</ul>`)}<//>
      ${confirm && html`<${ConfirmDialog} title=${t('sp.revokeTitle')} text=${t('sp.revokeText', { label: confirm.label })}
        confirmLabel=${t('sp.revoke')} onConfirm=${revoke} busy=${action.busy} error=${action.error}
        onCancel=${() => { setConfirm(null); action.reset(); }} />`}
    </section>`;
}
