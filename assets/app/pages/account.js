// "My account": profile, password, and the API tokens section.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Field, PasswordStrength, errorText, passwordLevel } from '../components.js';
import { TokensSection } from './tokens.js';
import { SessionsSection } from './sessions.js';
import { TwoFactorSection } from './two-factor.js';
import { MyNotificationsSection } from './my-notifications.js';
import { PushDevicesSection } from './push-devices.js';

export function AccountPage({ profile, onProfile }) {
  useEffect(() => {
    // Deep link from the home page: /dashboard/account#api-tokens
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, []);
  return html`
    <main>
      <h1>${t('account.title')}</h1>
      <${ProfileSection} profile=${profile} onProfile=${onProfile} />
      <${PasswordSection} />
      <${TwoFactorSection} />
      <${TokensSection} />
      <${SessionsSection} />
      <${MyNotificationsSection} />
      <${PushDevicesSection} />
    </main>`;
}

function ProfileSection({ profile, onProfile }) {
  const user = profile.user;
  const [form, setForm] = useState({ firstName: user.firstName, lastName: user.lastName, email: user.email, currentPassword: '' });
  // A new e-mail is where password reset links go: the server asks for the password with it.
  const emailChanged = form.email.trim().toLowerCase() !== user.email.toLowerCase();
  const [state, setState] = useState({ busy: false, error: null, saved: false });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, saved: false });
    try {
      const { currentPassword, ...names } = form;
      const result = await api('PUT', '/users/me', emailChanged ? form : names);
      onProfile({ ...profile, user: result.newUser });
      setForm({ ...form, currentPassword: '' });
      setState({ busy: false, error: null, saved: true });
    } catch (error) {
      setState({ busy: false, error, saved: false });
    }
  };
  return html`
    <section class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">${t('account.profile')}</h2>
      <form onSubmit=${submit}>
        <div class="row">
          <${Field} label=${t('field.firstName')} value=${form.firstName} onInput=${set('firstName')} required autocomplete="given-name" />
          <${Field} label=${t('field.lastName')} value=${form.lastName} onInput=${set('lastName')} required autocomplete="family-name" />
        </div>
        <${Field} label=${t('field.email')} type="email" value=${form.email} onInput=${set('email')} required autocomplete="email" />
        ${emailChanged && html`<${Field} label=${t('field.currentPassword')} type="password" value=${form.currentPassword}
          onInput=${set('currentPassword')} required autocomplete="current-password" />`}
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        ${state.saved && html`<${Alert} kind="success">${t('account.saved')}<//>`}
        <button type="submit" disabled=${state.busy}>${t('account.save')}</button>
      </form>
    </section>`;
}

function PasswordSection() {
  const empty = { currentPassword: '', password: '', again: '' };
  const [form, setForm] = useState(empty);
  const [state, setState] = useState({ busy: false, error: null, done: false });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const mismatch = form.again && form.again !== form.password;

  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, done: false });
    try {
      await api('PUT', '/users/me', { currentPassword: form.currentPassword, password: form.password });
      setForm(empty);
      setState({ busy: false, error: null, done: true });
    } catch (error) {
      setState({ busy: false, error, done: false });
    }
  };
  return html`
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">${t('account.password')}</h2>
      <form onSubmit=${submit}>
        <${Field} label=${t('field.currentPassword')} type="password" value=${form.currentPassword} onInput=${set('currentPassword')}
          required autocomplete="current-password" />
        <${Field} label=${t('field.newPassword')} type="password" value=${form.password} onInput=${set('password')}
          required autocomplete="new-password" hint=${t('password.hint')} />
        <${PasswordStrength} password=${form.password} />
        <${Field} label=${t('field.passwordAgain')} type="password" value=${form.again} onInput=${set('again')}
          required autocomplete="new-password" error=${mismatch ? t('password.mismatch') : null} />
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        ${state.done && html`<${Alert} kind="success">${t('account.passwordChanged')}<//>`}
        <button type="submit" disabled=${state.busy || !form.currentPassword || passwordLevel(form.password) === 0 || form.again !== form.password}>
          ${t('account.passwordChange')}</button>
      </form>
    </section>`;
}
