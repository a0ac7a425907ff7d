// The Organizations page: the user's organizations with their role in each; switching, creating,
// renaming (Administrators and Owners) and deleting (Owners, typing the name to confirm).
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Async, Field, Modal, errorText, useLoad } from '../components.js';
import { switchOrganization } from '../org-switcher.js';
import { ConfigExport } from './config-export.js';

export function OrganizationsPage() {
  const orgs = useLoad(() => api('GET', '/organizations'));
  const [deleting, setDeleting] = useState(null);
  return html`
    <main>
      <h1>${t('orgs.title')}</h1>
      <section class="card">
        <${Async} state=${orgs} retry=${orgs.reload}>${(data) => html`
          <ul class="team-list">
            ${data.organizations.map((o) => html`<${OrgRow} key=${o.id} org=${o} onChanged=${orgs.reload}
              onDelete=${() => setDeleting(o)} />`)}
          </ul>`}
        <//>
      </section>
      <${CreateForm} />
      <${ConfigExport} />
      ${deleting && html`<${DeleteDialog} org=${deleting} onClose=${() => setDeleting(null)} />`}
    </main>`;
}

function OrgRow({ org, onChanged, onDelete }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(org.displayName);
  const [state, setState] = useState({ busy: false, error: null });
  const run = async (work) => {
    setState({ busy: true, error: null });
    try {
      await work();
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const rename = (e) => {
    e.preventDefault();
    run(async () => {
      await api('PATCH', `/organizations/${org.id}`, { displayName: name });
      setRenaming(false);
      onChanged();
    });
  };
  const admin = org.role === 'Owner' || org.role === 'Administrator';
  return html`
    <li class="team-row" data-testid="org-row">
      <div class="team-who">
        <strong>${org.displayName}</strong> <span class="muted">${org.name}</span>
        ${org.current && html`<span class="badge">${t('orgs.current')}</span>`}
        <small class="muted">${t('orgs.yourRole', { role: t('role.' + org.role) })}</small>
      </div>
      <div class="team-actions">
        ${!org.current && html`<button type="button" class="small" disabled=${state.busy}
          onClick=${() => run(() => switchOrganization(org.id))}>${t('orgs.switchTo')}</button>`}
        ${admin && html`<button type="button" class="secondary small" onClick=${() => setRenaming(!renaming)}>${t('orgs.rename')}</button>`}
        ${org.role === 'Owner' && html`<button type="button" class="danger small" onClick=${onDelete}>${t('orgs.delete')}</button>`}
      </div>
      ${renaming && html`
        <form class="team-invite" onSubmit=${rename}>
          <${Field} label=${t('orgs.name')} value=${name} required maxlength="100" onInput=${(e) => setName(e.currentTarget.value)} />
          <button type="submit" disabled=${state.busy}>${t('orgs.renameSubmit')}</button>
        </form>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
    </li>`;
}

/** A new organization, its creator its Owner; the dashboard moves into it. */
function CreateForm() {
  const [name, setName] = useState('');
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      const org = await api('POST', '/organizations', { displayName: name });
      await switchOrganization(org.id);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <section class="card" aria-labelledby="org-create-title">
      <h2 id="org-create-title">${t('orgs.create')}</h2>
      <form class="team-invite" onSubmit=${submit}>
        <${Field} label=${t('orgs.name')} value=${name} required maxlength="100" onInput=${(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled=${state.busy}>${t('orgs.createSubmit')}</button>
      </form>
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
    </section>`;
}

/** Deleting takes the name typed: it takes everything in the organization with it. */
function DeleteDialog({ org, onClose }) {
  const [typed, setTyped] = useState('');
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      await api('DELETE', `/organizations/${org.id}?confirm=${encodeURIComponent(typed)}`);
      location.assign('/dashboard'); // the session may have moved to another organization
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <${Modal} title=${t('orgs.deleteTitle', { org: org.displayName })} onClose=${onClose}>
      <form onSubmit=${submit}>
        <p>${t('orgs.deleteText')}</p>
        <${Field} label=${t('orgs.deleteConfirm', { org: org.displayName })} value=${typed} required autocomplete="off"
          onInput=${(e) => setTyped(e.currentTarget.value)} />
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${onClose}>${t('tokens.cancel')}</button>
          <button type="submit" class="danger" disabled=${state.busy || typed !== org.displayName}>${t('orgs.deleteSubmit')}</button>
        </div>
      </form>
    <//>`;
}
