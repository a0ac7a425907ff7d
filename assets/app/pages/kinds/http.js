// The HTTP(S) kind in the dashboard: a request judged by its status code, body and response
// time. See ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { t } from '../../i18n.js';
import { Field } from '../../components.js';
import { KeyValueRows, rows, object } from '../key-value-rows.js';
import { whole, words } from './fields.js';

const AUTH_KINDS = ['none', 'basic', 'bearer'];
const w = words({
  en: {
    auth: 'Authentication', 'auth.none': 'None', 'auth.basic': 'Basic (user and password)', 'auth.bearer': 'Bearer token',
    user: 'User name', password: 'Password', token: 'Token', userError: 'Enter a user name without a colon.', tokenError: 'Enter the token.',
    upsideDown: 'Upside down: up while the check fails (e.g. a page that must stay unreachable)',
    upsideDownFailure: 'Up because the check failed', headerClash: 'Remove the Authorization header, or choose no authentication here.',
  },
  fr: {
    auth: 'Authentification', 'auth.none': 'Aucune', 'auth.basic': 'Basic (utilisateur et mot de passe)', 'auth.bearer': 'Jeton Bearer',
    user: 'Nom d’utilisateur', password: 'Mot de passe', token: 'Jeton', userError: 'Saisissez un nom d’utilisateur sans deux-points.', tokenError: 'Saisissez le jeton.',
    upsideDown: 'À l’envers : disponible tant que la vérification échoue (ex. une page qui doit rester injoignable)',
    upsideDownFailure: 'Disponible car la vérification a échoué', headerClash: 'Retirez l’en-tête Authorization, ou ne choisissez pas d’authentification ici.',
  },
});

