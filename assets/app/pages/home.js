// The landing page after login.
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { linkClick } from '../router.js';

export function HomePage({ profile }) {
  return html`
    <main>
      <h1>${t('home.greeting', { name: profile.user.firstName })}</h1>
      <p class="lead">${t('home.intro')}</p>
      <div class="tiles">
        <a class="tile" href="/dashboard/account#api-tokens" onClick=${linkClick}>${t('home.tokens')} →</a>
        <a class="tile" href="/docs">${t('home.docs')} →</a>
      </div>
    </main>`;
}
