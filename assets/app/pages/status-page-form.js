// Create or edit a status page: every field of the page, its groups and components (see
// status-page-groups.js), a live preview of the unsaved draft beside the form, and, once the page
// exists, its share links. The server's refusal ("field: problem", 409 for a taken address)
// lands next to its field.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, Field, errorText, useLoad } from '../components.js';
import { useForm } from '../forms.js';
import { GroupsEditor } from './status-page-groups.js';
import { LogoField, Preview, blankDraft, fromPage, pagePath, slugFrom, toBody, validate } from './status-page-parts.js';
import { ShareLinks } from './status-page-share.js';

const fieldId = (field) => 'sp-' + field;

export function StatusPageFormPage({ params }) {
  if (params.id) return html`<${EditPage} id=${params.id} />`;
  return html`<main class="wide sp-wide"><${Back} /><h1>${t('sp.newTitle')}</h1><${PageForm} initial=${blankDraft()} /></main>`;
}

function EditPage({ id }) {
  const page = useLoad(() => api('GET', pagePath(id)), [id]);
  return html`
    <main class="wide sp-wide">
      <${Back} />
      <h1>${t('sp.editTitle')}</h1>
      <${Async} state=${page} retry=${page.reload}>${(p) => html`
        <p><a href=${p.url} target="_blank" rel="noopener">${p.url}</a>${' · '}<a
          href=${`${BASE}/status-pages/${p.id}/announcements`} onClick=${linkClick}>${t('sp.announcements')}</a></p>
        <${PageForm} key=${p.id} id=${p.id} initial=${{ ...fromPage(p), slugTouched: true }} />`}<//>
    </main>`;
}

function Back() {
  return html`<p class="back"><a href=${BASE + '/status-pages'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('sp.back')}</a></p>`;
}

/** The field a refusal names, if the form has it: 409 is the address, "groups[0]…" the groups. */
function serverFieldError(error) {
  const message = (error.message || '').replace(/^[\w.[\]]+:\s*/, '');
  if (error.status === 409) return ['slug', message];
  const field = error.status === 422 && /^([\w]+)/.exec(error.message || '')?.[1];
  return field && document.getElementById(fieldId(field)) ? [field, message] : null;
}

function PageForm({ id, initial }) {
  const creating = !id;
  const [saved, setSaved] = useState(false);
  const save = async (f) => {
    if (creating) {
      const made = await api('POST', '/status-pages', toBody(f));
      navigate(`${BASE}/status-pages/${made.id}`);
      return;
    }
    // The contract answers the page; a bare 204 would still leave the form in step with the server.
    const page = (await api('PATCH', pagePath(id), toBody(f))) || (await api('GET', pagePath(id)));
    // Fresh components now have ids: keep them, so the next save does not renumber them.
    setForm({ ...fromPage(page), slugTouched: true });
    setSaved(true);
  };
  const { form, setForm, set, update, errors, setErrors, err, state, submit } = useForm(initial, {
    validate, save, fieldError: serverFieldError, focus: (field) => document.getElementById(fieldId(field))?.focus(),
  });
  // Typing in a field answers its complaint (the address too, while it follows the title).
  const edited = (e) => {
    setSaved(false);
    const fields = [e.target.id.replace(/^sp-/, ''), ...(e.target.id === fieldId('title') && !form.slugTouched ? ['slug'] : [])];
    if (fields.some((f) => errors[f])) setErrors((all) => Object.fromEntries(Object.entries(all).filter(([f]) => !fields.includes(f))));
  };
  const onTitle = (e) => {
    const title = e.currentTarget.value;
    setForm((f) => ({ ...f, title, slug: f.slugTouched ? f.slug : slugFrom(title) }));
  };
  const onSlug = (e) => {
    const slug = e.currentTarget.value;
    setForm((f) => ({ ...f, slug, slugTouched: true }));
  };
  const choose = (key, values, label, hint) => html`
    <${Field} as="select" id=${fieldId(key)} label=${label} value=${form[key]} onChange=${set(key)} hint=${hint} error=${err(key)}>
      ${values.map((v) => html`<option value=${v}>${t(`sp.${key}.${v}`)}</option>`)}
    <//>`;
  return html`
    <div class="sp-editor">
      <div class="sp-main">
        <form class="sp-form" onSubmit=${submit} onInput=${edited} novalidate>
          <fieldset class="card">
            <legend>${t('sp.page')}</legend>
            <${Field} id=${fieldId('title')} label=${t('sp.titleLabel')} value=${form.title} onInput=${onTitle} maxlength="200"
              required error=${err('title')} />
            <${Field} id=${fieldId('slug')} label=${t('sp.slug')} value=${form.slug} onInput=${onSlug} maxlength="64" class="mono"
              autocomplete="off" spellcheck="false" hint=${t('sp.slugHint', { slug: form.slug || '…' })} error=${err('slug')} />
            <${Field} as="textarea" id=${fieldId('description')} label=${t('sp.description')} value=${form.description}
              onInput=${set('description')} rows="2" maxlength="2000" error=${err('description')} />
            <${LogoField} value=${form.logo} onChange=${(logo) => { update('logo', logo); setSaved(false); }} error=${err('logo')} />
            <${Field} as="textarea" id=${fieldId('footer')} label=${t('sp.footer')} value=${form.footer}
              onInput=${set('footer')} rows="2" maxlength="2000" error=${err('footer')} />
          </fieldset>
          <fieldset class="card">
            <legend>${t('sp.display')}</legend>
            ${choose('visibility', ['public', 'private'], t('sp.visibility'), t('sp.visibilityHint.' + form.visibility))}
            <label class="check"><input type="checkbox" id=${fieldId('noindex')} checked=${form.noindex} onChange=${set('noindex')} />
              ${t('sp.noindex')}</label>
            <div class="row">
              ${choose('language', ['auto', 'en', 'fr'], t('sp.language'))}
              ${choose('theme', ['auto', 'light', 'dark'], t('sp.theme'))}
            </div>
          </fieldset>
          <${GroupsEditor} groups=${form.groups} error=${err('groups')}
            onChange=${(groups) => { update('groups', groups); setSaved(false); }} />
          ${Object.keys(errors).length > 0 && html`<${Alert}>${t('form.fix')}<//>`}
          ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
          ${saved && html`<${Alert} kind="success">${t('sp.saved')}<//>`}
          <div class="actions">
            <a class="button secondary" href=${BASE + '/status-pages'} onClick=${linkClick}>${t('tokens.cancel')}</a>
            <button type="submit" disabled=${state.busy}>${creating ? t('sp.create') : t('form.save')}</button>
          </div>
        </form>
        ${!creating && html`<${ShareLinks} pageId=${id} visibility=${form.visibility} />`}
      </div>
      <${Preview} form=${form} />
    </div>`;
}
