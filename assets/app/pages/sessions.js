// The "Sessions" section of My account: where the account is signed in, and ending sessions
// (one, or all but this browser). An ended session's browser is refused at its next request.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, Time, errorText, useAction, useLoad } from '../components.js';

export function SessionsSection() {
  const sessions = useLoad(() => api('GET', '/users/me/sessions'));
  const [ending, setEnding] = useState(null);
  const [ended, setEnded] = useState(null);
  const others = useAction(() => sessions.reload());
  const endOthers = () => others.act(async () => setEnded((await api('DELETE', '/users/me/sessions')).ended));

  return html`
    <section class="card" id="sessions" aria-labelledby="sessions-title">
      <h2 id="sessions-title">${t('sessions.title')}</h2>
      <p>${t('sessions.intro')}</p>
      <${Async} state=${sessions} retry=${sessions.reload}>
        ${(data) => html`
          <ul class="token-list session-list">
            ${data.items.map((s) => html`<${SessionRow} key=${s.id} session=${s} onEnd=${setEnding} />`)}
          </ul>
          ${data.items.length > 1
            ? html`<button type="button" class="secondary" onClick=${endOthers} disabled=${others.busy}>${t('sessions.endOthers')}</button>`
            : html`<p class="muted">${t('sessions.onlyThis')}</p>`}`}
      <//>
      ${others.error && html`<${Alert}>${errorText(others.error)}<//>`}
      ${ended !== null && html`<${Alert} kind="success">${t('sessions.endedOthers', { count: ended })}<//>`}
      ${ending && html`<${EndDialog} session=${ending} onClose=${(done) => { setEnding(null); if (done) sessions.reload(); }} />`}
    </section>`;
}

/**
 * The server's label in the user's language: it is made of product names and the words "on",
 * "A browser" and "Unknown browser" only (accounts/browser.rs).
 */
function browserLabel(label) {
  if (label === 'Unknown browser') return t('sessions.unknownBrowser');
  const [, browser, system] = /^(.*) on (.*)$/.exec(label) || [];
  if (!system) return label;
  return browser === 'A browser' ? t('sessions.aBrowserOn', { system }) : t('sessions.browserOn', { browser, system });
}

function SessionRow({ session: raw, onEnd }) {
  const session = { ...raw, browser: browserLabel(raw.browser) };
  const address = session.address || t('sessions.unknownAddress');
  return html`
    <li class=${session.current ? 'session current' : 'session'} data-testid="session-row">
      <div class="token-head">
        <strong>${session.browser}</strong>
        ${session.current && html`<span class="badge">${t('sessions.current')}</span>`}
        ${!session.current && html`
          <button type="button" class="danger small" onClick=${() => onEnd(raw)}
            aria-label=${t('sessions.endLabel', { browser: session.browser, address })}>${t('sessions.end')}</button>`}
      </div>
      <dl class="token-facts">
        <div><dt>${t('sessions.address')}</dt><dd>${address}</dd></div>
        <div><dt>${t('sessions.created')}</dt><dd><${Time} iso=${session.createdAt} absolute /></dd></div>
        <div><dt>${t('sessions.lastSeen')}</dt><dd><${Time} iso=${session.lastSeenAt} /></dd></div>
      </dl>
    </li>`;
}

function EndDialog({ session, onClose }) {
  const action = useAction(() => onClose(true));
  const confirm = () => action.act(() => api('DELETE', `/users/me/sessions/${encodeURIComponent(session.id)}`));
  return html`<${ConfirmDialog} title=${t('sessions.confirmTitle')} text=${t('sessions.confirmText', { browser: browserLabel(session.browser) })}
    confirmLabel=${t('sessions.confirm')} onConfirm=${confirm} onCancel=${() => onClose(false)} busy=${action.busy} error=${action.error} />`;
}
