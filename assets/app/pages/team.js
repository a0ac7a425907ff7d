// The Team page: the current organization's members with their roles (change, remove, leave),
// and, for those who may invite, the invitations (team-invitations.js).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { Alert, Async, ConfirmDialog, Pagination, errorText, useAction, useLoad } from '../components.js';
import { can, userName } from '../monitoring.js';
import { BASE, linkClick } from '../router.js';
import { ROLES, grantable } from '../org-switcher.js';
import { InvitationsSection } from './team-invitations.js';
import { TwoFactorPolicy } from './two-factor.js';

const PAGE_SIZE = 20;

export function TeamPage({ profile }) {
  const org = profile.active_organization;
  return html`
    <main>
      <h1>${t('team.title')} — ${org.displayName}</h1>
      <p><a href=${BASE + '/organizations'} onClick=${linkClick}>${t('orgs.title')}</a></p>
      ${can(profile, 'listOrganizationMembers')
        ? html`<${MembersSection} profile=${profile} />`
        : html`<section class="card"><p>${t('team.noList')}</p><${LeaveButton} profile=${profile} /></section>`}
      ${can(profile, 'inviteOrganizationMember') && html`<${InvitationsSection} profile=${profile} />`}
      <${TwoFactorPolicy} profile=${profile} />
    </main>`;
}

function MembersSection({ profile }) {
  const org = profile.active_organization.id;
  const [page, setPage] = useState(1);
  const members = useLoad(() => api('GET', `/organizations/${org}/members?pageNumber=${page}&itemsPerPage=${PAGE_SIZE}`), [page]);
  const [removing, setRemoving] = useState(null);
  return html`
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">${t('team.members')}</h2>
      <${Async} state=${members} retry=${members.reload}>${(data) => html`
        <ul class="team-list">
          ${data.members.map((m) => html`<${MemberRow} key=${m.id} member=${m} profile=${profile}
            onChanged=${members.reload} onRemove=${() => setRemoving(m)} />`)}
        </ul>
        <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.total} onPage=${setPage} />`}
      <//>
      <${LeaveButton} profile=${profile} />
      ${removing && html`<${RemoveDialog} org=${org} member=${removing}
        onClose=${(done) => { setRemoving(null); if (done) members.reload(); }} />`}
    </section>`;
}

function MemberRow({ member, profile, onChanged, onRemove }) {
  const me = member.id === profile.user.id;
  const role = member.organizationRoles[0];
  const mine = profile.organization_roles[0];
  const [state, setState] = useState({ busy: false, error: null, saved: false });
  // A role above one's own can neither be given nor changed (the server says so too).
  const editable = can(profile, 'editOrganizationMember') && ROLES.indexOf(role) <= ROLES.indexOf(mine);
  const change = async (e) => {
    const roles = [e.currentTarget.value];
    setState({ busy: true, error: null, saved: false });
    try {
      await api('PUT', `/organizations/${profile.active_organization.id}/members/${member.id}/roles`, { roles });
      setState({ busy: false, error: null, saved: true });
      if (me) location.reload(); // my own permissions changed: every page must know
      else onChanged();
    } catch (error) {
      setState({ busy: false, error, saved: false });
      onChanged();
    }
  };
  return html`
    <li class="team-row" data-testid="member-row">
      <div class="team-who">
        <strong>${userName(member)}</strong> ${me && html`<span class="muted">${t('team.you')}</span>`}
        <span class="muted team-email">${member.email}</span>
        <small class="muted">${t('team.joined', { date: formatDateTime(member.joinedAt) })}</small>
      </div>
      <div class="team-actions">
        ${editable
          ? html`<select value=${role} onChange=${change} disabled=${state.busy} aria-label=${t('team.roleOf', { name: userName(member) })}>
              ${[...new Set([role, ...grantable(mine)])].map((r) => html`<option key=${r} value=${r}
                disabled=${!grantable(mine).includes(r)}>${t('role.' + r)}</option>`)}
            </select>`
          : html`<span class="badge">${t('role.' + role)}</span>`}
        ${!me && can(profile, 'removeOrganizationMember') && editable && html`
          <button type="button" class="danger small" onClick=${onRemove}>${t('team.remove')}</button>`}
      </div>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      ${state.saved && html`<${Alert} kind="success">${t('team.saved')}<//>`}
    </li>`;
}

function RemoveDialog({ org, member, onClose }) {
  const action = useAction(() => onClose(true));
  const name = userName(member);
  return html`<${ConfirmDialog} title=${t('team.removeTitle', { name })} text=${t('team.removeText', { name })}
    confirmLabel=${t('team.remove')} busy=${action.busy} error=${action.error} onCancel=${() => onClose(false)}
    onConfirm=${() => action.act(() => api('DELETE', `/organizations/${org}/members/${member.id}`))} />`;
}

/** Leaving: the session moves to the user's next organization, so the dashboard loads again. */
function LeaveButton({ profile }) {
  const [asking, setAsking] = useState(false);
  const org = profile.active_organization;
  const action = useAction(() => location.assign(BASE));
  return html`
    <p><button type="button" class="secondary" onClick=${() => setAsking(true)}>${t('team.leave')}</button></p>
    ${asking && html`<${ConfirmDialog} title=${t('team.leaveTitle', { org: org.displayName })}
      text=${t('team.leaveText', { org: org.displayName })} confirmLabel=${t('team.leave')}
      busy=${action.busy} error=${action.error} onCancel=${() => { action.reset(); setAsking(false); }}
      onConfirm=${() => action.act(() => api('DELETE', `/organizations/${org.id}/members/${profile.user.id}`))} />`}`;
}
