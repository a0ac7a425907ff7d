// Where a monitor is checked from: the form's Locations fieldset ("This server" and probe
// label selectors, a quorum) and the monitor page's Locations section (each location's latest
// result and last 24 hours, from GET /monitors/{id}/locations). Texts in messages-locations.js.
import { html } from '../lib.js';
import { api } from '../api.js';
import { formatMs, formatPercent, t } from '../i18n.js';
import { Async, Field, Time, useId, useLoad, useReloadOn } from '../components.js';
import { whole } from '../forms.js';

const LOCAL = 'local';
/** The server's pattern for a label selector (`key=value`). */
const SELECTOR = /^[a-z0-9][a-z0-9_.-]{0,31}=[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The form's part: a checkbox for this server, selectors one per line, the quorum. */
export function locationsForm(monitor) {
  const locations = monitor?.locations || [LOCAL];
  return {
    local: locations.includes(LOCAL),
    selectors: locations.filter((l) => l !== LOCAL).join('\n'),
    quorum: monitor?.quorum == null ? '' : String(monitor.quorum),
  };
}

/** Selectors typed one per line or separated by commas. */
const selectorsOf = (f) => f.selectors.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export function locationsBody(f) {
  return {
    locations: [...(f.local ? [LOCAL] : []), ...selectorsOf(f)],
    quorum: f.quorum.trim() === '' ? null : Number(f.quorum),
  };
}

export function locationsErrors(f) {
  const e = {};
  const selectors = selectorsOf(f);
  const bad = selectors.find((s) => !SELECTOR.test(s));
  if (bad) e.locations = t('locations.error.selector', { selector: bad });
  else if (!f.local && !selectors.length) e.locations = t('locations.error.none');
  else if (selectors.length + (f.local ? 1 : 0) > 10) e.locations = t('locations.error.many');
  if (f.quorum.trim() !== '' && !whole(f.quorum, 1, 20)) e.quorum = t('locations.error.quorum');
  return e;
}

/** `onChange` receives only the changed key, merged by the caller into the latest form (two
 * inputs in a row must not undo each other through a stale copy). */
export function LocationsField({ value, onChange, fieldId, err }) {
  const set = (key) => (e) => onChange({ [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  return html`
    <fieldset class="card locations-field" data-testid="locations-field">
      <legend>${t('locations.section')}</legend>
      <p class="hint">${t('locations.hint')}</p>
      <label class="check"><input type="checkbox" id=${fieldId('locations')} checked=${value.local} onChange=${set('local')} />
        ${' '}${t('locations.local')}</label>
      <${Field} as="textarea" id=${fieldId('locations') + '-selectors'} label=${t('locations.selectors')} rows="3"
        value=${value.selectors} onInput=${set('selectors')} hint=${t('locations.selectorsHint')} error=${err('locations')}
        spellcheck="false" autocapitalize="off" />
      <${Field} id=${fieldId('quorum')} label=${t('locations.quorum')} type="number" min="1" max="20" step="1" inputmode="numeric"
        value=${value.quorum} onInput=${set('quorum')} hint=${t('locations.quorumHint')} error=${err('quorum')} />
    </fieldset>`;
}

const TONE = { up: 'ok', down: 'bad', stale: 'warn', waiting: 'neutral' };
const ICON = { ok: '●', bad: '■', warn: '▲', neutral: '○' };

/** The monitor page's section, for a monitor with any probe selector. */
export function LocationsPanel({ monitor, tick }) {
  if (!(monitor.locations || []).some((l) => l !== LOCAL)) return null;
  return html`<${LocationsTable} monitor=${monitor} tick=${tick} />`;
}

function LocationsTable({ monitor, tick }) {
  const view = useLoad(() => api('GET', `/monitors/${monitor.id}/locations`), [monitor.id]);
  useReloadOn(tick, view.reload);
  const titleId = useId('locations');
  return html`
    <section class="card" aria-labelledby=${titleId} data-testid="locations">
      <h2 id=${titleId}>${t('locations.section')}</h2>
      <${Async} state=${view} retry=${view.reload}>
        ${(d) => html`
          <p class="muted">${t('locations.quorumUsed', { quorum: d.quorum, reporting: d.reporting })}</p>
          <table class="table cards-on-phone">
            <caption class="visually-hidden">${t('locations.section')}</caption>
            <thead><tr>
              <th scope="col">${t('locations.name')}</th>
              <th scope="col">${t('locations.status')}</th>
              <th scope="col">${t('locations.lastCheck')}</th>
              <th scope="col" class="num">${t('locations.responseTime')}</th>
              <th scope="col" class="num">${t('locations.uptime')}</th>
              <th scope="col" class="num">${t('locations.late')}</th>
            </tr></thead>
            <tbody>${d.locations.map((l) => html`
              <tr key=${l.location || l.selector}>
                <td data-label=${t('locations.name')}>${l.location === LOCAL ? t('locations.local') : l.name || l.selector}
                  ${l.name && l.selector !== LOCAL && html` <span class="tag">${l.selector}</span>`}</td>
                <td data-label=${t('locations.status')}><span class=${'pill pill-' + TONE[l.status]} data-status=${l.status}>
                  <span aria-hidden="true" class="pill-icon">${ICON[TONE[l.status]]}</span>${t('locations.status.' + l.status)}</span>
                  ${l.error && html` <code class="small">${l.error}</code>`}</td>
                <td data-label=${t('locations.lastCheck')}>${l.lastCheckedAt ? html`<${Time} iso=${l.lastCheckedAt} />` : '—'}</td>
                <td data-label=${t('locations.responseTime')} class="num">${formatMs(l.responseTimeMs)}</td>
                <td data-label=${t('locations.uptime')} class="num">${formatPercent(l.uptime24h)}</td>
                <td data-label=${t('locations.late')} class="num">${l.lateResults24h ?? 0}</td>
              </tr>`)}</tbody>
          </table>`}
      <//>
    </section>`;
}
