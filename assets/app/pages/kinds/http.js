// The HTTP(S) kind in the dashboard: a request judged by its status code, body and response
// time. See ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { t } from '../../i18n.js';
import { Field } from '../../components.js';
import { KeyValueRows, rows, object } from '../monitor-form-parts.js';
import { whole } from './fields.js';

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
    };
  },
  /** Errors found without asking the server, by API field name. */
  validate(f) {
    const e = {};
    let url = null;
    try { url = new URL(f.url.trim()); } catch { /* reported below */ }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) e.url = t('form.error.url');
    if (f.headers.some((r) => !r.k.trim() && r.v.trim())) e.requestHeaders = t('form.error.rowKey');
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
          keyLabel=${t('form.headerName')} valueLabel=${t('form.headerValue')} addLabel=${t('form.addHeader')} error=${err('requestHeaders')} />`;
      case 'withTimeout': return html`<${Field} id=${fieldId('responseTimeThresholdMs')} label=${t('form.slow')} type="number" min="1" max="60000" step="1"
            value=${form.slow} onInput=${set('slow')} error=${err('responseTimeThresholdMs')} hint=${t('form.slowHint')} />`;
      case 'success': return html`
        <${Field} id=${fieldId('acceptedStatusCodes')} label=${t('form.codes')} value=${form.codes} onInput=${set('codes')}
          hint=${t('form.codesHint')} error=${err('acceptedStatusCodes')} />
        <label class="check"><input type="checkbox" id=${fieldId('followRedirects')} checked=${form.followRedirects} onChange=${set('followRedirects')} />
          ${t('form.followRedirects')}</label>
        <label class="check"><input type="checkbox" id=${fieldId('verifyTls')} checked=${form.verifyTls} onChange=${set('verifyTls')} />
          ${t('form.verifyTls')}</label>
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
};

