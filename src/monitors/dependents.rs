//! What a page shows of dependencies: a source's upstreams and a monitor's dependents, with
//! their names, statuses and why they are quiet. Tasks register how a task is listed
//! (`register`), so monitors never read the tasks' table; the rules and the stored lists are in
//! `upstreams`.

use std::sync::RwLock;

use rusqlite::{Connection, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::upstreams::DependentType;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::incidents::model::SourceType;
use crate::incidents::quiet::{self, Quiet};
use crate::limits;

/// A source at the other end of a dependency, as a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Linked {
    #[serde(rename = "type")]
    pub kind: DependentType,
    pub id: String,
    pub name: String,
    /// The source's own status (a monitor's or a task's words).
    pub status: String,
    /// Why its failure opens no incident now, if it is quiet (`down (upstream)`, maintenance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet: Option<Quiet>,
}

/// `list` with each one's `quiet` (as `incidents::quiet` answers at `now`).
pub fn with_quiet(
    conn: &Connection,
    org: OrgId,
    mut list: Vec<Linked>,
    now: Timestamp,
) -> Result<Vec<Linked>> {
    for linked in &mut list {
        let source_type = match linked.kind {
            DependentType::Monitor => SourceType::HttpMonitor,
            DependentType::Task => SourceType::Task,
        };
        linked.quiet = quiet::of(conn, org, source_type, &linked.id, now)?;
    }
    Ok(list)
}

type Describe = fn(&Connection, OrgId, &str) -> Result<Option<Linked>>;

/// How other features describe their dependents (tasks register at start-up, so monitors
/// never read the tasks' table).
static DESCRIBERS: RwLock<Vec<(DependentType, Describe)>> = RwLock::new(Vec::new());

pub fn register(kind: DependentType, describe: Describe) {
    let mut all = DESCRIBERS.write().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|(k, _)| *k == kind) {
        all.push((kind, describe));
    }
}

/// The monitors a dependent depends on, with their statuses.
pub fn upstream_monitors(
    conn: &Connection,
    org: OrgId,
    kind: DependentType,
    id: &str,
) -> Result<Vec<Linked>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.name, m.status FROM upstreams u JOIN monitors m ON m.id = u.upstream_id
         WHERE u.organization_id = ?1 AND u.dependent_type = ?2 AND u.dependent_id = ?3
         ORDER BY u.position",
    )?;
    let rows = stmt.query_map(params![org, kind, id], monitor_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Who depends on a monitor directly (ids and types, monitors first), at most `limit`, and how
/// many in all.
pub fn dependent_ids(
    conn: &Connection,
    org: OrgId,
    upstream: MonitorId,
    limit: usize,
) -> Result<(Vec<(DependentType, String)>, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT dependent_type, dependent_id FROM upstreams WHERE upstream_id = ?1
         AND organization_id = ?2 ORDER BY dependent_type, dependent_id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![upstream, org, limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let total = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM upstreams WHERE upstream_id = ?1 AND organization_id = ?2",
        )?
        .query_row(params![upstream, org], |r| r.get(0))?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// Who depends on a monitor directly, with names and statuses, by name: a page shows at most
/// `limits::LIST` (monitors first), and how many there are in all.
pub fn dependents(
    conn: &Connection,
    org: OrgId,
    upstream: MonitorId,
) -> Result<(Vec<Linked>, i64)> {
    let describers = DESCRIBERS.read().unwrap_or_else(|e| e.into_inner()).clone();
    let mut all = Vec::new();
    let (ids, total) = dependent_ids(conn, org, upstream, limits::LIST)?;
    for (kind, id) in ids {
        let linked = match kind {
            DependentType::Monitor => id
                .parse()
                .ok()
                .map(|m| upstream_row(conn, org, m))
                .transpose()?
                .flatten(),
            other => match describers.iter().find(|(k, _)| *k == other) {
                Some((_, describe)) => describe(conn, org, &id)?,
                None => None,
            },
        };
        all.extend(linked);
    }
    all.sort_by_key(|l| l.name.to_lowercase());
    Ok((all, total))
}

fn upstream_row(conn: &Connection, org: OrgId, id: MonitorId) -> Result<Option<Linked>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT id, name, status FROM monitors WHERE id = ?1 AND organization_id = ?2",
        )?
        .query_row(params![id, org], monitor_row)
        .optional()?)
}

/// A monitor's `id, name, status`.
fn monitor_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Linked> {
    Ok(Linked {
        kind: DependentType::Monitor,
        id: r.get(0)?,
        name: r.get(1)?,
        status: r.get(2)?,
        quiet: None,
    })
}

/// What a monitor's page shows of its dependencies.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitorLinks {
    /// The monitors it depends on, with their statuses.
    pub upstream_monitors: Vec<Linked>,
    /// The monitors and tasks that depend on it directly, by name (tasks for those who may
    /// read them): at most 100, monitors first.
    pub dependents: Vec<Linked>,
    /// How many depend on it directly, all of them.
    pub dependent_count: i64,
}

pub fn of_monitor(
    conn: &Connection,
    org: OrgId,
    id: MonitorId,
    sees_tasks: bool,
    now: Timestamp,
) -> Result<MonitorLinks> {
    let upstreams = upstream_monitors(conn, org, DependentType::Monitor, &id.to_string())?;
    let (all, dependent_count) = dependents(conn, org, id)?;
    let shown = all
        .into_iter()
        .filter(|d| sees_tasks || d.kind != DependentType::Task)
        .collect();
    Ok(MonitorLinks {
        upstream_monitors: with_quiet(conn, org, upstreams, now)?,
        dependents: with_quiet(conn, org, shown, now)?,
        dependent_count,
    })
}
