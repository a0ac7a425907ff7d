// Escalation in other pages: what an `escalation` timeline event says, and the policy picker
// of the monitor and task forms: the organization's default (the
// first choice) or one of its policies. The current pick is read from the policies' `sources`;
// the form sends `escalationPolicy` only once the picker was changed, so saving a form never
// resets a pick it did not show.
import { html } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useLoad } from '../components.js';

/** Channel kinds that can reach one member (the server's `people::PERSONAL_KINDS`). */
export const PERSONAL_KINDS = ['email', 'sms', 'webPush'];

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

/** An `escalation` timeline event in words: a step sent, a wait run out, the end. */
export function escalationText(p) {
  const round = p.round > 0 ? t('esc.note.round', { round: p.round }) : '';
  return t('esc.note.' + p.escalation, { step: p.step, policy: p.policyName, queued: p.queued ?? 0, minutes: p.minutes ?? '', round });
}
