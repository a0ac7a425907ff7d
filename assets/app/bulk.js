// Bulk actions on a list: rows picked one by one or "all N matching this filter", an action bar
// (a confirmation stating the count, the comment, tag or end asked there), then what the server
// did (changed, skipped and why, and the silence or maintenance window made). Also the list
// controls: sort field, order and page size.
import { html, useState } from './lib.js';
import { api } from './api.js';
import { formatDateTime, formatNumber, t } from './i18n.js';
import { BASE, linkClick } from './router.js';
import { Alert, Field, Modal, errorText } from './components.js';
import { quickEnds } from './pages/silence-parts.js';

export const PAGE_SIZES = [10, 20, 50];

/** Which rows are selected: `ids` (this page's picks) or `all` (every row the filter matches). */
export function useSelection() {
  const [state, setState] = useState({ ids: new Set(), all: false });
  // Unpicking a row while "all matching" is on keeps the rest of the page picked.
  const base = (pageIds) => (state.all ? new Set(pageIds) : new Set(state.ids));
  return {
    ...state,
    has: (id) => state.all || state.ids.has(id),
    toggle: (id, on, pageIds) => {
      const ids = base(pageIds);
      if (on) ids.add(id); else ids.delete(id);
      setState({ ids, all: false });
    },
    setPage: (pageIds, on) => {
      const ids = base(pageIds);
      pageIds.forEach((id) => (on ? ids.add(id) : ids.delete(id)));
      setState({ ids, all: false });
    },
    selectAll: () => setState({ ids: state.ids, all: true }),
    clear: () => setState({ ids: new Set(), all: false }),
  };
}

/** The checkbox of a table's header (the page's rows) or of one row (`id`). */
export function SelectBox({ selection, pageIds, id, label }) {
  const checked = id === undefined
    ? pageIds.length > 0 && pageIds.every((i) => selection.has(i))
    : selection.has(id);
  const change = (e) => (id === undefined
    ? selection.setPage(pageIds, e.currentTarget.checked)
    : selection.toggle(id, e.currentTarget.checked, pageIds));
  return html`<input type="checkbox" class="select-box" aria-label=${label} checked=${checked} onChange=${change} />`;
}

/**
 * The bar above a list with a selection. `path`: where to POST; `filter`: the list's filter as a
 * bulk body's `filter`; `actions`: [{ action, label, ask: 'text' | 'tag' | 'silence' |
 * 'maintenance', pauseChecks }] (`pauseChecks`: offer to pause checks, monitors only);
 * `noun(count)`: "3 incidents"; `onDone`: reload the list.
 */
export function BulkBar({ selection, pageIds, total, path, filter, actions, noun, onDone }) {
  const [pending, setPending] = useState(null);
  const [result, setResult] = useState(null);
  const count = selection.all ? total : selection.ids.size;
  const pageSelected = pageIds.length > 0 && pageIds.every((id) => selection.has(id));
  const done = (report, action) => {
    setPending(null);
    setResult({ report, action });
    selection.clear();
    onDone();
  };
  return html`
    ${count > 0 && html`
      <div class="bulk-bar" role="group" aria-label=${t('bulk.bar')} data-testid="bulk-bar">
        <strong aria-live="polite">${selection.all ? t('bulk.allSelected', { what: noun(count) }) : t('bulk.selected', { what: noun(count) })}</strong>
        ${!selection.all && pageSelected && total > pageIds.length && html`
          <button type="button" class="link" onClick=${selection.selectAll}>${t('bulk.selectAll', { what: noun(total) })}</button>`}
        <span class="bulk-actions">
          ${actions.map((a) => html`<button type="button" class="secondary small" onClick=${() => setPending(a)}>${a.label}</button>`)}
          <button type="button" class="secondary small" onClick=${selection.clear}>${t('bulk.clear')}</button>
        </span>
      </div>`}
    ${result && html`<${BulkResult} ...${result} noun=${noun} onClose=${() => setResult(null)} />`}
    ${pending && html`<${BulkDialog} action=${pending} what=${noun(count)} onCancel=${() => setPending(null)}
      onConfirm=${(extra) => api('POST', path, {
        ...(selection.all ? { filter } : { ids: [...selection.ids] }),
        action: pending.action,
        ...extra,
      }).then((report) => done(report, pending))} />`}`;
}

