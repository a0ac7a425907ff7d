// The Overview's parts: counts that link to the filtered lists, the ongoing incidents, the last
// 24 hours, the maintenance to come and the instance's health line.
import { html } from '../lib.js';
import { formatNumber, t } from '../i18n.js';
import { BASE, linkClick } from '../router.js';
import { IncidentStatusPill, PriorityBadge, StatusPill, userName } from '../monitoring.js';
import { Time } from '../components.js';
import { TaskStatusPill } from './task-parts.js';

/** One count, a link to the list it counts (tone: ok, warn, bad or neutral when not zero). */
function Count({ n, label, href, tone, testid }) {
  const cls = 'overview-count' + (n > 0 ? ' tone-' + tone : '');
  return html`<a class=${cls} href=${href} onClick=${linkClick} data-testid=${testid}>
    <strong>${formatNumber(n)}</strong><span>${label}</span></a>`;
}

export function MonitorCounts({ counts: c }) {
  const list = (status) => BASE + '/monitors' + (status ? '?status=' + status : '');
  return html`
    <section class="card" aria-labelledby="ov-monitors" data-testid="overview-monitors">
      <h2 id="ov-monitors"><a href=${list('')} onClick=${linkClick}>${t('overview.monitors', { count: formatNumber(c.total) })}</a></h2>
      <div class="overview-row">
        <${Count} n=${c.down} label=${t('status.down')} href=${list('down')} tone="bad" testid="count-monitors-down" />
        <${Count} n=${c.degraded} label=${t('overview.degraded')} href=${list('degraded')} tone="warn" testid="count-monitors-degraded" />
        <${Count} n=${c.up} label=${t('status.up')} href=${list('up')} tone="ok" testid="count-monitors-up" />
        <${Count} n=${c.unknown} label=${t('status.unknown')} href=${list('pending')} tone="neutral" testid="count-monitors-unknown" />
        <${Count} n=${c.paused} label=${t('overview.paused')} href=${list('paused')} tone="neutral" testid="count-monitors-paused" />
        <${Count} n=${c.maintenance} label=${t('overview.maintenance')} href=${BASE + '/maintenance'} tone="info" testid="count-monitors-maintenance" />
      </div>
    </section>`;
}

export function TaskCounts({ counts: c }) {
  const list = (status) => BASE + '/tasks' + (status ? '?status=' + status : '');
  return html`
    <section class="card" aria-labelledby="ov-tasks" data-testid="overview-tasks">
      <h2 id="ov-tasks"><a href=${list('')} onClick=${linkClick}>${t('overview.tasks', { count: formatNumber(c.total) })}</a></h2>
      <div class="overview-row">
        <${Count} n=${c.failing} label=${t('taskStatus.failing')} href=${list('failing')} tone="bad" testid="count-tasks-failing" />
        <${Count} n=${c.absent} label=${t('taskStatus.absent')} href=${list('absent')} tone="bad" testid="count-tasks-absent" />
        <${Count} n=${c.late} label=${t('taskStatus.late')} href=${list('late')} tone="warn" testid="count-tasks-late" />
        <${Count} n=${c.running} label=${t('taskStatus.running')} href=${list('running')} tone="info" testid="count-tasks-running" />
        <${Count} n=${c.due} label=${t('taskStatus.due')} href=${list('due')} tone="neutral" testid="count-tasks-due" />
        <${Count} n=${c.healthy} label=${t('taskStatus.healthy')} href=${list('healthy')} tone="ok" testid="count-tasks-healthy" />
      </div>
    </section>`;
}

