// The Team page's invitations: the invite form and the pending invitations (new link, revoke).
// A link holds a secret the server keeps only a digest of, so it is shown once, right after
// inviting or "New link"; the page always shows it, e-mailed or not (many instances have no
// e-mail relay).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, CopyButton, Field, errorText, useAction, useLoad } from '../components.js';
import { can } from '../monitoring.js';
import { grantable } from '../org-switcher.js';

export function InvitationsSection({ profile }) {
  const org = profile.active_organization.id;
  const [issued, setIssued] = useState(null);
  const listed = can(profile, 'listOrganizationInvitations');
  const loaded = useLoad(() => (listed ? api('GET', `/organizations/${org}/invitations?pageNumber=1&itemsPerPage=50`) : Promise.resolve([])));
  const pending = listed ? loaded : null;
  const done = (answer) => { setIssued(answer); loaded.reload(); };
  return html`
    <section class="card" aria-labelledby="invite-title">
      <h2 id="invite-title">${t('team.invite')}</h2>
      <${InviteForm} org=${org} role=${profile.organization_roles[0]} onDone=${done} />
      ${issued && html`<${IssuedLink} answer=${issued} />`}
      ${pending && html`
        <h3>${t('team.pending')}</h3>
        <${Async} state=${pending} retry=${pending.reload}>${(list) => html`
          ${list.length === 0 && html`<p class="muted">${t('team.pending.none')}</p>`}
          <ul class="team-list">
            ${list.map((inv) => html`<${PendingRow} key=${inv.id} org=${org} invitation=${inv}
              onDone=${done} onRevoked=${pending.reload} />`)}
          </ul>`}
        <//>`}
    </section>`;
}

function InviteForm({ org, role, onDone }) {
  const roles = grantable(role);
  const [form, setForm] = useState({ email: '', role: roles.includes('Reporter') ? 'Reporter' : roles[0] });
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      onDone(await api('POST', `/organizations/${org}/members/invite`, form));
      setForm({ ...form, email: '' });
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <form class="team-invite" onSubmit=${submit}>
      <${Field} label=${t('team.invite.email')} type="email" value=${form.email} required autocomplete="off"
        onInput=${(e) => setForm({ ...form, email: e.currentTarget.value })} />
      <${Field} as="select" label=${t('team.invite.role')} value=${form.role}
        onChange=${(e) => setForm({ ...form, role: e.currentTarget.value })}>
        ${roles.map((r) => html`<option key=${r} value=${r}>${t('role.' + r)}</option>`)}
      <//>
      <button type="submit" disabled=${state.busy}>${t('team.invite.submit')}</button>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
    </form>`;
}

/** The link just made, to copy: the only time it can be shown. */
function IssuedLink({ answer }) {
  const email = answer.invitation.email;
  return html`
    <div class="subcard team-link" role="region" aria-label=${t('team.invite.link')} data-testid="invitation-link">
      <p>${answer.emailSent
        ? t('team.invite.sent', { email })
        : t('team.invite.notSent', { email, reason: answer.emailError || '' })}</p>
      <p class="team-link-row"><code data-copy=${answer.link}>${answer.link}</code>
        <${CopyButton} text=${answer.link} label=${t('team.invite.copy')} /></p>
      <small class="muted">${t('team.invite.once')}</small>
    </div>`;
}

function PendingRow({ org, invitation, onDone, onRevoked }) {
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState({ busy: false, error: null });
  const revoke = useAction(() => { setAsking(false); onRevoked(); });
  const expired = new Date(invitation.expiresAt) <= new Date();
  const path = `/organizations/${org}/invitations/${invitation.id}`;
  const resend = async () => {
    setState({ busy: true, error: null });
    try {
      onDone(await api('POST', path + '/resend'));
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <li class="team-row" data-testid="invitation-row">
      <div class="team-who">
        <strong class="team-email">${invitation.email}</strong>
        <span class="badge">${t('role.' + invitation.role)}</span>
        <small class="muted">${expired ? t('team.pending.expired') : t('team.pending.expires', { date: formatDateTime(invitation.expiresAt) })}</small>
      </div>
      <div class="team-actions">
        <button type="button" class="secondary small" onClick=${resend} disabled=${state.busy}>${t('team.pending.resend')}</button>
        <button type="button" class="danger small" onClick=${() => setAsking(true)}>${t('team.pending.revoke')}</button>
      </div>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      ${asking && html`<${ConfirmDialog} title=${t('team.pending.revokeTitle', { email: invitation.email })}
        text=${t('team.pending.revokeText')} confirmLabel=${t('team.pending.revoke')} busy=${revoke.busy} error=${revoke.error}
        onCancel=${() => { revoke.reset(); setAsking(false); }} onConfirm=${() => revoke.act(() => api('DELETE', path))} />`}
    </li>`;
}
