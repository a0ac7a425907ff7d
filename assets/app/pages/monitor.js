// One monitor: status and since when, facts, open incidents, actions (edit, pause/resume,
// archive, delete), then its charts, incidents and checks (monitor-panels.js). Polled just after
// each due check (every 2 to 10 s); the panels reload when a new check has been recorded.
import { html, useState } from '../lib.js';
import { api } from '../api.js';
import { formatDateTime, formatDuration, formatMs, formatPercent, t } from '../i18n.js';
import { BASE, linkClick, navigate } from '../router.js';
import { Alert, Async, ConfirmDialog, Time, errorText, incidentsChanged, useIncidentsSignal, useLoad } from '../components.js';
import { PriorityBadge, StatusPill, can, checkText } from '../monitoring.js';
import { ChecksPanel, HistoryPanel, MonitorIncidentsPanel, UptimeStripPanel } from './monitor-panels.js';
import { kindOf } from './monitor-kinds.js';
import { SilencePanel } from './silence-parts.js';
import { MaintenanceNote, QuietPill } from './maintenance-parts.js';
import { DependenciesPanel, QuietNote } from './dependencies.js';
import { BadgePanel } from './badge-panel.js';
import { LocationsPanel } from './monitor-locations.js';

export function MonitorPage({ profile, params }) {
  const detail = useLoad(() => api('GET', `/monitors/${encodeURIComponent(params.id)}`), [params.id], { every: untilNextCheck });
  // A new or closed incident seen here: the navigation badge follows at once.
  const incidentKey = detail.data ? `${detail.data.ongoingIncident?.id}:${detail.data.ongoingIncident?.status}` : null;
  useIncidentsSignal(incidentKey);

  if (detail.error && detail.error.status === 404) {
    return html`<main><${BackLink} /><h1>${t('monitor.notFound')}</h1><p>${t('monitor.notFoundText')}</p></main>`;
  }
  return html`
    <main class="wide">
      <${BackLink} />
      <${Async} state=${detail} retry=${detail.reload}>
        ${(d) => html`<${MonitorView} detail=${d} profile=${profile} reload=${detail.reload} />`}
      <//>
    </main>`;
}

/** Refresh just after the next check is due, but at least every 10 s and at most every 2 s. */
function untilNextCheck(detail) {
  const next = detail && detail.monitor.nextCheckAt ? new Date(detail.monitor.nextCheckAt).getTime() - Date.now() + 800 : 5000;
  return Math.min(10000, Math.max(2000, next));
}

function BackLink() {
  return html`<p class="back"><a href=${BASE + '/monitors'} onClick=${linkClick}><span aria-hidden="true">← </span>${t('monitors.title')}</a></p>`;
}

function MonitorView({ detail, profile, reload }) {
  const m = detail.monitor;
  const tick = m.lastCheckAt;
  return html`
    <div class="page-head">
      <div class="title-block">
        <h1>${m.name}</h1>
        <${Target} monitor=${m} />
      </div>
      ${can(profile, 'writeHttpMonitors') && html`<${Actions} monitor=${m} reload=${reload} />`}
    </div>
    <p class="status-line" data-testid="monitor-status">
      <${StatusPill} status=${m.status} /> <${QuietPill} status=${m.status} quiet=${m.quiet} />
      <span>${t('monitor.for', { duration: formatDuration(Date.now() - new Date(m.lastStatusChangeAt).getTime()) })}</span>
      <time class="muted" datetime=${m.lastStatusChangeAt}>${t('monitor.sinceDate', { date: formatDateTime(m.lastStatusChangeAt) })}</time>
    </p>
    <${MaintenanceNote} scheduled=${detail.maintenance} />
    <${QuietNote} status=${m.status} quiet=${m.quiet} />
    <${OpenIncidents} detail=${detail} />
    ${can(profile, 'readIncidents') && html`<${SilencePanel} profile=${profile} sourceType="httpmonitor" sourceId=${m.id} />`}
    <${Facts} detail=${detail} />
    <${DependenciesPanel} upstreams=${detail.upstreamMonitors} dependents=${detail.dependents} count=${detail.dependentCount} />
    <${KindDetails} monitor=${m} />
    <${LocationsPanel} monitor=${m} tick=${tick} />
    <${HistoryPanel} id=${m.id} tick=${tick} />
    <${UptimeStripPanel} id=${m.id} tick=${tick} />
    ${can(profile, 'readIncidents') && html`<${MonitorIncidentsPanel} id=${m.id} tick=${detail.ongoingIncident?.id + ':' + detail.ongoingIncident?.status} />`}
    <${ChecksPanel} id=${m.id} tick=${tick} active=${m.status !== 'inactive' && m.status !== 'archived'} http=${(m.kind || 'http') === 'http'} />
    <${BadgePanel} path=${`/monitors/${m.id}`} name=${m.name} canWrite=${can(profile, 'writeHttpMonitors')} />`;
}

