// The DNS kind in the dashboard: a query for a name and record type, judged by the response
// code and the records. See ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { Field } from '../../components.js';
import { hostLike, words } from './fields.js';

const TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'CAA', 'SRV'];
const RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const w = words({
  en: {
    name: 'Name to resolve', nameHint: 'e.g. www.example.com', type: 'Record type',
    resolver: 'Resolver (optional)', resolverHint: 'An address and port, e.g. 1.1.1.1 or 10.0.0.53:5353. Empty: the server’s own resolver.',
    values: 'Expected values (optional)', valuesHint: 'One per line, e.g. an address or a mail server’s name. Empty: any answer will do.',
    match: 'The answer must contain', 'match.any': 'at least one of them', 'match.all': 'all of them',
    rcode: 'Expected response code', nameError: 'Enter a name to resolve.',
    resolverError: 'Enter an IP address, optionally followed by :port.',
    records: 'Records', noRecords: 'none', rcodeSeen: 'Response code', asked: 'Resolver asked', via: 'over {protocol}',
  },
  fr: {
    name: 'Nom à résoudre', nameHint: 'ex. www.example.com', type: 'Type d’enregistrement',
    resolver: 'Résolveur (facultatif)', resolverHint: 'Une adresse et un port, ex. 1.1.1.1 ou 10.0.0.53:5353. Vide : le résolveur du serveur.',
    values: 'Valeurs attendues (facultatif)', valuesHint: 'Une par ligne, ex. une adresse ou le nom d’un serveur de courrier. Vide : toute réponse convient.',
    match: 'La réponse doit contenir', 'match.any': 'au moins l’une d’elles', 'match.all': 'toutes',
    rcode: 'Code de réponse attendu', nameError: 'Saisissez un nom à résoudre.',
    resolverError: 'Saisissez une adresse IP, éventuellement suivie de :port.',
    records: 'Enregistrements', noRecords: 'aucun', rcodeSeen: 'Code de réponse', asked: 'Résolveur interrogé', via: 'en {protocol}',
  },
});

const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

export const dns = {
  label: { en: 'DNS record', fr: 'Enregistrement DNS' },
  icon: 'DNS',
  certificate: false,
  defaults: { dnsName: '', dnsType: 'A', dnsResolver: '', dnsValues: '', dnsMatch: 'any', dnsRcode: 'NOERROR' },
  fromMonitor: (m) => ({
    dnsName: m.dnsName, dnsType: m.recordType, dnsResolver: m.resolver || '', dnsValues: (m.expectedValues || []).join('\n'),
    dnsMatch: m.valuesMatch, dnsRcode: m.expectedRcode,
  }),
  toBody: (f) => ({
    dnsName: f.dnsName.trim(), recordType: f.dnsType, resolver: f.dnsResolver.trim() || null,
    expectedValues: f.dnsRcode === 'NOERROR' ? lines(f.dnsValues) : [], valuesMatch: f.dnsMatch, expectedRcode: f.dnsRcode,
  }),
  validate(f) {
    const e = {};
    if (!hostLike(f.dnsName)) e.dnsName = w('nameError');
    if (f.dnsResolver.trim() && !/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+)(:\d{1,5})?$/.test(f.dnsResolver.trim())) e.resolver = w('resolverError');
    return e;
  },
  Fields({ place, form, set, err, fieldId }) {
    switch (place) {
      case 'target': return html`<div class="row">
          <${Field} id=${fieldId('dnsName')} label=${w('name')} value=${form.dnsName} onInput=${set('dnsName')} required
            placeholder="www.example.com" hint=${w('nameHint')} error=${err('dnsName')} autocomplete="off" />
          <${Field} as="select" id=${fieldId('recordType')} label=${w('type')} value=${form.dnsType} onChange=${set('dnsType')} error=${err('recordType')}>
            ${TYPES.map((type) => html`<option value=${type}>${type}</option>`)}
          <//>
        </div>`;
      case 'details': return html`<${Field} id=${fieldId('resolver')} label=${w('resolver')} value=${form.dnsResolver} onInput=${set('dnsResolver')}
          class="mono" placeholder="1.1.1.1:53" hint=${w('resolverHint')} error=${err('resolver')} autocomplete="off" />`;
      case 'success': return html`
        <${Field} as="select" id=${fieldId('expectedRcode')} label=${w('rcode')} value=${form.dnsRcode} onChange=${set('dnsRcode')} error=${err('expectedRcode')}>
          ${RCODES.map((code) => html`<option value=${code}>${code}</option>`)}
        <//>
        ${form.dnsRcode === 'NOERROR' && html`
          <${Field} as="textarea" id=${fieldId('expectedValues')} label=${w('values')} value=${form.dnsValues} onInput=${set('dnsValues')}
            rows="3" class="mono" hint=${w('valuesHint')} error=${err('expectedValues')} />
          ${lines(form.dnsValues).length > 1 && html`<${Field} as="select" id=${fieldId('valuesMatch')} label=${w('match')} value=${form.dnsMatch}
            onChange=${set('dnsMatch')} error=${err('valuesMatch')}>
            <option value="any">${w('match.any')}</option><option value="all">${w('match.all')}</option>
          <//>`}`}`;
      default: return null;
    }
  },
  summary: (m) => `${m.recordType} ${m.dnsName}` + (m.resolver ? ` @ ${m.resolver}` : ''),
  detail: (m) => ({ text: `DNS ${m.recordType} ${m.dnsName}` + (m.resolver ? ` @ ${m.resolver}` : ''), href: null }),
  /** The answer: response code, records, and which resolver answered over what. */
  Details: ({ details }) => details && html`<dl class="kind-details">
      <div><dt>${w('rcodeSeen')}</dt><dd><code>${details.rcode || '—'}</code></dd></div>
      <div><dt>${w('asked')}</dt><dd><code>${details.resolver}</code> ${w('via', { protocol: (details.protocol || '').toUpperCase() })}</dd></div>
      <div class="span-all"><dt>${w('records')}</dt><dd>${details.records && details.records.length
        ? html`<ul class="plain mono">${details.records.map((r) => html`<li>${r}</li>`)}</ul>` : w('noRecords')}</dd></div>
    </dl>`,
};
