// A status page's announcements: each with its impact, status and timeline of updates (oldest
// first, as on the public page); editors publish one (title, impact, status, Markdown message,
// affected components), post updates as work goes investigating → identified → monitoring →
// resolved, and delete.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, Async, ConfirmDialog, Field, Pagination, Time, errorText, useAction, useLoad } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { pagePath } from './status-page-parts.js';

const PAGE_SIZE = 20;
const IMPACTS = ['none', 'minor', 'major', 'critical'];
const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];
const IMPACT_PILL = { none: 'pill-neutral', minor: 'pill-warn', major: 'pill-bad', critical: 'pill-bad' };
const STATUS_DOT = { investigating: 'tl-bad', identified: 'tl-warn', monitoring: 'tl-info', resolved: 'tl-ok' };

export function StatusPageAnnouncementsPage({ params, profile }) {
  const base = pagePath(params.id);
  const [number, setNumber] = useState(1);
  const data = useLoad(() => Promise.all([
    api('GET', base), api('GET', `${base}/announcements?${addPage(new URLSearchParams(), number, PAGE_SIZE)}`),
  ]).then(([page, list]) => ({ page, items: list.items, total: list.totalNumberOfResults })), [params.id, number], { every: 30000 });
  const writer = can(profile, 'writeHttpMonitors');
  const [creating, setCreating] = useState(false);
  return html`
    <main>
      <p class="back"><a href=${BASE + '/status-pages'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('sp.back')}</a></p>
      <${Async} state=${data} retry=${data.reload}>${({ page, items, total }) => html`
        <div class="page-head">
          <h1>${t('ann.title', { title: page.title })}</h1>
          ${writer && !creating && html`<button type="button" onClick=${() => setCreating(true)}>${t('ann.new')}</button>`}
        </div>
        <p class="muted">${t('ann.intro')} <a href=${page.url} target="_blank" rel="noopener">${t('ann.openPage')}</a></p>
        ${creating && html`<${NewAnnouncement} base=${base} page=${page}
          onDone=${(made) => { setCreating(false); if (made) data.reload(); }} />`}
        ${items.length === 0 ? html`<div class="card empty"><p>${t('ann.empty')}</p></div>`
          : items.map((a) => html`<${Announcement} key=${a.id} a=${a} base=${base} page=${page} writer=${writer} reload=${data.reload} />`)}
        <${Pagination} page=${number} size=${PAGE_SIZE} total=${total} onPage=${setNumber} label=${t('sp.announcements')} />`}<//>
    </main>`;
}

const components = (page) => page.groups.flatMap((g) => g.components);

