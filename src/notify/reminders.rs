//! Re-notifications ("reminders"): while an incident is ongoing and unacknowledged, its
//! channels hear of it again every `renotifyMinutes` (the source's, else the organization's).
//! The plan is one row per incident in `renotifications`; the delivery worker queues the
//! reminders whose time has come (`due`), through the outbox like any notification.

use chrono::Duration;
use rusqlite::{Connection, params};

use super::model::NotificationEvent;
use super::routing;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::IncidentId;
use crate::incidents::model::IncidentStatus;
use crate::store::signals::{self, Topic};
use crate::store::time::{from_db, to_db};

/// Sets (or clears) when the incident is next re-notified.
pub fn plan(conn: &Connection, incident: IncidentId, at: Option<Timestamp>) -> Result<()> {
    match at {
        Some(at) => conn
            .prepare_cached(
                "INSERT INTO renotifications (incident_id, due_at) VALUES (?1, ?2)
                 ON CONFLICT (incident_id) DO UPDATE SET due_at = excluded.due_at",
            )?
            .execute(params![incident, to_db(at)])?,
        None => conn
            .prepare_cached("DELETE FROM renotifications WHERE incident_id = ?1")?
            .execute([incident])?,
    };
    Ok(())
}

/// When the incident would be re-notified from `now` on: never once acknowledged.
pub fn next(
    conn: &Connection,
    incident: IncidentId,
    acknowledged: bool,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    if acknowledged {
        return Ok(None);
    }
    Ok(routing::renotify_minutes(conn, incident)?.map(|m| now + Duration::minutes(m.into())))
}

/// Re-plans the re-notification of these incidents after a settings change: from now, at the
/// new interval, for those still ongoing and unacknowledged.
pub fn replan(conn: &Connection, incidents: &[IncidentId], now: Timestamp) -> Result<()> {
    for incident in incidents {
        let Some((IncidentStatus::Ongoing, acknowledged)) =
            crate::incidents::store::status_of(conn, *incident)?
        else {
            continue;
        };
        let next = next(conn, *incident, acknowledged, now)?;
        plan(conn, *incident, next)?;
    }
    signals::mark(Topic::Outbox);
    Ok(())
}

/// Queues a re-notification for each ongoing, unacknowledged incident whose time has come, and
/// plans the next one. Returns how many incidents were handled.
pub fn due(conn: &Connection, now: Timestamp, limit: u32) -> Result<usize> {
    let due: Vec<(IncidentId, i64)> = conn
        .prepare_cached(
            "SELECT incident_id, due_at FROM renotifications WHERE due_at <= ?1
             ORDER BY due_at LIMIT ?2",
        )?
        .query_map(params![to_db(now), limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (incident, due_at) in &due {
        let next = match crate::incidents::store::status_of(conn, *incident)? {
            Some((IncidentStatus::Ongoing, false)) => {
                super::outbox::enqueue(conn, *incident, NotificationEvent::Renotification, now)?;
                let minutes = routing::renotify_minutes(conn, *incident)?;
                minutes.map(|m| next_on_grid(from_db(*due_at), Duration::minutes(m.into()), now))
            }
            _ => None,
        };
        plan(conn, *incident, next)?;
    }
    Ok(due.len())
}

/// The first point of `start + k × every` after `now`: reminders keep their rhythm however late
/// the worker reaches them (a busy writer, a reminder skipped in a maintenance window).
fn next_on_grid(start: Timestamp, every: Duration, now: Timestamp) -> Timestamp {
    let every_ms = every.num_milliseconds().max(1);
    let behind = (now - start).num_milliseconds().max(0);
    start + Duration::milliseconds((behind / every_ms + 1) * every_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next reminder stays on its grid whenever the worker reaches the due one.
    #[test]
    fn reminders_keep_their_rhythm() {
        let start: Timestamp = "2026-11-30T09:05:00Z".parse().unwrap();
        let every = Duration::minutes(5);
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let rows = [
            ("2026-11-30T09:05:00Z", "2026-11-30T09:10:00Z"),
            ("2026-11-30T09:05:01Z", "2026-11-30T09:10:00Z"),
            ("2026-11-30T09:09:59Z", "2026-11-30T09:10:00Z"),
            ("2026-11-30T09:10:00Z", "2026-11-30T09:15:00Z"),
            ("2026-11-30T09:12:00Z", "2026-11-30T09:15:00Z"),
            // A clock behind the plan never plans before it.
            ("2026-11-30T09:00:00Z", "2026-11-30T09:10:00Z"),
        ];
        for (now, next) in rows {
            assert_eq!(next_on_grid(start, every, at(now)), at(next), "at {now}");
        }
    }
}
