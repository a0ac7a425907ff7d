// Dependencies on the monitor and task pages and forms: the upstreams picker (a searchable
// multi-select of the organization's monitors), a source's upstreams and dependents with their
// statuses (one failing behind a down upstream reads "down (upstream)"), and the dependents an
// incident's timeline names ("3 dependents affected: A, B, C").
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { Async, useDebounced, useId, useLoad } from '../components.js';
import { StatusPill } from '../monitoring.js';
import { TaskStatusPill } from './task-parts.js';

/** The form's value from a page's `upstreamMonitors`: id and name of each. */
export const upstreamsForm = (linked = []) => linked.map(({ id, name }) => ({ id, name }));

/** The body's field. */
export const upstreamsBody = (list) => ({ upstreams: list.map((u) => u.id) });

/** Statuses in which a source's failure would have paged: only then does "(upstream)" explain it. */
const FAILING = new Set(['down', 'suspicious', 'failing', 'late', 'absent']);

/** "down (upstream)" next to a status, when the source fails behind a down upstream. */
export function QuietTag({ status, quiet }) {
  if (!quiet || quiet.reason !== 'upstream' || !FAILING.has(status)) return null;
  return html`<span class="tag quiet-tag" data-quiet="upstream" title=${quiet.name}>${t('deps.downUpstream')}</span>`;
}

/** Under a page's status: whose incident this source's failures are noted on. */
export function QuietNote({ status, quiet }) {
  if (!quiet || quiet.reason !== 'upstream' || !FAILING.has(status)) return null;
  return html`<p class="alert alert-info" role="status" data-testid="quiet-note">
    ${t('deps.quietBehind', { name: quiet.name })}
    ${' '}<a href=${`${BASE}/incidents/${quiet.incidentId}`} onClick=${linkClick}>${t('deps.viewUpstreamIncident')}</a></p>`;
}

const hrefOf = (l) => (l.type === 'task' ? `${BASE}/tasks/${encodeURIComponent(l.id)}` : `${BASE}/monitors/${l.id}`);

function Linked({ item }) {
  return html`<li key=${item.type + item.id} data-type=${item.type}>
    <a href=${hrefOf(item)} onClick=${linkClick}>${item.name}</a>
    <span class="muted small">${t('deps.type.' + item.type)}</span>
    ${item.type === 'task' ? html`<${TaskStatusPill} status=${item.status} />` : html`<${StatusPill} status=${item.status} />`}
    <${QuietTag} status=${item.status} quiet=${item.quiet} /></li>`;
}

/** A page's upstreams and (for a monitor) dependents, with their statuses. */
export function DependenciesPanel({ upstreams, dependents, count }) {
  const titleId = useId('deps');
  return html`
    <section class="card deps" aria-labelledby=${titleId} data-testid="dependencies">
      <h2 id=${titleId}>${t('deps.upstreams')}</h2>
      ${upstreams.length ? html`<ul class="deps-list" data-testid="upstreams">${upstreams.map((u) => html`<${Linked} item=${u} />`)}</ul>`
        : html`<p class="muted">${t('deps.noUpstreams')}</p>`}
      ${dependents && html`
        <h2>${t('deps.dependents')}</h2>
        ${dependents.length ? html`<ul class="deps-list" data-testid="dependents">${dependents.map((d) => html`<${Linked} item=${d} />`)}</ul>`
          : html`<p class="muted">${t('deps.noDependents')}</p>`}
        ${count > dependents.length && html`<p class="muted small">${t('deps.more', { count: count - dependents.length })}</p>`}`}
    </section>`;
}

/** The form's section: the chosen upstreams as chips, and the organization's monitors to tick. */
export function UpstreamsField({ value, onChange, self, id, error }) {
  const [query, setQuery] = useState('');
  const settled = useDebounced(query.trim(), 250);
  const qs = new URLSearchParams({ itemsPerPage: '20' });
  if (settled) qs.set('query', settled);
  const found = useLoad(() => api('GET', '/monitors?' + qs), [settled]);
  const chosen = new Set(value.map((u) => u.id));
  const toggle = (m, on) => onChange(on ? [...value, { id: m.id, name: m.name }] : value.filter((u) => u.id !== m.id));
  const searchId = useId('deps-search');
  const errorId = error ? id + '-error' : undefined;
  return html`
    <fieldset class="card deps-field" id=${id} data-field="upstreams" tabindex="-1" aria-describedby=${errorId} data-testid="upstreams-field">
      <legend>${t('deps.section')}</legend>
      <p class="hint">${t('deps.hint')}</p>
      ${value.length ? html`<ul class="chips" aria-label=${t('deps.chosen')}>
        ${value.map((u) => html`<li key=${u.id} class="tag chip">${u.name}
          <button type="button" class="chip-remove" aria-label=${t('deps.remove', { name: u.name })} onClick=${() => toggle(u, false)}>×</button></li>`)}
      </ul>` : html`<p class="hint small">${t('deps.none')}</p>`}
      <label for=${searchId}>${t('deps.search')}</label>
      <input id=${searchId} type="search" value=${query} onInput=${(e) => setQuery(e.currentTarget.value)}
        placeholder=${t('deps.searchHint')} autocomplete="off" />
      <${Async} state=${found} retry=${found.reload}>
        ${(page) => {
          const options = page.items.filter((m) => m.id !== self);
          if (!options.length) return html`<p class="hint small">${t('deps.noMatch')}</p>`;
          return html`<div class="channel-checks deps-options">
            ${options.map((m) => html`<label class="check" key=${m.id}>
              <input type="checkbox" checked=${chosen.has(m.id)} onChange=${(e) => toggle(m, e.currentTarget.checked)} />
              <span>${m.name}</span> <${StatusPill} status=${m.status} /></label>`)}
          </div>`;
        }}
      <//>
      ${error && html`<small id=${errorId} class="field-error" role="alert">${error}</small>`}
    </fieldset>`;
}

/** The timeline's `dependentsuppressed` events folded into one entry, where the first was. */
export function foldDependents(items) {
  const affected = items.filter((e) => e.eventType === 'dependentsuppressed');
  if (!affected.length) return items;
  const first = affected[0];
  const folded = { ...first, id: 'dependents-' + first.id, dependents: affected.map((e) => e.payload).filter(Boolean) };
  return items.filter((e) => e.eventType !== 'dependentsuppressed' || e === first).map((e) => (e === first ? folded : e));
}

/** "3 dependents affected: A, B, C", each a link to its page. */
export function AffectedDependents({ dependents }) {
  const names = dependents.map((d, i) => html`${i ? ', ' : ''}<a href=${d.sourceType === 'task'
    ? `${BASE}/tasks/${encodeURIComponent(d.sourceId)}` : `${BASE}/monitors/${d.sourceId}`} onClick=${linkClick}>${d.name}</a>`);
  const [before, after] = t(dependents.length === 1 ? 'deps.affectedOne' : 'deps.affected', { count: dependents.length, names: '\u0000' }).split('\u0000');
  return html`<div class="small" data-testid="dependents-affected">${before}${names}${after}</div>`;
}
