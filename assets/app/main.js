// The dashboard shell: decides between first-run setup, login and the app, and draws the top
// bar (navigation, language, user menu) that every page lives in.
import { html, render, useEffect, useLayoutEffect, useRef, useState } from './lib.js';
import { api, onSessionExpired } from './api.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { BASE, currentPath, linkClick, navigate, useLocation } from './router.js';
import { Alert, Loading, errorText } from './components.js';
import { SetupPage } from './pages/setup.js';
import { LoginPage } from './pages/login.js';
import { HomePage } from './pages/home.js';
import { AccountPage } from './pages/account.js';

/** Pages that need a logged-in user, with their navigation entry if they have one. */
const PAGES = [
  { path: BASE, nav: 'nav.overview', view: HomePage },
  { path: BASE + '/account', view: AccountPage },
];

function App() {
  const path = useLocation();
  const [, setLangState] = useState(getLang());
  const [boot, setBoot] = useState({ loading: true, error: null, setupNeeded: false });
  const [profile, setProfile] = useState(null);
  const [expired, setExpired] = useState(false);

  useEffect(() => onLangChange(setLangState), []);
  useEffect(() => onSessionExpired(() => {
    setProfile(null);
    setExpired(true);
    const here = currentPath();
    if (!here.startsWith(BASE + '/login')) navigate(`${BASE}/login?next=${encodeURIComponent(here)}`, { replace: true });
  }), []);

  const start = async () => {
    setBoot({ loading: true, error: null, setupNeeded: false });
    try {
      const { needed } = await api('GET', '/setup');
      if (needed) {
        setBoot({ loading: false, error: null, setupNeeded: true });
        return;
      }
      setProfile((await api('GET', '/auth/session')).profile);
      setBoot({ loading: false, error: null, setupNeeded: false });
    } catch (error) {
      setBoot({ loading: false, error, setupNeeded: false });
    }
  };
  useEffect(() => { start(); }, []);

  const route = path.split('?')[0].replace(/\/$/, '') || BASE;
  const loggedIn = (p) => {
    setProfile(p);
    setExpired(false);
    setBoot({ loading: false, error: null, setupNeeded: false });
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && next.startsWith(BASE) ? next : BASE, { replace: true });
  };
  const logout = async () => {
    try { await api('POST', '/auth/logout'); } catch { /* the session is gone either way */ }
    setProfile(null);
    setExpired(false);
    navigate(`${BASE}/login`, { replace: true });
  };

  // Redirects, once we know who is here.
  useEffect(() => {
    if (boot.loading || boot.error) return;
    if (boot.setupNeeded && route !== BASE + '/setup') navigate(BASE + '/setup', { replace: true });
    else if (!boot.setupNeeded && route === BASE + '/setup') navigate(profile ? BASE : BASE + '/login', { replace: true });
    else if (!boot.setupNeeded && !profile && route !== BASE + '/login') {
      navigate(`${BASE}/login?next=${encodeURIComponent(path)}`, { replace: true });
    } else if (profile && route === BASE + '/login') navigate(BASE, { replace: true });
  }, [boot, profile, route]);

  let page;
  if (boot.loading) page = html`<main><${Loading} /></main>`;
  else if (boot.error) {
    page = html`<main><${Alert}>${errorText(boot.error)} <button type="button" class="link" onClick=${start}>${t('app.retry')}</button><//></main>`;
  } else if (boot.setupNeeded) page = html`<${SetupPage} onDone=${loggedIn} />`;
  else if (!profile) page = html`<${LoginPage} onDone=${loggedIn} expired=${expired} />`;
  else {
    const match = PAGES.find((p) => p.path === route);
    page = match ? html`<${match.view} profile=${profile} onProfile=${setProfile} />` : html`<${NotFound} />`;
  }
  return html`
    <${TopBar} profile=${profile} route=${route} onLogout=${logout} />
    ${page}`;
}

function NotFound() {
  return html`<main><h1>404</h1><p><a href=${BASE} onClick=${linkClick}>${t('nav.overview')}</a></p></main>`;
}

function TopBar({ profile, route, onLogout }) {
  return html`
    <header class="topbar">
      <a class="brand" href=${BASE} onClick=${linkClick}>
        <img src="/dashboard/favicon.svg" alt="" width="28" height="28" /> ${t('app.name')}
      </a>
      ${profile && html`
        <nav aria-label=${t('nav.main')}>
          <ul>
            ${PAGES.filter((p) => p.nav).map((p) => html`
              <li><a href=${p.path} onClick=${linkClick} aria-current=${route === p.path ? 'page' : undefined}>${t(p.nav)}</a></li>`)}
            <li><a href="/docs">${t('nav.docs')}</a></li>
          </ul>
        </nav>`}
      <div class="topbar-end">
        <${LanguageSwitch} />
        ${profile && html`<${UserMenu} profile=${profile} onLogout=${onLogout} />`}
      </div>
    </header>`;
}

function LanguageSwitch() {
  return html`
    <label class="lang">
      <span class="visually-hidden">${t('lang.label')}</span>
      <select value=${getLang()} onChange=${(e) => setLang(e.currentTarget.value)} aria-label=${t('lang.label')}>
        <option value="en">EN</option>
        <option value="fr">FR</option>
      </select>
    </label>`;
}

/** The user's name, top right, opening "My account" and "Log out". */
function UserMenu({ profile, onLogout }) {
  const [open, setOpen] = useState(false);
  const root = useRef(null);
  const button = useRef(null);

  // Focus moves into the menu as it opens (before the next key press can arrive).
  useLayoutEffect(() => {
    if (!open) return;
    root.current.querySelector('[role=menuitem]')?.focus();
    const outside = (e) => !root.current.contains(e.target) && setOpen(false);
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onKeyDown = (e) => {
    const items = [...root.current.querySelectorAll('[role=menuitem]')];
    const i = items.indexOf(document.activeElement);
    if (e.key === 'Escape') { setOpen(false); button.current.focus(); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); items[(i + 1) % items.length]?.focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
  };
  const go = (e) => { setOpen(false); linkClick(e); };
  const name = `${profile.user.firstName} ${profile.user.lastName}`;
  return html`
    <div class="usermenu" ref=${root} onKeyDown=${onKeyDown}>
      <button type="button" ref=${button} class="usermenu-button" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
        aria-label=${t('menu.open') + ': ' + name} onClick=${() => setOpen(!open)}>
        <span class="avatar" aria-hidden="true">${(profile.user.firstName[0] || '?').toUpperCase()}</span>
        <span class="username">${name}</span> <span aria-hidden="true">▾</span>
      </button>
      ${open && html`
        <ul class="menu" role="menu">
          <li role="none"><a role="menuitem" href=${BASE + '/account'} onClick=${go}>${t('menu.account')}</a></li>
          <li role="none"><button type="button" role="menuitem" onClick=${() => { setOpen(false); onLogout(); }}>${t('menu.logout')}</button></li>
        </ul>`}
    </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // drop the boot placeholder
render(html`<${App} />`, root);
