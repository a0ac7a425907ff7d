// English and French texts, the language choice, and locale-aware dates.
// Both dictionaries must have the same keys (checked by the browser tests). The monitors,
// incidents, tasks, notifications, silences, bulk actions, maintenance and dependencies keep their texts in
// messages-monitors.js, messages-form.js, messages-incidents.js, messages-tasks.js,
// messages-notifications.js, messages-silences.js, messages-bulk.js, messages-maintenance.js and
// messages-dependencies.js;
// each kind of notification channel keeps its own in pages/channel-kinds.js.
import monitorsMessages from './messages-monitors.js';
import badgesMessages from './messages-badges.js';
import formMessages from './messages-form.js';
import incidentsMessages from './messages-incidents.js';
import tasksMessages from './messages-tasks.js';
import notificationsMessages from './messages-notifications.js';
import silencesMessages from './messages-silences.js';
import bulkMessages from './messages-bulk.js';
import maintenanceMessages from './messages-maintenance.js';
import dependenciesMessages from './messages-dependencies.js';
import polishMessages from './messages-polish.js';
import statusPagesMessages from './messages-status-pages.js';
import overviewMessages from './messages-overview.js';
import teamMessages from './messages-team.js';
import accessMessages from './messages-access.js';
import twoFactorMessages from './messages-two-factor.js';
import auditMessages from './messages-audit.js';
import templatesMessages from './messages-templates.js';
import escalationMessages from './messages-escalation.js';
import pushMessages from './messages-push.js';
import pingsMessages from './messages-pings.js';
import schedulesMessages from './messages-schedules.js';
import configMessages from './messages-config.js';
import probesMessages from './messages-probes.js';
import locationsMessages from './messages-locations.js';

