// The monitor form's model (defaults, from/to the API's JSON, browser-side checks) and its
// compound fields: the interval picker and key/value rows (headers, tags).
import { html } from '../lib.js';
import { formatDuration, t } from '../i18n.js';
import { Field, useId } from '../components.js';

export const INTERVALS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 21600, 43200, 86400];

export const DEFAULTS = {
  name: '', url: '', method: 'GET', interval: '60', customInterval: '', timeout: '10', slow: '', down: '2', up: '2',
  codes: '200-399', followRedirects: true, verifyTls: true, assertionKind: 'none', assertionValue: '', assertionPointer: '',
  tlsDays: '14', headers: [], body: '', tags: [], active: true,
};

const rows = (object) => Object.entries(object || {}).map(([k, v]) => ({ k, v }));

export function fromMonitor(m) {
  const a = m.assertion;
  const known = INTERVALS.includes(m.intervalSeconds);
  return {
    name: m.name, url: m.url, method: m.method,
    interval: known ? String(m.intervalSeconds) : 'custom', customInterval: known ? '' : String(m.intervalSeconds),
    timeout: String(m.requestTimeoutMs / 1000), slow: m.responseTimeThresholdMs === null ? '' : String(m.responseTimeThresholdMs),
    down: String(m.downtimeConfirmationThreshold), up: String(m.recoveryConfirmationThreshold), codes: m.acceptedStatusCodes,
    followRedirects: m.followRedirects, verifyTls: m.verifyTls,
    assertionKind: a ? a.kind : 'none',
    assertionValue: !a ? '' : a.kind === 'jsonPointer' ? (typeof a.value === 'string' ? a.value : JSON.stringify(a.value)) : a.value,
    assertionPointer: a && a.kind === 'jsonPointer' ? a.pointer : '',
    tlsDays: String(m.tlsExpiryWarningDays), headers: rows(m.requestHeaders), body: m.requestBody || '', tags: rows(m.metadata),
    active: true,
  };
}

const intervalOf = (f) => Number(f.interval === 'custom' ? f.customInterval : f.interval);
const object = (list) => Object.fromEntries(list.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v]));

/** A JSON value when it parses as one (42, true, "x", {…}), otherwise the text itself. */
function jsonOrText(text) {
  try { return JSON.parse(text); } catch { return text; }
}

export function toBody(f) {
  const kind = f.assertionKind;
  let assertion = null;
  if (kind === 'jsonPointer') assertion = { kind, pointer: f.assertionPointer.trim(), value: jsonOrText(f.assertionValue) };
  else if (kind !== 'none') assertion = { kind, value: f.assertionValue };
  return {
    name: f.name.trim(), url: f.url.trim(), method: f.method,
    intervalSeconds: intervalOf(f),
    requestTimeoutMs: Math.round(Number(f.timeout) * 1000),
    responseTimeThresholdMs: f.slow === '' ? null : Number(f.slow),
    downtimeConfirmationThreshold: Number(f.down), recoveryConfirmationThreshold: Number(f.up),
    acceptedStatusCodes: f.codes.trim(), followRedirects: f.followRedirects, verifyTls: f.verifyTls, assertion,
    tlsExpiryWarningDays: Number(f.tlsDays),
    requestHeaders: object(f.headers),
    requestBody: ['POST', 'PUT', 'PATCH'].includes(f.method) && f.body ? f.body : null,
    metadata: object(f.tags),
  };
}

const CODES = /^\s*\d{3}(\s*-\s*\d{3})?(\s*,\s*\d{3}(\s*-\s*\d{3})?)*\s*,?\s*$/;
const whole = (v, lo, hi) => v !== '' && Number.isInteger(Number(v)) && Number(v) >= lo && Number(v) <= hi;

/** Errors found without asking the server, by API field name (in form order). */
export function validate(f) {
  const e = {};
  let url = null;
  try { url = new URL(f.url.trim()); } catch { /* reported below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) e.url = t('form.error.url');
  if (!whole(String(intervalOf(f)), 5, 86400)) e.intervalSeconds = t('form.error.interval');
  const named = (list) => list.some((r) => !r.k.trim() && r.v.trim());
  if (named(f.headers)) e.requestHeaders = t('form.error.rowKey');
  const timeout = Number(f.timeout);
  if (f.timeout === '' || !(timeout >= 0.001 && timeout <= 60)) e.requestTimeoutMs = t('form.error.timeout');
  if (f.slow !== '' && !whole(f.slow, 1, 60000)) e.responseTimeThresholdMs = t('form.error.slow');
  if (!whole(f.down, 1, 10)) e.downtimeConfirmationThreshold = t('form.error.threshold');
  if (!whole(f.up, 1, 10)) e.recoveryConfirmationThreshold = t('form.error.threshold');
  if (!CODES.test(f.codes)) e.acceptedStatusCodes = t('form.error.codes');
  if (['bodyContains', 'bodyNotContains', 'regex'].includes(f.assertionKind) && !f.assertionValue) e.assertion = t('form.error.assertionValue');
  if (f.assertionKind === 'jsonPointer' && f.assertionPointer.trim() && !f.assertionPointer.trim().startsWith('/')) {
    e.assertion = t('form.error.pointer');
  }
  if (!whole(f.tlsDays, 0, 365)) e.tlsExpiryWarningDays = t('form.error.tlsDays');
  if (named(f.tags)) e.metadata = t('form.error.rowKey');
  return e;
}

/** Common intervals, or "Custom" with a number of seconds (at least 5). */
export function IntervalField({ id, form, update, error }) {
  const custom = form.interval === 'custom';
  return html`
    <div class="interval">
      <${Field} as="select" id=${custom ? id + '-choice' : id} label=${t('form.interval')} value=${form.interval}
        onChange=${(e) => update('interval', e.currentTarget.value)} error=${custom ? null : error}>
        ${INTERVALS.map((s) => html`<option value=${String(s)}>${t('monitor.every', { duration: formatDuration(s * 1000) })}</option>`)}
        <option value="custom">${t('form.customInterval')}</option>
      <//>
      ${custom && html`<${Field} id=${id} label=${t('form.customSeconds')} type="number" min="5" max="86400" step="1"
        value=${form.customInterval} onInput=${(e) => update('customInterval', e.currentTarget.value)} error=${error}
        hint=${t('form.customHint')} />`}
    </div>`;
}

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
