// Two-factor sign-in in the account page (enrol with a QR code, recovery codes shown once, turn
// off, new codes), the page a member whose organization requires it is sent to, and the Owner's
// requirement toggle (`TwoFactorPolicy`, also mounted on the Team page).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, currentPath, linkClick, navigate } from '../router.js';
import { Alert, Async, CopyButton, Field, errorText, useLoad } from '../components.js';
import { can } from '../monitoring.js';

const ENROL_PAGE = BASE + '/two-factor';
// Any API call refused for want of enrolment (api.js announces it) leads to the enrolment page.
window.addEventListener('dd:two-factor-enrolment-required', () => {
  if (currentPath() !== ENROL_PAGE) navigate(ENROL_PAGE, { replace: true });
});

export function TwoFactorSection({ onEnabled }) {
  const state = useLoad(() => api('GET', '/users/me/two-factor'));
  const [codes, setCodes] = useState(null);
  const shown = (list) => { setCodes(list); state.reload(); };
  return html`
    <section class="card two-factor" aria-labelledby="two-factor-title" id="two-factor">
      <h2 id="two-factor-title">${t('twoFactor.title')}</h2>
      <${Async} state=${state} retry=${state.reload}>${(status) => codes
        ? html`<${RecoveryCodes} codes=${codes} onDone=${() => { setCodes(null); if (onEnabled) onEnabled(); }} />`
        : status.enabled
          ? html`<${Enabled} status=${status} onCodes=${shown} onOff=${state.reload} />`
          : html`<${Enrol} onCodes=${shown} />`}<//>
    </section>`;
}

