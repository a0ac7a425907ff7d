//! A slot of a monitor checked from remote locations: the local check (if "local" is listed)
//! at the slot, then, once the probes' results for it have had time to arrive, the quorum's
//! one outcome through `record::record_check`, as a local check's would be.

use chrono::Duration;
use rusqlite::Connection;
use tokio::sync::OwnedSemaphorePermit;

use super::quorum::{self, LocationOutcome};
use super::{select, store};
use crate::clock::{Clock, Timestamp};
use crate::error::Result;
use crate::monitors::check::CheckOutcome;
use crate::monitors::kinds::Checker;
use crate::monitors::model::Monitor;
use crate::monitors::record::{record_check, skip_check};
use crate::monitors::store as monitors;
use crate::store::Store;

/// After a slot's timeout, the time for the probes' results to reach the server.
pub const AGGREGATION_SLACK: Duration = Duration::seconds(3);

/// Which slot is run. `stored` is the monitor's `next_check_at`, which still decides whether
/// the result is recorded (an edit since drops it); `at` is when the scheduler actually runs it:
/// the stored due, or the next grid point when that due was missed (the server was stopped) or
/// the attempt to retry. The probes' results are awaited and judged fresh against `at`: results
/// older than the slot actually run never stand for it.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub stored: Timestamp,
    pub at: Timestamp,
}

/// How long after its slot a monitor checked from probes is decided: once their results have
/// had the check's timeout and the slack to arrive, but always before the next slot, so that
/// `record_check` (whose next due is the first grid point after the decision) decides every
/// slot even when the timeout is as long as the interval. A result arriving after the decision
/// still counts at the next slot, for which this slot's result is fresh.
pub fn decision_delay(interval_seconds: u32, timeout_ms: u32) -> Duration {
    let by_timeout = Duration::milliseconds(i64::from(timeout_ms)) + AGGREGATION_SLACK;
    let within_slot = Duration::seconds(i64::from(interval_seconds.max(1)) - 1);
    by_timeout.min(within_slot)
}

/// Runs the slot `due`; returns the monitor's next due time as `record_check` does. The permit
/// (a place among concurrent checks) is released once the local check is done: waiting for the
/// probes takes none. `on_local` sees the local check's outcome (the scheduler's counts).
pub async fn run(
    checker: &Checker,
    monitor: Monitor,
    due: Due,
    store: &Store,
    clock: &Clock,
    permit: OwnedSemaphorePermit,
    on_local: impl FnOnce(&CheckOutcome),
) -> Result<Option<Timestamp>> {
    let settings = &monitor.settings;
    let local = if select::includes_local(&settings.locations) {
        let outcome = settings.kind.check(checker, settings.timeout()).await;
        on_local(&outcome);
        Some((outcome, clock.now()))
    } else {
        None
    };
    drop(permit);
    let delay = decision_delay(settings.interval_seconds, settings.request_timeout_ms);
    clock.sleep_until(due.at + delay).await;
    let id = monitor.id;
    let now = clock.now();
    store
        .write(move |c| decide(c, id, due, local.as_ref(), now))
        .await
}

/// In one write: the local result stored as location "local", then the quorum over every
/// location's fresh result recorded as the monitor's check (or the slot skipped when no
/// location reported).
pub fn decide(
    conn: &Connection,
    id: crate::ids::MonitorId,
    due: Due,
    local: Option<&(CheckOutcome, Timestamp)>,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let Some(m) = monitors::get_any(conn, id)?.filter(|m| m.next_check_at == Some(due.stored))
    else {
        return Ok(None);
    };
    if let Some((outcome, checked_at)) = local {
        let from = store::From {
            location: select::LOCAL,
            name: select::LOCAL,
            labels: &Default::default(),
        };
        store::record(conn, id, &from, (due.at, *checked_at), outcome, false)?;
    }
    let fresh = fresh(conn, &m, due.at)?;
    match quorum::decide(&fresh, m.settings.quorum) {
        Some(decision) => {
            log::debug!(
                "monitor {id}: {} of {} locations failed, {} make it down",
                decision.failed,
                decision.reporting,
                decision.k
            );
            record_check(conn, id, due.stored, &decision.outcome, now)
        }
        None => skip_check(conn, id, due.stored, now),
    }
}

/// The oldest slot whose results are fresh at the slot `due`: the previous one. A monitor's first
/// slot comes soon after its creation, off the grid, and the next one is the first grid point
/// after that slot's decision: up to the timeout and slack more than an interval later. That
/// much grace (at most half an interval, so the slot before the previous one never counts).
pub fn fresh_since(due: Timestamp, interval_seconds: u32, timeout_ms: u32) -> Timestamp {
    let interval = Duration::seconds(i64::from(interval_seconds));
    let grace =
        (Duration::milliseconds(i64::from(timeout_ms)) + AGGREGATION_SLACK).min(interval / 2);
    due - interval - grace
}

/// The latest result of each location the monitor still has, for this slot or the previous one.
pub fn fresh(conn: &Connection, m: &Monitor, due: Timestamp) -> Result<Vec<LocationOutcome>> {
    let s = &m.settings;
    let since = fresh_since(due, s.interval_seconds, s.request_timeout_ms);
    let locations = &m.settings.locations;
    Ok(store::latest(conn, m.id, since)?
        .into_iter()
        .filter(|l| {
            if l.location == select::LOCAL {
                select::includes_local(locations)
            } else {
                select::selects(locations, &l.labels)
            }
        })
        .map(store::Latest::into_outcome)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_is_this_slot_or_the_previous_with_some_grace() {
        let due = crate::store::time::from_db(1_000_000_000_000);
        let rows = [
            // (interval s, timeout ms, how long before `due` results are still fresh, in ms)
            (60, 10_000, 73_000),
            (60, 2_000, 65_000),
            (60, 60_000, 90_000),
            (10, 10_000, 15_000),
            (5, 1_000, 7_500),
        ];
        for (interval, timeout, fresh_ms) in rows {
            let since = fresh_since(due, interval, timeout);
            assert_eq!(
                (due - since).num_milliseconds(),
                fresh_ms,
                "{interval} s, {timeout} ms"
            );
            // The slot before the previous one is never fresh.
            assert!(due - Duration::seconds(2 * i64::from(interval)) < since);
        }
    }

    #[test]
    fn a_slot_is_decided_before_the_next_one() {
        let rows = [
            // (interval s, timeout ms, delay ms)
            (60, 10_000, 13_000),
            (10, 10_000, 9_000),
            (10, 5_000, 8_000),
            (1, 1_000, 0),
        ];
        for (interval, timeout, delay) in rows {
            let d = decision_delay(interval, timeout).num_milliseconds();
            assert_eq!(d, delay, "{interval} s, {timeout} ms");
        }
    }
}