/** The form's credentials as the API's `auth` (null: none). */
function authBody(f) {
  if (f.authKind === 'basic') return { kind: 'basic', username: f.authUser.trim(), password: f.authPassword };
  if (f.authKind === 'bearer') return { kind: 'bearer', token: f.authToken.trim() };
  return null;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ASSERTIONS = ['none', 'bodyContains', 'bodyNotContains', 'regex', 'jsonPointer'];
const CODES = /^\s*\d{3}(\s*-\s*\d{3})?(\s*,\s*\d{3}(\s*-\s*\d{3})?)*\s*,?\s*$/;
const hasBody = (method) => ['POST', 'PUT', 'PATCH'].includes(method);

/** A JSON value when it parses as one (42, true, "x", {…}), otherwise the text itself. */
function jsonOrText(text) {
  try { return JSON.parse(text); } catch { return text; }
}

export const http = {
  label: { en: 'HTTP(S)', fr: 'HTTP(S)' },
  icon: 'HTTP',
  /** Whether its monitors see a certificate (the expiry warning field shows). */
  certificate: true,
  defaults: {
    url: '', method: 'GET', slow: '', codes: '200-399', followRedirects: true, verifyTls: true,
    assertionKind: 'none', assertionValue: '', assertionPointer: '', headers: [], body: '',
    authKind: 'none', authUser: '', authPassword: '', authToken: '', upsideDown: false,
  },
  fromMonitor(m) {
    const a = m.assertion;
    return {
      url: m.url, method: m.method, slow: m.responseTimeThresholdMs === null ? '' : String(m.responseTimeThresholdMs),
      codes: m.acceptedStatusCodes, followRedirects: m.followRedirects, verifyTls: m.verifyTls,
      assertionKind: a ? a.kind : 'none',
      assertionValue: !a ? '' : a.kind === 'jsonPointer' ? (typeof a.value === 'string' ? a.value : JSON.stringify(a.value)) : a.value,
      assertionPointer: a && a.kind === 'jsonPointer' ? a.pointer : '',
      headers: rows(m.requestHeaders), body: m.requestBody || '',
      authKind: m.auth ? m.auth.kind : 'none', authUser: m.auth?.username || '', authPassword: m.auth?.password || '',
      authToken: m.auth?.token || '', upsideDown: Boolean(m.upsideDown),
    };
  },
  toBody(f) {
    const kind = f.assertionKind;
    let assertion = null;
    if (kind === 'jsonPointer') assertion = { kind, pointer: f.assertionPointer.trim(), value: jsonOrText(f.assertionValue) };
    else if (kind !== 'none') assertion = { kind, value: f.assertionValue };
    return {
      url: f.url.trim(), method: f.method,
      responseTimeThresholdMs: f.slow === '' ? null : Number(f.slow),
      acceptedStatusCodes: f.codes.trim(), followRedirects: f.followRedirects, verifyTls: f.verifyTls, assertion,
      requestHeaders: object(f.headers),
      requestBody: hasBody(f.method) && f.body ? f.body : null,
      auth: authBody(f), upsideDown: f.upsideDown,
    };
  },
  /** Errors found without asking the server, by API field name. */
  validate(f) {
    const e = {};
    let url = null;
    try { url = new URL(f.url.trim()); } catch { /* reported below */ }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) e.url = t('form.error.url');
    if (f.headers.some((r) => !r.k.trim() && r.v.trim())) e.requestHeaders = t('form.error.rowKey');
    if (f.authKind === 'basic' && (!f.authUser.trim() || f.authUser.includes(':'))) e.auth = w('userError');
    if (f.authKind === 'bearer' && !f.authToken.trim()) e.auth = w('tokenError');
    if (f.authKind !== 'none' && f.headers.some((r) => r.k.trim().toLowerCase() === 'authorization')) e.auth = w('headerClash');
    if (f.slow !== '' && !whole(f.slow, 1, 60000)) e.responseTimeThresholdMs = t('form.error.slow');
    if (!CODES.test(f.codes)) e.acceptedStatusCodes = t('form.error.codes');
    if (['bodyContains', 'bodyNotContains', 'regex'].includes(f.assertionKind) && !f.assertionValue) e.assertion = t('form.error.assertionValue');
    if (f.assertionKind === 'jsonPointer' && f.assertionPointer.trim() && !f.assertionPointer.trim().startsWith('/')) {
      e.assertion = t('form.error.pointer');
    }
    return e;
  },
  /** The controls for `place` (see the top of this file). */
  Fields({ place, form, set, update, err, fieldId }) {
    const kind = form.assertionKind;
    switch (place) {
      case 'target': return html`<${Field} id=${fieldId('url')} label=${t('form.url')} type="url" value=${form.url} onInput=${set('url')} required
          placeholder="https://example.com/health" hint=${t('form.urlHint')} error=${err('url')} autocomplete="off" />`;
      case 'withInterval': return html`<${Field} as="select" id=${fieldId('method')} label=${t('form.method')} value=${form.method} onChange=${set('method')} error=${err('method')}>
            ${METHODS.map((m) => html`<option value=${m}>${m}</option>`)}
          <//>`;
      case 'details': return html`
        ${hasBody(form.method) && html`<${Field} as="textarea" id=${fieldId('requestBody')} label=${t('form.body')} value=${form.body}
          onInput=${set('body')} rows="4" class="mono" error=${err('requestBody')} />`}
        <${KeyValueRows} field="requestHeaders" legend=${t('form.headers')} rows=${form.headers} onChange=${(list) => update('headers', list)}
          keyLabel=${t('form.headerName')} valueLabel=${t('form.headerValue')} addLabel=${t('form.addHeader')} error=${err('requestHeaders')} />
        <div class="row">
          <${Field} as="select" id=${fieldId('auth')} label=${w('auth')} value=${form.authKind} onChange=${set('authKind')} error=${err('auth')}>
            ${AUTH_KINDS.map((k) => html`<option value=${k}>${w('auth.' + k)}</option>`)}
          <//>
          ${form.authKind === 'basic' && html`
            <${Field} id="mf-authUser" label=${w('user')} value=${form.authUser} onInput=${set('authUser')} autocomplete="off" />
            <${Field} id="mf-authPassword" label=${w('password')} type="password" value=${form.authPassword} onInput=${set('authPassword')} autocomplete="new-password" />`}
          ${form.authKind === 'bearer' && html`<${Field} id="mf-authToken" label=${w('token')} type="password" value=${form.authToken}
            onInput=${set('authToken')} autocomplete="off" class="mono" />`}
        </div>`;
      case 'withTimeout': return html`<${Field} id=${fieldId('responseTimeThresholdMs')} label=${t('form.slow')} type="number" min="1" max="60000" step="1"
            value=${form.slow} onInput=${set('slow')} error=${err('responseTimeThresholdMs')} hint=${t('form.slowHint')} />`;
      case 'success': return html`
        <${Field} id=${fieldId('acceptedStatusCodes')} label=${t('form.codes')} value=${form.codes} onInput=${set('codes')}
          hint=${t('form.codesHint')} error=${err('acceptedStatusCodes')} />
        <label class="check"><input type="checkbox" id=${fieldId('followRedirects')} checked=${form.followRedirects} onChange=${set('followRedirects')} />
          ${t('form.followRedirects')}</label>
        <label class="check"><input type="checkbox" id=${fieldId('verifyTls')} checked=${form.verifyTls} onChange=${set('verifyTls')} />
          ${t('form.verifyTls')}</label>
        <label class="check"><input type="checkbox" id=${fieldId('upsideDown')} checked=${form.upsideDown} onChange=${set('upsideDown')} />
          ${w('upsideDown')}</label>
        <div class="row">
          <${Field} as="select" id=${fieldId('assertion')} label=${t('form.assertion')} value=${kind} onChange=${set('assertionKind')} error=${err('assertion')}>
            ${ASSERTIONS.map((a) => html`<option value=${a}>${t('form.assertion.' + a)}</option>`)}
          <//>
          ${kind === 'jsonPointer' && html`<${Field} id="mf-assertionPointer" label=${t('form.pointer')} value=${form.assertionPointer}
            onInput=${set('assertionPointer')} placeholder="/status" class="mono" />`}
        </div>
        ${kind !== 'none' && html`<${Field} id="mf-assertionValue" label=${t(kind === 'jsonPointer' ? 'form.expected' : kind === 'regex' ? 'form.pattern' : 'form.text')}
          value=${form.assertionValue} onInput=${set('assertionValue')} class="mono"
          hint=${kind === 'jsonPointer' ? t('form.expectedHint') : kind === 'regex' ? t('form.patternHint') : null} />`}`;
      default: return null;
    }
  },
  /** One line for lists: the method when it is not GET, then the URL. */
  summary: (m) => (m.method !== 'GET' ? m.method + ' ' : '') + m.url,
  /** On the monitor's page: the text, and a link when what is checked has an address to open. */
  detail: (m) => ({ text: `${m.method} ${m.url}`, href: m.url }),
  /** An upside-down monitor that is up says which failure keeps it up. */
  Details: ({ details }) => details && details.upsideDown
    ? html`<dl class="kind-details"><div><dt>${w('upsideDownFailure')}</dt><dd><code>${details.failure}</code></dd></div></dl>`
    : null,
};

