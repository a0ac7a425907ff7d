// First run: create the first administrator and the organization. The same form signs up
// (`serve --signup open`): a new account owning a new organization.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Field, PasswordStrength, errorText, passwordLevel } from '../components.js';

export function SetupPage({ onDone, signup = false }) {
  const words = signup
    ? { path: '/users/signup', title: 'signup.title', intro: 'signup.intro', submit: 'signup.submit' }
    : { path: '/setup', title: 'setup.title', intro: 'setup.intro', submit: 'setup.submit' };
  const [form, setForm] = useState({ organizationName: '', firstName: '', lastName: '', email: '', password: '', again: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const mismatch = form.again && form.again !== form.password;

  const submit = async (e) => {
    e.preventDefault();
    if (form.password !== form.again) return setError({ message: t('password.mismatch'), local: true });
    setBusy(true);
    setError(null);
    try {
      const { again, ...body } = form;
      const profile = await api('POST', words.path, body);
      onDone(profile);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const known = { setup_done: 'setup.done', signup_closed: 'signup.closed' }[error?.code];
  const message = error && (error.local ? error.message : known ? t(known) : errorText(error));
  return html`
    <main class="narrow">
      <h1>${t(words.title)}</h1>
      <p>${t(words.intro)}</p>
      <form onSubmit=${submit} class="card" novalidate>
        <${Field} label=${t('setup.organization')} value=${form.organizationName} onInput=${set('organizationName')} required autocomplete="organization" />
        <div class="row">
          <${Field} label=${t('field.firstName')} value=${form.firstName} onInput=${set('firstName')} required autocomplete="given-name" />
          <${Field} label=${t('field.lastName')} value=${form.lastName} onInput=${set('lastName')} required autocomplete="family-name" />
        </div>
        <${Field} label=${t('field.email')} type="email" value=${form.email} onInput=${set('email')} required autocomplete="email" />
        <${Field} label=${t('field.password')} type="password" value=${form.password} onInput=${set('password')} required
          autocomplete="new-password" minlength="10" hint=${t('password.hint')} />
        <${PasswordStrength} password=${form.password} />
        <${Field} label=${t('field.passwordAgain')} type="password" value=${form.again} onInput=${set('again')} required
          autocomplete="new-password" error=${mismatch ? t('password.mismatch') : null} />
        ${message && html`<${Alert}>${message}<//>`}
        <button type="submit" disabled=${busy || passwordLevel(form.password) === 0 || mismatch}>${t(words.submit)}</button>
      </form>
    </main>`;
}