function OpenIncidents({ detail }) {
  const { ongoingIncident: incident, tlsIncident: tls, monitor } = detail;
  return html`
    ${incident && html`
      <div class=${'alert ' + (incident.status === 'ongoing' ? 'alert-error' : 'alert-warning')} role="status" data-testid="open-incident">
        <strong>${t(incident.status === 'ongoing' ? 'monitor.incidentOngoing' : 'monitor.incidentUnconfirmed')}</strong>
        ${' '}<${PriorityBadge} priority=${incident.priority} />${' '}
        ${t('monitor.incidentSince')} <${Time} iso=${incident.createdAt} />.
        ${incident.cause?.lastPing && html` ${checkText({ ...incident.cause.lastPing, error: monitor.lastError })}.`}
        ${' '}<a href=${`${BASE}/incidents/${incident.id}`} onClick=${linkClick}>${t('monitor.viewIncident')}</a>
      </div>`}
    ${tls && html`
      <${Alert} kind="warning">
        ${t('monitor.tlsWarning', { date: formatDateTime(tls.cause?.expiresAt || monitor.tlsExpiresAt) })}
        ${' '}<a href=${`${BASE}/incidents/${tls.id}`} onClick=${linkClick}>${t('monitor.viewIncident')}</a>
      <//>`}`;
}

/** What is checked, under the monitor's name: a link when it has an address to open. */
function Target({ monitor }) {
  const { text, href } = kindOf(monitor).detail(monitor);
  return href
    ? html`<a class="url" href=${href} rel="noopener noreferrer" target="_blank">${text}</a>`
    : html`<span class="url" data-testid="monitor-target">${text}</span>`;
}

/** What the last check saw, as its kind shows it (a reply, a DNS answer, a certificate). */
function KindDetails({ monitor }) {
  const { Details } = kindOf(monitor);
  if (!Details || !monitor.lastCheckDetails) return null;
  return html`<section class="card" data-testid="kind-details">
    <h2>${t('monitor.lastCheckSaw')}</h2>
    <${Details} details=${monitor.lastCheckDetails} monitor=${monitor} />
  </section>`;
}

