// Silences on an incident, monitor or task page: the silence in force covering its source
// ("Notifications silenced until …", its reason, "End now"), or buttons to silence it for 1 h,
// 4 h or until tomorrow morning. A silence mutes notifications, not checks.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Alert, errorText, useLoad } from '../components.js';
import { can } from '../monitoring.js';

/** The ends the quick buttons offer, from `now`: 1 h, 4 h, tomorrow at 09:00 local time. */
export function quickEnds(now = new Date()) {
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  return [
    ['silence.for1h', new Date(now.getTime() + 3600e3)],
    ['silence.for4h', new Date(now.getTime() + 4 * 3600e3)],
    ['silence.untilTomorrow', tomorrow],
  ];
}

/** What a silence covers, in words. */
export function coverText(m) {
  if (m.all) return t('silence.covers.all');
  const parts = [];
  if (m.sourceIds.length) parts.push(t('silence.covers.ids', { list: m.sourceIds.join(', ') }));
  if (m.kinds.length) parts.push(t('silence.covers.kinds', { list: m.kinds.join(', ') }));
  if (m.tags.length) {
    const tags = m.tags.map((tag) => (tag.value === null || tag.value === undefined ? tag.key : `${tag.key}=${tag.value}`));
    parts.push(t('silence.covers.tags', { list: tags.join(', ') }));
  }
  return parts.join(' · ');
}

/** Ends a silence now. */
export async function endSilence(id) {
  await api('POST', `/silences/${encodeURIComponent(id)}/expire`);
}

/** The silence panel of a source: `sourceType` (httpmonitor, task…) and `sourceId`. */
export function SilencePanel({ profile, sourceType, sourceId }) {
  const qs = `sourceType=${encodeURIComponent(sourceType)}&sourceId=${encodeURIComponent(sourceId)}`;
  const covering = useLoad(() => api('GET', `/silences?${qs}`), [qs], { every: 30000 });
  const [state, setState] = useState({ busy: false, error: null });
  const editor = can(profile, 'editIncidents');
  const act = async (action) => {
    setState({ busy: true, error: null });
    try {
      await action();
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error });
    }
    covering.reload();
  };
  const silence = (end) => act(() => api('POST', '/silences', {
    matchers: { sourceIds: [sourceId] },
    endsAt: end.toISOString(),
  }));
  if (!covering.data) return null;
  const active = covering.data.items[0];
  return html`
    <div class="silence-panel" data-testid="silence-panel">
      ${active
        ? html`
          <div class="alert alert-info silence-active" role="status" data-testid="silence-active">
            <span><strong>${t('silence.activeUntil', { date: formatDateTime(active.endsAt) })}</strong>
              ${active.reason && html` <span class="muted">— ${active.reason}</span>`}
              ${' '}<a href=${BASE + '/silences'} onClick=${linkClick}>${t('silence.seeAll')}</a></span>
            ${editor && html`<button type="button" class="secondary small" disabled=${state.busy}
              onClick=${() => act(() => endSilence(active.id))}>${t('silence.endNow')}</button>`}
          </div>`
        : editor && html`
          <div class="actions silence-actions" role="group" aria-label=${t('silence.group')}>
            <span class="muted small">${t('silence.label')}</span>
            ${quickEnds().map(([key, end]) => html`
              <button type="button" class="secondary small" disabled=${state.busy} onClick=${() => silence(end)}>${t(key)}</button>`)}
          </div>`}
      ${state.error && html`<${Alert}>${errorText(state.error)}<//>`}
    </div>`;
}
