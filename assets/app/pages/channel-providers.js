// The kinds of alerting and chat providers (Telegram, Pushover, Gotify, PagerDuty, Opsgenie,
// Matrix), entries of `CHANNEL_KINDS` (channel-kinds.js, whose top comment says what an entry
// and a field hold). Apart so that file stays readable; the same fields, summaries and facts.
// Required secrets are checked against the shape the provider documents, and a masked one
// (sent back as is when editing) passes: the server keeps the stored value.
import { html } from '../lib.js';
import { t } from '../i18n.js';

function httpUrl(text) {
  try {
    return ['http:', 'https:'].includes(new URL(text.trim()).protocol);
  } catch { return false; }
}

function host(url) {
  try { return new URL(url).host; } catch { return url || ''; }
}

const code = (text) => html`<code>${text}</code>`;
const urlError = (value) => (httpUrl(value) ? null : t('form.error.url'));

/** What the API shows instead of a secret to those who may not change the channel. */
const MASK = '********';

/** A required secret of a provider, checked against its documented shape (a masked one is kept). */
function secret(name, label, hint, shape, message, placeholder) {
  return {
    name, type: 'text', label, hint, placeholder,
    check: (value) => (value.trim() === MASK || shape.test(value.trim()) ? null : t(message)),
  };
}

/** The provider's API for a self-hosted server or another region; blank: the provider's own. */
function apiUrlField(hint, placeholder) {
  return { name: 'apiUrl', type: 'url', label: 'notif.apiUrl', hint, placeholder, empty: null, check: (v) => (v.trim() ? urlError(v) : null) };
}

/** Seconds, between 30 and 10,800 (Pushover's emergency repeats). */
const seconds = (value) => (/^\d+$/.test(String(value).trim()) && +value >= 30 && +value <= 10800 ? null : t('notif.error.seconds'));

