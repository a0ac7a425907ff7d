// The groups and components of a status page, in the order visitors see them: reordered by
// dragging (HTML5 drag and drop, a handle on each group and component) or by the up/down buttons
// (keyboard users); components are picked among the organization's monitors and tasks and get a
// public name that defaults to the source's own name.
import { html, useRef, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { Async, useDebounced, useLoad } from '../components.js';
import { newKey } from './status-page-parts.js';

const SHOWS = ['status', 'uptime', 'responseTime', 'none'];

/** `list` with the item at `from` moved to `to` (both within the list). */
export function moved(list, from, to) {
  const copy = [...list];
  copy.splice(to, 0, ...copy.splice(from, 1));
  return copy;
}

/** Moves a component between (or within) groups: into `to.g` at `to.i` (`undefined` = the end). */
function moveComponent(groups, from, to) {
  if (from.g === to.g) {
    const list = groups[from.g].components;
    const target = to.i === undefined ? list.length - 1 : to.i;
    return groups.map((g, gi) => (gi === from.g ? { ...g, components: moved(list, from.i, target) } : g));
  }
  const item = groups[from.g].components[from.i];
  return groups.map((g, gi) => {
    if (gi === from.g) return { ...g, components: g.components.filter((_, i) => i !== from.i) };
    if (gi !== to.g) return g;
    const components = [...g.components];
    components.splice(to.i === undefined ? components.length : to.i, 0, item);
    return { ...g, components };
  });
}

/** The first 50 monitors and tasks (a page's most), or those whose name has `search`. */
function loadSources(search) {
  const qs = (key) => new URLSearchParams({ itemsPerPage: '50', ...(search ? { [key]: search } : {}) });
  return Promise.all([
    api('GET', '/monitors?' + qs('query')), api('GET', '/tasks?' + qs('searchQuery')).catch(() => ({ items: [] })),
  ]).then(([monitors, tasks]) => ({ monitor: monitors.items, task: tasks.items }));
}

export function GroupsEditor({ groups, onChange, error }) {
  const sources = useLoad(() => loadSources(''), []);
  // What is being dragged: dataTransfer cannot be read during dragover, so it is kept here.
  const dragging = useRef(null);
  const [over, setOver] = useState(null);
  const setGroup = (gi, change) => onChange(groups.map((g, i) => (i === gi ? { ...g, ...change } : g)));
  const setComponent = (gi, ci, change) => setGroup(gi, { components: groups[gi].components.map((c, i) => (i === ci ? { ...c, ...change } : c)) });

  const start = (what) => (e) => {
    dragging.current = what;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', JSON.stringify(what)); // Firefox starts no drag without data
    const row = e.currentTarget.closest('[data-drag-row]');
    if (row) e.dataTransfer.setDragImage(row, 16, 16);
  };
  const end = () => { dragging.current = null; setOver(null); };
  // A drop target accepts a group on a group, a component on a component or a group's list.
  const target = (kind, where) => ({
    onDragOver: (e) => {
      const d = dragging.current;
      if (!d || (kind === 'group') !== (d.kind === 'group')) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = 'move';
      setOver(kind + JSON.stringify(where));
    },
    onDrop: (e) => {
      const d = dragging.current;
      if (!d || (kind === 'group') !== (d.kind === 'group')) return;
      e.preventDefault();
      e.stopPropagation();
      if (d.kind === 'group') onChange(moved(groups, d.g, where.g));
      else onChange(moveComponent(groups, d, where));
      end();
    },
  });
  const isOver = (kind, where) => over === kind + JSON.stringify(where);

  return html`
    <fieldset class="card" id="sp-groups" tabindex="-1">
      <legend>${t('sp.groups')}</legend>
      <p class="hint">${t('sp.groupsHint')}</p>
      <${Async} state=${sources} retry=${sources.reload}>${(s) => html`
        <ol class="sp-groups" data-testid="sp-groups">
          ${groups.map((g, gi) => html`
            <li key=${g.key} class=${'sp-group' + (isOver('group', { g: gi }) ? ' drop-over' : '')} data-drag-row
              data-testid="sp-group" ...${target('group', { g: gi })}>
              <div class="sp-group-head">
                <span class="drag-handle" draggable="true" onDragStart=${start({ kind: 'group', g: gi })} onDragEnd=${end}
                  title=${t('sp.dragGroup', { name: g.name })} aria-hidden="true">⠿</span>
                <label class="visually-hidden" for=${'sp-group-' + g.key}>${t('sp.groupName')}</label>
                <input id=${'sp-group-' + g.key} value=${g.name} maxlength="100" aria-label=${t('sp.groupName')}
                  onInput=${(e) => setGroup(gi, { name: e.currentTarget.value })} />
                <${Arrows} k=${g.key} i=${gi} n=${groups.length} onMove=${(to) => onChange(moved(groups, gi, to))}
                  up=${t('sp.groupUp', { name: g.name })} down=${t('sp.groupDown', { name: g.name })} />
                <button type="button" class="secondary small" disabled=${groups.length === 1}
                  onClick=${() => onChange(groups.filter((_, i) => i !== gi))} aria-label=${t('sp.removeGroup', { name: g.name })}>✕</button>
              </div>
              <ul class=${'sp-components' + (isOver('component', { g: gi }) ? ' drop-over' : '')} ...${target('component', { g: gi })}>
                ${g.components.length === 0 && html`<li class="muted small sp-empty">${t('sp.noComponents')}</li>`}
                ${g.components.map((c, ci) => html`
                  <li key=${c.key} class=${'sp-component' + (isOver('component', { g: gi, i: ci }) ? ' drop-over' : '')} data-drag-row
                    data-testid="sp-component" ...${target('component', { g: gi, i: ci })}>
                    <span class="drag-handle" draggable="true" onDragStart=${start({ kind: 'component', g: gi, i: ci })} onDragEnd=${end}
                      title=${t('sp.dragComponent', { name: c.publicName })} aria-hidden="true">⠿</span>
                    <${Component} c=${c} sources=${s} onChange=${(change) => setComponent(gi, ci, change)} />
                    <${Arrows} k=${c.key} i=${ci} n=${g.components.length}
                      onMove=${(to) => setGroup(gi, { components: moved(g.components, ci, to) })}
                      up=${t('sp.componentUp', { name: c.publicName })} down=${t('sp.componentDown', { name: c.publicName })} />
                    <button type="button" class="secondary small" aria-label=${t('sp.componentRemove', { name: c.publicName })}
                      onClick=${() => setGroup(gi, { components: g.components.filter((_, i) => i !== ci) })}>✕</button>
                  </li>`)}
              </ul>
              <${Picker} sources=${s} id=${'sp-pick-' + g.key}
                onPick=${(c) => setGroup(gi, { components: [...g.components, { ...c, key: newKey() }] })} />
            </li>`)}
        </ol>`}<//>
      <button type="button" class="secondary" onClick=${() => onChange([...groups, { key: newKey(), name: '', components: [] }])}>
        ${t('sp.addGroup')}</button>
      ${error && html`<p class="field-error" role="alert">${error}</p>`}
    </fieldset>`;
}

/**
 * ↑ and ↓ for the item `k`. Moving re-inserts its row, which drops the focus: it goes back to the
 * same button of the moved item (or its other arrow, once the first is disabled at an end).
 */
function Arrows({ k, i, n, onMove, up, down }) {
  const move = (to, way) => {
    onMove(to);
    requestAnimationFrame(() => {
      const same = document.querySelector(`[data-move="${k}-${way}"]`);
      (same && !same.disabled ? same : document.querySelector(`[data-move="${k}-${way === 'up' ? 'down' : 'up'}"]`))?.focus();
    });
  };
  return html`
    <button type="button" class="secondary small" disabled=${i === 0} onClick=${() => move(i - 1, 'up')} aria-label=${up}
      data-move=${k + '-up'}>↑</button>
    <button type="button" class="secondary small" disabled=${i === n - 1} onClick=${() => move(i + 1, 'down')} aria-label=${down}
      data-move=${k + '-down'}>↓</button>`;
}

/** "Monitor: Checkout API"; just "Monitor" for one beyond the first 50 loaded. */
function sourceLabel(sources, c) {
  const found = (sources[c.sourceType] || []).find((x) => String(x.id) === String(c.sourceId));
  return found ? t('sp.source.' + c.sourceType, { name: found.name }) : t('sp.source.' + c.sourceType + 'Only');
}

function Component({ c, sources, onChange }) {
  const id = 'sp-c-' + c.key;
  return html`
    <div class="sp-component-fields">
      <span class="muted small sp-source">${sourceLabel(sources, c)}</span>
      <label class="visually-hidden" for=${id}>${t('sp.publicName')}</label>
      <input id=${id} value=${c.publicName} maxlength="100" aria-label=${t('sp.publicName')}
        onInput=${(e) => onChange({ publicName: e.currentTarget.value })} />
      <select value=${c.show} aria-label=${t('sp.show')} onChange=${(e) => onChange({ show: e.currentTarget.value })}>
        ${SHOWS.map((s) => html`<option value=${s}>${t('sp.show.' + s)}</option>`)}
      </select>
    </div>`;
}

/**
 * A search (for organizations with more than 50), a select over the monitors and tasks found and
 * an Add button; the public name starts as the source's name.
 */
function Picker({ sources, id, onPick }) {
  const [choice, setChoice] = useState('');
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim(), 300);
  const found = useLoad(() => (settled ? loadSources(settled) : Promise.resolve(sources)), [settled]);
  const list = found.data || sources;
  const add = () => {
    const [sourceType, ...rest] = choice.split(':');
    const sourceId = rest.join(':');
    const source = list[sourceType].find((x) => String(x.id) === sourceId);
    if (!source) return;
    onPick({ sourceType, sourceId: source.id, publicName: source.name, show: sourceType === 'monitor' ? 'uptime' : 'status' });
    setChoice('');
  };
  return html`
    <div class="sp-picker">
      <label for=${id} class="small">${t('sp.pick')}</label>
      <div class="sp-picker-row">
        <input type="search" value=${search} onInput=${(e) => setSearch(e.currentTarget.value)} aria-label=${t('sp.pickSearch')}
          placeholder=${t('sp.pickSearch')} class="sp-picker-search" />
        <select id=${id} value=${choice} onChange=${(e) => setChoice(e.currentTarget.value)}>
          <option value="">${t('sp.pickNone')}</option>
          <optgroup label=${t('sp.monitors')}>${list.monitor.map((m) => html`<option value=${'monitor:' + m.id}>${m.name}</option>`)}</optgroup>
          <optgroup label=${t('sp.tasks')}>${list.task.map((x) => html`<option value=${'task:' + x.id}>${x.name}</option>`)}</optgroup>
        </select>
        <button type="button" class="secondary small" disabled=${!choice} onClick=${add}>${t('sp.add')}</button>
      </div>
    </div>`;
}
