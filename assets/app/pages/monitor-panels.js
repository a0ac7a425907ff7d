// The lower half of a monitor's page: response-time chart with its range, daily uptime strip,
// incident history and recent checks. Each reloads when `tick` (the last check time) changes.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatMs, formatPercent, t } from '../i18n.js';
import { Async, Pagination, Time, useId, useLoad, useReloadOn } from '../components.js';
import { checkText } from '../monitoring.js';
import { ResponseChart, UptimeStrip } from '../charts.js';
import { IncidentTable } from './incidents.js';

const RANGES = { '24h': 86400000, '7d': 7 * 86400000, '30d': 30 * 86400000, '90d': 90 * 86400000 };

export function HistoryPanel({ id, tick }) {
  const [range, setRange] = useState('24h');
  const stats = useLoad(() => api('GET', `/monitors/${id}/stats?range=${range}`), [id, range]);
  useReloadOn(tick, stats.reload);
  const titleId = useId('hist');
  const to = Date.now();
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <div class="card-head">
        <h2 id=${titleId}>${t('chart.responseTitle')}</h2>
        <fieldset class="segmented">
          <legend class="visually-hidden">${t('chart.range')}</legend>
          ${Object.keys(RANGES).map((key) => html`
            <label class=${range === key ? 'checked' : ''}>
              <input type="radio" name=${titleId + '-range'} value=${key} checked=${range === key}
                onChange=${() => setRange(key)} />${t('range.' + key)}</label>`)}
        </fieldset>
      </div>
      <${Async} state=${stats} retry=${stats.reload}>
        ${(data) => html`
          <p class="muted small">${t('chart.rangeUptime', { uptime: formatPercent(data.uptime), range: t('range.' + range) })}</p>
          ${data.buckets.some((b) => b.responseMsAvg !== null)
            ? html`<${ResponseChart} buckets=${data.buckets} from=${to - RANGES[range]} to=${to} />`
            : html`<p class="chart-empty">${t('chart.noData')}</p>`}`}
      <//>
    </section>`;
}

export function UptimeStripPanel({ id, tick }) {
  const stats = useLoad(() => api('GET', `/monitors/${id}/stats?range=90d`), [id]);
  useReloadOn(tick, stats.reload);
  const titleId = useId('strip');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('chart.stripTitle')}</h2>
      <${Async} state=${stats} retry=${stats.reload}>
        ${(data) => html`<${UptimeStrip} buckets=${data.buckets} uptime=${data.uptime} days=${90} />`}
      <//>
    </section>`;
}

export function MonitorIncidentsPanel({ id, tick }) {
  const [page, setPage] = useState(1);
  const size = 5;
  const list = useLoad(() => api('GET', `/monitors/${id}/incidents?pageNumber=${page}&itemsPerPage=${size}`), [id, page], { every: 30000 });
  useReloadOn(tick, list.reload);
  const titleId = useId('inc');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('monitor.incidents')}</h2>
      <${Async} state=${list} retry=${list.reload}>
        ${(data) => html`
          ${data.items.length ? html`<${IncidentTable} items=${data.items} compact />` : html`<p class="muted">${t('monitor.noIncidents')}</p>`}
          <${Pagination} page=${page} size=${size} total=${data.totalNumberOfFilteredResults} onPage=${setPage} label=${t('monitor.incidents')} />`}
      <//>
    </section>`;
}

export function ChecksPanel({ id, tick, active, http = true }) {
  const [page, setPage] = useState(1);
  const size = 10;
  const checks = useLoad(() => api('GET', `/monitors/${id}/checks?pageNumber=${page}&itemsPerPage=${size}`), [id, page]);
  useReloadOn(tick, checks.reload);
  const titleId = useId('checks');
  return html`
    <section class="card" aria-labelledby=${titleId}>
      <h2 id=${titleId}>${t('checks.title')}</h2>
      <${Async} state=${checks} retry=${checks.reload}>
        ${(data) => html`
          ${data.items.length === 0 ? html`<p class="muted">${t(active ? 'checks.empty' : 'checks.none')}</p>` : html`
            <table class="table cards-on-phone" data-testid="checks">
              <caption class="visually-hidden">${t('checks.title')}</caption>
              <thead><tr>
                <th scope="col">${t('checks.time')}</th>
                <th scope="col">${t('checks.result')}</th>
                ${http && html`<th scope="col" class="num">${t('checks.code')}</th>`}
                <th scope="col" class="num">${t('checks.responseTime')}</th>
                <th scope="col">${t('checks.error')}</th>
              </tr></thead>
              <tbody>${data.items.map((c) => html`
                <tr key=${c.checkedAt}>
                  <td data-label=${t('checks.time')}><${Time} iso=${c.checkedAt} absolute seconds /></td>
                  <td data-label=${t('checks.result')}><span class="result">
                    <span class=${'pill pill-' + (c.ok ? 'ok' : 'bad')}><span aria-hidden="true" class="pill-icon">${c.ok ? '●' : '■'}</span>
                      ${c.ok ? t('checks.ok') : t('checks.failed')}</span>
                    ${!c.ok && html`<span class="small">${checkText(c)}</span>`}</span></td>
                  ${http && html`<td data-label=${t('checks.code')} class="num">${c.httpCode ?? '—'}</td>`}
                  <td data-label=${t('checks.responseTime')} class="num">${(http ? c.httpCode : c.responseTimeMs != null) ? formatMs(c.responseTimeMs) : '—'}</td>
                  <td data-label=${t('checks.error')} class="error-cell">${c.error ? html`<code>${c.error}</code>` : '—'}</td>
                </tr>`)}</tbody>
            </table>`}
          <${Pagination} page=${page} size=${size} total=${data.totalNumberOfResults} onPage=${setPage} label=${t('checks.title')} />`}
      <//>
    </section>`;
}