function Facts({ detail }) {
  const m = detail.monitor;
  const u = detail.uptime;
  const paused = m.status === 'inactive' || m.status === 'archived';
  return html`
    <dl class="facts card">
      <div><dt>${t('monitor.lastCheck')}</dt><dd>
        ${m.lastCheckAt ? html`<${Time} iso=${m.lastCheckAt} /> · ${checkText({ errorKind: m.errorKind, httpCode: m.lastHttpCode, error: m.lastError })}`
          : t('monitor.notChecked')}</dd></div>
      <div><dt>${t('monitor.nextCheck')}</dt><dd>
        ${paused || !m.nextCheckAt ? t('monitor.noNextCheck') : html`<${Time} iso=${m.nextCheckAt} />`}</dd></div>
      <div><dt>${t('monitor.responseTime')}</dt><dd>${formatMs(detail.lastResponseTimeMs)}</dd></div>
      <div><dt>${t('monitor.uptime24h')}</dt><dd class="big">${formatPercent(u.last24h)}</dd></div>
      <div><dt>${t('monitor.uptime7d')}</dt><dd class="big">${formatPercent(u.last7d)}</dd></div>
      <div><dt>${t('monitor.uptime30d')}</dt><dd class="big">${formatPercent(u.last30d)}</dd></div>
      <div><dt>${t('monitor.interval')}</dt><dd>${t('monitor.every', { duration: formatDuration(m.intervalSeconds * 1000) })}</dd></div>
      <div><dt>${t('monitor.thresholds')}</dt><dd>${t('monitor.thresholdsValue', { down: m.downtimeConfirmationThreshold, up: m.recoveryConfirmationThreshold })}</dd></div>
      ${m.tlsExpiresAt && html`<div><dt>${t('monitor.tlsExpires')}</dt><dd><${Time} iso=${m.tlsExpiresAt} absolute /></dd></div>`}
      ${m.lastError && m.errorKind !== 'none' && html`<div class="span-all"><dt>${t('monitor.lastError')}</dt><dd><code>${m.lastError}</code></dd></div>`}
      ${Object.keys(m.metadata).length > 0 && html`<div class="span-all"><dt>${t('form.tags')}</dt><dd class="tags">
        ${Object.entries(m.metadata).map(([k, v]) => html`<span class="tag">${k}: ${v}</span>`)}</dd></div>`}
    </dl>`;
}

/** Edit, pause/resume, archive and delete, each irreversible one behind a confirmation. */
function Actions({ monitor, reload }) {
  const [asking, setAsking] = useState(null);
  const [state, setState] = useState({ busy: false, error: null });
  const archived = monitor.status === 'archived';
  const paused = monitor.status === 'inactive';
  const run = async (kind) => {
    setState({ busy: true, error: null });
    try {
      const path = `/monitors/${monitor.id}`;
      if (kind === 'delete') await api('DELETE', path);
      else await api('POST', `${path}/${kind === 'archive' ? 'archive' : 'toggle'}`);
      setAsking(null);
      setState({ busy: false, error: null });
      incidentsChanged();
      if (kind === 'delete') navigate(BASE + '/monitors');
      else reload();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const dialogs = {
    pause: { title: t('monitor.pauseTitle'), text: t('monitor.pauseText'), confirm: t('monitor.pause') },
    archive: { title: t('monitor.archiveTitle'), text: t('monitor.archiveText'), confirm: t('monitor.archive') },
    delete: { title: t('monitor.deleteTitle'), text: t('monitor.deleteText', { name: monitor.name }), confirm: t('monitor.delete') },
  };
  const dialog = asking && dialogs[asking];
  return html`
    <div class="actions head-actions">
      ${!archived && html`<a class="button secondary" href=${`${BASE}/monitors/${monitor.id}/edit`} onClick=${linkClick}>${t('monitor.edit')}</a>`}
      ${!archived && html`<button type="button" class="secondary" disabled=${state.busy}
        onClick=${() => (paused ? run('toggle') : setAsking('pause'))}>${paused ? t('monitor.resume') : t('monitor.pause')}</button>`}
      ${!archived && html`<button type="button" class="secondary" onClick=${() => setAsking('archive')}>${t('monitor.archive')}</button>`}
      <button type="button" class="danger" onClick=${() => setAsking('delete')}>${t('monitor.delete')}</button>
    </div>
    ${state.error && !dialog && html`<${Alert}>${errorText(state.error)}<//>`}
    ${dialog && html`<${ConfirmDialog} title=${dialog.title} text=${dialog.text} confirmLabel=${dialog.confirm}
      busy=${state.busy} error=${state.error} onConfirm=${() => run(asking === 'pause' ? 'toggle' : asking)}
      onCancel=${() => { setAsking(null); setState({ busy: false, error: null }); }} />`}`;
}
