//! Reading the Overview: each feature's own counting queries (`monitors::summary`,
//! `tasks::summary`, `incidents::summary`, `maintenance::store`), one read transaction, a
//! bounded amount of work whatever the number of monitors (GROUP BYs and limited lists; the
//! sources a tag-selected window covers are listed only while such a window is in force).

use std::collections::HashSet;

use chrono::Duration;
use rusqlite::Connection;

use super::model::{
    Change, Changes, MonitorCounts, OngoingIncident, OngoingIncidents, TaskCounts,
    UpcomingMaintenance,
};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::model::SourceType;
use crate::maintenance::store::Stored;
use crate::monitors::model::MonitorStatus;
use crate::tasks::status::TaskStatus;

/// Ongoing incidents listed; the rest are counted.
pub const INCIDENTS_SHOWN: u32 = 50;
/// Changes listed; the rest are counted.
pub const CHANGES_SHOWN: usize = 50;
/// How far back "what changed" looks, and how far ahead maintenance does.
pub const CHANGES_SINCE: Duration = Duration::hours(24);
pub const MAINTENANCE_AHEAD: Duration = Duration::days(7);
const MAINTENANCE_SHOWN: usize = 20;

/// What the principal may read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sees {
    pub monitors: bool,
    pub tasks: bool,
    pub incidents: bool,
}

/// Everything the Overview shows but the health, read in one transaction.
pub struct Gathered {
    pub monitors: Option<MonitorCounts>,
    pub tasks: Option<TaskCounts>,
    pub incidents: Option<OngoingIncidents>,
    pub changes: Changes,
    pub maintenance: Option<Vec<UpcomingMaintenance>>,
}

pub fn gather(conn: &Connection, org: OrgId, sees: Sees, now: Timestamp) -> Result<Gathered> {
    let windows = crate::maintenance::store::all(conn, org)?;
    let since = now - CHANGES_SINCE;
    let (mut monitors, monitors_changed) = match sees.monitors {
        true => {
            let (counts, changed) = monitor_counts(conn, org, since)?;
            (Some(counts), changed)
        }
        false => (None, 0),
    };
    let mut tasks = sees.tasks.then(|| task_counts(conn, org)).transpose()?;
    let (in_monitors, in_tasks) = in_maintenance(conn, org, &windows, &monitors, &tasks, now)?;
    if let Some(m) = monitors.as_mut() {
        m.maintenance = in_monitors;
    }
    if let Some(t) = tasks.as_mut() {
        t.maintenance = in_tasks;
    }
    let incidents = match sees.incidents {
        true => {
            let o = crate::incidents::summary::ongoing(conn, org, INCIDENTS_SHOWN)?;
            let items = o
                .items
                .into_iter()
                .map(|incident| OngoingIncident {
                    age_seconds: (now - incident.created_at).num_seconds().max(0),
                    incident,
                })
                .collect();
            Some(OngoingIncidents {
                total: o.total,
                unacknowledged: o.unacknowledged,
                items,
            })
        }
        false => None,
    };
    Ok(Gathered {
        monitors,
        tasks,
        incidents,
        changes: changes(conn, org, sees, since, monitors_changed)?,
        maintenance: sees.monitors.then(|| upcoming(&windows, now)),
    })
}

/// The counts, and how many changed status since `since`.
fn monitor_counts(conn: &Connection, org: OrgId, since: Timestamp) -> Result<(MonitorCounts, i64)> {
    let (mut c, mut changed) = (MonitorCounts::default(), 0);
    for row in crate::monitors::summary::count_by_status(conn, org, since)? {
        let n = row.count;
        changed += row.changed;
        let slot = match row.status {
            MonitorStatus::Up => &mut c.up,
            MonitorStatus::Down => &mut c.down,
            MonitorStatus::Suspicious => &mut c.suspicious,
            MonitorStatus::Recovering => &mut c.recovering,
            MonitorStatus::Unknown => &mut c.unknown,
            MonitorStatus::Inactive => &mut c.paused,
            MonitorStatus::Archived => continue,
        };
        *slot += n;
        c.total += n;
    }
    c.degraded = c.suspicious + c.recovering;
    Ok((c, changed))
}

fn task_counts(conn: &Connection, org: OrgId) -> Result<TaskCounts> {
    let mut c = TaskCounts::default();
    for (status, n) in crate::tasks::summary::count_by_status(conn, org)? {
        *match status {
            TaskStatus::Healthy => &mut c.healthy,
            TaskStatus::Due => &mut c.due,
            TaskStatus::Running => &mut c.running,
            TaskStatus::Late => &mut c.late,
            TaskStatus::Absent => &mut c.absent,
            TaskStatus::Failing => &mut c.failing,
        } += n;
        c.total += n;
    }
    Ok(c)
}

