// "New silence" on the Silences page: what it covers (everything, a kind of check, or a
// metadata tag), until when (1 h, 4 h, tomorrow morning, or a date and time), and why.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Alert, Field, Modal, errorText } from '../components.js';
import { KINDS, kindLabel } from './monitor-kinds.js';
import { quickEnds } from './silence-parts.js';

/** A local date and time for a datetime-local input. */
function localInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The matchers of the form's choice. */
function matchersOf(form) {
  if (form.what === 'kind') return { kinds: [form.kind] };
  if (form.what === 'tag') {
    const [key, ...rest] = form.tag.split('=');
    return { tags: [{ key: key.trim(), value: rest.length ? rest.join('=').trim() : null }] };
  }
  return { all: true };
}

export function NewSilenceDialog({ onClose }) {
  const [form, setForm] = useState({ what: 'all', kind: 'http', tag: '', until: 'for1h', at: localInput(new Date(Date.now() + 3600e3)), reason: '' });
  const [state, setState] = useState({ busy: false, error: null });
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    const quick = Object.fromEntries(quickEnds().map(([key, end]) => [key.replace('silence.', ''), end]));
    const end = form.until === 'at' ? new Date(form.at) : quick[form.until];
    setState({ busy: true, error: null });
    try {
      const body = { matchers: matchersOf(form), endsAt: end.toISOString() };
      if (form.reason.trim()) body.reason = form.reason.trim();
      await api('POST', '/silences', body);
      onClose(true);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`
    <${Modal} title=${t('silences.new')} onClose=${() => onClose(false)}>
      <form onSubmit=${submit} novalidate>
        <${Field} as="select" label=${t('silences.field.what')} value=${form.what} onChange=${set('what')}>
          <option value="all">${t('silence.covers.all')}</option>
          <option value="kind">${t('silences.field.whatKind')}</option>
          <option value="tag">${t('silences.field.whatTag')}</option>
        <//>
        ${form.what === 'kind' && html`
          <${Field} as="select" label=${t('silences.field.kind')} value=${form.kind} onChange=${set('kind')}>
            ${Object.keys(KINDS).map((k) => html`<option value=${k}>${kindLabel(k)}</option>`)}
            <option value="task">${t('silences.field.kindTask')}</option>
          <//>`}
        ${form.what === 'tag' && html`
          <${Field} label=${t('silences.field.tag')} value=${form.tag} onInput=${set('tag')} required maxlength="300"
            hint=${t('silences.field.tagHint')} />`}
        <${Field} as="select" label=${t('silences.field.until')} value=${form.until} onChange=${set('until')}>
          <option value="for1h">${t('silence.for1h')}</option>
          <option value="for4h">${t('silence.for4h')}</option>
          <option value="untilTomorrow">${t('silence.untilTomorrow')}</option>
          <option value="at">${t('silences.field.untilAt')}</option>
        <//>
        ${form.until === 'at' && html`
          <${Field} type="datetime-local" label=${t('silences.field.at')} value=${form.at} onInput=${set('at')} required
            hint=${t('silences.field.atHint')} />`}
        <${Field} label=${t('silences.col.reason')} value=${form.reason} onInput=${set('reason')} maxlength="1000" />
        ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${() => onClose(false)}>${t('tokens.cancel')}</button>
          <button type="submit" disabled=${state.busy || (form.what === 'tag' && !form.tag.trim())}>${t('silences.create')}</button>
        </div>
      </form>
    <//>`;
}
