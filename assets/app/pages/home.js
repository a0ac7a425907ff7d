// The landing page after login.
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { can } from '../monitoring.js';
import { api } from '../api.js';
import { Time, useLoad } from '../components.js';

export function HomePage({ profile }) {
  // Administrators (who manage notification channels) run the instance, and its backups.
  const admin = can(profile, 'writeNotificationChannels');
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
      ${admin && html`<${BackupLine} />`}
    </main>`;
}

// One line on the scheduled backups (`serve --backup-every`): when the last one was written,
// or why the last attempt failed.
function BackupLine() {
  const { data } = useLoad(() => api('GET', '/backups/status'), [], { every: 60000 });
  if (!data) return null;
  if (!data.enabled) return html`<p class="muted" data-testid="backup-status">${t('home.backup.off')}</p>`;
  return html`
    <p class=${data.lastError ? 'alert alert-error' : 'muted'} data-testid="backup-status">
      ${t('home.backup.last')} <${Time} iso=${data.lastBackupAt} />
      ${data.lastError && html` — ${t('home.backup.failed', { message: data.lastError })}`}
    </p>`;
}