export const PROVIDER_KINDS = {
  telegram: {
    /** A paper plane. */
    icon: ['M22 2 11 13', 'M22 2 15 22l-4-9-9-4 20-7z'],
    fields: [
      secret('botToken', 'notif.botToken', 'notif.botTokenHint', /^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$/, 'notif.error.botToken', '123456789:AAH…'),
      {
        name: 'chatId', type: 'text', label: 'notif.chatId', hint: 'notif.chatIdHint', placeholder: '-1001234567890',
        check: (value) => (/^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/.test(value.trim()) ? null : t('notif.error.chatId')),
      },
      apiUrlField('notif.telegramApiHint', 'https://api.telegram.org'),
    ],
    summary: (c) => t('notif.summary.telegram', { chat: c.chatId }),
    facts: (c, { fact }) => [
      fact(t('notif.chatId'), code(c.chatId)),
      fact(t('notif.botToken'), c.botToken ? t('notif.set') : t('notif.none')),
      fact(t('notif.apiUrl'), code(c.apiUrl || 'https://api.telegram.org')),
    ],
    words: {
      en: {
        'notif.kind.telegram': 'Telegram',
        'notif.kindHint.telegram': 'A bot’s message in a chat, group or channel.',
        'notif.summary.telegram': 'Chat {chat}',
        'notif.botToken': 'Bot token',
        'notif.botTokenHint': 'From @BotFather (/newbot). Add the bot to the group or channel first.',
        'notif.chatId': 'Chat id',
        'notif.chatIdHint': 'A number (-100… for groups and channels) or a public channel’s @username.',
        'notif.apiUrl': 'API server',
        'notif.telegramApiHint': 'Leave blank for Telegram’s; or your own Bot API server.',
        'notif.error.botToken': 'A bot token looks like 123456789:AAH… (digits, a colon, then letters, digits, _ or -).',
        'notif.error.chatId': 'Use a chat number (with - first for groups) or @username.',
      },
      fr: {
        'notif.kind.telegram': 'Telegram',
        'notif.kindHint.telegram': 'Le message d’un bot dans une discussion, un groupe ou un canal.',
        'notif.summary.telegram': 'Discussion {chat}',
        'notif.botToken': 'Jeton du bot',
        'notif.botTokenHint': 'Donné par @BotFather (/newbot). Ajoutez d’abord le bot au groupe ou au canal.',
        'notif.chatId': 'Identifiant de la discussion',
        'notif.chatIdHint': 'Un nombre (-100… pour les groupes et canaux) ou le @nom d’un canal public.',
        'notif.apiUrl': 'Serveur d’API',
        'notif.telegramApiHint': 'Vide\u00a0: celui de Telegram\u00a0; sinon votre propre serveur Bot API.',
        'notif.error.botToken': 'Un jeton de bot ressemble à 123456789:AAH… (des chiffres, deux-points, puis lettres, chiffres, _ ou -).',
        'notif.error.chatId': 'Indiquez un numéro de discussion (précédé de - pour un groupe) ou un @nom.',
      },
    },
  },
  pushover: {
    /** A phone. */
    icon: ['M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', 'M11 18h2'],
    fields: [
      { ...secret('userKey', 'notif.userKey', 'notif.userKeyHint', /^[A-Za-z0-9]{30}$/, 'notif.error.pushoverKey'), row: true },
      { ...secret('appToken', 'notif.appToken', 'notif.pushoverTokenHint', /^[A-Za-z0-9]{30}$/, 'notif.error.pushoverKey'), row: true },
      {
        name: 'device', type: 'text', label: 'notif.device', hint: 'notif.deviceHint', empty: null,
        check: (value) => (!value.trim() || /^[A-Za-z0-9_-]{1,25}$/.test(value.trim()) ? null : t('notif.error.device')),
      },
      { name: 'emergency', type: 'checkbox', label: 'notif.emergency', initial: true },
      { name: 'retrySeconds', type: 'number', label: 'notif.retrySeconds', initial: 60, row: true, check: seconds },
      { name: 'expireSeconds', type: 'number', label: 'notif.expireSeconds', initial: 3600, row: true, check: seconds },
      apiUrlField('notif.providerApiHint', 'https://api.pushover.net'),
    ],
    Extra: () => html`<p class="hint small">${t('notif.pushoverHint')}</p>`,
    summary: (c) => (c.emergency === false ? t('notif.summary.pushover') : t('notif.summary.pushoverEmergency')),
    facts: (c, { fact, yesNo }) => [
      fact(t('notif.userKey'), c.userKey ? t('notif.set') : t('notif.none')),
      fact(t('notif.device'), c.device || t('notif.allDevices')),
      fact(t('notif.emergency'), yesNo(c.emergency !== false)),
      fact(t('notif.repeats'), t('notif.repeatsValue', { retry: c.retrySeconds ?? 60, expire: c.expireSeconds ?? 3600 })),
    ],
    words: {
      en: {
        'notif.kind.pushover': 'Pushover',
        'notif.kindHint.pushover': 'Notifications on a user’s or a group’s devices.',
        'notif.summary.pushover': 'High priority for major incidents',
        'notif.summary.pushoverEmergency': 'Emergency priority for major incidents',
        'notif.userKey': 'User or group key',
        'notif.userKeyHint': 'On your Pushover dashboard (30 characters).',
        'notif.appToken': 'Application token',
        'notif.pushoverTokenHint': 'Create an application on pushover.net to get one.',
        'notif.device': 'Device',
        'notif.deviceHint': 'Optional: only this device of the user’s.',
        'notif.allDevices': 'All devices',
        'notif.emergency': 'Emergency priority for major, critical and emergency incidents',
        'notif.retrySeconds': 'Repeat every (seconds)',
        'notif.expireSeconds': 'For at most (seconds)',
        'notif.repeats': 'Emergency repeats',
        'notif.repeatsValue': 'every {retry} s for {expire} s',
        'notif.pushoverHint': 'An emergency notification repeats until someone acknowledges it, in the Pushover app or in dutyduck; other incidents are high priority, resolutions normal.',
        'notif.providerApiHint': 'Leave blank for the provider’s own.',
        'notif.error.pushoverKey': 'Pushover keys are 30 letters and digits.',
        'notif.error.device': 'Up to 25 letters, digits, _ or -.',
        'notif.error.seconds': 'Between 30 and 10800 seconds.',
      },
      fr: {
        'notif.kind.pushover': 'Pushover',
        'notif.kindHint.pushover': 'Des notifications sur les appareils d’une personne ou d’un groupe.',
        'notif.summary.pushover': 'Priorité haute pour les incidents majeurs',
        'notif.summary.pushoverEmergency': 'Priorité d’urgence pour les incidents majeurs',
        'notif.userKey': 'Clé d’utilisateur ou de groupe',
        'notif.userKeyHint': 'Sur votre tableau de bord Pushover (30 caractères).',
        'notif.appToken': 'Jeton d’application',
        'notif.pushoverTokenHint': 'Créez une application sur pushover.net pour en obtenir un.',
        'notif.device': 'Appareil',
        'notif.deviceHint': 'Facultatif\u00a0: seulement cet appareil de la personne.',
        'notif.allDevices': 'Tous les appareils',
        'notif.emergency': 'Priorité d’urgence pour les incidents majeurs, critiques et d’urgence',
        'notif.retrySeconds': 'Répéter toutes les (secondes)',
        'notif.expireSeconds': 'Pendant au plus (secondes)',
        'notif.repeats': 'Répétitions d’urgence',
        'notif.repeatsValue': 'toutes les {retry} s pendant {expire} s',
        'notif.pushoverHint': 'Une notification d’urgence se répète jusqu’à ce que quelqu’un en accuse réception, dans l’application Pushover ou dans dutyduck\u00a0; les autres incidents sont en priorité haute, les résolutions en priorité normale.',
        'notif.providerApiHint': 'Vide\u00a0: celui du service.',
        'notif.error.pushoverKey': 'Les clés Pushover font 30 lettres et chiffres.',
        'notif.error.device': 'Jusqu’à 25 lettres, chiffres, _ ou -.',
        'notif.error.seconds': 'Entre 30 et 10800 secondes.',
      },
    },
  },
  gotify: {
    /** A server. */
    icon: ['M4 4h16v6H4z', 'M4 14h16v6H4z', 'M8 7h.01', 'M8 17h.01'],
    fields: [
      { name: 'url', type: 'url', label: 'notif.gotifyUrl', placeholder: 'https://gotify.example.com', check: urlError },
      secret('appToken', 'notif.appToken', 'notif.gotifyTokenHint', /^[A-Za-z0-9._~-]{1,200}$/, 'notif.error.gotifyToken'),
    ],
    summary: (c) => t('notif.summary.gotify', { server: host(c.url) }),
    facts: (c, { fact }) => [
      fact(t('notif.gotifyUrl'), code(c.url), true),
      fact(t('notif.appToken'), c.appToken ? t('notif.set') : t('notif.none')),
    ],
    words: {
      en: {
        'notif.kind.gotify': 'Gotify',
        'notif.kindHint.gotify': 'Push notifications from your own Gotify server.',
        'notif.summary.gotify': 'Gotify on {server}',
        'notif.gotifyUrl': 'Gotify server',
        'notif.gotifyTokenHint': 'In Gotify: Apps → Create application, then copy its token.',
        'notif.error.gotifyToken': 'A token has letters, digits, ., _, ~ or - only.',
      },
      fr: {
        'notif.kind.gotify': 'Gotify',
        'notif.kindHint.gotify': 'Des notifications push de votre propre serveur Gotify.',
        'notif.summary.gotify': 'Gotify sur {server}',
        'notif.gotifyUrl': 'Serveur Gotify',
        'notif.gotifyTokenHint': 'Dans Gotify\u00a0: Apps → Create application, puis copiez son jeton.',
        'notif.error.gotifyToken': 'Un jeton n’a que des lettres, chiffres, ., _, ~ ou -.',
      },
    },
  },
  pagerduty: {
    /** A warning sign. */
    icon: ['M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z', 'M12 9v4', 'M12 17h.01'],
    fields: [
      secret('routingKey', 'notif.routingKey', 'notif.routingKeyHint', /^[A-Za-z0-9]{32}$/, 'notif.error.routingKey'),
      apiUrlField('notif.providerApiHint', 'https://events.pagerduty.com'),
    ],
    Extra: () => html`<p class="hint small">${t('notif.pagerdutyHint')}</p>`,
    summary: () => t('notif.summary.pagerduty'),
    facts: (c, { fact }) => [fact(t('notif.routingKey'), c.routingKey ? t('notif.set') : t('notif.none'))],
    words: {
      en: {
        'notif.kind.pagerduty': 'PagerDuty',
        'notif.kindHint.pagerduty': 'One PagerDuty alert per incident, acknowledged and resolved with it.',
        'notif.summary.pagerduty': 'Events API v2',
        'notif.routingKey': 'Integration key',
        'notif.routingKeyHint': 'In PagerDuty: a service → Integrations → Events API v2 (32 characters).',
        'notif.pagerdutyHint': 'Severity follows the incident’s priority. A test message opens an alert of its own (“info”): resolve it in PagerDuty.',
        'notif.error.routingKey': 'An integration key is 32 letters and digits.',
      },
      fr: {
        'notif.kind.pagerduty': 'PagerDuty',
        'notif.kindHint.pagerduty': 'Une alerte PagerDuty par incident, acquittée et résolue avec lui.',
        'notif.summary.pagerduty': 'Events API v2',
        'notif.routingKey': 'Clé d’intégration',
        'notif.routingKeyHint': 'Dans PagerDuty\u00a0: un service → Integrations → Events API v2 (32 caractères).',
        'notif.pagerdutyHint': 'La sévérité suit la priorité de l’incident. Un message de test ouvre sa propre alerte («\u00a0info\u00a0»)\u00a0: résolvez-la dans PagerDuty.',
        'notif.error.routingKey': 'Une clé d’intégration fait 32 lettres et chiffres.',
      },
    },
  },
  opsgenie: {
    /** A shield. */
    icon: ['M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z'],
    fields: [
      secret('apiKey', 'notif.genieKey', 'notif.genieKeyHint', /^[A-Za-z0-9-]{20,64}$/, 'notif.error.genieKey'),
      apiUrlField('notif.opsgenieApiHint', 'https://api.opsgenie.com'),
    ],
    summary: (c) => t('notif.summary.opsgenie', { server: host(c.apiUrl || 'https://api.opsgenie.com') }),
    facts: (c, { fact }) => [
      fact(t('notif.genieKey'), c.apiKey ? t('notif.set') : t('notif.none')),
      fact(t('notif.apiUrl'), code(c.apiUrl || 'https://api.opsgenie.com')),
    ],
    words: {
      en: {
        'notif.kind.opsgenie': 'Opsgenie',
        'notif.kindHint.opsgenie': 'One Opsgenie alert per incident, acknowledged and closed with it.',
        'notif.summary.opsgenie': 'Alerts on {server}',
        'notif.genieKey': 'API key',
        'notif.genieKeyHint': 'Of an “API” integration of your team in Opsgenie.',
        'notif.opsgenieApiHint': 'Leave blank for the US service; https://api.eu.opsgenie.com for an EU account.',
        'notif.error.genieKey': 'An API key has letters, digits and - only.',
      },
      fr: {
        'notif.kind.opsgenie': 'Opsgenie',
        'notif.kindHint.opsgenie': 'Une alerte Opsgenie par incident, acquittée et close avec lui.',
        'notif.summary.opsgenie': 'Alertes sur {server}',
        'notif.genieKey': 'Clé d’API',
        'notif.genieKeyHint': 'D’une intégration «\u00a0API\u00a0» de votre équipe dans Opsgenie.',
        'notif.opsgenieApiHint': 'Vide\u00a0: le service américain\u00a0; https://api.eu.opsgenie.com pour un compte européen.',
        'notif.error.genieKey': 'Une clé d’API n’a que des lettres, chiffres et -.',
      },
    },
  },
  matrix: {
    /** Square brackets. */
    icon: ['M8 3H4v18h4', 'M16 3h4v18h-4'],
    fields: [
      { name: 'homeserverUrl', type: 'url', label: 'notif.homeserverUrl', placeholder: 'https://matrix.example.org', check: urlError },
      secret('accessToken', 'notif.accessToken', 'notif.accessTokenHint', /^[\x21-\x7e]{1,1000}$/, 'notif.error.accessToken'),
      {
        name: 'roomId', type: 'text', label: 'notif.roomId', hint: 'notif.roomIdHint', placeholder: '!abc123:example.org',
        check: (value) => (/^![A-Za-z0-9._=/+-]{1,200}:[A-Za-z0-9.:[\]-]{1,250}$/.test(value.trim()) ? null : t('notif.error.roomId')),
      },
    ],
    summary: (c) => t('notif.summary.matrix', { room: c.roomId, server: host(c.homeserverUrl) }),
    facts: (c, { fact }) => [
      fact(t('notif.homeserverUrl'), code(c.homeserverUrl)),
      fact(t('notif.roomId'), code(c.roomId)),
      fact(t('notif.accessToken'), c.accessToken ? t('notif.set') : t('notif.none')),
    ],
    words: {
      en: {
        'notif.kind.matrix': 'Matrix',
        'notif.kindHint.matrix': 'A notice in a Matrix room, from a bot account.',
        'notif.summary.matrix': 'Room {room} on {server}',
        'notif.homeserverUrl': 'Homeserver',
        'notif.accessToken': 'Access token',
        'notif.accessTokenHint': 'The bot account’s (in Element: Settings → Help & About → Access token).',
        'notif.roomId': 'Room id',
        'notif.roomIdHint': 'Room settings → Advanced; the bot must have joined the room.',
        'notif.error.accessToken': 'An access token is printable characters without spaces.',
        'notif.error.roomId': 'A room id looks like !abc123:example.org (not a #alias).',
      },
      fr: {
        'notif.kind.matrix': 'Matrix',
        'notif.kindHint.matrix': 'Un avis dans un salon Matrix, envoyé par un compte bot.',
        'notif.summary.matrix': 'Salon {room} sur {server}',
        'notif.homeserverUrl': 'Serveur d’accueil',
        'notif.accessToken': 'Jeton d’accès',
        'notif.accessTokenHint': 'Celui du compte bot (dans Element\u00a0: Paramètres → Aide et à propos → Jeton d’accès).',
        'notif.roomId': 'Identifiant du salon',
        'notif.roomIdHint': 'Paramètres du salon → Avancé\u00a0; le bot doit avoir rejoint le salon.',
        'notif.error.accessToken': 'Un jeton d’accès est fait de caractères imprimables sans espace.',
        'notif.error.roomId': 'Un identifiant de salon ressemble à !abc123:example.org (pas un #alias).',
      },
    },
  },
};
