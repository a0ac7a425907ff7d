// The theme choice (system, light, dark), remembered in localStorage, and its radio items in the
// user menu. ../theme.js applies the choice before the first paint on every load; this module
// changes it while the app runs (the CSS follows `data-theme` on <html>, see style.css "polish").
import { html, useState } from './lib.js';
import { t } from './i18n.js';

const STORAGE_KEY = 'dutyduck.theme';
const THEMES = ['system', 'light', 'dark'];

export function getTheme() {
  const chosen = document.documentElement.dataset.theme;
  return chosen === 'light' || chosen === 'dark' ? chosen : 'system';
}

export function setTheme(theme) {
  try {
    if (theme === 'light' || theme === 'dark') localStorage.setItem(STORAGE_KEY, theme);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the choice lasts until the page is left.
  }
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** The menu's group of three radio items; `onChosen` closes the menu. */
export function ThemeItems({ onChosen }) {
  const [theme, setState] = useState(getTheme());
  const choose = (next) => {
    setTheme(next);
    setState(next);
    onChosen();
  };
  return html`
    <li role="group" aria-label=${t('theme.label')}>
      <hr aria-hidden="true" />
      <span class="menu-label" aria-hidden="true">${t('theme.label')}</span>
      ${THEMES.map((name) => html`
        <button type="button" role="menuitemradio" aria-checked=${theme === name ? 'true' : 'false'}
          data-theme-choice=${name} onClick=${() => choose(name)}>${t('theme.' + name)}</button>`)}
      <hr aria-hidden="true" />
    </li>`;
}