export const messages = {
  en: {
    'app.name': 'dutyduck',
    'app.loading': 'Loading…',
    'app.retry': 'Retry',
    'app.error.network': 'The server cannot be reached. Check your connection and retry.',
    'app.error.generic': 'Something went wrong: {message}',
    'health.title': 'dutyduck is not keeping watch properly',
    'health.hint': 'Checks, deadlines and notifications are retried until this is fixed. /healthz and /metrics show the same.',
    'nav.main': 'Main navigation',
    'nav.overview': 'Overview',
    'nav.docs': 'API docs',
    'lang.label': 'Language',
    'menu.open': 'Account menu',
    'menu.account': 'My account',
    'menu.logout': 'Log out',
    'setup.title': 'Create the first administrator',
    'setup.intro': 'Welcome to dutyduck. Nobody has an account yet: create the administrator account and your organization.',
    'setup.organization': 'Organization name',
    'setup.submit': 'Create the administrator',
    'setup.done': 'The first administrator already exists. Log in instead.',
    'field.firstName': 'First name',
    'field.lastName': 'Last name',
    'field.email': 'E-mail',
    'field.password': 'Password',
    'field.passwordAgain': 'Password again',
    'field.currentPassword': 'Current password',
    'field.newPassword': 'New password',
    'password.mismatch': 'The two passwords differ.',
    'password.strength': 'Strength: {level}',
    'password.level.0': 'too short (at least 10 characters)',
    'password.level.1': 'weak',
    'password.level.2': 'fair',
    'password.level.3': 'good',
    'password.level.4': 'strong',
    'password.hint': 'At least 10 characters. A few unrelated words make a strong, memorable password.',
    'login.title': 'Log in',
    'login.submit': 'Log in',
    'login.invalid': 'Wrong e-mail or password.',
    'login.throttled': 'Too many failed attempts. Try again in {seconds} s.',
    'login.expired': 'Your session has ended. Log in again to continue.',
    'home.greeting': 'Hello {name}',
    'home.intro': 'dutyduck watches your services and runs the incidents they cause. Add a monitor for each URL that matters; the API is ready for your scripts too.',
    'home.monitors': 'See the monitors',
    'home.incidents': 'See the incidents',
    'home.tokens': 'Create an API token',
    'home.docs': 'Read the API documentation',
    'home.backup.last': 'Last scheduled backup:',
    'home.backup.failed': 'the last attempt failed: {message}',
    'home.backup.off': 'Scheduled backups are off (start the server with --backup-every 24h).',
    'account.title': 'My account',
    'account.profile': 'Profile',
    'account.save': 'Save',
    'account.saved': 'Profile saved.',
    'account.password': 'Password',
    'account.passwordChange': 'Change the password',
    'account.passwordChanged': 'Password changed. Your other sessions have been ended.',
    'tokens.title': 'API tokens',
    'tokens.intro': 'An access token lets a script or a program use the API on your behalf. It is made of an id and a secret key, sent in the X-Api-Token-Id and X-Api-Token-Secret-Key headers.',
    'tokens.warning': 'A token can do anything you can do. Keep it safe and share it with nobody.',
    'tokens.create': 'Create a token',
    'tokens.empty': 'You have no API token yet.',
    'tokens.label': 'Label',
    'tokens.labelHint': 'What is this token for? e.g. "backup script"',
    'tokens.expiresAt': 'Expiry date',
    'tokens.expiresHint': 'At most one year ahead.',
    'tokens.submit': 'Create',
    'tokens.cancel': 'Cancel',
    'tokens.id': 'Id',
    'tokens.secret': 'Secret key',
    'tokens.created': 'Created',
    'tokens.expires': 'Expires',
    'tokens.lastUsed': 'Last used',
    'tokens.never': 'never',
    'tokens.expired': 'expired',
    'tokens.delete': 'Delete',
    'tokens.deleteLabel': 'Delete the token {label}',
    'tokens.newTitle': 'Your new token',
    'tokens.shownOnce': 'Copy the secret key now and keep it somewhere safe: it is shown only this once.',
    'tokens.example': 'Try it:',
    'tokens.copy': 'Copy',
    'tokens.copied': 'Copied',
    'tokens.done': 'I have saved the secret key',
    'tokens.confirmTitle': 'Delete this token?',
    'tokens.confirmText': 'Programs using “{label}” will be refused at once. Delete a token when you no longer use it, or as soon as you suspect it has been compromised.',
    'tokens.confirm': 'Delete the token',
  },
  fr: {
    'app.name': 'dutyduck',
    'app.loading': 'Chargement…',
    'app.retry': 'Réessayer',
    'app.error.network': 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.',
    'app.error.generic': 'Une erreur est survenue : {message}',
    'health.title': 'dutyduck ne surveille plus correctement',
    'health.hint': 'Les vérifications, échéances et notifications sont réessayées jusqu’à ce que ce soit réglé. /healthz et /metrics disent la même chose.',
    'nav.main': 'Navigation principale',
    'nav.overview': 'Accueil',
    'nav.docs': 'API',
    'lang.label': 'Langue',
    'menu.open': 'Menu du compte',
    'menu.account': 'Mon compte',
    'menu.logout': 'Se déconnecter',
    'setup.title': 'Créer le premier administrateur',
    'setup.intro': 'Bienvenue dans dutyduck. Personne n\u2019a encore de compte : créez le compte administrateur et votre organisation.',
    'setup.organization': 'Nom de l\u2019organisation',
    'setup.submit': 'Créer l\u2019administrateur',
    'setup.done': 'Le premier administrateur existe déjà. Connectez-vous.',
    'field.firstName': 'Prénom',
    'field.lastName': 'Nom',
    'field.email': 'E-mail',
    'field.password': 'Mot de passe',
    'field.passwordAgain': 'Mot de passe (confirmation)',
    'field.currentPassword': 'Mot de passe actuel',
    'field.newPassword': 'Nouveau mot de passe',
    'password.mismatch': 'Les deux mots de passe diffèrent.',
    'password.strength': 'Robustesse : {level}',
    'password.level.0': 'trop court (10 caractères minimum)',
    'password.level.1': 'faible',
    'password.level.2': 'moyenne',
    'password.level.3': 'bonne',
    'password.level.4': 'excellente',
    'password.hint': 'Au moins 10 caractères. Quelques mots sans rapport entre eux font un mot de passe robuste et facile à retenir.',
    'login.title': 'Connexion',
    'login.submit': 'Se connecter',
    'login.invalid': 'E-mail ou mot de passe incorrect.',
    'login.throttled': 'Trop de tentatives échouées. Réessayez dans {seconds} s.',
    'login.expired': 'Votre session a pris fin. Reconnectez-vous pour continuer.',
    'home.greeting': 'Bonjour {name}',
    'home.intro': 'dutyduck surveille vos services et gère les incidents qu\u2019ils provoquent. Ajoutez un moniteur pour chaque URL qui compte ; l\u2019API est aussi prête pour vos scripts.',
    'home.monitors': 'Voir les moniteurs',
    'home.incidents': 'Voir les incidents',
    'home.tokens': 'Créer un jeton d\u2019API',
    'home.docs': 'Lire la documentation de l\u2019API',
    'home.backup.last': 'Dernière sauvegarde planifiée :',
    'home.backup.failed': 'la dernière tentative a échoué : {message}',
    'home.backup.off': 'Les sauvegardes planifiées sont désactivées (démarrez le serveur avec --backup-every 24h).',
    'account.title': 'Mon compte',
    'account.profile': 'Profil',
    'account.save': 'Enregistrer',
    'account.saved': 'Profil enregistré.',
    'account.password': 'Mot de passe',
    'account.passwordChange': 'Changer le mot de passe',
    'account.passwordChanged': 'Mot de passe changé. Vos autres sessions ont été fermées.',
    'tokens.title': 'Jetons d\u2019API',
    'tokens.intro': 'Un jeton d\u2019accès permet à un script ou à un programme d\u2019utiliser l\u2019API en votre nom. Il se compose d\u2019un identifiant et d\u2019une clé secrète, à envoyer dans les en-têtes X-Api-Token-Id et X-Api-Token-Secret-Key.',
    'tokens.warning': 'Votre jeton d\u2019accès permet d\u2019effectuer n\u2019importe quelle action en votre nom. Gardez-le en sécurité et ne le partagez avec personne.',
    'tokens.create': 'Créer un jeton',
    'tokens.empty': 'Vous n\u2019avez encore aucun jeton d\u2019API.',
    'tokens.label': 'Libellé',
    'tokens.labelHint': 'À quoi sert ce jeton ? ex. « script de sauvegarde »',
    'tokens.expiresAt': 'Date d\u2019expiration',
    'tokens.expiresHint': 'Au plus un an dans le futur.',
    'tokens.submit': 'Créer',
    'tokens.cancel': 'Annuler',
    'tokens.id': 'Identifiant',
    'tokens.secret': 'Clé secrète',
    'tokens.created': 'Créé le',
    'tokens.expires': 'Expire le',
    'tokens.lastUsed': 'Dernière utilisation',
    'tokens.never': 'jamais',
    'tokens.expired': 'expiré',
    'tokens.delete': 'Supprimer',
    'tokens.deleteLabel': 'Supprimer le jeton {label}',
    'tokens.newTitle': 'Votre nouveau jeton',
    'tokens.shownOnce': 'Copiez dès maintenant la clé secrète et conservez-la dans un endroit sûr : elle ne sera affichée qu\u2019une seule fois.',
    'tokens.example': 'Pour l\u2019essayer :',
    'tokens.copy': 'Copier',
    'tokens.copied': 'Copié',
    'tokens.done': 'J\u2019ai sauvegardé la clé secrète',
    'tokens.confirmTitle': 'Supprimer ce jeton ?',
    'tokens.confirmText': 'Les programmes qui utilisent « {label} » seront refusés immédiatement. Supprimez un jeton quand vous ne l\u2019utilisez plus, ou dès que vous soupçonnez qu\u2019il a été compromis.',
    'tokens.confirm': 'Supprimer le jeton',
  },
};

