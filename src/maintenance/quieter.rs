//! Maintenance as a reason to be quiet: the quieter registered with `incidents::quiet` (a
//! source covered by a window in force opens no incident and is not notified), and whether
//! checks of a monitor are paused. Tags are asked of the source's owner through
//! `incidents::source`: maintenance reads no other feature's tables.

use rusqlite::Connection;

use super::model::Scheduled;
use super::rules::covers;
use super::store::{self, Stored};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::OrgId;
use crate::incidents::model::SourceType;
use crate::incidents::quiet::Quiet;
use crate::incidents::source;

/// The soonest occurrence, in force at `now` or to come, of the windows covering the source.
pub fn soonest(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    id: &str,
    now: Timestamp,
) -> Result<Option<Scheduled>> {
    let mut soonest: Option<Scheduled> = None;
    let mut described = None;
    for window in store::all(conn, org)? {
        let Ok(timing) = window.settings.timing() else {
            continue;
        };
        let Some(o) = timing.upcoming(window.ended_at, now, 1).into_iter().next() else {
            continue;
        };
        if soonest.as_ref().is_some_and(|s| s.starts_at <= o.starts_at) {
            continue;
        }
        let describe = || {
            described
                .get_or_insert_with(|| {
                    source::describe(conn, org, source_type, Some(id))
                        .ok()
                        .flatten()
                })
                .clone()
        };
        if covers(&window.settings.selection, source_type, id, describe) {
            soonest = Some(Scheduled {
                window_id: window.id,
                title: window.settings.title,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
                pause_checks: window.settings.pause_checks,
            });
        }
    }
    Ok(soonest)
}

/// The first window in force at `now` covering the source, with its occurrence's end.
fn covering(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    id: &str,
    now: Timestamp,
) -> Result<Option<(Stored, Timestamp)>> {
    for window in store::all(conn, org)? {
        let Some(occurrence) = window.current(now) else {
            continue;
        };
        let described = || {
            source::describe(conn, org, source_type, Some(id))
                .ok()
                .flatten()
        };
        if covers(&window.settings.selection, source_type, id, described) {
            return Ok(Some((window, occurrence.ends_at)));
        }
    }
    Ok(None)
}

/// Registered with `incidents::quiet` at start-up.
pub fn quiet(
    conn: &Connection,
    org: OrgId,
    source_type: SourceType,
    id: &str,
    now: Timestamp,
) -> Result<Option<Quiet>> {
    Ok(
        covering(conn, org, source_type, id, now)?.map(|(w, ends_at)| Quiet::Maintenance {
            window_id: w.id,
            title: w.settings.title,
            ends_at,
        }),
    )
}

/// Whether a window in force at `now` covering the monitor pauses its checks.
pub fn pauses_checks(conn: &Connection, org: OrgId, monitor: &str, now: Timestamp) -> Result<bool> {
    for window in store::all(conn, org)? {
        if !window.settings.pause_checks || window.current(now).is_none() {
            continue;
        }
        let described = || {
            source::describe(conn, org, SourceType::HttpMonitor, Some(monitor))
                .ok()
                .flatten()
        };
        if covers(
            &window.settings.selection,
            SourceType::HttpMonitor,
            monitor,
            described,
        ) {
            return Ok(true);
        }
    }
    Ok(false)
}
