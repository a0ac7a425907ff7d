// The Organizations page's "Configuration as code" card: the current organization's document
// (`GET /config?format=yaml`, secrets as ${…} references) downloaded as a file, to keep in a
// repository and apply with `dutyduck apply` or `PUT /config`.
import { html } from '../lib.js';
import { t } from '../i18n.js';

export function ConfigExport() {
  return html`
    <section class="card config-export" data-testid="config-export">
      <h2>${t('config.title')}</h2>
      <p class="muted">${t('config.intro', { ref: '${NAME}' })}</p>
      <a class="button secondary" href="/config?format=yaml" download="dutyduck.yaml">${t('config.download')}</a>
    </section>`;
}
