// What the kinds' form entries share: number and host checks done in the browser, and words a
// kind keeps to itself (a kind's labels live in its own file, in both languages).
import { getLang } from '../../i18n.js';

export { whole } from '../../forms.js';

/** A host name or IP address as the server takes it (it says more when it refuses one). */
export const hostLike = (v) => /^\[?[0-9A-Za-z_.:-]+\]?$/.test(v.trim()) && v.trim().length <= 253;

/** `host:port`, IPv6 addresses in brackets. */
export const authority = (host, port) => (host.includes(':') ? `[${host}]` : host) + ':' + port;

/** A translator for a kind's own words: `words({ en: {...}, fr: {...} })('key', { n: 1 })`. */
export function words(table) {
  return (key, vars = {}) => {
    const text = (table[getLang()] || table.en)[key] ?? table.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  };
}
