// A forgotten password, signed out: ask for a link by e-mail, then choose a new password on the
// page the link opens (/dashboard/reset-password?token=…).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, Field, PasswordStrength, errorText, passwordLevel } from '../components.js';

function LoginLink() {
  return html`<p><a href=${BASE + '/login'} onClick=${linkClick}>${t('access.loginLink')}</a></p>`;
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [state, setState] = useState({ busy: false, error: null, answer: null });

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, answer: null });
    try {
      setState({ busy: false, error: null, answer: await api('POST', '/auth/password-reset', { email }) });
    } catch (error) {
      setState({ busy: false, error, answer: null });
    }
  };
  const { error, answer } = state;
  const failure = error && (error.status === 429 ? t('reset.throttled', { seconds: error.retryAfter || 1 }) : errorText(error));
  return html`
    <main class="narrow">
      <h1>${t('reset.requestTitle')}</h1>
      ${answer
        ? html`<${Alert} kind=${answer.byEmail ? 'success' : 'info'}>${answer.byEmail ? t('reset.sent') : t('reset.noEmail')}<//>`
        : html`
          <p>${t('reset.requestIntro')}</p>
          <form onSubmit=${submit} class="card">
            <${Field} label=${t('field.email')} type="email" value=${email} onInput=${(e) => setEmail(e.currentTarget.value)}
              required autocomplete="username" autofocus />
            ${failure && html`<${Alert}>${failure}<//>`}
            <button type="submit" disabled=${state.busy}>${t('reset.requestSubmit')}</button>
          </form>`}
      <${LoginLink} />
    </main>`;
}

export function ResetPasswordPage() {
  const token = new URLSearchParams(location.search).get('token') || '';
  const [form, setForm] = useState({ password: '', again: '' });
  const [state, setState] = useState({ busy: false, error: null, done: false });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const mismatch = form.again && form.again !== form.password;

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, done: false });
    try {
      await api('POST', '/auth/password-reset/confirm', { token, password: form.password });
      // The secret has done its work: it leaves the address bar and the history.
      history.replaceState(history.state, '', BASE + '/reset-password');
      setState({ busy: false, error: null, done: true });
    } catch (error) {
      setState({ busy: false, error, done: false });
    }
  };
  const { error } = state;
  const dead = error && (error.code === 'reset_link_invalid' || error.code === 'reset_link_expired');
  let content;
  if (state.done) content = html`<${Alert} kind="success">${t('reset.done')}<//>`;
  else if (!token) content = html`<${Alert} kind="info">${t('reset.noToken')}<//>`;
  else {
    content = html`
      <form onSubmit=${submit} class="card">
        <${Field} label=${t('field.newPassword')} type="password" value=${form.password} onInput=${set('password')}
          required autocomplete="new-password" hint=${t('password.hint')} autofocus />
        <${PasswordStrength} password=${form.password} />
        <${Field} label=${t('field.passwordAgain')} type="password" value=${form.again} onInput=${set('again')}
          required autocomplete="new-password" error=${mismatch ? t('password.mismatch') : null} />
        ${error && html`<${Alert}>${dead ? t(error.code === 'reset_link_expired' ? 'reset.expired' : 'reset.invalid') : errorText(error)}
          ${dead && html` <a href=${BASE + '/forgot-password'} onClick=${linkClick}>${t('reset.again')}</a>`}<//>`}
        <button type="submit" disabled=${state.busy || passwordLevel(form.password) === 0 || form.again !== form.password}>${t('reset.submit')}</button>
      </form>`;
  }
  return html`
    <main class="narrow">
      <h1>${t('reset.title')}</h1>
      ${content}
      <${LoginLink} />
    </main>`;
}
