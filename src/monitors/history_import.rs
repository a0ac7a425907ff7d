//! Results another tool made (an import's history), added to a monitor's check history once:
//! a result already stored at the same moment is left as it is, so importing the same
//! history again adds nothing to the rollups.

use rusqlite::{Connection, OptionalExtension};

use super::check::CheckOutcome;
use super::history;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::MonitorId;
use crate::store::time::to_db;

/// Records `outcome` at `at` unless the monitor has a result at that moment; true when added.
pub fn record_once(
    conn: &Connection,
    id: MonitorId,
    at: Timestamp,
    outcome: &CheckOutcome,
    in_maintenance: bool,
) -> Result<bool> {
    let stored = conn
        .prepare_cached(
            "SELECT 1 FROM checks
             WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND checked_at = ?2",
        )?
        .query_row(rusqlite::params![id, to_db(at)], |_| Ok(()))
        .optional()?;
    if stored.is_some() {
        return Ok(false);
    }
    history::record(conn, id, at, outcome, in_maintenance)?;
    Ok(true)
}
