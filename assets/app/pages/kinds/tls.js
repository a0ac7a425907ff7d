// The TLS kind in the dashboard: a handshake with any TLS endpoint (optionally after STARTTLS),
// its certificate and protocol. See ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { formatDateTime } from '../../i18n.js';
import { Field } from '../../components.js';
import { authority, hostLike, whole, words } from './fields.js';

const STARTTLS = { '': 443, smtp: 587, imap: 143, pop3: 110 };
const w = words({
  en: {
    host: 'Host', port: 'Port', serverName: 'Name on the certificate (optional)', serverNameHint: 'Sent as SNI. Empty: the host.',
    starttls: 'Protocol', 'starttls.none': 'TLS from the start', 'starttls.smtp': 'SMTP with STARTTLS', 'starttls.imap': 'IMAP with STARTTLS',
    'starttls.pop3': 'POP3 with STLS', verifyChain: 'Verify the certificate (trusted issuer, dates, name)',
    ca: 'Trusted CA certificate (optional, PEM)', caHint: 'For a private CA; replaces the public roots for this monitor.',
    minVersion: 'Lowest TLS version accepted', hostError: 'Enter a host name or an IP address.', portError: 'A port is a whole number from 1 to 65535.',
    subject: 'Subject', issuer: 'Issuer', validity: 'Valid', names: 'Names', protocol: 'Protocol', verified: 'Verified', yes: 'yes', no: 'no',
    from: 'from {from} to {to}',
  },
  fr: {
    host: 'Hôte', port: 'Port', serverName: 'Nom sur le certificat (facultatif)', serverNameHint: 'Envoyé en SNI. Vide : l’hôte.',
    starttls: 'Protocole', 'starttls.none': 'TLS dès le début', 'starttls.smtp': 'SMTP avec STARTTLS', 'starttls.imap': 'IMAP avec STARTTLS',
    'starttls.pop3': 'POP3 avec STLS', verifyChain: 'Vérifier le certificat (émetteur de confiance, dates, nom)',
    ca: 'Certificat d’AC de confiance (facultatif, PEM)', caHint: 'Pour une AC privée ; remplace les racines publiques pour ce moniteur.',
    minVersion: 'Version TLS minimale acceptée', hostError: 'Saisissez un nom d’hôte ou une adresse IP.', portError: 'Un port est un nombre entier de 1 à 65535.',
    subject: 'Sujet', issuer: 'Émetteur', validity: 'Validité', names: 'Noms', protocol: 'Protocole', verified: 'Vérifié', yes: 'oui', no: 'non',
    from: 'du {from} au {to}',
  },
});

