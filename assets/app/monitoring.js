// Shared pieces of the monitors and incidents pages: status pills, priority badges, check
// results in words, and the permission test.
import { html } from './lib.js';
import { t } from './i18n.js';

/** Adds a list request's paging to `qs`. */
export function addPage(qs, page, size) {
  qs.set('pageNumber', String(page));
  qs.set('itemsPerPage', String(size));
  return qs;
}

/** True when the logged-in user has this permission (camelCase name). */
export function can(profile, permission) {
  return Boolean(profile && profile.permissions && profile.permissions.includes(permission));
}

/** Statuses of a monitor, best to worst; each has a colour class and a text (never colour alone). */
export const MONITOR_STATUSES = ['up', 'recovering', 'suspicious', 'down', 'unknown', 'inactive', 'archived'];
const STATUS_TONE = {
  up: 'ok', recovering: 'warn', suspicious: 'warn', down: 'bad', unknown: 'neutral', inactive: 'neutral', archived: 'neutral',
};
const TONE_ICON = { ok: '●', warn: '▲', bad: '■', neutral: '○' };

export function StatusPill({ status }) {
  const tone = STATUS_TONE[status] || 'neutral';
  return html`<span class=${'pill pill-' + tone} data-status=${status}>
    <span aria-hidden="true" class="pill-icon">${TONE_ICON[tone]}</span>${t('status.' + status)}</span>`;
}

export const INCIDENT_STATUSES = ['ongoing', 'tobeconfirmed', 'resolved'];
const INCIDENT_TONE = { ongoing: 'bad', tobeconfirmed: 'warn', resolved: 'ok' };

export function IncidentStatusPill({ status }) {
  const tone = INCIDENT_TONE[status] || 'neutral';
  return html`<span class=${'pill pill-' + tone} data-status=${status}>
    <span aria-hidden="true" class="pill-icon">${TONE_ICON[tone]}</span>${t('incidentStatus.' + status)}</span>`;
}

export const PRIORITIES = ['emergency', 'critical', 'major', 'minor', 'warning', 'notice'];

export function PriorityBadge({ priority }) {
  return html`<span class=${'prio prio-' + priority}>${t('priority.' + priority)}</span>`;
}

// What a kind's message says, for the words of a failure more precise than its error kind: the
// first pattern found in the check's (English) message names the text to show. Assertion
// patterns are anchored at the start: an HTTP assertion's message quotes the user's own text.
const ASSERTION_WORDS = [
  [/^answered NXDOMAIN,/, 'nxdomain'], [/^answered [A-Z]+, expected/, 'dnsRcode'], [/^no [A-Z]+ records for |^expected (one|all) of \[/, 'wrongAnswer'],
  [/^expected ".*" in the reply, got /s, 'unexpectedReply'],
  [/^(STARTTLS refused|STLS refused|the server does not offer STARTTLS|unexpected (SMTP|IMAP|POP3) greeting)/, 'starttls'],
  [/^(answered HTTP \d+|the check succeeded), but this monitor is upside down/, 'upsideDown'],
];
const TLS_WORDS = [
  [/expired/, 'tlsExpired'], [/not valid for name/, 'tlsName'], [/not trusted/, 'tlsUntrusted'], [/^negotiated TLS/, 'tlsVersion'],
  [/handshake failed/, 'tlsHandshake'],
];
const refine = (error, table, fallback) => (table.find(([pattern]) => pattern.test(error || '')) || [null, fallback])[1];

/** A check result in words: "HTTP 500", "Connection refused", "Timed out", "Certificate expired"… */
export function checkText({ errorKind, httpCode, error } = {}) {
  switch (errorKind) {
    case 'none': return httpCode ? t('check.okCode', { code: httpCode }) : t('check.ok');
    case 'httpcode': return httpCode ? t('check.httpcode', { code: httpCode }) : t('check.httpcodeUnknown');
    case 'connect': {
      const detail = (error || '').toLowerCase();
      if (detail.includes('refused')) return t('check.connectRefused');
      if (detail.includes('reset')) return t('check.connectReset');
      if (detail.includes('dns')) return t('check.connectDns');
      return t('check.connect');
    }
    case 'assertion': return t('check.' + refine(error, ASSERTION_WORDS, 'assertion'));
    case 'tls': return t('check.' + refine(error, TLS_WORDS, 'tls'));
    case 'timeout': case 'slow': case 'loss': case 'redirect': case 'request':
    case 'builder': case 'body': case 'decode':
      return t('check.' + errorKind);
    default: return t('check.unknown');
  }
}

/** The human name of an incident source type. */
export function sourceText(type) {
  return t('source.' + (type || 'manual'));
}

export function userName(user) {
  return user ? `${user.firstName} ${user.lastName}`.trim() : t('incident.system');
}
