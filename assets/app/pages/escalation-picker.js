// The escalation policy picker of the monitor and task forms: the organization's default (the
// first choice) or one of its policies. The current pick is read from the policies' `sources`;
// the form sends `escalationPolicy` only once the picker was changed, so saving a form never
// resets a pick it did not show.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useLoad } from '../components.js';

export function EscalationPicker({ sourceId, value, onChange }) {
  const data = useLoad(() => api('GET', '/escalation-policies'));
  if (!data.data || data.data.items.length === 0) return null;
  const policies = data.data.items;
  const current = policies.find((p) => sourceId && p.sources.some((s) => s.sourceId === sourceId));
  const picked = value === undefined ? (current ? current.id : '') : value || '';
  const fallback = policies.find((p) => p.default);
  return html`
    <div class="field esc-picker">
      <label for="escalation-policy">${t('esc.picker')}</label>
      <select id="escalation-policy" value=${picked} onChange=${(e) => onChange(e.currentTarget.value || null)}>
        <option value="">${fallback ? t('esc.pickerDefault', { name: fallback.name }) : t('esc.pickerNoDefault')}</option>
        ${policies.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
      </select>
      <p class="hint">${t('esc.pickerHint')}</p>
    </div>`;
}
