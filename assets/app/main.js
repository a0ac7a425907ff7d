// The dashboard shell: decides between first-run setup, login and the app, and draws the top
// bar (navigation, language, user menu) that every page lives in.
import { html, render, useEffect, useLayoutEffect, useRef, useState } from './lib.js';
import { api, onSessionExpired } from './api.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { BASE, currentPath, linkClick, matchRoute, navigate, useLocation } from './router.js';
import { Alert, Forbidden, Loading, errorText } from './components.js';
import { can } from './monitoring.js';
import { HealthBanner } from './health-banner.js';
import { ThemeItems } from './theme.js';
import { Shortcuts } from './shortcuts.js';
import { forgetThisDevice, registerWorker } from './pwa.js';
import { SetupPage } from './pages/setup.js';
import { SignupPage } from './pages/signup.js';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/password-reset.js';
import { LoginPage } from './pages/login.js';
import { HomePage } from './pages/home.js';
import { AccountPage } from './pages/account.js';
import { MonitorsPage } from './pages/monitors.js';
import { MonitorPage } from './pages/monitor.js';
import { MonitorFormPage } from './pages/monitor-form.js';
import { TasksPage } from './pages/tasks.js';
import { TaskPage } from './pages/task.js';
import { TaskFormPage } from './pages/task-form.js';
import { IncidentsPage } from './pages/incidents.js';
import { IncidentPage } from './pages/incident.js';
import { NotificationsPage } from './pages/notifications.js';
import { ChannelPage } from './pages/notification-channel.js';
import { ChannelFormPage } from './pages/notification-form.js';
import { SilencesPage } from './pages/silences.js';
import { MaintenancePage } from './pages/maintenance.js';
import { MaintenanceFormPage } from './pages/maintenance-form.js';
import { StatusPagesPage } from './pages/status-pages.js';
import { StatusPageFormPage } from './pages/status-page-form.js';
import { StatusPageAnnouncementsPage } from './pages/status-page-announcements.js';
import { TeamPage } from './pages/team.js';
import { OrganizationsPage } from './pages/organizations.js';
import { InvitationPage } from './pages/invitation.js';
import { OrgSwitcher } from './org-switcher.js';
import { TwoFactorEnrolPage } from './pages/two-factor.js';
import { AuditLogPage } from './pages/audit-log.js';
import { EscalationPoliciesPage } from './pages/escalation-policies.js';
import { ProbesPage } from './pages/probes.js';

/**
 * Pages that need a logged-in user: the first whose pattern matches wins (literal paths before
 * `:param` ones), `need` is the permission it requires, `nav` its navigation entry if any, `menu`
 * its entry in the user menu instead (the team's and the organization's pages, so the header
 * keeps one row at 1280 px).
 */
