// Tags (a monitor's metadata) in lists: chips on each row, a click filters the list by that tag;
// and the list's tag filter (`?tag=key:value`, or `key` for any value, every one must hold),
// kept in the address like the other filters and sent to the API as the same `tag` parameters.
import { html, useState } from './lib.js';
import { t } from './i18n.js';
import { Field } from './components.js';

/** What the API accepts (store/tags.rs PATTERN): a key that is not blank, then `:value`. */
const TAG = /^[^:]*[^:\s][^:]*(:.*)?$/;

/** The tags the address asks for, from useListFilters' `extra.tag` (one or several). */
export function tagsOf(extra) {
  return [].concat(extra.tag || []).filter(Boolean);
}

/** The row's tags as chips; clicking one adds it to the filter. */
export function TagChips({ metadata, onPick }) {
  const entries = Object.entries(metadata || {});
  if (!entries.length) return null;
  return html`
    <ul class="tags tag-chips" aria-label=${t('tags.label')}>
      ${entries.map(([key, value]) => {
        const tag = value === '' ? key : `${key}:${value}`;
        return html`<li><button type="button" class="tag tag-chip" data-testid="tag-chip" onClick=${() => onPick(tag)}
          title=${t('tags.filterBy', { tag })}>${tag}</button></li>`;
      })}
    </ul>`;
}

/** The active tag filters (each removable) and a field to add one. */
export function TagFilter({ tags, onChange }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const add = (e) => {
    e.preventDefault();
    const tag = text.trim();
    if (!TAG.test(tag)) {
      setError(t('tags.invalid'));
      return;
    }
    setError('');
    setText('');
    if (!tags.includes(tag)) onChange([...tags, tag]);
  };
  return html`
    <form class="tag-filter" onSubmit=${add} data-testid="tag-filter">
      <${Field} label=${t('tags.filter')} value=${text} placeholder=${t('tags.filterHint')} maxlength="301"
        error=${error} onInput=${(e) => setText(e.currentTarget.value)} />
      <button type="submit" class="secondary">${t('tags.add')}</button>
      ${tags.length > 0 && html`
        <ul class="chips" aria-label=${t('tags.active')}>
          ${tags.map((tag) => html`<li class="tag chip" data-testid="tag-filter-chip">${tag}
            <button type="button" class="chip-remove" aria-label=${t('tags.remove', { tag })}
              onClick=${() => onChange(tags.filter((x) => x !== tag))}>×</button></li>`)}
        </ul>`}
    </form>`;
}
