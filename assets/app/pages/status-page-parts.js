// Shared pieces of the status page editor: the draft ⇄ API body, the browser's own checks, the
// logo picker (a file read into a data URL) and the live preview (the server's rendering of the
// draft in a sandboxed iframe).
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorText, useDebounced } from '../components.js';

export const pagePath = (id) => `/status-pages/${encodeURIComponent(id)}`;

/** The contract's rule for slugs (the server checks it too). */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const LOGO_MAX = 100 * 1024;
const LOGO_TYPES = ['image/png', 'image/svg+xml', 'image/jpeg', 'image/webp'];

let keys = 0;
/** A key for drag and drop and rendering: new components have no id until saved. */
export const newKey = () => 'k' + ++keys;

export function blankDraft() {
  return {
    title: '', slug: '', description: '', footer: '', logo: null, visibility: 'public', noindex: false,
    language: 'auto', theme: 'auto', groups: [{ key: newKey(), name: t('sp.groupDefault'), components: [] }],
  };
}

export function fromPage(p) {
  return {
    title: p.title, slug: p.slug, description: p.description || '', footer: p.footer || '', logo: p.logo || null,
    visibility: p.visibility, noindex: p.noindex, language: p.language, theme: p.theme,
    groups: p.groups.map((g) => ({ key: newKey(), name: g.name, components: g.components.map((c) => ({ ...c, key: newKey() })) })),
  };
}

/** The create/PATCH body: groups in their on-screen order, components keeping their ids. */
export function toBody(f) {
  return {
    title: f.title.trim(), slug: f.slug.trim(), description: f.description.trim() || null, footer: f.footer.trim() || null,
    logo: f.logo, visibility: f.visibility, noindex: f.noindex, language: f.language, theme: f.theme,
    groups: f.groups.map((g) => ({
      name: g.name.trim(),
      components: g.components.map(({ key, ...c }) => ({ ...c, publicName: c.publicName.trim() })),
    })),
  };
}

/** Errors found without asking the server, by API field (in form order). */
export function validate(f) {
  const e = {};
  if (!f.title.trim()) e.title = t('sp.titleRequired');
  if (!SLUG.test(f.slug.trim())) e.slug = t('sp.slugInvalid');
  if (f.groups.some((g) => !g.name.trim())) e.groups = t('sp.groupNameRequired');
  else if (f.groups.some((g) => g.components.some((c) => !c.publicName.trim()))) e.groups = t('sp.publicNameRequired');
  return e;
}

/** "My Shop Status" → "my-shop-status", for the address while the editor has not typed one. */
export function slugFrom(title) {
  return title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
}

/** A file input giving a data URL, with the current logo and a remove button. */
export function LogoField({ value, onChange, error }) {
  const [problem, setProblem] = useState(null);
  const pick = (e) => {
    const file = e.currentTarget.files[0];
    e.currentTarget.value = '';
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) { setProblem(t('sp.logoType')); return; }
    const reader = new FileReader();
    reader.onload = () => {
      // The limit is on the data URL the server stores, a third bigger than the file.
      if (reader.result.length > LOGO_MAX) setProblem(t('sp.logoTooBig', { size: Math.ceil(reader.result.length / 1024) }));
      else { setProblem(null); onChange(reader.result); }
    };
    reader.readAsDataURL(file);
  };
  const shown = problem || error;
  return html`
    <div class="field sp-logo">
      <label for="sp-logo">${t('sp.logo')}</label>
      <div class="sp-logo-row">
        ${value && html`<img src=${value} alt=${t('sp.logoAlt')} class="sp-logo-img" data-testid="logo-preview" />`}
        <input type="file" id="sp-logo" accept=${LOGO_TYPES.join(',')} onChange=${pick} aria-describedby="sp-logo-hint"
          aria-invalid=${shown ? 'true' : undefined} />
        ${value && html`<button type="button" class="secondary small" onClick=${() => onChange(null)}>${t('sp.logoRemove')}</button>`}
      </div>
      <small id="sp-logo-hint" class="hint">${t('sp.logoHint')}</small>
      ${shown && html`<small class="field-error" role="alert">${shown}</small>`}
    </div>`;
}

/**
 * The page as a visitor would see it, rendered by the server from the unsaved draft once typing
 * pauses. The iframe runs no script (sandbox without allow-scripts): the preview is still HTML
 * and CSS, and a preview must not poll or subscribe as the real page does.
 */
export function Preview({ form }) {
  const draft = JSON.stringify(toBody({ ...form, slug: SLUG.test(form.slug.trim()) ? form.slug : 'preview' }));
  const settled = useDebounced(draft, 500);
  const [state, setState] = useState({ html: null, error: null });
  useEffect(() => {
    // Nothing to show yet: a page without a title is refused, and that is not news to the editor.
    if (!JSON.parse(settled).title) { setState({ html: null, error: null }); return undefined; }
    let live = true;
    api('POST', '/status-pages/preview', JSON.parse(settled), { asText: true }).then(
      (text) => live && setState({ html: text, error: null }),
      (error) => live && setState((s) => ({ html: s.html, error })),
    );
    return () => { live = false; };
  }, [settled]);
  return html`
    <section class="card sp-preview" aria-labelledby="sp-preview-title">
      <h2 id="sp-preview-title">${t('sp.preview')}</h2>
      <p class="hint">${t('sp.previewHint')}</p>
      ${state.error && html`<p class="field-error" role="status">
        ${t('sp.previewError', { message: state.error.status === 0 ? errorText(state.error) : state.error.message })}</p>`}
      ${state.html !== null && html`<iframe class="sp-preview-frame" title=${t('sp.previewFrame')} sandbox="allow-same-origin"
        srcdoc=${state.html} data-testid="preview"></iframe>`}
    </section>`;
}