function NewAnnouncement({ base, page, onDone }) {
  const [f, setF] = useState({ title: '', impact: 'minor', status: 'investigating', body: '', componentIds: [] });
  const [state, setState] = useState({ busy: false, error: null, errors: {} });
  const set = (key) => (e) => { const { value } = e.currentTarget; setF((x) => ({ ...x, [key]: value })); };
  const submit = async (e) => {
    e.preventDefault();
    const errors = {};
    if (!f.title.trim()) errors.title = t('ann.titleRequired');
    if (!f.body.trim()) errors.body = t('ann.bodyRequired');
    if (Object.keys(errors).length) {
      setState({ busy: false, error: null, errors });
      document.getElementById('ann-' + Object.keys(errors)[0])?.focus();
      return;
    }
    setState({ busy: true, error: null, errors: {} });
    try {
      await api('POST', base + '/announcements', { ...f, title: f.title.trim(), body: f.body.trim() });
      onDone(true);
    } catch (error) {
      setState({ busy: false, error, errors: {} });
    }
  };
  const toggle = (id) => (e) => {
    const on = e.currentTarget.checked;
    setF((x) => ({ ...x, componentIds: on ? [...x.componentIds, id] : x.componentIds.filter((c) => c !== id) }));
  };
  return html`
    <form class="card" onSubmit=${submit} novalidate data-testid="new-announcement">
      <h2>${t('ann.new')}</h2>
      <${Field} id="ann-title" label=${t('ann.titleLabel')} value=${f.title} onInput=${set('title')} maxlength="200" error=${state.errors.title} />
      <div class="row">
        <${Field} as="select" id="ann-impact" label=${t('ann.impact')} value=${f.impact} onChange=${set('impact')}>
          ${IMPACTS.map((i) => html`<option value=${i}>${t('ann.impact.' + i)}</option>`)}<//>
        <${Field} as="select" id="ann-status" label=${t('ann.status')} value=${f.status} onChange=${set('status')}>
          ${STATUSES.map((s) => html`<option value=${s}>${t('ann.status.' + s)}</option>`)}<//>
      </div>
      <${Field} as="textarea" id="ann-body" label=${t('ann.body')} value=${f.body} onInput=${set('body')} rows="4"
        maxlength="10000" hint=${t('ann.bodyHint')} error=${state.errors.body} />
      ${components(page).length > 0 && html`
        <p class="strong small">${t('ann.components')}</p>
        <ul class="checklist">${components(page).map((c) => html`
          <li key=${c.id}><label><input type="checkbox" checked=${f.componentIds.includes(c.id)} onChange=${toggle(c.id)} />${c.publicName}</label></li>`)}</ul>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => onDone(false)}>${t('ann.cancel')}</button>
        <button type="submit" disabled=${state.busy}>${t('ann.publish')}</button>
      </div>
    </form>`;
}

function Announcement({ a, base, page, writer, reload }) {
  const path = `${base}/announcements/${encodeURIComponent(a.id)}`;
  const [confirm, setConfirm] = useState(false);
  const action = useAction(() => { setConfirm(false); reload(); });
  const names = components(page).filter((c) => (a.componentIds || []).includes(c.id)).map((c) => c.publicName);
  return html`
    <section class="card" data-testid="announcement" aria-labelledby=${'ann-h-' + a.id}>
      <div class="card-head">
        <h2 id=${'ann-h-' + a.id}>${a.title}</h2>
        <div class="window-actions">
          <span class=${'pill ' + IMPACT_PILL[a.impact]}>${t('ann.impact')}${t('app.colon')}${t('ann.impact.' + a.impact)}</span>
          <span class=${'pill ' + (a.status === 'resolved' ? 'pill-ok' : 'pill-info')} data-status=${a.status}>${t('ann.status.' + a.status)}</span>
          ${writer && html`<button type="button" class="secondary small" onClick=${() => setConfirm(true)}>${t('ann.delete')}</button>`}
        </div>
      </div>
      <p class="muted small">${a.resolvedAt ? html`${t('ann.resolvedAt')} <${Time} iso=${a.resolvedAt} />` : t('ann.ongoing')}${names.length > 0
        && ' · ' + t('ann.affects', { names: names.join(', ') })}</p>
      <ol class="timeline" data-testid="announcement-timeline">${(a.updates || []).map((u) => html`
        <li key=${u.id} class=${STATUS_DOT[u.status]}>
          <span class="strong">${t('ann.status.' + u.status)}</span> · <${Time} iso=${u.createdAt} />
          <p class="sp-update-body">${u.body}</p>
        </li>`)}</ol>
      ${writer && html`<${PostUpdate} a=${a} path=${path} reload=${reload} />`}
      ${confirm && html`<${ConfirmDialog} title=${t('ann.deleteTitle')} text=${t('ann.deleteText', { title: a.title })}
        confirmLabel=${t('ann.delete')} onConfirm=${() => action.act(() => api('DELETE', path))} busy=${action.busy} error=${action.error}
        onCancel=${() => { setConfirm(false); action.reset(); }} />`}
    </section>`;
}

/** The update form, its status starting at the step after the current one. */
function PostUpdate({ a, path, reload }) {
  const next = STATUSES[Math.min(STATUSES.indexOf(a.status) + 1, STATUSES.length - 1)];
  const [f, setF] = useState({ status: next, body: '' });
  const [state, setState] = useState({ busy: false, error: null, invalid: null });
  const submit = async (e) => {
    e.preventDefault();
    if (!f.body.trim()) { setState({ busy: false, error: null, invalid: t('ann.bodyRequired') }); return; }
    setState({ busy: true, error: null, invalid: null });
    try {
      await api('POST', path + '/updates', { status: f.status, body: f.body.trim() });
      const after = STATUSES[Math.min(STATUSES.indexOf(f.status) + 1, STATUSES.length - 1)];
      setF({ status: after, body: '' });
      setState({ busy: false, error: null, invalid: null });
      reload();
    } catch (error) {
      setState({ busy: false, error, invalid: null });
    }
  };
  return html`
    <form class="sp-update-form" onSubmit=${submit} novalidate aria-label=${t('ann.updateTitle', { title: a.title })}>
      <p class="strong small">${t('ann.update')}</p>
      <${Field} as="select" id=${'ann-up-status-' + a.id} label=${t('ann.status')} value=${f.status}
        onChange=${(e) => { const { value } = e.currentTarget; setF((x) => ({ ...x, status: value })); }}>
        ${STATUSES.map((s) => html`<option value=${s}>${t('ann.status.' + s)}</option>`)}<//>
      <${Field} as="textarea" id=${'ann-up-body-' + a.id} label=${t('ann.body')} value=${f.body} rows="3" maxlength="10000"
        onInput=${(e) => { const { value } = e.currentTarget; setF((x) => ({ ...x, body: value })); }} error=${state.invalid} />
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
      <div class="actions"><button type="submit" disabled=${state.busy}>${t('ann.post')}</button></div>
    </form>`;
}
