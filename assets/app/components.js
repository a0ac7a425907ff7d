// Small shared pieces: form fields, alerts, loading states, copy buttons, a confirmation dialog.
import { html, useEffect, useLayoutEffect, useRef, useState } from './lib.js';
import { formatDateTime, formatRelative, t } from './i18n.js';
import { queryParams, setQueryParams } from './router.js';

let nextId = 0;
/** A fresh id for label/aria wiring. */
export function useId(prefix = 'f') {
  const [id] = useState(() => prefix + ++nextId);
  return id;
}

/** A labelled input (or `as="select"` / `as="textarea"` with children); extra props go to the control. */
export function Field({ label, hint, error, id, as = 'input', children, class: className, ...input }) {
  const fallbackId = useId();
  const inputId = id || fallbackId;
  const hintId = hint ? inputId + '-hint' : undefined;
  const errorId = error ? inputId + '-error' : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return html`
    <div class=${'field' + (className ? ' ' + className : '')}>
      <label for=${inputId}>${label}</label>
      <${as} id=${inputId} aria-describedby=${describedBy} aria-invalid=${error ? 'true' : undefined} ...${input}>${children}<//>
      ${hint && html`<small id=${hintId} class="hint">${hint}</small>`}
      ${error && html`<small id=${errorId} class="field-error" role="alert">${error}</small>`}
    </div>`;
}

export function Alert({ kind = 'error', children }) {
  return html`<div class=${'alert alert-' + kind} role=${kind === 'error' ? 'alert' : 'status'}>${children}</div>`;
}

/** The message to show for a failed request. */
export function errorText(error) {
  if (!error) return '';
  if (error.status === 0) return t('app.error.network');
  return t('app.error.generic', { message: error.message });
}