export function IncidentsCard({ incidents }) {
  const more = incidents.total - incidents.items.length;
  return html`
    <section class="card" aria-labelledby="ov-incidents" data-testid="overview-incidents">
      <div class="card-head">
        <h2 id="ov-incidents">${t('overview.incidents', { count: formatNumber(incidents.total) })}</h2>
        ${incidents.unacknowledged > 0 && html`<span class="badge">${t('overview.unacknowledged', { count: formatNumber(incidents.unacknowledged) })}</span>`}
      </div>
      ${incidents.items.length === 0
        ? html`<p class="muted">${t('overview.noIncidents')}</p>`
        : html`<ul class="overview-list">${incidents.items.map((i) => html`
            <li key=${i.id} data-testid="overview-incident">
              <a href=${BASE + '/incidents/' + i.id} onClick=${linkClick}>${i.title}</a>
              <${PriorityBadge} priority=${i.priority} />
              <span class="muted small"><${Time} iso=${i.createdAt} /></span>
              ${i.acknowledgedBy.length
                ? html`<span class="small">${t('overview.acknowledgedBy', { names: i.acknowledgedBy.map(userName).join(', ') })}</span>`
                : html`<span class="pill pill-bad small">${t('overview.notAcknowledged')}</span>`}
            </li>`)}</ul>`}
      ${more > 0 && html`<p><a href=${BASE + '/incidents'} onClick=${linkClick}>${t('overview.moreIncidents', { count: formatNumber(more) })}</a></p>`}
    </section>`;
}

function ChangeLine({ change: c }) {
  switch (c.type) {
    case 'incidentOpened':
    case 'incidentResolved':
      return html`<span>${t('overview.change.' + c.type)}</span>
        <a href=${BASE + '/incidents/' + c.incidentId} onClick=${linkClick}>${c.title}</a>
        <${IncidentStatusPill} status=${c.status} />`;
    case 'monitorStatus':
      return html`<a href=${BASE + '/monitors/' + c.monitorId} onClick=${linkClick}>${c.name}</a> <${StatusPill} status=${c.status} />`;
    default:
      return html`<a href=${BASE + '/tasks/' + encodeURIComponent(c.taskId)} onClick=${linkClick}>${c.name}</a> <${TaskStatusPill} status=${c.status} />`;
  }
}

export function ChangesCard({ changes }) {
  return html`
    <section class="card" aria-labelledby="ov-changes" data-testid="overview-changes">
      <h2 id="ov-changes">${t('overview.changes')}</h2>
      <p class="small">${t('overview.changesSummary', {
        opened: formatNumber(changes.incidentsOpened), resolved: formatNumber(changes.incidentsResolved),
        changed: formatNumber(changes.statusChanges) })}</p>
      ${changes.items.length === 0
        ? html`<p class="muted">${t('overview.noChanges')}</p>`
        : html`<ul class="overview-list">${changes.items.map((c, i) => html`
            <li key=${i}><span class="muted small"><${Time} iso=${c.at} /></span> <${ChangeLine} change=${c} /></li>`)}</ul>`}
    </section>`;
}

export function MaintenanceCard({ items }) {
  return html`
    <section class="card" aria-labelledby="ov-maintenance" data-testid="overview-maintenance">
      <h2 id="ov-maintenance"><a href=${BASE + '/maintenance'} onClick=${linkClick}>${t('overview.upcoming')}</a></h2>
      ${items.length === 0
        ? html`<p class="muted">${t('overview.noMaintenance')}</p>`
        : html`<ul class="overview-list">${items.map((m) => html`
            <li key=${m.windowId + m.startsAt}>
              <a href=${BASE + '/maintenance/' + m.windowId + '/edit'} onClick=${linkClick}>${m.title}</a>
              ${m.inForce
                ? html`<span class="pill pill-info">${t('overview.inForce')}</span> <span class="small">${t('overview.until')} <${Time} iso=${m.endsAt} absolute /></span>`
                : html`<span class="small"><${Time} iso=${m.startsAt} absolute /></span>`}
            </li>`)}</ul>`}
    </section>`;
}

export function HealthLine({ health }) {
  if (health.status === 'ok') return html`<p class="muted small" data-testid="overview-health">● ${t('overview.healthy')}</p>`;
  return html`
    <div class="alert alert-warning" role="status" data-testid="overview-health">
      <strong>${t('health.title')}</strong>
      <ul>${health.problems.map((p) => html`<li key=${p.code}>${p.message}</li>`)}</ul>
    </div>`;
}
