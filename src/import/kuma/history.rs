//! The last days of Uptime Kuma heartbeats as the check history of the monitors they became.
//! Heartbeat times are UTC (`2026-12-02 00:50:59.645`); status 0 is down, 1 up, 2 pending (a
//! failed check not yet confirmed), 3 maintenance. Push monitors' beats are pings of a task,
//! not checks, and groups' beats only echo their children: both are left out, and said so.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use rusqlite::Connection;

use super::monitors::Source;
use super::rows::{Row, select};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::MonitorId;
use crate::import::{Entity, Report};
use crate::monitors::check::CheckOutcome;
use crate::monitors::model::ErrorKind;

/// One heartbeat, ready to record.
#[derive(Debug, Clone)]
pub struct Beat {
    pub monitor: MonitorId,
    pub at: Timestamp,
    pub outcome: CheckOutcome,
    pub in_maintenance: bool,
}

/// The heartbeats since `days` before `now` of the monitors imported as monitors.
pub fn read(
    conn: &Connection,
    sources: &HashMap<i64, Source>,
    days: u32,
    now: Timestamp,
    report: &mut Report,
) -> Result<Vec<Beat>> {
    let since = (now - Duration::days(i64::from(days)))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let rows = select(
        conn,
        "heartbeat",
        "WHERE time >= ?1 ORDER BY time",
        &[&since],
    )?;
    let (mut beats, mut left_out) = (Vec::new(), HashMap::<&'static str, usize>::new());
    for row in &rows {
        let monitor = row.int("monitor_id").and_then(|m| sources.get(&m));
        let Some(Source::Monitor(id)) = monitor else {
            let why = match monitor {
                Some(Source::Task(_)) => "of push monitors (pings of a task, not checks)",
                _ => "of groups or of monitors not imported",
            };
            *left_out.entry(why).or_default() += 1;
            continue;
        };
        let Some((at, outcome, in_maintenance)) = beat(row) else {
            *left_out
                .entry("without a readable time or status")
                .or_default() += 1;
            continue;
        };
        let Ok(uuid) = id.parse() else { continue };
        beats.push(Beat {
            monitor: MonitorId(uuid),
            at,
            outcome,
            in_maintenance,
        });
    }
    report.imported(
        Entity::History,
        "heartbeats",
        format!(
            "{} heartbeats of the last {days} days as check results",
            beats.len()
        ),
    );
    for (why, count) in left_out {
        report.skipped(
            Entity::History,
            "heartbeats",
            format!("{count} heartbeats {why}"),
        );
    }
    Ok(beats)
}

/// Adds each beat once (see `monitors::history_import`); answers how many were new.
pub fn write(conn: &Connection, beats: &[Beat]) -> Result<usize> {
    let mut added = 0;
    for b in beats {
        if crate::monitors::history_import::record_once(
            conn,
            b.monitor,
            b.at,
            &b.outcome,
            b.in_maintenance,
        )? {
            added += 1;
        }
    }
    Ok(added)
}

fn beat(row: &Row) -> Option<(Timestamp, CheckOutcome, bool)> {
    let text = row.text("time")?;
    let at = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.fZ",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())?
    .and_utc();
    let ms = row.int("ping").and_then(|p| u32::try_from(p).ok());
    let msg = row.text("msg").unwrap_or_default();
    let (outcome, in_maintenance) = match row.int("status")? {
        1 => (CheckOutcome::passed(ms.unwrap_or(0)), false),
        // Maintenance beats say nothing of the target: kept as such, out of the uptime.
        3 => (
            CheckOutcome {
                answered: false,
                ..CheckOutcome::passed(0)
            },
            true,
        ),
        0 | 2 => (
            CheckOutcome::failed(ErrorKind::Unknown, msg, ms.unwrap_or(0)),
            false,
        ),
        _ => return None,
    };
    let outcome = match (ms, outcome.ok()) {
        (None, true) => CheckOutcome {
            answered: false,
            ..outcome
        },
        _ => outcome,
    };
    Some((at, outcome, in_maintenance))
}
