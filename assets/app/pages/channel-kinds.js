// Everything the dashboard knows about each kind of notification channel, in one table: its icon,
// its words in English and French, the fields of its form (how each is shown, read from and
// written to the API's `config`, and checked in the browser), the line that sums it up in the
// list, and the facts its page shows. The form, the list and the channel's page render from it;
// adding a kind is adding an entry (src/notify/channels/how-to-add-a-channel.md).
//
// A field: { name (its key in `config`), type ('text', 'url', 'list', 'checkbox', 'headers',
// 'generatedSecret'), label and hint (message keys), placeholder, row (side by side with the
// next field marked row), initial (the form's value when the config has none), empty (the value
// sent when left blank; else '' is sent), check(value, form) → a message or null, and for a
// list: item (input type, placeholder, itemLabel, addLabel, removeLabel, valid(text)) }.
// Fields of the same name in two kinds share their value in the form (switching kind keeps it).
import { html } from '../lib.js';
import { api } from '../api.js';
import { addMessages, t } from '../i18n.js';
import { Alert, useLoad } from '../components.js';
import { PROVIDER_KINDS } from './channel-providers.js';
import { chatKinds } from './channel-kinds-chat.js';
import { TEMPLATE_TYPE } from './webhook-template.js';
import { MEMBERS_TYPE } from './members-field.js';
import { linkClick } from '../router.js';

export const isAddress = (text) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());

export function httpUrl(text) {
  try {
    const u = new URL(text.trim());
    return ['http:', 'https:'].includes(u.protocol) && Boolean(u.hostname);
  } catch { return false; }
}

function host(url) {
  try { return new URL(url).host; } catch { return url || ''; }
}

/** "host/path" of a URL, without scheme or query (where a webhook posts). */
function hostPath(url) {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch { return url || ''; }
}

const code = (text) => html`<code>${text}</code>`;
const urlError = (value) => (httpUrl(value) ? null : t('form.error.url'));

/** Said before an e-mail channel is saved: on a server without an SMTP relay, e-mails never leave. */
function NoRelayWarning() {
  const channels = useLoad(() => api('GET', '/notification-channels'));
  if (channels.data?.emailConfigured !== false) return null;
  return html`<div data-testid="no-relay"><${Alert} kind="warning">${t('notif.noRelay')}<//></div>`;
}

/** Incoming webhooks of chat services: the URL is all (and its path is a secret). */
function chat(kind, placeholder) {
  return {
    fields: [{ name: 'webhookUrl', type: 'url', label: 'notif.webhookUrl', placeholder, hint: `notif.${kind}Hint`, check: urlError }],
    summary: (c) => t('notif.summary.chat', { host: host(c.webhookUrl) }),
    facts: (c, { fact }) => [fact(t('notif.webhookUrl'), code(c.webhookUrl), true)],
  };
}