/// How many monitors and tasks windows in force cover. A window over the whole organization
/// covers them all; one naming ids covers those ids; only a tag needs the sources listed.
fn in_maintenance(
    conn: &Connection,
    org: OrgId,
    windows: &[Stored],
    monitors: &Option<MonitorCounts>,
    tasks: &Option<TaskCounts>,
    now: Timestamp,
) -> Result<(i64, i64)> {
    let in_force: Vec<&Stored> = windows
        .iter()
        .filter(|w| w.current(now).is_some())
        .collect();
    if in_force.iter().any(|w| w.settings.selection.organization) {
        return Ok((
            monitors.as_ref().map_or(0, |m| m.total),
            tasks.as_ref().map_or(0, |t| t.total),
        ));
    }
    let mut covered: HashSet<(bool, String)> = HashSet::new();
    for w in in_force {
        let s = &w.settings.selection;
        covered.extend(s.monitor_ids.iter().map(|id| (false, id.to_string())));
        covered.extend(s.task_ids.iter().map(|id| (true, id.clone())));
        if s.tag.is_some() {
            let by_tag = crate::maintenance::lifecycle::covered(conn, org, s)?;
            covered.extend(
                by_tag
                    .into_iter()
                    .map(|c| (c.source_type == SourceType::Task, c.id)),
            );
        }
    }
    let tasks_covered = covered.iter().filter(|(task, _)| *task).count() as i64;
    Ok((covered.len() as i64 - tasks_covered, tasks_covered))
}

/// `monitors_changed`: how many monitors changed status, counted with their statuses.
fn changes(
    conn: &Connection,
    org: OrgId,
    sees: Sees,
    since: Timestamp,
    monitors_changed: i64,
) -> Result<Changes> {
    let shown = CHANGES_SHOWN as u32;
    let mut items = Vec::new();
    let (mut opened, mut resolved, mut status_changes) = (0, 0, 0);
    if sees.incidents {
        let (changed, o, r) = crate::incidents::summary::changed_since(conn, org, since, shown)?;
        (opened, resolved) = (o, r);
        items.extend(changed.into_iter().map(|c| {
            let (incident_id, title, status) = (c.incident.id, c.incident.title, c.incident.status);
            match c.resolved {
                true => Change::IncidentResolved {
                    at: c.at,
                    incident_id,
                    title,
                    status,
                },
                false => Change::IncidentOpened {
                    at: c.at,
                    incident_id,
                    title,
                    status,
                },
            }
        }));
    }
    if sees.monitors {
        let changed = crate::monitors::summary::changed_since(conn, org, since, shown)?;
        status_changes += monitors_changed;
        items.extend(changed.into_iter().map(|m| Change::MonitorStatus {
            at: m.at,
            monitor_id: m.id,
            name: m.name,
            status: m.status,
        }));
    }
    if sees.tasks {
        let (changed, n) = crate::tasks::summary::changed_since(conn, org, since, shown)?;
        status_changes += n;
        items.extend(changed.into_iter().map(|t| Change::TaskStatus {
            at: t.at,
            task_id: t.id,
            name: t.name,
            status: t.status,
        }));
    }
    items.sort_by_key(|c| std::cmp::Reverse(c.at()));
    items.truncate(CHANGES_SHOWN);
    Ok(Changes {
        since,
        incidents_opened: opened,
        incidents_resolved: resolved,
        status_changes,
        items,
    })
}

/// Occurrences in force or starting within `MAINTENANCE_AHEAD`, soonest first.
fn upcoming(windows: &[Stored], now: Timestamp) -> Vec<UpcomingMaintenance> {
    let horizon = now + MAINTENANCE_AHEAD;
    let mut items: Vec<UpcomingMaintenance> = windows
        .iter()
        .flat_map(|w| {
            let occurrences = w
                .settings
                .timing()
                .map(|t| t.upcoming(w.ended_at, now, MAINTENANCE_SHOWN))
                .unwrap_or_default();
            occurrences
                .into_iter()
                .filter(|o| o.starts_at <= horizon)
                .map(|o| UpcomingMaintenance {
                    window_id: w.id,
                    title: w.settings.title.clone(),
                    starts_at: o.starts_at,
                    ends_at: o.ends_at,
                    in_force: o.starts_at <= now,
                })
        })
        .collect();
    items.sort_by_key(|m| (m.starts_at, m.window_id.to_string()));
    items.truncate(MAINTENANCE_SHOWN);
    items
}