export const tls = {
  label: { en: 'TLS certificate', fr: 'Certificat TLS' },
  icon: 'TLS',
  certificate: true,
  defaults: { tlsHost: '', tlsPort: '443', tlsServerName: '', tlsStarttls: '', tlsVerify: true, tlsCa: '', tlsMin: '1.2' },
  fromMonitor: (m) => ({
    tlsHost: m.tlsHost, tlsPort: String(m.tlsPort), tlsServerName: m.serverName || '', tlsStarttls: m.starttls || '',
    tlsVerify: m.verifyChain, tlsCa: m.caCertificate || '', tlsMin: m.minTlsVersion,
  }),
  toBody: (f) => ({
    tlsHost: f.tlsHost.trim(), tlsPort: Number(f.tlsPort), serverName: f.tlsServerName.trim() || null,
    starttls: f.tlsStarttls || null, verifyChain: f.tlsVerify, caCertificate: f.tlsCa.trim() || null, minTlsVersion: f.tlsMin,
  }),
  validate(f) {
    const e = {};
    if (!hostLike(f.tlsHost)) e.tlsHost = w('hostError');
    if (!whole(f.tlsPort, 1, 65535)) e.tlsPort = w('portError');
    if (f.tlsServerName.trim() && !hostLike(f.tlsServerName)) e.serverName = w('hostError');
    return e;
  },
  Fields({ place, form, set, update, err, fieldId }) {
    // Picking a protocol moves the port to its usual one, unless the user typed another.
    const pickProtocol = (e) => {
      const next = e.target.value;
      if (Number(form.tlsPort) === STARTTLS[form.tlsStarttls]) update('tlsPort', String(STARTTLS[next]));
      update('tlsStarttls', next);
    };
    switch (place) {
      case 'target': return html`
        <${Field} as="select" id=${fieldId('starttls')} label=${w('starttls')} value=${form.tlsStarttls} onChange=${pickProtocol} error=${err('starttls')}>
          ${Object.keys(STARTTLS).map((k) => html`<option value=${k}>${w('starttls.' + (k || 'none'))}</option>`)}
        <//>
        <div class="row">
          <${Field} id=${fieldId('tlsHost')} label=${w('host')} value=${form.tlsHost} onInput=${set('tlsHost')} required
            placeholder="mail.example.com" error=${err('tlsHost')} autocomplete="off" />
          <${Field} id=${fieldId('tlsPort')} label=${w('port')} type="number" min="1" max="65535" step="1" inputmode="numeric"
            value=${form.tlsPort} onInput=${set('tlsPort')} required error=${err('tlsPort')} />
        </div>`;
      case 'details': return html`<${Field} id=${fieldId('serverName')} label=${w('serverName')} value=${form.tlsServerName}
          onInput=${set('tlsServerName')} hint=${w('serverNameHint')} error=${err('serverName')} autocomplete="off" />`;
      case 'success': return html`
        <label class="check"><input type="checkbox" id=${fieldId('verifyChain')} checked=${form.tlsVerify} onChange=${set('tlsVerify')} />
          ${w('verifyChain')}</label>
        ${form.tlsVerify && html`<${Field} as="textarea" id=${fieldId('caCertificate')} label=${w('ca')} value=${form.tlsCa} onInput=${set('tlsCa')}
          rows="3" class="mono" hint=${w('caHint')} error=${err('caCertificate')} />`}
        <${Field} as="select" id=${fieldId('minTlsVersion')} label=${w('minVersion')} value=${form.tlsMin} onChange=${set('tlsMin')} error=${err('minTlsVersion')}>
          <option value="1.2">TLS 1.2</option><option value="1.3">TLS 1.3</option>
        <//>`;
      default: return null;
    }
  },
  summary: (m) => (m.starttls ? m.starttls.toUpperCase() + ' ' : '') + authority(m.tlsHost, m.tlsPort),
  detail: (m) => ({ text: `TLS ${m.starttls ? m.starttls.toUpperCase() + ' ' : ''}${authority(m.tlsHost, m.tlsPort)}`, href: null }),
  /** The certificate the server presented, and the protocol negotiated. */
  Details: ({ details }) => details && details.subject !== undefined && html`<dl class="kind-details">
      <div><dt>${w('subject')}</dt><dd><code>${details.subject}</code></dd></div>
      <div><dt>${w('issuer')}</dt><dd><code>${details.issuer}</code></dd></div>
      <div><dt>${w('validity')}</dt><dd>${w('from', { from: formatDateTime(details.notBefore), to: formatDateTime(details.notAfter) })}</dd></div>
      <div><dt>${w('verified')}</dt><dd>${details.verified ? w('yes') : w('no')}</dd></div>
      ${details.protocolVersion && html`<div><dt>${w('protocol')}</dt><dd>${details.protocolVersion} · <code>${details.cipherSuite}</code></dd></div>`}
      ${details.subjectAltNames && details.subjectAltNames.length > 0 && html`<div class="span-all"><dt>${w('names')}</dt>
        <dd class="tags">${details.subjectAltNames.map((n) => html`<span class="tag">${n}</span>`)}</dd></div>`}
    </dl>`,
};
