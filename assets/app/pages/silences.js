// The Silences page: those in force (or all, newest first), what each covers, until when, why
// and who made it, with "End now"; "New silence" for a kind, a tag or everything.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatNumber, t } from '../i18n.js';
import { Alert, Async, Pagination, Time, errorText, useLoad } from '../components.js';
import { addPage, can } from '../monitoring.js';
import { coverText, endSilence } from './silence-parts.js';
import { NewSilenceDialog } from './silence-form.js';

const PAGE_SIZE = 20;

export function SilencesPage({ profile }) {
  const [activeOnly, setActiveOnly] = useState(true);
  const [page, setPage] = useState(1);
  const qs = addPage(new URLSearchParams(activeOnly ? 'active=true' : ''), page, PAGE_SIZE).toString();
  const list = useLoad(() => api('GET', `/silences?${qs}`), [qs], { every: 30000 });
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  const editor = can(profile, 'editIncidents');
  const end = async (id) => {
    setError(null);
    try {
      await endSilence(id);
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  return html`
    <main class="wide">
      <div class="page-head">
        <h1>${t('silences.title')}</h1>
        ${editor && html`<button type="button" data-shortcut="new" onClick=${() => setCreating(true)}>${t('silences.new')}</button>`}
      </div>
      ${creating && html`<${NewSilenceDialog} onClose=${(made) => { setCreating(false); if (made) list.reload(); }} />`}
      <p class="muted">${t('silences.intro')}</p>
      <label class="check"><input type="checkbox" checked=${activeOnly}
        onChange=${(e) => { setActiveOnly(e.currentTarget.checked); setPage(1); }} /> ${t('silences.activeOnly')}</label>
      ${error && html`<${Alert}>${errorText(error)}<//>`}
      <section class="card">
        <${Async} state=${list} retry=${list.reload}>
          ${(data) => html`
            <h2 class="visually-hidden">${t('silences.title')} (${formatNumber(data.totalNumberOfFilteredResults)})</h2>
            ${data.items.length
              ? html`<${SilenceTable} items=${data.items} editor=${editor} onEnd=${end} />`
              : html`<p class="muted empty-line">${t(activeOnly ? 'silences.noneActive' : 'silences.none')}</p>`}
            <${Pagination} page=${page} size=${PAGE_SIZE} total=${data.totalNumberOfFilteredResults} onPage=${setPage} label=${t('silences.title')} />`}
        <//>
      </section>
    </main>`;
}

function SilenceTable({ items, editor, onEnd }) {
  return html`
    <table class="table cards-on-phone">
      <thead><tr>
        <th scope="col">${t('silences.col.covers')}</th>
        <th scope="col">${t('silences.col.until')}</th>
        <th scope="col">${t('silences.col.reason')}</th>
        <th scope="col">${t('silences.col.by')}</th>
        <th scope="col"><span class="visually-hidden">${t('silence.endNow')}</span></th>
      </tr></thead>
      <tbody>${items.map((s) => html`
        <tr key=${s.id} data-testid="silence-row">
          <td data-label=${t('silences.col.covers')} class="main-cell">${coverText(s.matchers)}</td>
          <td data-label=${t('silences.col.until')}>
            <${Time} iso=${s.endsAt} absolute />
            ${!s.active && html` <span class="tag">${t(s.endedEarly ? 'silences.endedEarly' : 'silences.ended')}</span>`}</td>
          <td data-label=${t('silences.col.reason')}>${s.reason || html`<span class="muted">—</span>`}</td>
          <td data-label=${t('silences.col.by')}>${s.createdBy.name || '—'}
            ${s.createdBy.tokenId && html` <span class="muted small">${t('silences.viaToken')}</span>`}</td>
          <td>${editor && s.active && html`<button type="button" class="secondary small" onClick=${() => onEnd(s.id)}>${t('silence.endNow')}</button>`}</td>
        </tr>`)}</tbody>
    </table>`;
}
