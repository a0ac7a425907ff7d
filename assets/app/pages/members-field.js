// The webPush channel's "whom": every member, or only the members ticked (user ids, as the API
// takes them in `config.members`). The boxes are the current organization's members; an id
// among the value that is no longer one (someone who left) stays in it until unticked, so
// saving the form never drops what was set through the API.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Async, useLoad } from '../components.js';

/** `null` is every member; a list, those members. */
export const MEMBERS_TYPE = { read: (v) => (Array.isArray(v) ? v : null), write: (v) => v };

export function MembersField({ id, label, value, onChange, error }) {
  const members = useLoad(async () => {
    const me = await api('GET', '/users/me');
    return api('GET', `/organizations/${me.active_organization.id}/members?itemsPerPage=100`);
  });
  const some = Array.isArray(value);
  const toggle = (user, on) => onChange(on ? [...value, user] : value.filter((x) => x !== user));
  return html`
    <fieldset class="channel-checks" id=${id}><legend>${t(label)}</legend>
      <label class="check"><input type="radio" name=${id} checked=${!some} onChange=${() => onChange(null)} /> ${t('notif.summary.webPush')}</label>
      <label class="check"><input type="radio" name=${id} checked=${some} onChange=${() => onChange([])} /> ${t('notif.webPushOnly')}</label>
      ${some && html`<${Async} state=${members} retry=${members.reload}>${(m) => m.members.map((member) => html`
        <label class="check" key=${member.id}><input type="checkbox" checked=${value.includes(member.id)}
          onChange=${(e) => toggle(member.id, e.currentTarget.checked)} /> ${member.email}</label>`)}<//>`}
      ${error && html`<small class="field-error" role="alert">${error}</small>`}
    </fieldset>`;
}