const PAGES = [
  { path: BASE, nav: 'nav.overview', view: HomePage },
  { path: BASE + '/monitors', nav: 'nav.monitors', need: 'readHttpMonitors', view: MonitorsPage },
  { path: BASE + '/monitors/new', need: 'writeHttpMonitors', view: MonitorFormPage, section: BASE + '/monitors' },
  { path: BASE + '/monitors/:id', need: 'readHttpMonitors', view: MonitorPage, section: BASE + '/monitors' },
  { path: BASE + '/monitors/:id/edit', need: 'writeHttpMonitors', view: MonitorFormPage, section: BASE + '/monitors' },
  { path: BASE + '/tasks', nav: 'nav.tasks', need: 'readTasks', view: TasksPage },
  { path: BASE + '/tasks/new', need: 'writeTasks', view: TaskFormPage, section: BASE + '/tasks' },
  { path: BASE + '/tasks/:id', need: 'readTasks', view: TaskPage, section: BASE + '/tasks' },
  { path: BASE + '/tasks/:id/edit', need: 'writeTasks', view: TaskFormPage, section: BASE + '/tasks' },
  { path: BASE + '/incidents', nav: 'nav.incidents', need: 'readIncidents', view: IncidentsPage, badge: true },
  { path: BASE + '/incidents/:id', need: 'readIncidents', view: IncidentPage, section: BASE + '/incidents' },
  { path: BASE + '/silences', nav: 'nav.silences', need: 'readIncidents', view: SilencesPage },
  { path: BASE + '/maintenance', nav: 'nav.maintenance', need: 'readHttpMonitors', view: MaintenancePage },
  { path: BASE + '/maintenance/new', need: 'writeHttpMonitors', view: MaintenanceFormPage, section: BASE + '/maintenance' },
  { path: BASE + '/maintenance/:id/edit', need: 'writeHttpMonitors', view: MaintenanceFormPage, section: BASE + '/maintenance' },
  { path: BASE + '/status-pages', nav: 'nav.statusPages', need: 'readHttpMonitors', view: StatusPagesPage },
  { path: BASE + '/probes', nav: 'nav.probes', need: 'readHttpMonitors', view: ProbesPage },
  { path: BASE + '/status-pages/new', need: 'writeHttpMonitors', view: StatusPageFormPage, section: BASE + '/status-pages' },
  { path: BASE + '/status-pages/:id', need: 'writeHttpMonitors', view: StatusPageFormPage, section: BASE + '/status-pages' },
  { path: BASE + '/status-pages/:id/announcements', need: 'readHttpMonitors', view: StatusPageAnnouncementsPage, section: BASE + '/status-pages' },
  { path: BASE + '/notifications', nav: 'nav.notifications', need: 'readNotificationChannels', view: NotificationsPage },
  { path: BASE + '/notifications/new', need: 'writeNotificationChannels', view: ChannelFormPage, section: BASE + '/notifications' },
  { path: BASE + '/notifications/:id', need: 'readNotificationChannels', view: ChannelPage, section: BASE + '/notifications' },
  { path: BASE + '/notifications/:id/edit', need: 'writeNotificationChannels', view: ChannelFormPage, section: BASE + '/notifications' },
  { path: BASE + '/escalation', need: 'readNotificationChannels', view: EscalationPoliciesPage },
  { path: BASE + '/account', view: AccountPage },
  { path: BASE + '/team', menu: 'nav.team', view: TeamPage },
  { path: BASE + '/organizations', view: OrganizationsPage, section: BASE + '/team' },
  { path: BASE + '/two-factor', view: TwoFactorEnrolPage },
  { path: BASE + '/audit-log', menu: 'nav.auditLog', need: 'readAuditLog', view: AuditLogPage },
];

/**
 * Pages shown signed in or out (an invitation's link, sign-up, password reset): no redirect to
 * the login page. They get the profile (null signed out) and both ways of signing in.
 */
export const PUBLIC_PAGES = [
  { path: BASE + '/invitation', view: InvitationPage },
  { path: BASE + '/signup', view: SignupPage },
  { path: BASE + '/forgot-password', view: ForgotPasswordPage },
  { path: BASE + '/reset-password', view: ResetPasswordPage },
];
const publicPage = (route) => PUBLIC_PAGES.find((p) => p.path === route);

/** The page for a path and its parameters, or null. */
function findPage(route) {
  for (const page of PAGES) {
    const params = matchRoute(page.path, route);
    if (params) return { page, params };
  }
  return null;
}

/**
 * The facts index.html came with (`{ setupNeeded, profile }`, what GET /setup and GET
 * /auth/session would say), so the first paint waits for no API call; taken once, as they get
 * stale: a retry asks the API.
 */
function takeBootFacts() {
  const block = document.getElementById('boot');
  if (!block) return null;
  block.remove();
  // A profile or a first run is certain. "Nobody" may only mean that the session cookie
  // (SameSite=Strict) stayed behind on a navigation from another site, e.g. a notification's
  // link: asked from here, the API gets the cookie.
  try {
    const facts = JSON.parse(block.textContent);
    return facts.profile || facts.setupNeeded ? facts : null;
  } catch { return null; }
}
const bootFacts = takeBootFacts();

