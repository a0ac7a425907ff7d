//! Where a monitor is checked from: the local server and/or remote probes chosen by label,
//! and the quorum that turns their results into the monitor's one status.

use rusqlite::Connection;

use super::remote::{Assignment, ProbeLocation, Recorded, RemoteResult};
use crate::clock::Timestamp;
use crate::error::Result;

/// The monitors `probe` checks: active ones (not paused, not archived) of its organization
/// (every organization's for an instance-wide probe) whose locations select one of its labels.
/// Ordered by id, so the same assignments give the same list.
pub fn assigned(_conn: &Connection, _probe: &ProbeLocation) -> Result<Vec<Assignment>> {
    Err(crate::error::Error::internal(
        "remote locations are not built yet",
    ))
}

/// Records results posted by `probe`, in the order given, in the caller's write. A result for a
/// monitor not assigned to it any more (or unknown, paused) is ignored; one older than its
/// monitor's interval at `now` is kept as late and does not count as fresh.
pub fn record_remote(
    _conn: &Connection,
    _probe: &ProbeLocation,
    _results: &[RemoteResult],
    _now: Timestamp,
) -> Result<Recorded> {
    Err(crate::error::Error::internal(
        "remote locations are not built yet",
    ))
}
