//! Queries on `badge_keys`: one key per monitor or task, replaced when regenerated.

use rusqlite::{Connection, OptionalExtension, params};

use super::Source;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{MonitorId, OrgId};
use crate::store::time::to_db;

/// A new key: 256 bits from `crate::secret`, hex, so it is safe in a URL path as is.
pub fn new_key() -> String {
    hex::encode(crate::secret::generate())
}

/// The source's key, if it has one.
pub fn key_of(conn: &Connection, org: OrgId, source: &Source) -> Result<Option<String>> {
    let key = match source {
        Source::Monitor(id) => conn
            .prepare_cached(
                "SELECT key FROM badge_keys WHERE organization_id = ?1 AND monitor_id = ?2",
            )?
            .query_row(params![org, id], |r| r.get(0))
            .optional()?,
        Source::Task(id) => conn
            .prepare_cached(
                "SELECT key FROM badge_keys WHERE organization_id = ?1 AND task_id = ?2",
            )?
            .query_row(params![org, id], |r| r.get(0))
            .optional()?,
    };
    Ok(key)
}

/// Gives the source a new key, replacing (so revoking) any previous one. The caller has checked
/// that the source exists in `org`; the foreign keys check it again.
pub fn replace(
    conn: &Connection,
    org: OrgId,
    source: &Source,
    key: &str,
    now: Timestamp,
) -> Result<()> {
    remove(conn, org, source)?;
    let (monitor, task) = columns(source);
    conn.prepare_cached(
        "INSERT INTO badge_keys (key, organization_id, monitor_id, task_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![key, org, monitor, task, to_db(now)])?;
    Ok(())
}

/// Revokes the source's key; false when it had none.
pub fn remove(conn: &Connection, org: OrgId, source: &Source) -> Result<bool> {
    let (monitor, task) = columns(source);
    let deleted = conn
        .prepare_cached(
            "DELETE FROM badge_keys WHERE organization_id = ?1
             AND (monitor_id = ?2 OR task_id = ?3)",
        )?
        .execute(params![org, monitor, task])?;
    Ok(deleted > 0)
}

/// The organization and source a key names.
pub fn find(conn: &Connection, key: &str) -> Result<Option<(OrgId, Source)>> {
    let row: Option<(OrgId, Option<MonitorId>, Option<String>)> = conn
        .prepare_cached(
            "SELECT organization_id, monitor_id, task_id FROM badge_keys WHERE key = ?1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.and_then(|(org, monitor, task)| match (monitor, task) {
        (Some(id), _) => Some((org, Source::Monitor(id))),
        (None, Some(id)) => Some((org, Source::Task(id))),
        (None, None) => None,
    }))
}

fn columns(source: &Source) -> (Option<MonitorId>, Option<&str>) {
    match source {
        Source::Monitor(id) => (Some(*id), None),
        Source::Task(id) => (None, Some(id.as_str())),
    }
}