function App() {
  const path = useLocation();
  const [, setLangState] = useState(getLang());
  const [boot, setBoot] = useState(bootFacts
    ? { loading: false, error: null, setupNeeded: bootFacts.setupNeeded }
    : { loading: true, error: null, setupNeeded: false });
  const [profile, setProfile] = useState(bootFacts ? bootFacts.profile : null);
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
  useEffect(() => { if (!bootFacts) start(); }, []);

  const route = path.split('?')[0].replace(/\/$/, '') || BASE;
  const loggedIn = (p) => {
    setProfile(p);
    setExpired(false);
    setBoot({ loading: false, error: null, setupNeeded: false });
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && next.startsWith(BASE) ? next : BASE, { replace: true });
  };
  const logout = async () => {
    await forgetThisDevice();
    try { await api('POST', '/auth/logout'); } catch { /* the session is gone either way */ }
    setProfile(null);
    setExpired(false);
    navigate(`${BASE}/login`, { replace: true });
  };

  // Redirects, once we know who is here.
  useEffect(() => {
    if (boot.loading || boot.error) return;
    if (publicPage(route)) return;
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
  else if (publicPage(route)) page = html`<${publicPage(route).view} profile=${profile} onProfile=${setProfile} onDone=${loggedIn} />`;
  else if (!profile) page = html`<${LoginPage} onDone=${loggedIn} expired=${expired} />`;
  else {
    const found = findPage(route);
    if (!found) page = html`<${NotFound} />`;
    else if (found.page.need && !can(profile, found.page.need)) page = html`<${Forbidden} />`;
    else {
      // Keyed by page and parameters: another monitor is a fresh page, with fresh state.
      const { page: p, params } = found;
      page = html`<${p.view} key=${p.path + JSON.stringify(params)} profile=${profile} onProfile=${setProfile} params=${params} />`;
    }
  }
  return html`
    <${TopBar} profile=${profile} route=${route} onLogout=${logout} />
    ${profile && html`<${HealthBanner} profile=${profile} route=${route} />`}
    ${profile && html`<${Shortcuts} />`}
    ${page}`;
}

function NotFound() {
  return html`<main><h1>404</h1><p><a href=${BASE} onClick=${linkClick}>${t('nav.overview')}</a></p></main>`;
}

/** How many incidents are ongoing: every 20 s, on navigation, and when a page says so. */
function useOngoingCount(enabled, route) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    if (!enabled) return undefined;
    let live = true;
    const refresh = () => api('GET', '/incidents/ongoing-count').then((r) => live && setCount(r.ongoing), () => {});
    refresh();
    const timer = setInterval(() => { if (!document.hidden) refresh(); }, 20000);
    window.addEventListener('dd:incidents-changed', refresh);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener('dd:incidents-changed', refresh);
    };
  }, [enabled, route]);
  return enabled ? count : null;
}

function TopBar({ profile, route, onLogout }) {
  const ongoing = useOngoingCount(can(profile, 'readIncidents'), route);
  const current = (p) => {
    if (route === p.path) return 'page';
    const found = findPage(route);
    return found && found.page.section === p.path ? 'true' : undefined;
  };
  return html`
    <header class="topbar">
      <a class="brand" href=${BASE} onClick=${linkClick}>
        <img src="/dashboard/favicon.svg" alt="" width="28" height="28" /> ${t('app.name')}
      </a>
      ${profile && html`
        <nav aria-label=${t('nav.main')}>
          <ul>
            ${PAGES.filter((p) => p.nav && (!p.need || can(profile, p.need))).map((p) => html`
              <li><a href=${p.path} onClick=${linkClick} aria-current=${current(p)}>${t(p.nav)}${p.badge && ongoing > 0 && html`
                <span class="nav-badge" data-testid="ongoing-badge"><span aria-hidden="true">${ongoing}</span>
                  <span class="visually-hidden">${t('nav.ongoing', { count: ongoing })}</span></span>`}</a></li>`)}
            <li><a href="/docs">${t('nav.docs')}</a></li>
          </ul>
        </nav>`}
      <div class="topbar-end">
        ${profile && html`<${OrgSwitcher} profile=${profile} />`}
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
    const items = [...root.current.querySelectorAll('[role^=menuitem]')];
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
          ${PAGES.filter((p) => p.menu && (!p.need || can(profile, p.need))).map((p) => html`
            <li role="none"><a role="menuitem" href=${p.path} onClick=${go}>${t(p.menu)}</a></li>`)}
          <${ThemeItems} onChosen=${() => { setOpen(false); button.current.focus(); }} />
          <li role="none"><button type="button" role="menuitem" onClick=${() => { setOpen(false); onLogout(); }}>${t('menu.logout')}</button></li>
        </ul>`}
    </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // drop the boot placeholder
render(html`<${App} />`, root);
registerWorker();