export function Loading() {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('app.loading')}</p>`;
}

/**
 * Loading, error-with-retry, or the content. Data already shown stays during a refresh; a
 * failed refresh keeps it, with a note above.
 */
export function Async({ state, retry, children }) {
  if (state.error && !state.data) {
    return html`<${Alert}>${errorText(state.error)} <button type="button" class="link" onClick=${retry}>${t('app.retry')}</button><//>`;
  }
  if (!state.data) return html`<${Loading} />`;
  return html`
    ${state.error && html`<${Alert} kind="warning">${t('app.stale')} ${errorText(state.error)}<//>`}
    ${typeof children === 'function' ? children(state.data) : children}`;
}

/**
 * Runs `load` on mount and whenever `deps` change (forgetting the previous data), then again
 * while the tab is visible, keeping the data: `every` ms after each answer, or `every(data)` ms
 * (to refresh right after a monitor's next check). Only the latest request's answer is kept.
 * Returns {loading, error, data, reload}.
 */
export function useLoad(load, deps = [], { every = 0 } = {}) {
  const [state, setState] = useState({ loading: true, error: null, data: null });
  const seq = useRef(0);
  const latest = useRef(load);
  latest.current = load;
  const period = useRef(every);
  period.current = every;
  const data = useRef(null);
  const run = (fresh) => {
    const mine = ++seq.current;
    // A retry after a failure with nothing shown goes back to "Loading…".
    setState((s) => (fresh ? { loading: true, error: null, data: null } : { ...s, loading: true, error: s.data ? s.error : null }));
    return latest.current().then(
      (value) => {
        if (mine !== seq.current) return;
        data.current = value;
        setState({ loading: false, error: null, data: value });
      },
      (error) => mine === seq.current && setState((s) => ({ loading: false, error, data: s.data })),
    );
  };
  // A layout effect: the request leaves as the page is drawn, not a frame later (on a first
  // load, that frame is on the way to the first row).
  useLayoutEffect(() => {
    let live = true;
    let timer = null;
    const delay = () => (typeof period.current === 'function' ? period.current(data.current) : period.current);
    const next = () => { if (live && period.current) timer = setTimeout(tick, Math.max(1000, delay())); };
    const tick = () => (document.hidden ? Promise.resolve() : run(false)).then(next);
    data.current = null;
    run(true).then(next);
    return () => {
      live = false;
      clearTimeout(timer);
      seq.current++;
    };
  }, deps);
  return { ...state, reload: () => run(false) };
}

/** Calls `reload` whenever `value` changes after the first render. */
export function useReloadOn(value, reload) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    reload();
  }, [value]);
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced(value, ms = 300) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Re-renders every `ms` (for "5 min ago" texts on pages that do not poll). */
export function useTick(ms = 30000) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** Tells the shell that incidents changed (the navigation badge refreshes). */
export function incidentsChanged() {
  window.dispatchEvent(new Event('dd:incidents-changed'));
}

/** Calls incidentsChanged() when `key` (derived from polled data) changes after it first got a value. */
export function useIncidentsSignal(key) {
  const seen = useRef(null);
  useEffect(() => {
    if (seen.current !== null && key !== seen.current) incidentsChanged();
    if (key !== null) seen.current = key;
  }, [key]);
}

/** A relative time ("5 minutes ago") with the absolute one in a tooltip and for machines. */
export function Time({ iso, absolute = false, seconds = false }) {
  if (!iso) return html`<span class="muted">${t('time.never')}</span>`;
  const full = formatDateTime(iso, { seconds });
  return absolute
    ? html`<time datetime=${iso} title=${formatRelative(iso)}>${full}</time>`
    : html`<time datetime=${iso} title=${full}>${formatRelative(iso)}</time>`;
}

/**
 * A list page's filters, kept in the query string (back/forward keep them): `status`, a key of
 * `filters` ('all' when absent), the search text `q` (applied once typing pauses) and `page`.
 */
export function useListFilters(filters, extraKeys = []) {
  const params = queryParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const status = filters[params.get('status')] ? params.get('status') : 'all';
  const query = params.get('q') || '';
  // A page's own filters (the monitors' kind), kept in the address like the others.
  // A key given several times (the monitors' `tag`) keeps all its values.
  const extra = Object.fromEntries(extraKeys.map((key) => {
    const all = params.getAll(key);
    return [key, all.length > 1 ? all : all[0] || ''];
  }));
  const [text, setText] = useState(query);
  const settled = useDebounced(text.trim(), 300);
  const go = (changes) => setQueryParams({ status: status === 'all' ? '' : status, q: query, page: page > 1 ? page : '', ...extra, ...changes });
  useEffect(() => { if (settled !== query) go({ q: settled, page: '' }); }, [settled]);
  useEffect(() => { if (query !== settled) setText(query); }, [query]); // back/forward
  const clear = () => { setText(''); setQueryParams({}); };
  return { page, status, query, extra, text, setText, go, clear };
}

/** The search box and status filter above a list, driving useListFilters' `list`; `children`
 * are a page's own filters, after them. */
export function ListToolbar({ list, filters, searchLabel, searchHint, filterLabel, optionLabel, children }) {
  return html`
    <form class="toolbar" role="search" onSubmit=${(e) => { e.preventDefault(); list.go({ q: list.text.trim(), page: '' }); }}>
      <${Field} label=${searchLabel} type="search" value=${list.text} placeholder=${searchHint}
        onInput=${(e) => list.setText(e.currentTarget.value)} class="grow" />
      <${Field} as="select" label=${filterLabel} value=${list.status}
        onChange=${(e) => list.go({ status: e.currentTarget.value === 'all' ? '' : e.currentTarget.value, page: '' })}>
        ${Object.keys(filters).map((key) => html`<option value=${key}>${optionLabel(key)}</option>`)}
      <//>
      ${children}
    </form>`;
}

/** "Page 2 of 7" with previous/next buttons; nothing when everything fits on one page. */
export function Pagination({ page, size, total, onPage, label }) {
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1 && page <= 1) return null;
  return html`
    <nav class="pagination" aria-label=${label || t('pagination.label')}>
      <button type="button" class="secondary small" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>
        <span aria-hidden="true">← </span>${t('pagination.previous')}</button>
      <span aria-live="polite">${t('pagination.status', { page, pages })}</span>
      <button type="button" class="secondary small" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>
        ${t('pagination.next')}<span aria-hidden="true"> →</span></button>
    </nav>`;
}

/** A modal <dialog> holding any content (forms); Escape or the backdrop's cancel closes it. */
export function Modal({ title, onClose, children }) {
  const ref = useRef(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog && dialog.open && dialog.close();
  }, []);
  // The page behind is inert, but Tab would still leave for the browser's own controls: it
  // cycles through the dialog's instead.
  const trapTab = (e) => {
    if (e.key !== 'Tab') return;
    const all = [...ref.current.querySelectorAll('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((el) => !el.disabled && el.offsetParent !== null);
    const [first, last] = [all[0], all[all.length - 1]];
    if (e.shiftKey ? document.activeElement === first : document.activeElement === last) {
      e.preventDefault();
      (e.shiftKey ? last : first)?.focus();
    }
  };
  return html`
    <dialog ref=${ref} class="dialog" aria-labelledby=${titleId} onKeyDown=${trapTab} onCancel=${(e) => { e.preventDefault(); onClose(); }}>
      <h2 id=${titleId}>${title}</h2>
      ${children}
    </dialog>`;
}

/** The page a user without the permission sees. */
export function Forbidden() {
  return html`<main><h1>${t('app.forbidden.title')}</h1><p>${t('app.forbidden.text')}</p></main>`;
}

export function CopyButton({ text, label }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API unavailable (plain http on another host): select the text instead.
      const range = document.createRange();
      const target = document.querySelector(`[data-copy="${CSS.escape(text)}"]`);
      if (target) { range.selectNodeContents(target); getSelection().removeAllRanges(); getSelection().addRange(range); }
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return html`<button type="button" class="secondary small" onClick=${copy} aria-label=${label}>
    ${copied ? t('tokens.copied') : t('tokens.copy')}</button>`;
}

/**
 * The request behind a confirmation dialog: `act(run)` is busy while `run()` goes, then calls
 * `done()`; a failure stays in `error` for the dialog to show. `reset()` on cancel.
 */
export function useAction(done) {
  const [state, setState] = useState({ busy: false, error: null });
  const act = async (run) => {
    setState({ busy: true, error: null });
    try {
      await run();
      setState({ busy: false, error: null });
      done();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return { ...state, act, reset: () => setState({ busy: false, error: null }) };
}

/** A modal confirmation built on <dialog>: focus stays inside, Escape cancels. */
export function ConfirmDialog({ title, text, confirmLabel, onConfirm, onCancel, busy, error }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog && dialog.open && dialog.close();
  }, []);
  return html`
    <dialog ref=${ref} class="dialog" aria-labelledby="confirm-title" onCancel=${(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">${title}</h2>
      <p>${text}</p>
      ${error && html`<${Alert}>${errorText(error)}<//>`}
      <div class="actions">
        <button type="button" class="secondary" onClick=${onCancel}>${t('tokens.cancel')}</button>
        <button type="button" class="danger" onClick=${onConfirm} disabled=${busy}>${confirmLabel}</button>
      </div>
    </dialog>`;
}

/** 0 (too short) to 4 (strong); the server's rule is at least 10 characters, 5 distinct. */
export function passwordLevel(password) {
  if (password.length < 10 || new Set(password).size < 5) return 0;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  const score = (password.length >= 16 ? 2 : password.length >= 12 ? 1 : 0) + (classes >= 3 ? 2 : classes >= 2 ? 1 : 0);
  return Math.max(1, Math.min(4, score));
}

export function PasswordStrength({ password }) {
  if (!password) return null;
  const level = passwordLevel(password);
  return html`<div class="strength" aria-live="polite">
    <meter min="0" max="4" low="2" high="3" optimum="4" value=${level} aria-hidden="true"></meter>
    <small>${t('password.strength', { level: t('password.level.' + level) })}</small>
  </div>`;
}
