// The kinds of part "chat channels" (Microsoft Teams, Google Chat, Mattermost, Rocket.Chat, SMS),
// spread at the end of CHANNEL_KINDS in channel-kinds.js (which documents an entry's format).
// Kept apart so that table stays short. channel-kinds.js hands over its helpers (the bundle takes
// no import cycle): `chat` (an incoming-webhook kind), `urlError`, `host` and `code`.
import { html } from '../lib.js';
import { t } from '../i18n.js';

/** E.164, as the server checks it: +, a country code not starting with 0, 7 to 15 digits. */
export const isPhone = (text) => /^\+[1-9][0-9]{6,14}$/.test(text.trim());

export const chatKinds = ({ chat, urlError, host, code }) => ({
  teams: {
    /** Two people. */
    icon: ['M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2', 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M22 21v-2a4 4 0 0 0-3-3.87', 'M16 3.13a4 4 0 0 1 0 7.75'],
    ...chat('teams', 'https://prod-00.westeurope.logic.azure.com/workflows/…'),
    words: {
      en: {
        'notif.kind.teams': 'Microsoft Teams',
        'notif.kindHint.teams': 'An Adaptive Card in a Teams channel.',
        'notif.teamsHint': 'In Teams: the channel’s ⋯ → Workflows → “Post to a channel when a webhook request is received”, then copy the URL.',
      },
      fr: {
        'notif.kind.teams': 'Microsoft Teams',
        'notif.kindHint.teams': 'Une carte adaptative dans un canal Teams.',
        'notif.teamsHint': 'Dans Teams\u00a0: ⋯ du canal → Workflows → «\u00a0Publier dans un canal à la réception d’une requête webhook\u00a0», puis copiez l’URL.',
      },
    },
  },
  googleChat: {
    /** A speech bubble with lines. */
    icon: ['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z', 'M8 9h8', 'M8 13h5'],
    ...chat('googleChat', 'https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…'),
    words: {
      en: {
        'notif.kind.googleChat': 'Google Chat',
        'notif.kindHint.googleChat': 'A message in a space, one thread per incident.',
        'notif.googleChatHint': 'In Google Chat: the space’s name → Apps & integrations → Webhooks → Add, then copy the URL (its key and token are secret).',
      },
      fr: {
        'notif.kind.googleChat': 'Google Chat',
        'notif.kindHint.googleChat': 'Un message dans un espace, un fil par incident.',
        'notif.googleChatHint': 'Dans Google Chat\u00a0: nom de l’espace → Applications et intégrations → Webhooks → Ajouter, puis copiez l’URL (sa clé et son jeton sont secrets).',
      },
    },
  },
  mattermost: {
    /** A circle with a wave. */
    icon: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M8 13c1.5 2 6.5 2 8 0'],
    ...chat('mattermost', 'https://mattermost.example.com/hooks/…'),
    words: {
      en: {
        'notif.kind.mattermost': 'Mattermost',
        'notif.kindHint.mattermost': 'A message in a Mattermost channel.',
        'notif.mattermostHint': 'In Mattermost: Integrations → Incoming Webhooks → Add, pick the channel, then copy the URL.',
      },
      fr: {
        'notif.kind.mattermost': 'Mattermost',
        'notif.kindHint.mattermost': 'Un message dans un canal Mattermost.',
        'notif.mattermostHint': 'Dans Mattermost\u00a0: Intégrations → Webhooks entrants → Ajouter, choisissez le canal, puis copiez l’URL.',
      },
    },
  },
  rocketChat: {
    /** A rocket. */
    icon: ['M4.5 16.5c-1.5 1.26-2 5-2 5s3.74-.5 5-2c.71-.84.7-2.13-.09-2.91a2.18 2.18 0 0 0-2.91-.09z', 'm12 15-3-3a22 22 0 0 1 2-3.95A12.88 12.88 0 0 1 22 2c0 2.72-.78 7.5-6 11a22.35 22.35 0 0 1-4 2z'],
    ...chat('rocketChat', 'https://chat.example.com/hooks/…/…'),
    words: {
      en: {
        'notif.kind.rocketChat': 'Rocket.Chat',
        'notif.kindHint.rocketChat': 'A message in a Rocket.Chat channel.',
        'notif.rocketChatHint': 'In Rocket.Chat: Administration → Integrations → New → Incoming, pick the channel, save, then copy the webhook URL.',
      },
      fr: {
        'notif.kind.rocketChat': 'Rocket.Chat',
        'notif.kindHint.rocketChat': 'Un message dans un canal Rocket.Chat.',
        'notif.rocketChatHint': 'Dans Rocket.Chat\u00a0: Administration → Intégrations → Nouvelle → Entrante, choisissez le canal, enregistrez, puis copiez l’URL du webhook.',
      },
    },
  },
  sms: {
    /** A phone. */
    icon: ['M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', 'M11 18h2'],
    fields: [
      {
        name: 'apiUrl', type: 'url', label: 'notif.sms.apiUrl', hint: 'notif.sms.apiUrlHint',
        initial: 'https://api.twilio.com', empty: 'https://api.twilio.com', check: (value) => (value.trim() ? urlError(value) : null),
      },
      {
        name: 'accountSid', type: 'text', label: 'notif.sms.accountSid', placeholder: 'AC…', row: true,
        check: (value) => (/^[A-Za-z0-9]{1,64}$/.test(value.trim()) ? null : t('notif.sms.error.sid')),
      },
      { name: 'authToken', type: 'text', label: 'notif.sms.authToken', row: true, check: (value) => (value.trim() ? null : t('notif.sms.error.token')) },
      {
        name: 'from', type: 'text', label: 'notif.sms.from', hint: 'notif.sms.fromHint', placeholder: '+14155550100',
        check: (value) => (isPhone(value) ? null : t('notif.sms.error.phone', { number: value.trim() })),
      },
      {
        name: 'numbers', type: 'list', label: 'notif.sms.numbers',
        item: { type: 'tel', placeholder: '+33612345678', itemLabel: 'notif.sms.number', addLabel: 'notif.sms.addNumber', removeLabel: 'notif.sms.removeNumber', valid: isPhone },
        check: (list) => {
          const bad = list.map((r) => r.trim()).filter(Boolean).find((r) => !isPhone(r));
          return bad ? t('notif.sms.error.phone', { number: bad }) : null;
        },
      },
    ],
    Extra: () => html`<p class="hint small">${t('notif.sms.hint')}</p>`,
    summary: (c) => t('notif.summary.sms', { n: (c.numbers || []).length, host: host(c.apiUrl) }),
    facts: (c, { fact }) => [
      fact(t('notif.sms.apiUrl'), code(c.apiUrl)),
      fact(t('notif.sms.accountSid'), code(c.accountSid)),
      fact(t('notif.sms.authToken'), c.authToken ? t('notif.set') : t('notif.none')),
      fact(t('notif.sms.from'), c.from),
      fact(t('notif.sms.numbers'), (c.numbers || []).join(', ') || t('notif.none'), true),
    ],
    words: {
      en: {
        'notif.kind.sms': 'SMS',
        'notif.kindHint.sms': 'Text messages through Twilio or a compatible API.',
        'notif.summary.sms': '{n} number(s) through {host}',
        'notif.sms.apiUrl': 'API',
        'notif.sms.apiUrlHint': 'https://api.twilio.com, or a Twilio-compatible provider.',
        'notif.sms.accountSid': 'Account SID',
        'notif.sms.authToken': 'Auth token',
        'notif.sms.from': 'From',
        'notif.sms.fromHint': 'Your sending number, in international format.',
        'notif.sms.numbers': 'Numbers to text',
        'notif.sms.number': 'Number {n}',
        'notif.sms.addNumber': 'Add a number',
        'notif.sms.removeNumber': 'Remove number {n}',
        'notif.sms.hint': 'One SMS per number and notification: the subject and the link, cut to 160 characters (70 when one is outside the GSM alphabet: emoji, curly quotes…).',
        'notif.sms.error.sid': 'Use 1 to 64 letters or digits.',
        'notif.sms.error.token': 'The auth token is required.',
        'notif.sms.error.phone': '“{number}” is not in international format: +, the country code, the number (+33612345678).',
      },
      fr: {
        'notif.kind.sms': 'SMS',
        'notif.kindHint.sms': 'Des SMS par Twilio ou une API compatible.',
        'notif.summary.sms': '{n} numéro(s) par {host}',
        'notif.sms.apiUrl': 'API',
        'notif.sms.apiUrlHint': 'https://api.twilio.com, ou un fournisseur compatible Twilio.',
        'notif.sms.accountSid': 'Account SID',
        'notif.sms.authToken': 'Jeton d’authentification',
        'notif.sms.from': 'Expéditeur',
        'notif.sms.fromHint': 'Votre numéro d’envoi, au format international.',
        'notif.sms.numbers': 'Numéros destinataires',
        'notif.sms.number': 'Numéro {n}',
        'notif.sms.addNumber': 'Ajouter un numéro',
        'notif.sms.removeNumber': 'Retirer le numéro {n}',
        'notif.sms.hint': 'Un SMS par numéro et par notification\u00a0: le sujet et le lien, coupés à 160 caractères (70 avec des caractères hors de l’alphabet GSM).',
        'notif.sms.error.sid': 'Utilisez de 1 à 64 lettres ou chiffres.',
        'notif.sms.error.token': 'Le jeton d’authentification est requis.',
        'notif.sms.error.phone': '«\u00a0{number}\u00a0» n’est pas au format international\u00a0: +, l’indicatif du pays, le numéro (+33612345678).',
      },
    },
  },
});