function Enrol({ onCodes }) {
  const [enrolment, setEnrolment] = useState(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (call) => {
    setBusy(true);
    setError(null);
    try { await call(); } catch (err) { setError(err); }
    setBusy(false);
  };
  const start = () => run(async () => setEnrolment(await api('POST', '/users/me/two-factor')));
  const confirm = (e) => {
    e.preventDefault();
    run(async () => onCodes((await api('POST', '/users/me/two-factor/confirm', { code })).recoveryCodes));
  };
  const message = error && (error.status === 422 ? t('twoFactor.wrongCode') : errorText(error));
  if (!enrolment) {
    return html`
      <p>${t('twoFactor.off')}</p>
      ${message && html`<${Alert}>${message}<//>`}
      <button type="button" onClick=${start} disabled=${busy}>${t('twoFactor.enable')}</button>`;
  }
  const qr = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(enrolment.qrSvg);
  return html`
    <form onSubmit=${confirm}>
      <p>${t('twoFactor.scan')}</p>
      <img class="two-factor-qr" src=${qr} alt=${t('twoFactor.qrAlt')} width="200" height="200" />
      <p>${t('twoFactor.manual')}</p>
      <p class="two-factor-key"><code data-copy=${enrolment.secret} data-testid="two-factor-secret">${enrolment.secret}</code>
        <${CopyButton} text=${enrolment.secret} label=${t('twoFactor.copyKey')} /></p>
      <${Field} label=${t('twoFactor.code')} value=${code} onInput=${(e) => setCode(e.currentTarget.value)}
        required inputmode="numeric" autocomplete="one-time-code" />
      ${message && html`<${Alert}>${message}<//>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => { setEnrolment(null); setError(null); }}>${t('twoFactor.cancel')}</button>
        <button type="submit" disabled=${busy}>${t('twoFactor.confirm')}</button>
      </div>
    </form>`;
}

/** The codes, shown once: copy, download as a text file, then done. */
function RecoveryCodes({ codes, onDone }) {
  const text = codes.join('\n');
  const file = 'data:text/plain;charset=utf-8,' + encodeURIComponent(text + '\n');
  return html`
    <h3>${t('twoFactor.recoveryTitle')}</h3>
    <${Alert} kind="info">${t('twoFactor.recoveryText')}<//>
    <ul class="two-factor-codes" data-copy=${text} data-testid="recovery-codes">
      ${codes.map((c) => html`<li><code>${c}</code></li>`)}
    </ul>
    <div class="actions">
      <${CopyButton} text=${text} label=${t('twoFactor.copyCodes')} />
      <a class="button secondary small" href=${file} download="dutyduck-recovery-codes.txt">${t('twoFactor.download')}</a>
      <button type="button" onClick=${onDone}>${t('twoFactor.saved')}</button>
    </div>`;
}

/** On: turn off, or new recovery codes, each proven by the password or a code. */
function Enabled({ status, onCodes, onOff }) {
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  // Six digits are a code from the app; anything else is the password.
  const body = () => (/^\d{6}$/.test(proof.trim()) ? { code: proof.trim() } : { password: proof });
  const run = async (call) => {
    setBusy(true);
    setError(null);
    try { await call(); setProof(''); } catch (err) { setError(err); }
    setBusy(false);
  };
  const off = () => run(async () => { await api('DELETE', '/users/me/two-factor', body()); onOff(); });
  const regenerate = () => run(async () => onCodes((await api('POST', '/users/me/two-factor/recovery-codes', body())).recoveryCodes));
  const message = error && (error.status === 403 ? t('twoFactor.wrongProof') : errorText(error));
  return html`
    <p>${t('twoFactor.on')} ${t('twoFactor.codesLeft', { count: status.recoveryCodesLeft })}</p>
    <${Field} label=${t('twoFactor.proof')} type="password" value=${proof} onInput=${(e) => setProof(e.currentTarget.value)}
      autocomplete="current-password" hint=${t('twoFactor.regenerateText')} />
    ${message && html`<${Alert}>${message}<//>`}
    <div class="actions">
      <button type="button" class="secondary" onClick=${regenerate} disabled=${busy || !proof}>${t('twoFactor.regenerate')}</button>
      <button type="button" class="danger" onClick=${off} disabled=${busy || !proof}>${t('twoFactor.disable')}</button>
    </div>`;
}

/** Where a member whose organization requires two-factor sign-in lands until it is on. */
export function TwoFactorEnrolPage() {
  const [done, setDone] = useState(false);
  return html`
    <main class="narrow">
      <h1>${t('twoFactor.requiredTitle')}</h1>
      ${!done && html`<${Alert} kind="info">${t('twoFactor.required')}<//>`}
      <${TwoFactorSection} onEnabled=${() => setDone(true)} />
      ${done && html`<p><a href=${BASE} onClick=${linkClick}>${t('twoFactor.continue')}</a></p>`}
    </main>`;
}

/** The Owner's switch: require two-factor sign-in of every member. Nothing for other roles. */
export function TwoFactorPolicy({ profile }) {
  const org = profile.active_organization.id;
  const path = `/organizations/${org}/two-factor-policy`;
  const state = useLoad(() => api('GET', path), [org]);
  const [saving, setSaving] = useState({ busy: false, error: null, saved: false });
  // The box shows the choice at once, not the stored value the request will bring back.
  const [chosen, setChosen] = useState(null);
  if (!can(profile, 'requireTwoFactor')) return null;
  const change = async (e) => {
    const required = e.currentTarget.checked;
    setChosen(required);
    setSaving({ busy: true, error: null, saved: false });
    try {
      await api('PUT', path, { required });
      setSaving({ busy: false, error: null, saved: true });
    } catch (error) {
      setChosen(null);
      setSaving({ busy: false, error, saved: false });
    }
  };
  return html`
    <section class="card" aria-labelledby="two-factor-policy-title">
      <h2 id="two-factor-policy-title">${t('twoFactor.policyTitle')}</h2>
      <p>${t('twoFactor.policyText')}</p>
      <${Async} state=${state} retry=${state.reload}>${(policy) => html`
        <label class="check">
          <input type="checkbox" checked=${chosen ?? policy.required} disabled=${saving.busy} onChange=${change} />
          ${t('twoFactor.policyLabel')}
        </label>`}<//>
      ${saving.error && html`<${Alert}>${errorText(saving.error)}<//>`}
      ${saving.saved && html`<${Alert} kind="success">${t('twoFactor.policySaved')}<//>`}
    </section>`;
}