export const CHANNEL_KINDS = {
  email: {
    /** An envelope. */
    icon: ['M5 5h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z', 'm3 7 9 6 9-6'],
    fields: [
      {
        name: 'recipients', type: 'list', label: 'notif.recipients',
        item: { type: 'email', placeholder: 'oncall@example.com', itemLabel: 'notif.recipient', addLabel: 'notif.addRecipient', removeLabel: 'notif.removeRecipient', valid: isAddress },
        check: (list, f) => {
          const given = list.map((r) => r.trim()).filter(Boolean);
          const bad = given.find((r) => !isAddress(r));
          if (bad) return t('notif.error.address', { address: bad });
          return !given.length && !f.allMembers ? t('notif.error.recipients') : null;
        },
      },
      { name: 'allMembers', type: 'checkbox', label: 'notif.allMembers' },
    ],
    Extra: () => html`<p class="hint small">${t('notif.emailHint')}</p><${NoRelayWarning} />`,
    summary: (c) => {
      const list = c.recipients || [];
      const shown = list.slice(0, 2).join(', ') + (list.length > 2 ? ' ' + t('notif.summary.more', { n: list.length - 2 }) : '');
      if (!c.allMembers) return shown;
      return list.length ? t('notif.summary.plusMembers', { list: shown }) : t('notif.summary.allMembers');
    },
    facts: (c, { fact, yesNo }) => [
      fact(t('notif.recipients'), c.recipients && c.recipients.length ? c.recipients.join(', ') : t('notif.nobodyListed'), true),
      fact(t('notif.allMembersShort'), yesNo(c.allMembers)),
    ],
    words: {
      en: {
        'notif.kind.email': 'E-mail',
        'notif.kindHint.email': 'To chosen addresses, or to every member.',
        'notif.summary.more': '+{n} more',
        'notif.summary.plusMembers': '{list} and every member',
        'notif.summary.allMembers': 'Every member of the organization',
        'notif.nobodyListed': 'No address listed',
        'notif.allMembersShort': 'Every member',
        'notif.recipients': 'Recipients',
        'notif.recipient': 'Recipient {n}',
        'notif.addRecipient': 'Add a recipient',
        'notif.removeRecipient': 'Remove recipient {n}',
        'notif.allMembers': 'Also send to every member of the organization',
        'notif.emailHint': 'E-mails go through the SMTP relay the server is started with (--smtp-url, --smtp-from).',
        'notif.noRelay': 'This server has no SMTP relay, so this channel cannot send e-mails yet: ask whoever runs dutyduck to restart it with --smtp-url and --smtp-from.',
        'notif.error.address': '“{address}” is not an e-mail address.',
        'notif.error.recipients': 'List at least one address, or send to every member.',
      },
      fr: {
        'notif.kind.email': 'E-mail',
        'notif.kindHint.email': 'Aux adresses choisies, ou à tous les membres.',
        'notif.summary.more': '+{n} autres',
        'notif.summary.plusMembers': '{list} et tous les membres',
        'notif.summary.allMembers': 'Tous les membres de l’organisation',
        'notif.nobodyListed': 'Aucune adresse',
        'notif.allMembersShort': 'Tous les membres',
        'notif.recipients': 'Destinataires',
        'notif.recipient': 'Destinataire {n}',
        'notif.addRecipient': 'Ajouter un destinataire',
        'notif.removeRecipient': 'Retirer le destinataire {n}',
        'notif.allMembers': 'Écrire aussi à tous les membres de l’organisation',
        'notif.emailHint': 'Les e-mails passent par le relais SMTP avec lequel le serveur est démarré (--smtp-url, --smtp-from).',
        'notif.noRelay': 'Ce serveur n’a pas de relais SMTP\u00a0: ce canal ne peut pas encore envoyer d’e-mails. Demandez à la personne qui administre dutyduck de le redémarrer avec --smtp-url et --smtp-from.',
        'notif.error.address': '«\u00a0{address}\u00a0» n’est pas une adresse e-mail.',
        'notif.error.recipients': 'Indiquez au moins une adresse, ou écrivez à tous les membres.',
      },
    },
  },
  webhook: {
    /** Code brackets. */
    icon: ['m8 7-5 5 5 5', 'm16 7 5 5-5 5', 'm13.5 4-3 16'],
    fields: [
      { name: 'url', type: 'url', label: 'notif.url', placeholder: 'https://hooks.example.com/dutyduck', hint: 'notif.urlHint', check: urlError },
      { name: 'headers', type: 'headers', label: 'notif.headers', check: (rows) => (rows.some((r) => !r.k.trim() && r.v.trim()) ? t('form.error.rowKey') : null) },
      {
        name: 'secret', type: 'generatedSecret', label: 'notif.secret', hint: 'notif.secretHint', empty: null,
        check: (value) => (value.trim() && value.trim().length < 16 ? t('notif.error.secret') : null),
      },
      { name: 'template', type: 'template', label: 'notif.template' },
    ],
    Extra: () => html`
      <details class="signature-help">
        <summary>${t('notif.verifyTitle')}</summary>
        <p>${t('notif.verifyText')}</p>
        <pre class="example"><code>${'X-Dutyduck-Signature: t=1764374400,v1=5f1c…\n\nv1 == hex(HMAC-SHA256(secret, t + "." + raw body))'}</code></pre>
        <p class="small">${t('notif.verifyMore')}</p>
      </details>`,
    summary: (c) => `POST ${hostPath(c.url)}` + (c.secret ? ' · ' + t('notif.summary.signed') : ''),
    facts: (c, { fact }) => [
      fact(t('notif.url'), code(c.url), true),
      fact(t('notif.headers'), Object.keys(c.headers || {}).length ? Object.keys(c.headers).join(', ') : t('notif.none')),
      fact(t('notif.signature'), c.secret ? t('notif.signed') : t('notif.unsigned')),
    ],
    words: {
      en: {
        'notif.kind.webhook': 'Webhook',
        'notif.kindHint.webhook': 'A signed JSON POST to your own URL.',
        'notif.summary.signed': 'signed',
        'notif.signature': 'Signature',
        'notif.signed': 'Signed (HMAC-SHA256)',
        'notif.unsigned': 'Not signed',
        'notif.url': 'URL',
        'notif.urlHint': 'dutyduck POSTs a JSON body here, with X-Dutyduck-Event and an Idempotency-Key.',
        'notif.headers': 'Extra headers',
        'notif.secret': 'Signing secret',
        'notif.secretHint': 'Optional, at least 16 characters. Each request is then signed in X-Dutyduck-Signature.',
        'notif.error.secret': 'Use at least 16 characters, or leave empty.',
        'notif.verifyTitle': 'How to verify the signature',
        'notif.verifyText': 'Read t and v1 from the header; compute the HMAC-SHA256 of “t.body” (the timestamp, a dot, the raw body) with the secret, in hex; compare it with v1 in constant time, and refuse a t more than 5 minutes old.',
        'notif.verifyMore': 'The README explains it step by step, with the body’s fields, in the section “Webhook signatures”.',
      },
      fr: {
        'notif.kind.webhook': 'Webhook',
        'notif.kindHint.webhook': 'Un POST JSON signé vers votre propre URL.',
        'notif.summary.signed': 'signé',
        'notif.signature': 'Signature',
        'notif.signed': 'Signé (HMAC-SHA256)',
        'notif.unsigned': 'Non signé',
        'notif.url': 'URL',
        'notif.urlHint': 'dutyduck y envoie un POST JSON, avec X-Dutyduck-Event et une Idempotency-Key.',
        'notif.headers': 'En-têtes supplémentaires',
        'notif.secret': 'Secret de signature',
        'notif.secretHint': 'Facultatif, 16 caractères au moins. Chaque requête est alors signée dans X-Dutyduck-Signature.',
        'notif.error.secret': 'Utilisez au moins 16 caractères, ou laissez vide.',
        'notif.verifyTitle': 'Comment vérifier la signature',
        'notif.verifyText': 'Lisez t et v1 dans l’en-tête\u00a0; calculez le HMAC-SHA256 de «\u00a0t.corps\u00a0» (l’horodatage, un point, le corps brut) avec le secret, en hexadécimal\u00a0; comparez-le à v1 en temps constant, et refusez un t vieux de plus de 5 minutes.',
        'notif.verifyMore': 'Le README l’explique pas à pas, avec les champs du corps, dans la section «\u00a0Webhook signatures\u00a0».',
      },
    },
  },
  slack: {
    /** A hash. */
    icon: ['M4 9h16', 'M4 15h16', 'M10 3 8 21', 'M16 3l-2 18'],
    ...chat('slack', 'https://hooks.slack.com/services/…'),
    words: {
      en: {
        'notif.kind.slack': 'Slack',
        'notif.kindHint.slack': 'A message in a Slack channel.',
        'notif.slackHint': 'In Slack: Apps → Incoming Webhooks → Add to a channel, then copy the URL.',
      },
      fr: {
        'notif.kind.slack': 'Slack',
        'notif.kindHint.slack': 'Un message dans un canal Slack.',
        'notif.slackHint': 'Dans Slack\u00a0: Apps → Incoming Webhooks → ajouter à un canal, puis copiez l’URL.',
      },
    },
  },
  discord: {
    /** A speech bubble. */
    icon: ['M21 11.5a8.5 8.5 0 0 1-12.3 7.6L3 20.5l1.4-5.2A8.5 8.5 0 1 1 21 11.5z'],
    ...chat('discord', 'https://discord.com/api/webhooks/…'),
    words: {
      en: {
        'notif.kind.discord': 'Discord',
        'notif.kindHint.discord': 'A message in a Discord channel.',
        'notif.discordHint': 'In Discord: channel settings → Integrations → Webhooks → New webhook, then copy the URL.',
      },
      fr: {
        'notif.kind.discord': 'Discord',
        'notif.kindHint.discord': 'Un message dans un salon Discord.',
        'notif.discordHint': 'Dans Discord\u00a0: paramètres du salon → Intégrations → Webhooks → Nouveau webhook, puis copiez l’URL.',
      },
    },
  },
  ntfy: {
    /** A bell. */
    icon: ['M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9', 'M10.3 21a1.94 1.94 0 0 0 3.4 0'],
    fields: [
      {
        name: 'serverUrl', type: 'url', label: 'notif.serverUrl', hint: 'notif.serverHint', row: true,
        initial: 'https://ntfy.sh', empty: 'https://ntfy.sh', check: (value) => (value.trim() ? urlError(value) : null),
      },
      {
        name: 'topic', type: 'text', label: 'notif.topic', hint: 'notif.topicHint', placeholder: 'ops-alerts', maxlength: '64', row: true,
        check: (value) => (/^[A-Za-z0-9_-]{1,64}$/.test(value.trim()) ? null : t('notif.error.topic')),
      },
      { name: 'token', type: 'text', label: 'notif.token', hint: 'notif.tokenHint', empty: null },
    ],
    summary: (c) => t('notif.summary.ntfy', { topic: c.topic, server: host(c.serverUrl) }),
    facts: (c, { fact }) => [
      fact(t('notif.serverUrl'), code(c.serverUrl)),
      fact(t('notif.topic'), code(c.topic)),
      fact(t('notif.token'), c.token ? t('notif.set') : t('notif.none')),
    ],
    words: {
      en: {
        'notif.kind.ntfy': 'ntfy',
        'notif.kindHint.ntfy': 'Push notifications on phones and desktops.',
        'notif.summary.ntfy': 'Topic {topic} on {server}',
        'notif.serverUrl': 'Server',
        'notif.serverHint': 'https://ntfy.sh, or your own server.',
        'notif.topic': 'Topic',
        'notif.topicHint': 'Letters, digits, - and _; anyone who knows a public topic can read it.',
        'notif.error.topic': 'Use 1 to 64 letters, digits, - or _.',
        'notif.token': 'Access token',
        'notif.tokenHint': 'Optional: for a protected topic (tk_…).',
      },
      fr: {
        'notif.kind.ntfy': 'ntfy',
        'notif.kindHint.ntfy': 'Des notifications push sur téléphones et ordinateurs.',
        'notif.summary.ntfy': 'Sujet {topic} sur {server}',
        'notif.serverUrl': 'Serveur',
        'notif.serverHint': 'https://ntfy.sh, ou votre propre serveur.',
        'notif.topic': 'Sujet',
        'notif.topicHint': 'Lettres, chiffres, - et _\u00a0; quiconque connaît un sujet public peut le lire.',
        'notif.error.topic': 'Utilisez de 1 à 64 lettres, chiffres, - ou _.',
        'notif.token': 'Jeton d’accès',
        'notif.tokenHint': 'Facultatif\u00a0: pour un sujet protégé (tk_…).',
      },
    },
  },
  ...PROVIDER_KINDS,
  ...chatKinds({ chat, urlError, host, code }),
  webPush: {
    /** A phone with a bell. */
    icon: ['M7 2h10a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', 'M9.5 12a2.5 2.5 0 0 1 5 0c0 3 1.5 4 1.5 4H8s1.5-1 1.5-4', 'M11.2 18h1.6'],
    // Whom: every member with a device, or the members chosen.
    fields: [{ name: 'members', type: 'members', label: 'notif.webPushWho' }],
    Extra: () => html`<p class="hint small">${t('notif.webPushHint')} <a href="/dashboard/account#push" onClick=${linkClick}>${t('notif.webPushAccount')}</a></p>`,
    summary: (c) => (c.members ? t('notif.summary.webPushSome', { n: c.members.length }) : t('notif.summary.webPush')),
    facts: (c, { fact }) => [
      fact(t('notif.webPushWho'), c.members ? t('notif.summary.webPushSome', { n: c.members.length }) : t('notif.summary.webPush')),
    ],
    words: {
      en: {
        'notif.kind.webPush': 'Web push',
        'notif.kindHint.webPush': 'Notifications on members\u2019 phones and computers, through the dashboard.',
        'notif.summary.webPush': 'Every member\u2019s devices',
        'notif.summary.webPushSome': 'The devices of {n} member(s)',
        'notif.webPushWho': 'Reaches',
        'notif.webPushOnly': 'Only these members',
        'notif.webPushHint': 'Each member turns notifications on in their own browsers, on My account.',
        'notif.webPushAccount': 'Turn them on for this device',
      },
      fr: {
        'notif.kind.webPush': 'Web push',
        'notif.kindHint.webPush': 'Des notifications sur les téléphones et ordinateurs des membres, par le tableau de bord.',
        'notif.summary.webPush': 'Les appareils de chaque membre',
        'notif.summary.webPushSome': 'Les appareils de {n} membre(s)',
        'notif.webPushWho': 'Atteint',
        'notif.webPushOnly': 'Seulement ces membres',
        'notif.webPushHint': 'Chaque membre active les notifications dans ses propres navigateurs, depuis Mon compte.',
        'notif.webPushAccount': 'Les activer sur cet appareil',
      },
    },
  },
};

