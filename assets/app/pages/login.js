// Log in with e-mail and password.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Field, errorText } from '../components.js';
import { AccessLinks } from './access-links.js';
import { TwoFactorStep } from './two-factor-login.js';

export function LoginPage({ onDone, expired }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [challenge, setChallenge] = useState(null);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api('POST', '/auth/login', { email, password });
      if (answer.twoFactorRequired) setChallenge(answer.challenge);
      else onDone(answer);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (challenge) {
    return html`<${TwoFactorStep} challenge=${challenge} onDone=${onDone}
      onRestart=${() => { setChallenge(null); setBusy(false); setPassword(''); }} />`;
  }
  let message = null;
  if (error) {
    if (error.status === 401) message = t('login.invalid');
    else if (error.status === 429) message = t('login.throttled', { seconds: error.retryAfter || 1 });
    else message = errorText(error);
  }
  return html`
    <main class="narrow">
      <h1>${t('login.title')}</h1>
      ${expired && !error && html`<${Alert} kind="info">${t('login.expired')}<//>`}
      <form onSubmit=${submit} class="card">
        <${Field} label=${t('field.email')} type="email" value=${email} onInput=${(e) => setEmail(e.currentTarget.value)}
          required autocomplete="username" autofocus />
        <${Field} label=${t('field.password')} type="password" value=${password} onInput=${(e) => setPassword(e.currentTarget.value)}
          required autocomplete="current-password" />
        ${message && html`<${Alert}>${message}<//>`}
        <button type="submit" disabled=${busy}>${t('login.submit')}</button>
      </form>
      <${AccessLinks} />
    </main>`;
}
