// The landing page after login: the Overview. What is down now (counts by status, each a link
// to the filtered list), the ongoing incidents (not acknowledged first), the last 24 hours,
// the maintenance to come and the instance's health, from GET /overview; kept current by the
// live changes (live.js), polled every 30 s when the stream is down.
import { html, useEffect, useState } from '../lib.js';
import { t } from '../i18n.js';
import { linkClick } from '../router.js';
import { can } from '../monitoring.js';
import { api } from '../api.js';
import { Async, Time, useIncidentsSignal, useLoad } from '../components.js';
import { liveMode, useLive } from '../live.js';
import { ChangesCard, HealthLine, IncidentsCard, MaintenanceCard, MonitorCounts, TaskCounts } from './overview-parts.js';

const SUBJECTS = ['monitors', 'tasks', 'incidents', 'maintenance'];

export function HomePage({ profile }) {
  // Administrators (who manage notification channels) run the instance, and its backups.
  const admin = can(profile, 'writeNotificationChannels');
  // A window coming into force writes nothing, so no change is announced: the overview reads
  // itself again when the soonest one starts.
  const overview = useLoad(() => api('GET', '/overview'), [], { every: untilNextStart });
  useLive(SUBJECTS, overview.reload);
  const mode = useLiveMode();
  // A change seen here may be one the navigation's incident badge shows.
  useIncidentsSignal(overview.data && overview.data.incidents ? overview.data.incidents.total : null);
  return html`
    <main class="wide overview" data-live=${mode}>
      <h1>${t('home.greeting', { name: profile.user.firstName })}</h1>
      <${Async} state=${overview} retry=${overview.reload}>
        ${(data) => html`
          <${HealthLine} health=${data.health} />
          <div class="overview-counts">
            ${data.monitors && html`<${MonitorCounts} counts=${data.monitors} />`}
            ${data.tasks && html`<${TaskCounts} counts=${data.tasks} />`}
          </div>
          ${data.monitors && data.monitors.total === 0 && (!data.tasks || data.tasks.total === 0) && html`
            <p class="lead">${t('home.intro')}</p>`}
          <div class="overview-grid">
            ${data.incidents && html`<${IncidentsCard} incidents=${data.incidents} />`}
            <div>
              <${ChangesCard} changes=${data.changes} />
              ${data.maintenance && html`<${MaintenanceCard} items=${data.maintenance} />`}
            </div>
          </div>
          <p class="muted small">${t('overview.updated')} <${Time} iso=${data.generatedAt} seconds /></p>`}
      <//>
      <div class="tiles">
        <a class="tile" href="/dashboard/account#api-tokens" onClick=${linkClick}>${t('home.tokens')} →</a>
        <a class="tile" href="/docs">${t('home.docs')} →</a>
      </div>
      ${admin && html`<${BackupLine} />`}
    </main>`;
}

/** Whether live changes come from the stream or from polling, for the page's data-live. */
/** Milliseconds until the soonest maintenance to come starts (and a second more); with none
 * coming, 10 minutes (a zero would make useLoad poll every second). */
function untilNextStart(data) {
  const now = Date.now();
  const waits = (data?.maintenance || [])
    .filter((m) => !m.inForce)
    .map((m) => Date.parse(m.startsAt) - now)
    .filter((ms) => ms > 0);
  return waits.length ? Math.min(...waits) + 1000 : 600000;
}

function useLiveMode() {
  const [mode, setMode] = useState(liveMode());
  useEffect(() => {
    const update = () => setMode(liveMode());
    window.addEventListener('dd:live', update);
    const timer = setInterval(update, 1000);
    return () => { window.removeEventListener('dd:live', update); clearInterval(timer); };
  }, []);
  return mode;
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