export const KINDS = Object.keys(CHANNEL_KINDS);

for (const kind of KINDS) addMessages(CHANNEL_KINDS[kind].words);

/** How each field type reads a config value into the form, and writes the form's value back. */
const TYPES = {
  text: { read: (v, field) => v || field.initial || '', write: (v, field) => v.trim() || (field.empty !== undefined ? field.empty : '') },
  list: { read: (v) => (v && v.length ? v : ['']), write: (v) => v.map((r) => r.trim()).filter(Boolean) },
  checkbox: { read: (v, field) => (v === undefined ? Boolean(field.initial) : Boolean(v)), write: (v) => v },
  headers: {
    read: (v) => Object.entries(v || {}).map(([k, value]) => ({ k, v: value })),
    write: (rows) => Object.fromEntries(rows.filter((r) => r.k.trim()).map((r) => [r.k.trim(), r.v])),
  },
};
TYPES.url = TYPES.text;
TYPES.generatedSecret = TYPES.text;
/** A whole number, shown as text; blank is the field's `initial`. */
TYPES.number = {
  read: (v, field) => String(v ?? field.initial ?? ''),
  write: (v, field) => (String(v).trim() ? Number(String(v).trim()) : field.initial),
};
TYPES.template = TEMPLATE_TYPE;
TYPES.members = MEMBERS_TYPE;

/** The form's values for a channel: every field of every kind (so switching kind keeps them). */
export function formValues(config) {
  const values = {};
  for (const kind of KINDS) {
    for (const field of CHANNEL_KINDS[kind].fields) values[field.name] = TYPES[field.type].read(config[field.name], field);
  }
  return values;
}

/** The `config` the API takes, from the form's values for `kind`. */
export function configOf(kind, form) {
  return Object.fromEntries(CHANNEL_KINDS[kind].fields.map((field) => [field.name, TYPES[field.type].write(form[field.name], field)]));
}

/** The browser's complaints about `kind`'s fields, by API field ("config.url"), in form order. */
export function fieldErrors(kind, form) {
  const errors = {};
  for (const field of CHANNEL_KINDS[kind].fields) {
    const problem = field.check && field.check(form[field.name], form);
    if (problem) errors['config.' + field.name] = problem;
  }
  return errors;
}
