// The login's second step: a code from the authenticator app, or a recovery code, answering the
// challenge /auth/login gave for the right password.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Field, errorText } from '../components.js';

export function TwoFactorStep({ challenge, onDone, onRestart }) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = recovery ? { recoveryCode: code } : { code };
      onDone(await api('POST', '/auth/login/two-factor', { challenge, ...answer }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  let message = null;
  if (error?.code === 'two_factor_challenge_expired') message = t('twoFactor.expired');
  else if (error?.status === 401) message = t('twoFactor.wrongCode');
  else if (error?.status === 429) message = t('login.throttled', { seconds: error.retryAfter || 1 });
  else if (error) message = errorText(error);
  const switchKind = () => { setRecovery(!recovery); setCode(''); setError(null); };
  return html`
    <main class="narrow">
      <h1>${t('twoFactor.stepTitle')}</h1>
      <form onSubmit=${submit} class="card">
        <p>${t(recovery ? 'twoFactor.recoveryStep' : 'twoFactor.stepText')}</p>
        ${recovery
          ? html`<${Field} key="recovery" label=${t('twoFactor.recoveryCode')} value=${code} onInput=${(e) => setCode(e.currentTarget.value)}
              required autocomplete="off" autofocus />`
          : html`<${Field} key="code" label=${t('twoFactor.code')} value=${code} onInput=${(e) => setCode(e.currentTarget.value)}
              required inputmode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" autofocus />`}
        ${message && html`<${Alert}>${message}<//>`}
        <button type="submit" disabled=${busy}>${t('twoFactor.verify')}</button>
        <p class="two-factor-links">
          <button type="button" class="link" onClick=${switchKind}>${recovery ? t('twoFactor.useApp') : t('twoFactor.useRecovery')}</button>
          <button type="button" class="link" onClick=${onRestart}>${t('twoFactor.back')}</button>
        </p>
      </form>
    </main>`;
}