/** Adds texts kept elsewhere (`{en: {...}, fr: {...}}`), such as each channel kind's words. */
export function addMessages(extra) {
  Object.assign(messages.en, extra.en);
  Object.assign(messages.fr, extra.fr);
}

addMessages(badgesMessages);
for (const extra of [monitorsMessages, formMessages, incidentsMessages, tasksMessages, notificationsMessages, silencesMessages, bulkMessages, maintenanceMessages, dependenciesMessages]) {
  addMessages(extra);
}
addMessages(polishMessages);
addMessages(statusPagesMessages);
addMessages(overviewMessages);
addMessages(teamMessages);
addMessages(accessMessages);
addMessages(twoFactorMessages);
addMessages(auditMessages);
addMessages(templatesMessages);
addMessages(escalationMessages);
addMessages(pushMessages);
addMessages(pingsMessages);
addMessages(schedulesMessages);
addMessages(configMessages);
addMessages(probesMessages);
addMessages(locationsMessages);

const STORAGE_KEY = 'dutyduck.lang';
const listeners = new Set();

function initialLang() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && messages[saved]) return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

let lang = initialLang();
document.documentElement.lang = lang;

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!messages[next] || next === lang) return;
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((fn) => fn(next));
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The text for `key` in the current language, with {placeholders} filled from `params`. */
export function t(key, params = {}) {
  const text = messages[lang][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** A date and time in the user's language and time zone (`seconds`: with seconds). */
export function formatDateTime(iso, { seconds = false } = {}) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' }).format(new Date(iso));
}

/** "5 minutes ago", "in 3 seconds", "yesterday": relative to now, in the user's language. */
export function formatRelative(iso, now = Date.now()) {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  if (abs < 45) return format.format(seconds, 'second');
  if (abs < 45 * 60) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return format.format(Math.round(seconds / 86400), 'day');
  if (abs < 320 * 86400) return format.format(Math.round(seconds / (30 * 86400)), 'month');
  return format.format(Math.round(seconds / (365 * 86400)), 'year');
}

/** A duration in its two largest units: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h" (fr: "j"). */
export function formatDuration(ms) {
  let rest = Math.max(0, Math.round(ms / 1000));
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || (unit === 's' && !parts.length)) parts.push(t('duration.' + unit, { n }));
  }
  return parts.slice(0, 2).join(' ');
}

/** A number in the user's language (thousands separators, decimal comma in French). */
export function formatNumber(n, digits = 0) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}

/** A response time: "123 ms", "1.2 s". */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 10000 ? `${formatNumber(ms)} ms` : `${formatNumber(ms / 1000, 1)} s`;
}

/** An uptime percentage (0–100): "99.95 %" in the user's language; "—" without data. */
export function formatPercent(value) {
  if (value === null || value === undefined) return '—';
  // Never round a failure away: 99.999 shows as 99.99 %, not 100 %.
  const shown = value < 100 ? Math.min(value, 99.99) : 100;
  const digits = shown === 100 || shown === 0 ? 0 : shown >= 99 ? 2 : 1;
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: digits }).format(shown / 100);
}

/** A date and time in a compact form for chart axes and tooltips. */
export function formatShort(date, withTime = true) {
  const options = withTime ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(lang, options).format(date);
}
