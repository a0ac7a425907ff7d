//! Queries on `monitor_locations` (each location's latest fresh result) and
//! `location_results` (every result, for the raw retention period).

use std::collections::BTreeMap;

use rusqlite::{Connection, Row, params};

use super::quorum::LocationOutcome;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::MonitorId;
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;
use crate::store::time::{from_db, opt_from_db, to_db};

/// Where a result comes from.
pub struct From<'a> {
    pub location: &'a str,
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
}

/// Stores a result; a fresh one also becomes its location's latest, unless a newer slot's
/// result is there already.
pub fn record(
    conn: &Connection,
    id: MonitorId,
    from: &From<'_>,
    (due, checked_at): (Timestamp, Timestamp),
    outcome: &CheckOutcome,
    late: bool,
) -> Result<()> {
    let num = crate::monitors::history::key(conn, id, checked_at)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO location_results (monitor, location, checked_at, due, late, ok,
            response_time_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        num,
        from.location,
        to_db(checked_at),
        to_db(due),
        late,
        outcome.ok(),
        outcome.answered_in_ms(),
        outcome.error
    ])?;
    if late {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO monitor_locations (monitor_id, location, name, labels, due, checked_at, error_kind,
            http_code, response_time_ms, answered, error, tls_expires_at, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (monitor_id, location) DO UPDATE SET name = excluded.name,
            labels = excluded.labels, due = excluded.due, checked_at = excluded.checked_at,
            error_kind = excluded.error_kind, http_code = excluded.http_code,
            response_time_ms = excluded.response_time_ms, answered = excluded.answered,
            error = excluded.error, tls_expires_at = excluded.tls_expires_at, details = excluded.details
         WHERE excluded.due >= monitor_locations.due",
    )?
    .execute(params![
        id,
        from.location,
        from.name,
        serde_json::to_string(from.labels).expect("labels serialize"),
        to_db(due),
        to_db(checked_at),
        outcome.error_kind.as_str(),
        outcome.http_code,
        outcome.response_time_ms,
        outcome.answered,
        outcome.error,
        outcome.tls_expires_at.map(to_db),
        outcome.details.as_ref().map(|d| d.to_string())
    ])?;
    Ok(())
}

/// A location's latest fresh result as stored.
#[derive(Debug, Clone)]
pub struct Latest {
    pub location: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub due: Timestamp,
    pub checked_at: Timestamp,
    pub outcome: CheckOutcome,
}

impl Latest {
    pub fn into_outcome(self) -> LocationOutcome {
        LocationOutcome {
            location: self.location,
            name: self.name,
            outcome: self.outcome,
        }
    }
}

fn latest_from_row(r: &Row<'_>) -> rusqlite::Result<Latest> {
    let labels: String = r.get(2)?;
    let error_kind: String = r.get(5)?;
    Ok(Latest {
        location: r.get(0)?,
        name: r.get(1)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
        due: from_db(r.get(3)?),
        checked_at: from_db(r.get(4)?),
        outcome: CheckOutcome {
            error_kind: ErrorKind::parse(&error_kind).unwrap_or(ErrorKind::Unknown),
            http_code: r.get(6)?,
            response_time_ms: r.get(7)?,
            answered: r.get(8)?,
            error: r.get(9)?,
            tls_expires_at: opt_from_db(r.get(10)?),
            details: r
                .get::<_, Option<String>>(11)?
                .and_then(|d| serde_json::from_str(&d).ok()),
        },
    })
}

/// The latest result of each location of `id` for a slot at or after `since_due`.
pub fn forget(conn: &Connection, location: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM monitor_locations WHERE location = ?1")?
        .execute([location])?;
    Ok(())
}

pub fn latest(conn: &Connection, id: MonitorId, since_due: Timestamp) -> Result<Vec<Latest>> {
    let mut stmt = conn.prepare_cached(
        "SELECT location, name, labels, due, checked_at, error_kind, http_code, response_time_ms,
            answered, error, tls_expires_at, details
         FROM monitor_locations WHERE monitor_id = ?1 AND due >= ?2 ORDER BY location",
    )?;
    let rows = stmt.query_map(params![id, to_db(since_due)], latest_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per location since `since`: (results, passed, late), late ones apart (they never count).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub checks: u32,
    pub passed: u32,
    pub late: u32,
}

pub fn counts(
    conn: &Connection,
    id: MonitorId,
    since: Timestamp,
) -> Result<BTreeMap<String, Counts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT location, SUM(NOT late), SUM(ok AND NOT late), SUM(late) FROM location_results
         WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND checked_at >= ?2
         GROUP BY location",
    )?;
    let rows = stmt.query_map(params![id, to_db(since)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Counts {
                checks: r.get(1)?,
                passed: r.get(2)?,
                late: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes results older than `before`, at most `batch` (the history purge calls it).
pub fn purge(conn: &Connection, before: Timestamp, batch: u32) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM location_results WHERE (monitor, location, checked_at) IN
            (SELECT monitor, location, checked_at FROM location_results WHERE checked_at < ?1 LIMIT ?2)",
        params![to_db(before), batch],
    )?)
}
