// The TCP kind in the dashboard: a connection to host:port, optionally sending a line and
// expecting some text in the reply. See ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { Field } from '../../components.js';
import { authority, hostLike, whole, words } from './fields.js';

const w = words({
  en: {
    host: 'Host', hostHint: 'A host name or an IP address.', port: 'Port',
    send: 'Line to send (optional)', sendHint: 'Sent once connected, followed by a line break.',
    expect: 'Expected in the reply (optional)', expectHint: 'e.g. 220 for a mail server, SSH- for SSH. Empty: connecting is enough.',
    hostError: 'Enter a host name or an IP address.', portError: 'A port is a whole number from 1 to 65535.',
    reply: 'Reply',
  },
  fr: {
    host: 'Hôte', hostHint: 'Un nom d’hôte ou une adresse IP.', port: 'Port',
    send: 'Ligne à envoyer (facultatif)', sendHint: 'Envoyée une fois connecté, suivie d’un saut de ligne.',
    expect: 'Attendu dans la réponse (facultatif)', expectHint: 'ex. 220 pour un serveur de courrier, SSH- pour SSH. Vide : la connexion suffit.',
    hostError: 'Saisissez un nom d’hôte ou une adresse IP.', portError: 'Un port est un nombre entier de 1 à 65535.',
    reply: 'Réponse',
  },
});

export const tcp = {
  label: { en: 'TCP port', fr: 'Port TCP' },
  icon: 'TCP',
  certificate: false,
  defaults: { tcpHost: '', tcpPort: '', tcpSend: '', tcpExpect: '' },
  fromMonitor: (m) => ({ tcpHost: m.host, tcpPort: String(m.port), tcpSend: m.send || '', tcpExpect: m.expect || '' }),
  toBody: (f) => ({
    host: f.tcpHost.trim(), port: Number(f.tcpPort),
    send: f.tcpSend.trim() || null, expect: f.tcpExpect.trim() || null,
  }),
  validate(f) {
    const e = {};
    if (!hostLike(f.tcpHost)) e.host = w('hostError');
    if (!whole(f.tcpPort, 1, 65535)) e.port = w('portError');
    return e;
  },
  Fields({ place, form, set, err, fieldId }) {
    switch (place) {
      case 'target': return html`<div class="row">
          <${Field} id=${fieldId('host')} label=${w('host')} value=${form.tcpHost} onInput=${set('tcpHost')} required
            placeholder="mail.example.com" hint=${w('hostHint')} error=${err('host')} autocomplete="off" />
          <${Field} id=${fieldId('port')} label=${w('port')} type="number" min="1" max="65535" step="1" inputmode="numeric"
            value=${form.tcpPort} onInput=${set('tcpPort')} required placeholder="25" error=${err('port')} />
        </div>`;
      case 'details': return html`<${Field} id=${fieldId('send')} label=${w('send')} value=${form.tcpSend} onInput=${set('tcpSend')}
          class="mono" hint=${w('sendHint')} error=${err('send')} />`;
      case 'success': return html`<${Field} id=${fieldId('expect')} label=${w('expect')} value=${form.tcpExpect} onInput=${set('tcpExpect')}
          class="mono" hint=${w('expectHint')} error=${err('expect')} />`;
      default: return null;
    }
  },
  summary: (m) => authority(m.host, m.port),
  detail: (m) => ({ text: `TCP ${authority(m.host, m.port)}`, href: null }),
  /** What the last check read, when it read something. */
  Details: ({ details }) => details && details.reply
    ? html`<dl class="kind-details"><div><dt>${w('reply')}</dt><dd><pre class="mono">${details.reply}</pre></dd></div></dl>`
    : null,
};
