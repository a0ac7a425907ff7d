// Key/value rows (request headers, tags, notification headers): the editor and its conversions
// from and to the API's JSON object. Apart from monitor-form-parts.js, which imports the monitor
// kinds: kinds/http.js needs these too, and the dashboard's bundle refuses import cycles.
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { useId } from '../components.js';

export const rows = (object) => Object.entries(object || {}).map(([k, v]) => ({ k, v }));

export const object = (list) => Object.fromEntries(list.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v]));

/** Editable key/value pairs (request headers, tags), each input labelled, rows added and removed. */
export function KeyValueRows({ field, legend, hideLegend, rows: list, onChange, keyLabel, valueLabel, addLabel, error }) {
  const base = useId('kv');
  const change = (i, key) => (e) => onChange(list.map((r, j) => (j === i ? { ...r, [key]: e.currentTarget.value } : r)));
  const errorId = error ? base + '-error' : undefined;
  return html`
    <fieldset class="kv" data-field=${field} aria-describedby=${errorId}>
      <legend class=${hideLegend ? 'visually-hidden' : ''}>${legend}</legend>
      ${list.map((r, i) => html`
        <div class="kv-row" key=${i}>
          <label class="visually-hidden" for=${`${base}-k${i}`}>${keyLabel} ${i + 1}</label>
          <input id=${`${base}-k${i}`} value=${r.k} placeholder=${keyLabel} onInput=${change(i, 'k')} autocomplete="off" />
          <label class="visually-hidden" for=${`${base}-v${i}`}>${valueLabel} ${i + 1}</label>
          <input id=${`${base}-v${i}`} value=${r.v} placeholder=${valueLabel} onInput=${change(i, 'v')} autocomplete="off" />
          <button type="button" class="secondary small" aria-label=${t('form.removeRow', { label: keyLabel, n: i + 1 })}
            onClick=${() => onChange(list.filter((_, j) => j !== i))}>✕</button>
        </div>`)}
      <button type="button" class="secondary small" onClick=${() => onChange([...list, { k: '', v: '' }])}>+ ${addLabel}</button>
      ${error && html`<small id=${errorId} class="field-error" role="alert">${error}</small>`}
    </fieldset>`;
}
