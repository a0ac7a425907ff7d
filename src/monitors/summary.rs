//! What the Overview asks of monitors: how many are in each status and which changed status
//! lately, each in one query over the organization's rows (no query per monitor).

use rusqlite::{Connection, params};

use super::model::MonitorStatus;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::store::time::{from_db, to_db};

/// Monitors of one status, and how many of them changed status lately.
#[derive(Debug, Clone, Copy)]
pub struct StatusCount {
    pub status: MonitorStatus,
    pub count: i64,
    /// Those whose status changed at or after the `since` asked (archived and not yet checked
    /// ones left out).
    pub changed: i64,
}

/// How many monitors of `org` are in each status (archived ones included: callers pick), in
/// one pass over the organization's rows.
pub fn count_by_status(
    conn: &Connection,
    org: OrgId,
    since: Timestamp,
) -> Result<Vec<StatusCount>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT status, COUNT(*), SUM(last_status_change_at >= ?2 AND {CHANGED})
             FROM monitors WHERE organization_id = ?1 GROUP BY status"
        ))?
        .query_map(params![org, to_db(since)], |r| {
            Ok(StatusCount {
                status: r.get(0)?,
                count: r.get(1)?,
                changed: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A status change worth showing: not an archived monitor, nor one not checked yet since it
/// was created or resumed (only the status column, so an index on the organization, status and
/// change time would answer both queries alone).
const CHANGED: &str = "status NOT IN ('archived', 'unknown')";

/// A monitor whose status changed.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub id: MonitorId,
    pub name: String,
    pub status: MonitorStatus,
    pub at: Timestamp,
}

/// The monitors of `org` whose status changed at or after `since` (see `CHANGED`), the latest
/// change first, at most `limit`.
pub fn changed_since(
    conn: &Connection,
    org: OrgId,
    since: Timestamp,
    limit: u32,
) -> Result<Vec<StatusChange>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id, name, status, last_status_change_at FROM monitors
             WHERE organization_id = ?1 AND last_status_change_at >= ?2 AND {CHANGED}
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
        .collect::<rusqlite::Result<_>>()?)
}
