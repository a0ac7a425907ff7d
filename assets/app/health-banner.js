// A banner for administrators when the server falls behind (/healthz answers 503): checks not
// recorded, a full disk, stuck notifications. The server's own words say what is wrong; asked
// on every navigation and every 30 s while the page is visible.
import { html, useEffect, useState } from './lib.js';
import { t } from './i18n.js';
import { can } from './monitoring.js';

async function problems() {
  const response = await fetch('/healthz', { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  return (body && body.problems) || [];
}

export function HealthBanner({ profile, route }) {
  // Administrators (who manage notification channels) run the instance; others could not act.
  const admin = can(profile, 'writeNotificationChannels');
  const [list, setList] = useState([]);
  useEffect(() => {
    if (!admin) return undefined;
    let live = true;
    const refresh = () => problems().then((p) => live && setList(p), () => {});
    refresh();
    const timer = setInterval(() => { if (!document.hidden) refresh(); }, 30000);
    return () => { live = false; clearInterval(timer); };
  }, [admin, route]);
  if (!admin || list.length === 0) return null;
  return html`
    <div class="alert alert-error health-banner" role="alert" data-testid="health-banner">
      <strong>${t('health.title')}</strong>
      <ul>${list.map((p) => html`<li key=${p.code}>${p.message}</li>`)}</ul>
      <p>${t('health.hint')}</p>
    </div>`;
}
