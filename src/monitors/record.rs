//! Recording a check: the monitor's new status, its history, and what happens to its
//! incidents, all in one write job so they never disagree.

use rusqlite::{Connection, params};

use super::check::CheckOutcome;
use super::model::Monitor;
use super::schedule::next_due;
use super::status::next_status;
use super::{history, incident, store};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::MonitorId;
use crate::incidents::model::SourceType;
use crate::maintenance::quieter;
use crate::store::signals::{self, Subject};
use crate::store::time::to_db;

/// Records the outcome of the check that was due at `due`. Returns the monitor's next due time,
/// or None if this check no longer decides it. A result for a schedule that changed while the check
/// ran (paused, edited, deleted) is dropped: it describes settings that no longer apply.
pub fn record_check(
    conn: &Connection,
    id: MonitorId,
    due: Timestamp,
    outcome: &CheckOutcome,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let Some(m) = still_due(conn, id, due)? else {
        return Ok(None);
    };
    let (status, counter) = next_status(
        m.settings.downtime_confirmation_threshold,
        m.settings.recovery_confirmation_threshold,
        m.status,
        m.status_counter,
        outcome.ok(),
    );
    let next = next_due(id, m.settings.interval_seconds, now.max(due));
    let changed = status != m.status;
    conn.prepare_cached(
        "UPDATE monitors SET status = ?2, status_counter = ?3, error_kind = ?4, last_http_code = ?5,
            last_response_time_ms = ?6, last_error = ?7, tls_expires_at = COALESCE(?8, tls_expires_at),
            first_check_at = COALESCE(first_check_at, ?9), last_check_at = ?9, next_check_at = ?10,
            last_status_change_at = CASE WHEN ?11 THEN ?9 ELSE last_status_change_at END,
            last_check_details = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        status.as_str(),
        counter,
        outcome.error_kind.as_str(),
        outcome.http_code,
        outcome.answered_in_ms(),
        outcome.error,
        outcome.tls_expires_at.map(to_db),
        to_db(now),
        to_db(next),
        changed,
        outcome.details.as_ref().map(|d| d.to_string())
    ])?;
    let source = id.to_string();
    let org = m.organization_id;
    if changed {
        signals::changed(org, Subject::Monitors);
    }
    let in_maintenance =
        quieter::quiet(conn, org, SourceType::HttpMonitor, &source, now)?.is_some();
    history::record(conn, id, now, outcome, in_maintenance)?;
    incident::record_check(conn, &m, status, counter, outcome, now)?;
    // A certificate seen, or a plain-http URL (no certificate any more: a warning left over from
    // an earlier https URL ends).
    if outcome.tls_expires_at.is_some() || m.settings.target().starts_with("http://") {
        incident::record_tls(conn, &m, outcome, now)?;
    }
    Ok(Some(next))
}

/// Skips the check due at `due` (a maintenance window pauses it): nothing is recorded, the
/// monitor waits for its next slot. Returns that slot, or None if `due` no longer decides it.
pub fn skip_check(
    conn: &Connection,
    id: MonitorId,
    due: Timestamp,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let Some(m) = still_due(conn, id, due)? else {
        return Ok(None);
    };
    let next = next_due(id, m.settings.interval_seconds, now.max(due));
    conn.prepare_cached("UPDATE monitors SET next_check_at = ?2 WHERE id = ?1")?
        .execute(params![id, to_db(next)])?;
    Ok(Some(next))
}

/// The monitor, if the check due at `due` still decides it (whoever changed the schedule
/// since has told the scheduler already).
fn still_due(conn: &Connection, id: MonitorId, due: Timestamp) -> Result<Option<Monitor>> {
    Ok(store::get_any(conn, id)?.filter(|m| m.next_check_at == Some(due)))
}
