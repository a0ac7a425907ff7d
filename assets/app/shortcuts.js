// Keyboard shortcuts for signed-in pages, and their help dialog (`?`): `g` then o/m/t/i goes to
// a section, `/` focuses the current list's search, `n` opens the list's "new" page, `a`
// acknowledges the incident on screen. Keys typed into a field, with a modifier, or while a
// dialog is open are left alone. The pages need no code for this: the shortcuts find the
// list's search form (role=search), its "new" link and the `data-shortcut` buttons they show.
import { html, useEffect, useState } from './lib.js';
import { t } from './i18n.js';
import { BASE, navigate } from './router.js';
import { Modal } from './components.js';

/** `g` then this key: the section to go to. */
const GO = { o: '', m: '/monitors', t: '/tasks', i: '/incidents' };

const HELP = [
  [['?'], 'shortcuts.help'],
  [['g', 'o'], 'shortcuts.overview'],
  [['g', 'm'], 'shortcuts.monitors'],
  [['g', 't'], 'shortcuts.tasks'],
  [['g', 'i'], 'shortcuts.incidents'],
  [['/'], 'shortcuts.search'],
  [['n'], 'shortcuts.new'],
  [['a'], 'shortcuts.acknowledge'],
];

/** Whether keys pressed in `el` are text being typed (not shortcuts). */
function typing(el) {
  if (!(el instanceof Element)) return false;
  if (el.isContentEditable || el.matches('textarea, select')) return true;
  return el.matches('input') && !el.matches('[type=checkbox], [type=radio], [type=button], [type=submit], [type=reset]');
}

/** What a key does on the current page; null when nothing. */
function action(key) {
  const main = document.querySelector('main');
  if (!main) return null;
  if (key === '/') {
    const input = main.querySelector('[role=search] input[type=search], [role=search] input, input[type=search]');
    return input && (() => { input.focus(); input.select(); });
  }
  const target = key === 'n'
    ? main.querySelector('[data-shortcut=new], .page-head a[href$="/new"]')
    : key === 'a' ? main.querySelector('[data-shortcut=acknowledge]:not(:disabled)') : null;
  return target && (() => target.click());
}

export function Shortcuts() {
  const [help, setHelp] = useState(false);
  useEffect(() => {
    // After `g`, the next key says where to go; any other key forgets the `g`.
    let afterG = false;
    const onKeyDown = (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (afterG) {
        afterG = false;
        if (e.key in GO) {
          e.preventDefault();
          navigate(BASE + GO[e.key]);
        }
        return;
      }
      if (e.key === 'g') {
        afterG = true;
      } else if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
      } else {
        const run = action(e.key);
        if (run) {
          e.preventDefault();
          run();
        }
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
  if (!help) return null;
  const close = () => setHelp(false);
  return html`
    <${Modal} title=${t('shortcuts.title')} onClose=${close}>
      <p class="hint">${t('shortcuts.intro')}</p>
      <dl class="shortcuts" data-testid="shortcuts-help">
        ${HELP.map(([keys, text]) => html`
          <div><dt>${keys.map((k, i) => html`${i > 0 && html` <span class="muted">${t('shortcuts.then')}</span> `}<kbd>${k}</kbd>`)}</dt>
            <dd>${t(text)}</dd></div>`)}
      </dl>
      <div class="actions"><button type="button" onClick=${close}>${t('shortcuts.close')}</button></div>
    <//>`;
}
