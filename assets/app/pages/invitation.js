// The invitation page, reachable signed out: /dashboard/invitation?organizationId=…&
// invitationId=…&token=… (the link an invitation answers and e-mails). It shows who invites to
// what; a new user accepts with a name and password, an existing one signs in first; anyone
// holding the link may decline.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, Field, PasswordStrength, errorText, useLoad } from '../components.js';
import { userName } from '../monitoring.js';
import { BASE, currentPath, linkClick, navigate } from '../router.js';

function linkParams() {
  const q = new URLSearchParams(location.search);
  return { org: q.get('organizationId') || '', id: q.get('invitationId') || '', token: q.get('token') || '' };
}

export function InvitationPage({ profile, onProfile }) {
  const { org, id, token } = linkParams();
  const path = `/organizations/${encodeURIComponent(org)}/invitations/${encodeURIComponent(id)}`;
  const shown = useLoad(() => api('GET', `${path}?token=${encodeURIComponent(token)}`));
  const [declined, setDeclined] = useState(false);
  const [state, setState] = useState({ busy: false, error: null });
  const act = async (work) => {
    setState({ busy: true, error: null });
    try {
      await work();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const accept = (userDetails) => act(async () => {
    onProfile(await api('POST', path + '/accept', { token, userDetails }));
    navigate(BASE, { replace: true });
  });
  const decline = () => act(async () => {
    await api('DELETE', `${path}?token=${encodeURIComponent(token)}`);
    setDeclined(true);
  });

  let failure = null;
  if (shown.error && shown.error.status === 404) failure = t('invitation.invalid');
  else if (shown.error && shown.error.status === 410) failure = t('invitation.gone', { message: shown.error.message });
  return html`
    <main class="narrow">
      <h1>${t('invitation.title')}</h1>
      ${declined ? html`<${Alert} kind="info">${t('invitation.rejected')}<//>`
        : failure ? html`<${Alert}>${failure}<//><p><a href=${BASE} onClick=${linkClick}>${t('invitation.toDashboard')}</a></p>`
        : html`<${Async} state=${shown} retry=${shown.reload}>${(data) => html`
          <${Offer} data=${data} />
          <div class="card">
            ${offerAction(data, profile, accept, state.busy)}
            ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
            <p><button type="button" class="secondary" onClick=${decline} disabled=${state.busy}>${t('invitation.reject')}</button></p>
          </div>`}<//>`}
    </main>`;
}

function Offer({ data }) {
  const params = { org: data.organization.displayName, role: t('role.' + data.invitation.role) };
  return html`
    <p class="team-offer" data-testid="invitation-offer">${data.inviter
      ? t('invitation.offer', { ...params, inviter: userName(data.inviter) })
      : t('invitation.offerNoInviter', params)}</p>
    <p class="muted">${t('invitation.for', { email: data.invitation.email })}</p>`;
}

/** What the visitor can do: create an account, accept as themselves, or sign in first. */
function offerAction(data, profile, accept, busy) {
  const email = data.invitation.email;
  if (!data.inviteeHasAccount) return html`<${NewAccountForm} onAccept=${accept} busy=${busy} />`;
  if (profile && profile.user.email.toLowerCase() === email.toLowerCase()) {
    return html`<button type="button" onClick=${() => accept(null)} disabled=${busy}>${t('invitation.accept')}</button>`;
  }
  if (profile) return html`<${Alert} kind="warning">${t('invitation.wrongUser', { me: profile.user.email, email })}<//>`;
  const login = `${BASE}/login?next=${encodeURIComponent(currentPath())}`;
  return html`
    <p>${t('invitation.signIn', { email })}</p>
    <p><a class="button" href=${login} onClick=${linkClick}>${t('invitation.signInButton')}</a></p>`;
}

function NewAccountForm({ onAccept, busy }) {
  const [form, setForm] = useState({ firstName: '', lastName: '', password: '' });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = (e) => {
    e.preventDefault();
    onAccept(form);
  };
  return html`
    <form onSubmit=${submit}>
      <h2>${t('invitation.newAccount')}</h2>
      <div class="row">
        <${Field} label=${t('field.firstName')} value=${form.firstName} onInput=${set('firstName')} required autocomplete="given-name" />
        <${Field} label=${t('field.lastName')} value=${form.lastName} onInput=${set('lastName')} required autocomplete="family-name" />
      </div>
      <${Field} label=${t('field.password')} type="password" value=${form.password} onInput=${set('password')}
        required autocomplete="new-password" hint=${t('password.hint')} />
      <${PasswordStrength} password=${form.password} />
      <button type="submit" disabled=${busy}>${t('invitation.accept')}</button>
    </form>`;
}
