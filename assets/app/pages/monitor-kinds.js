// What the dashboard knows of each check kind: one entry per kind in KINDS, each in its own file
// under kinds/ (a new kind adds its file and one line here). An entry has:
//   label        its name, { en, fr }
//   icon         a short word shown before monitors of that kind in lists
//   certificate  whether its monitors see a TLS certificate (the expiry warning field shows)
//   defaults     its form state (keys distinct from other kinds': prefix them with the kind)
//   fromMonitor(m), toBody(f)   form state from the API's JSON and back
//   validate(f)  errors found in the browser, by API field name
//   Fields({ place, form, set, update, err, fieldId })   its controls for a place of the form:
//     target       first in "What to check" (HTTP: the URL)
//     withInterval beside the interval picker (HTTP: the method)
//     details      after that row (HTTP: the request body and headers)
//     withTimeout  beside the timeout (HTTP: the response-time threshold)
//     success      first in "What counts as up" (HTTP: status codes, redirects, TLS, assertion)
//   summary(m)   one line in lists
//   detail(m)    { text, href } under the monitor's name (href null: nothing to open)
//   Details({ details })   optional: what the last check saw (`lastCheckDetails`), on its page
import { html } from '../lib.js';
import { getLang } from '../i18n.js';
import { dns } from './kinds/dns.js';
import { http } from './kinds/http.js';
import { icmp } from './kinds/icmp.js';
import { tcp } from './kinds/tcp.js';
import { tls } from './kinds/tls.js';

export const KINDS = { http, tcp, dns, tls, icmp };

/** A monitor's kind entry (monitors from before kinds existed are HTTP ones). */
export const kindOf = (m) => KINDS[m.kind || 'http'] || http;

export const kindLabel = (kind) => KINDS[kind].label[getLang()] || KINDS[kind].label.en;

/** The kind's short word, named in full for screen readers and on hover. */
export function KindIcon({ monitor }) {
  const kind = monitor.kind || 'http';
  return html`<span class="kind-icon" data-kind=${kind} title=${kindLabel(kind)} aria-label=${kindLabel(kind)}>${kindOf(monitor).icon}</span>`;
}
