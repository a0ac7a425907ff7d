// The ICMP kind in the dashboard: pings to a host, judged by packet loss and round trip. See
// ../monitor-kinds.js for what each member is.
import { html } from '../../lib.js';
import { Field } from '../../components.js';
import { hostLike, whole, words } from './fields.js';

const w = words({
  en: {
    host: 'Host', hostHint: 'A host name or an IP address.', ipVersion: 'IP version', 'ip.any': 'Any',
    count: 'Pings per check', packetTimeout: 'Wait for each reply (ms)', loss: 'Packet loss allowed (%)',
    lossHint: 'Losing every ping always fails.', rtt: 'Slowest average round trip (ms, optional)',
    hostError: 'Enter a host name or an IP address.', countError: 'From 1 to 20 pings.', timeoutError: 'From 100 to 10,000 ms.',
    lossError: 'From 0 to 100 %.', rttError: 'From 1 to 10,000 ms, or empty.',
    address: 'Address', replies: 'Replies', repliesValue: '{received} of {sent} ({loss} % lost)', roundTrip: 'Round trip',
    roundTripValue: 'min {min} · avg {avg} · max {max} ms', socket: 'Socket',
  },
  fr: {
    host: 'Hôte', hostHint: 'Un nom d’hôte ou une adresse IP.', ipVersion: 'Version IP', 'ip.any': 'Indifférente',
    count: 'Pings par vérification', packetTimeout: 'Attente de chaque réponse (ms)', loss: 'Perte de paquets tolérée (%)',
    lossHint: 'Perdre tous les pings échoue toujours.', rtt: 'Aller-retour moyen maximal (ms, facultatif)',
    hostError: 'Saisissez un nom d’hôte ou une adresse IP.', countError: 'De 1 à 20 pings.', timeoutError: 'De 100 à 10 000 ms.',
    lossError: 'De 0 à 100 %.', rttError: 'De 1 à 10 000 ms, ou vide.',
    address: 'Adresse', replies: 'Réponses', repliesValue: '{received} sur {sent} ({loss} % perdus)', roundTrip: 'Aller-retour',
    roundTripValue: 'min {min} · moy. {avg} · max {max} ms', socket: 'Socket',
  },
});

export const icmp = {
  label: { en: 'Ping (ICMP)', fr: 'Ping (ICMP)' },
  icon: 'PING',
  certificate: false,
  defaults: { pingHost: '', pingIp: '', pingCount: '3', pingWait: '1000', pingLoss: '50', pingRtt: '' },
  fromMonitor: (m) => ({
    pingHost: m.pingHost, pingIp: m.ipVersion || '', pingCount: String(m.packetCount), pingWait: String(m.packetTimeoutMs),
    pingLoss: String(m.maxPacketLossPercent), pingRtt: m.maxRoundTripMs == null ? '' : String(m.maxRoundTripMs),
  }),
  toBody: (f) => ({
    pingHost: f.pingHost.trim(), ipVersion: f.pingIp || null, packetCount: Number(f.pingCount), packetTimeoutMs: Number(f.pingWait),
    maxPacketLossPercent: Number(f.pingLoss), maxRoundTripMs: f.pingRtt === '' ? null : Number(f.pingRtt),
  }),
  validate(f) {
    const e = {};
    if (!hostLike(f.pingHost)) e.pingHost = w('hostError');
    if (!whole(f.pingCount, 1, 20)) e.packetCount = w('countError');
    if (!whole(f.pingWait, 100, 10000)) e.packetTimeoutMs = w('timeoutError');
    if (!whole(f.pingLoss, 0, 100)) e.maxPacketLossPercent = w('lossError');
    if (f.pingRtt !== '' && !whole(f.pingRtt, 1, 10000)) e.maxRoundTripMs = w('rttError');
    return e;
  },
  Fields({ place, form, set, err, fieldId }) {
    switch (place) {
      case 'target': return html`<div class="row">
          <${Field} id=${fieldId('pingHost')} label=${w('host')} value=${form.pingHost} onInput=${set('pingHost')} required
            placeholder="router.example.com" hint=${w('hostHint')} error=${err('pingHost')} autocomplete="off" />
          <${Field} as="select" id=${fieldId('ipVersion')} label=${w('ipVersion')} value=${form.pingIp} onChange=${set('pingIp')} error=${err('ipVersion')}>
            <option value="">${w('ip.any')}</option><option value="4">IPv4</option><option value="6">IPv6</option>
          <//>
        </div>`;
      case 'details': return html`<div class="row">
          <${Field} id=${fieldId('packetCount')} label=${w('count')} type="number" min="1" max="20" step="1" inputmode="numeric"
            value=${form.pingCount} onInput=${set('pingCount')} error=${err('packetCount')} />
          <${Field} id=${fieldId('packetTimeoutMs')} label=${w('packetTimeout')} type="number" min="100" max="10000" step="100" inputmode="numeric"
            value=${form.pingWait} onInput=${set('pingWait')} error=${err('packetTimeoutMs')} />
        </div>`;
      case 'withTimeout': return html`<${Field} id=${fieldId('maxRoundTripMs')} label=${w('rtt')} type="number" min="1" max="10000" step="1"
          value=${form.pingRtt} onInput=${set('pingRtt')} error=${err('maxRoundTripMs')} />`;
      case 'success': return html`<${Field} id=${fieldId('maxPacketLossPercent')} label=${w('loss')} type="number" min="0" max="100" step="1"
          value=${form.pingLoss} onInput=${set('pingLoss')} hint=${w('lossHint')} error=${err('maxPacketLossPercent')} />`;
      default: return null;
    }
  },
  summary: (m) => m.pingHost + (m.ipVersion ? ` (IPv${m.ipVersion})` : ''),
  detail: (m) => ({ text: `ping ${m.pingHost}` + (m.ipVersion ? ` (IPv${m.ipVersion})` : ''), href: null }),
  /** The replies: how many came back, and how long they took. */
  Details: ({ details }) => details && details.sent !== undefined && html`<dl class="kind-details">
      <div><dt>${w('address')}</dt><dd><code>${details.address}</code></dd></div>
      <div><dt>${w('replies')}</dt><dd>${w('repliesValue', { received: details.received, sent: details.sent, loss: details.lossPercent })}</dd></div>
      ${details.rttAvgMs != null && html`<div><dt>${w('roundTrip')}</dt>
        <dd>${w('roundTripValue', { min: details.rttMinMs, avg: details.rttAvgMs, max: details.rttMaxMs })}</dd></div>`}
      <div><dt>${w('socket')}</dt><dd>${details.socket}</dd></div>
    </dl>`,
};
