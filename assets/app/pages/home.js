// The landing page after login.
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { can } from '../monitoring.js';

export function HomePage({ profile }) {
  return html`
    <main>
      <h1>${t('home.greeting', { name: profile.user.firstName })}</h1>
      <p class="lead">${t('home.intro')}</p>
      <div class="tiles">
        ${can(profile, 'readHttpMonitors') && html`<a class="tile" href=${BASE + '/monitors'} onClick=${linkClick}>${t('home.monitors')} →</a>`}
        ${can(profile, 'readIncidents') && html`<a class="tile" href=${BASE + '/incidents'} onClick=${linkClick}>${t('home.incidents')} →</a>`}
        <a class="tile" href="/dashboard/account#api-tokens" onClick=${linkClick}>${t('home.tokens')} →</a>
        <a class="tile" href="/docs">${t('home.docs')} →</a>
      </div>
    </main>`;
}
