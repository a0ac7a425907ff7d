// The monitor form's model (defaults, from/to the API's JSON, browser-side checks: the common
// fields here, each kind's in monitor-kinds.js) and its compound fields: the interval picker and
// key/value rows (headers, tags; in key-value-rows.js, which the kinds import without a cycle).
import { html } from '../lib.js';
import { formatDuration, t } from '../i18n.js';
import { Field } from '../components.js';
import { KINDS, kindOf } from './monitor-kinds.js';
import { whole } from '../forms.js';
import { object, rows } from './key-value-rows.js';

export { KeyValueRows, object, rows } from './key-value-rows.js';

export const INTERVALS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 21600, 43200, 86400];

/** A new monitor's form: the common fields, and every kind's (the kind picked decides which
 * count). A function: every form gets its own arrays. */
export const defaults = () => ({
  kind: 'http', name: '', interval: '60', customInterval: '', timeout: '10', down: '2', up: '2', tlsDays: '14', tags: [], active: true,
  ...Object.assign({}, ...Object.values(KINDS).map((k) => k.defaults)),
});

export function fromMonitor(m) {
  const known = INTERVALS.includes(m.intervalSeconds);
  return {
    ...defaults(), kind: m.kind || 'http', name: m.name,
    interval: known ? String(m.intervalSeconds) : 'custom', customInterval: known ? '' : String(m.intervalSeconds),
    timeout: String(m.requestTimeoutMs / 1000),
    down: String(m.downtimeConfirmationThreshold), up: String(m.recoveryConfirmationThreshold),
    tlsDays: String(m.tlsExpiryWarningDays), tags: rows(m.metadata),
    active: true,
    ...kindOf(m).fromMonitor(m),
  };
}

const intervalOf = (f) => Number(f.interval === 'custom' ? f.customInterval : f.interval);

export function toBody(f) {
  return {
    kind: f.kind, name: f.name.trim(),
    intervalSeconds: intervalOf(f),
    requestTimeoutMs: Math.round(Number(f.timeout) * 1000),
    downtimeConfirmationThreshold: Number(f.down), recoveryConfirmationThreshold: Number(f.up),
    tlsExpiryWarningDays: Number(f.tlsDays),
    metadata: object(f.tags),
    ...KINDS[f.kind].toBody(f),
  };
}


/** Errors found without asking the server, by API field name: the kind's, then the common ones. */
export function validate(f) {
  const e = { ...KINDS[f.kind].validate(f) };
  if (!whole(String(intervalOf(f)), 5, 86400)) e.intervalSeconds = t('form.error.interval');
  const timeout = Number(f.timeout);
  if (f.timeout === '' || !(timeout >= 0.001 && timeout <= 60)) e.requestTimeoutMs = t('form.error.timeout');
  if (!whole(f.down, 1, 10)) e.downtimeConfirmationThreshold = t('form.error.threshold');
  if (!whole(f.up, 1, 10)) e.recoveryConfirmationThreshold = t('form.error.threshold');
  if (!whole(f.tlsDays, 0, 365)) e.tlsExpiryWarningDays = t('form.error.tlsDays');
  if (f.tags.some((r) => !r.k.trim() && r.v.trim())) e.metadata = t('form.error.rowKey');
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
