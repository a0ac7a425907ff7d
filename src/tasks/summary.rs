//! What the Overview asks of tasks: how many are in each status and which changed status
//! lately, each in one query over the organization's rows (no query per task).

use rusqlite::{Connection, params};

use super::status::TaskStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::store::time::{from_db, to_db};

/// How many tasks of `org` are in each status (the primary key starts with the organization).
pub fn count_by_status(conn: &Connection, org: OrgId) -> Result<Vec<(TaskStatus, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, COUNT(*) FROM tasks WHERE organization_id = ?1 GROUP BY status",
        )?
        .query_map([org], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A task whose status changed.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub id: String,
    pub name: String,
    pub status: TaskStatus,
    pub at: Timestamp,
}

/// The tasks of `org` whose status changed at or after `since`, the latest change first, at
/// most `limit`, and how many there are in all.
pub fn changed_since(
    conn: &Connection,
    org: OrgId,
    since: Timestamp,
    limit: u32,
) -> Result<(Vec<StatusChange>, i64)> {
    const WHERE: &str = "organization_id = ?1 AND last_status_change_at >= ?2";
    let count: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM tasks WHERE {WHERE}"))?
        .query_row(params![org, to_db(since)], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT id, name, status, last_status_change_at FROM tasks WHERE {WHERE}
             ORDER BY last_status_change_at DESC, id LIMIT ?3"
        ))?
        .query_map(params![org, to_db(since), limit], |r| {
            Ok(StatusChange {
                id: r.get(0)?,
                name: r.get(1)?,
                status: r.get(2)?,
                at: from_db(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, count))
}
