// The organization switcher in the top bar, and what switching does: the session moves to the
// other organization, then the dashboard loads again so that no page keeps the previous
// organization's data (a monitor's page of one organization is a 404 in another).
import { html, useEffect, useState } from './lib.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { BASE, currentPath } from './router.js';

/** The roles, lowest first, as the server ranks them (src/accounts/team_rules.rs). */
export const ROLES = ['Reporter', 'Editor', 'MemberInviter', 'MemberManager', 'Administrator', 'Owner'];

/**
 * The roles each role may give, as the server's `team_rules::may_grant` decides (never a
 * permission the giver lacks; Owner only by an Owner): the forms offer only these, the server
 * refuses the others with a message anyway.
 */
const GRANTS = {
  Owner: ROLES,
  Administrator: ROLES.filter((r) => r !== 'Owner'),
  MemberManager: ['MemberInviter', 'MemberManager'],
  MemberInviter: ['MemberInviter'],
  Editor: ['Reporter', 'Editor'],
  Reporter: ['Reporter'],
};

/** The roles `mine` may give. */
export function grantable(mine) {
  return GRANTS[mine] || [];
}

/** Makes `id` the session's organization and reloads the section the user was in. */
export async function switchOrganization(id) {
  await api('PUT', '/auth/session/organization', { organizationId: id });
  const section = currentPath().split('?')[0].split('/').slice(0, 3).join('/');
  location.assign(section.startsWith(BASE) ? section : BASE);
}

/** The display name, with the short name when another organization shows the same one. */
function label(org, all) {
  const twin = all.some((o) => o.id !== org.id && o.displayName === org.displayName);
  return twin ? `${org.displayName} (${org.name})` : org.displayName;
}

export function OrgSwitcher({ profile }) {
  const [orgs, setOrgs] = useState(null);
  const [busy, setBusy] = useState(false);
  const current = profile.active_organization.id;
  useEffect(() => {
    let live = true;
    api('GET', '/organizations').then((r) => live && setOrgs(r.organizations), () => {});
    return () => { live = false; };
  }, [current]);
  // One organization: nothing to switch to (the Organizations page creates another).
  if (!orgs || orgs.length < 2) return null;
  const change = async (e) => {
    setBusy(true);
    try { await switchOrganization(e.currentTarget.value); } catch { setBusy(false); }
  };
  return html`
    <label class="org-switch">
      <span class="visually-hidden">${t('orgs.switch')}</span>
      <select value=${current} onChange=${change} disabled=${busy} aria-label=${t('orgs.switch')} data-testid="org-switcher">
        ${orgs.map((o) => html`<option key=${o.id} value=${o.id}>${label(o, orgs)}</option>`)}
      </select>
    </label>`;
}
