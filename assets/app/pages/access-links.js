// Under the login form: "Forgot your password?" always (the page says what to do when this
// server sends no e-mail), "Sign up" when the server takes sign-ups.
import { html, useEffect, useState } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';

export function AccessLinks() {
  const [policy, setPolicy] = useState(null);
  useEffect(() => {
    api('GET', '/auth/signup-policy').then(setPolicy, () => {});
  }, []);
  return html`
    <p class="access-links">
      <a href=${BASE + '/forgot-password'} onClick=${linkClick}>${t('access.forgot')}</a>
      ${policy && policy.signup === 'open' && html`
        <a href=${BASE + '/signup'} onClick=${linkClick}>${t('access.signupLink')}</a>`}
    </p>`;
}
