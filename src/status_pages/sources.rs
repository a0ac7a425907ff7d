//! What a component shows of its source, read through the owning features' functions (monitors,
//! tasks, incidents, maintenance): status pages read none of their tables.

use std::collections::HashMap;

use chrono::Duration;
use rusqlite::Connection;

use super::model::{Component, Show, SourceKind};
use super::view::{PublicStatus, Response};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, MonitorId, OrgId};
use crate::incidents::model::{IncidentStatus, SourceType};
use crate::maintenance::model::Scheduled;
use crate::monitors::locations::view::LocationStatus;
use crate::monitors::model::MonitorStatus;
use crate::tasks::status::TaskStatus;

/// An incident of the source: ongoing (no `resolved_at`) or resolved.
#[derive(Debug, Clone)]
pub struct SourceIncident {
    pub id: IncidentId,
    pub started_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub status: PublicStatus,
    /// Since `since`, from the monitor's rollups.
    pub uptime: Option<f64>,
    /// Day start → uptime of that day.
    pub daily_uptime: HashMap<Timestamp, Option<f64>>,
    pub response: Option<Response>,
    /// Ongoing ones, and those resolved since `since` (at most 50), any order.
    pub incidents: Vec<SourceIncident>,
    /// The soonest maintenance occurrence covering it, in force or to come.
    pub maintenance: Option<Scheduled>,
    /// Where a monitor checked from several locations is checked from, and how each fares;
    /// empty for one checked from this server only.
    pub locations: Vec<(String, LocationStatus)>,
}

/// The component's source as visitors may see it. A source deleted since the page was saved
/// reads as unknown, with no history.
pub fn read(
    conn: &Connection,
    org: OrgId,
    c: &Component,
    since: Timestamp,
    now: Timestamp,
) -> Result<Source> {
    let mut source = Source {
        status: PublicStatus::Unknown,
        uptime: None,
        daily_uptime: HashMap::new(),
        response: None,
        incidents: Vec::new(),
        maintenance: None,
        locations: Vec::new(),
    };
    let source_type = match c.source_type {
        SourceKind::Monitor => {
            let Some(m) = c
                .source_id
                .parse::<MonitorId>()
                .ok()
                .map(|id| crate::monitors::store::get(conn, org, id))
                .transpose()?
                .flatten()
            else {
                return Ok(source);
            };
            source.status = match m.status {
                MonitorStatus::Up => PublicStatus::Up,
                MonitorStatus::Recovering | MonitorStatus::Suspicious => PublicStatus::Degraded,
                MonitorStatus::Down => PublicStatus::Down,
                MonitorStatus::Inactive | MonitorStatus::Archived => PublicStatus::Paused,
                MonitorStatus::Unknown => PublicStatus::Unknown,
            };
            if c.show == Show::Uptime {
                let days = crate::monitors::history::buckets(conn, m.id, "day", since)?;
                let (checks, failures) = days
                    .iter()
                    .fold((0, 0), |(c, f), d| (c + d.checks, f + d.failures));
                source.uptime =
                    (checks > 0).then(|| 100.0 * (checks - failures) as f64 / checks as f64);
                source.daily_uptime = days.into_iter().map(|d| (d.start, d.uptime)).collect();
            }
            source.locations = crate::monitors::locations::view::for_status_page(conn, &m, now)?
                .unwrap_or_default();
            if c.show == Show::ResponseTime {
                source.response = Some(response(conn, m.id, m.last_response_time_ms, now)?);
            }
            SourceType::HttpMonitor
        }
        SourceKind::Task => {
            let Some(t) = crate::tasks::store::get(conn, org, &c.source_id)? else {
                return Ok(source);
            };
            source.status = match t.status {
                TaskStatus::Healthy | TaskStatus::Running | TaskStatus::Due => PublicStatus::Up,
                TaskStatus::Late => PublicStatus::Degraded,
                TaskStatus::Absent | TaskStatus::Failing => PublicStatus::Down,
            };
            SourceType::Task
        }
    };
    source.maintenance =
        crate::maintenance::quieter::soonest(conn, org, source_type, &c.source_id, now)?;
    if source
        .maintenance
        .as_ref()
        .is_some_and(|m| m.starts_at <= now)
    {
        source.status = PublicStatus::Maintenance;
    }
    source.incidents = incidents(conn, org, source_type, &c.source_id, since)?;
    Ok(source)
}

fn response(
    conn: &Connection,
    id: MonitorId,
    last_ms: Option<u32>,
    now: Timestamp,
) -> Result<Response> {
    let start = now - Duration::hours(23);
    let hours = crate::monitors::history::buckets(conn, id, "hour", start)?;
    let (count, sum) = hours
        .iter()
        .filter_map(|h| h.response_ms_avg.map(|a| (h.checks.max(1), a)))
        .fold((0i64, 0.0), |(n, s), (c, a)| (n + c, s + a * c as f64));
    let by_start: HashMap<Timestamp, Option<f64>> =
        hours.iter().map(|h| (h.start, h.response_ms_avg)).collect();
    let hour0 = {
        let ms = start.timestamp_millis();
        chrono::DateTime::from_timestamp_millis(ms - ms.rem_euclid(3_600_000)).unwrap_or(start)
    };
    Ok(Response {
        last_ms,
        avg_24h_ms: (count > 0).then(|| sum / count as f64),
        hours: (0..24)
            .map(|n| {
                by_start
                    .get(&(hour0 + Duration::hours(n)))
                    .copied()
                    .flatten()
            })
            .collect(),
    })
}

/// The source's ongoing incident and those opened since `since`, newest first (at most 50).
/// Unconfirmed ones are not shown: a visitor hears of an incident when people would.
fn incidents(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    id: &str,
    since: Timestamp,
) -> Result<Vec<SourceIncident>> {
    let filter = crate::incidents::store::Filter {
        statuses: vec![IncidentStatus::Ongoing, IncidentStatus::Resolved],
        source_type: Some(source_type),
        source_id: Some(id.to_owned()),
        from: Some(since),
        limit: 50,
        ..Default::default()
    };
    let mut found: Vec<SourceIncident> = crate::incidents::store::list(conn, org, &filter)?
        .items
        .into_iter()
        .map(|i| SourceIncident {
            id: i.id,
            started_at: i.created_at,
            resolved_at: i.resolved_at,
        })
        .collect();
    // An incident opened before the window and still going on shows too.
    for open in crate::incidents::store::ongoing_for_source(conn, org, &[source_type], id)? {
        if found.iter().any(|i| i.id == open) {
            continue;
        }
        if let Some(i) = crate::incidents::store::get(conn, org, open)? {
            found.push(SourceIncident {
                id: i.id,
                started_at: i.created_at,
                resolved_at: None,
            });
        }
    }
    Ok(found)
}