/** The confirmation, stating how many rows the action applies to, with its comment, tag or end. */
function BulkDialog({ action, what, onConfirm, onCancel }) {
  const [ends] = useState(() => quickEnds());
  const [form, setForm] = useState({ text: '', key: '', value: '', remove: false, end: '0', reason: '', title: '', pause: false });
  const [state, setState] = useState({ busy: false, error: null, field: null });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    if (action.ask === 'text' && !form.text.trim()) return setState({ busy: false, error: null, field: t('bulk.textRequired') });
    if (action.ask === 'tag' && !form.key.trim()) return setState({ busy: false, error: null, field: t('bulk.keyRequired') });
    const endsAt = ends[Number(form.end)][1].toISOString();
    const extra = action.ask === 'text' ? { text: form.text }
      : action.ask === 'tag' ? { tag: form.remove ? { key: form.key.trim() } : { key: form.key.trim(), value: form.value } }
        : action.ask === 'silence' ? { endsAt, ...(form.reason.trim() ? { reason: form.reason.trim() } : {}) }
          : action.ask === 'maintenance' ? { endsAt, ...(form.title.trim() ? { title: form.title.trim() } : {}), ...(form.pause ? { pauseChecks: true } : {}) }
            : {};
    setState({ busy: true, error: null, field: null });
    try {
      await onConfirm(extra);
    } catch (error) {
      setState({ busy: false, error, field: null });
    }
  };
  return html`
    <${Modal} title=${action.label} onClose=${onCancel}>
      <form onSubmit=${submit} novalidate data-testid="bulk-dialog">
        <p>${t(action.ask === 'silence' || action.ask === 'maintenance' ? `bulk.${action.ask}Confirm` : 'bulk.confirm', { what })}</p>
        ${(action.ask === 'silence' || action.ask === 'maintenance') && html`
          <fieldset class="bulk-ends">
            <legend>${t('bulk.until')}</legend>
            ${ends.map(([key, end], i) => html`
              <label class="check"><input type="radio" name="bulk-end" value=${String(i)} checked=${form.end === String(i)} onChange=${set('end')} />
                ${' '}${t(key)} <span class="muted small">(${formatDateTime(end)})</span></label>`)}
          </fieldset>`}
        ${action.ask === 'silence' && html`<${Field} label=${t('bulk.reason')} value=${form.reason} onInput=${set('reason')} maxlength="1000" />`}
        ${action.ask === 'maintenance' && html`
          <${Field} label=${t('bulk.windowTitle')} value=${form.title} onInput=${set('title')} maxlength="200" placeholder=${t('bulk.windowTitleDefault')} />
          ${action.pauseChecks && html`<label class="check"><input type="checkbox" checked=${form.pause} onChange=${set('pause')} /> ${t('form.maintenance.pauseChecks')}</label>`}`}
        ${action.ask === 'text' && html`<${Field} as="textarea" label=${t('bulk.comment')} value=${form.text} onInput=${set('text')}
          rows="3" autofocus error=${state.field} />`}
        ${action.ask === 'tag' && html`
          <${Field} label=${t('bulk.tagKey')} value=${form.key} onInput=${set('key')} maxlength="100" autofocus error=${state.field} />
          ${!form.remove && html`<${Field} label=${t('bulk.tagValue')} value=${form.value} onInput=${set('value')} maxlength="200" />`}
          <label class="check"><input type="checkbox" checked=${form.remove} onChange=${set('remove')} /> ${t('bulk.tagRemove')}</label>`}
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${onCancel}>${t('tokens.cancel')}</button>
          <button type="submit" disabled=${state.busy}>${t('bulk.apply', { what })}</button>
        </div>
      </form>
    <//>`;
}

/** What the server did: changed, skipped by reason, not found. */
function BulkResult({ report, action, noun, onClose }) {
  return html`
    <${Alert} kind=${report.changed ? 'success' : 'info'}>
      <div data-testid="bulk-result">
        <strong>${action.label.replace(/…$/, '')}${t('app.colon')}</strong>
        ${t('bulk.result', { changed: formatNumber(report.changed), what: noun(report.matched) })}
        ${report.skippedBy.map((s) => html` ${t('bulk.skipped', { count: formatNumber(s.count), why: t('bulk.reason.' + s.reason) })}`)}
        ${report.notFound.length > 0 && html` ${t('bulk.notFound', { count: formatNumber(report.notFound.length) })}`}
        ${report.silenceId && html` <a href=${BASE + '/silences'} onClick=${linkClick}>${t('bulk.silenceMade')}</a>`}
        ${report.windowId && html` <a href=${`${BASE}/maintenance/${encodeURIComponent(report.windowId)}/edit`} onClick=${linkClick}>${t('bulk.windowMade')}</a>`}
        <button type="button" class="link" onClick=${onClose}>${t('bulk.dismiss')}</button>
      </div>
    <//>`;
}

/** Sort field, order and page size above a list; `fields`: [[value, label]]. */
export function ListControls({ fields, sort, order, size, onChange }) {
  return html`
    <${Field} as="select" label=${t('bulk.sortBy')} value=${sort} onChange=${(e) => onChange({ sort: e.currentTarget.value, page: '' })}>
      ${fields.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    <//>
    <${Field} as="select" label=${t('bulk.order')} value=${order} onChange=${(e) => onChange({ order: e.currentTarget.value, page: '' })}>
      <option value="">${t('bulk.orderDefault')}</option>
      <option value="asc">${t('bulk.asc')}</option>
      <option value="desc">${t('bulk.desc')}</option>
    <//>
    <${Field} as="select" label=${t('bulk.pageSize')} value=${String(size)} onChange=${(e) => onChange({ size: e.currentTarget.value, page: '' })}>
      ${PAGE_SIZES.map((n) => html`<option value=${String(n)}>${n}</option>`)}
    <//>`;
}

/** The page size the query string's `size` asks for, one of PAGE_SIZES (else `fallback`). */
export function pageSize(value, fallback = PAGE_SIZES[0]) {
  const size = Number(value);
  return PAGE_SIZES.includes(size) ? size : fallback;
}

/**
 * A list page's sort, order and size from useListFilters' `extra` (keys `sort`, `order`,
 * `size`), with the fallbacks when absent, and the query parameters asking the server for them.
 */
export function listOrder(extra, sorts, fallbackSize) {
  const sort = sorts.includes(extra.sort) ? extra.sort : sorts[0];
  const order = ['asc', 'desc'].includes(extra.order) ? extra.order : '';
  const size = pageSize(extra.size, fallbackSize);
  const query = { sort, ...(order ? { order } : {}) };
  // A monitor's or task's createdAt is when it was created (an incident's, when it opened).
  const fields = sorts.map((f) => [f, t('bulk.sort.' + (f === 'createdAt' ? 'created' : f))]);
  return { sort, order, size, query, fields };
}
