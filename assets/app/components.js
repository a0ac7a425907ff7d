// Small shared pieces: form fields, alerts, loading states, copy buttons, a confirmation dialog.
import { html, useEffect, useRef, useState } from './lib.js';
import { t } from './i18n.js';

let nextId = 0;
/** A labelled input; extra props go to the <input>. */
export function Field({ label, hint, error, id, ...input }) {
  const [fallbackId] = useState(() => 'f' + ++nextId);
  const inputId = id || fallbackId;
  const hintId = hint ? inputId + '-hint' : undefined;
  return html`
    <div class="field">
      <label for=${inputId}>${label}</label>
      <input id=${inputId} aria-describedby=${hintId} aria-invalid=${error ? 'true' : undefined} ...${input} />
      ${hint && html`<small id=${hintId} class="hint">${hint}</small>`}
      ${error && html`<small class="field-error" role="alert">${error}</small>`}
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

/** Loading, error-with-retry, or the content. */
export function Async({ state, retry, children }) {
  if (state.error) {
    return html`<${Alert}>${errorText(state.error)} <button type="button" class="link" onClick=${retry}>${t('app.retry')}</button><//>`;
  }
  if (state.loading) return html`<${Loading} />`;
  return children;
}

/** Runs `load` on mount and whenever `deps` change; returns {loading, error, data, reload}. */
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ loading: true, error: null, data: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ loading: false, error: null, data }),
      (error) => live && setState({ loading: false, error, data: null }),
    );
    return () => { live = false; };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
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
