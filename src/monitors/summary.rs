//! What the Overview asks of monitors: how many are in each status and which changed status
//! lately, each in one query over the organization's rows (no query per monitor).

use rusqlite::{Connection, params};

use super::model::MonitorStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::store::time::{from_db, to_db};

/// How many monitors of `org` are in each status (archived ones included: callers pick).
pub fn count_by_status(conn: &Connection, org: OrgId) -> Result<Vec<(MonitorStatus, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, COUNT(*) FROM monitors WHERE organization_id = ?1 GROUP BY status",
        )?
        .query_map([org], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A monitor whose status changed.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub id: MonitorId,
    pub name: String,
    pub status: MonitorStatus,
    pub at: Timestamp,
}

/// The monitors of `org` (not archived) whose status changed at or after `since`, the latest
/// change first, at most `limit`, and how many there are in all.
pub fn changed_since(
    conn: &Connection,
    org: OrgId,
    since: Timestamp,
    limit: u32,
) -> Result<(Vec<StatusChange>, i64)> {
    const WHERE: &str = "organization_id = ?1 AND last_status_change_at >= ?2
        AND status <> 'archived' AND first_check_at IS NOT NULL";
    let count: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM monitors WHERE {WHERE}"))?
        .query_row(params![org, to_db(since)], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT id, name, status, last_status_change_at FROM monitors WHERE {WHERE}
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
