//! Notifications held by a silence. While a silence covers an incident's source, nothing about
//! it goes out: the incident gets one hold row (and one timeline event "notifications silenced
//! until …"), due for a decision at the silence's end. Then, if another silence covers it, it is
//! held again; if the incident is still open, each of its channels gets one message telling its
//! current state; if it was resolved meanwhile, nothing of what was held goes out.

use rusqlite::{Connection, OptionalExtension, params};

use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{IncidentId, OrgId, SilenceId};
use crate::incidents::cause::SilencedNotifications;
use crate::incidents::model::{EventType, IncidentStatus, Payload};
use crate::store::signals::{self, Topic};
use crate::store::time::{opt_from_db, to_db};

/// Whether a silence holds what would now go out about `incident` (test messages have no
/// incident and are never held). Holding records it; the caller then sends nothing.
pub fn held(conn: &Connection, org: OrgId, incident: IncidentId, now: Timestamp) -> Result<bool> {
    let Some((_, source_type, source_id)) = crate::incidents::store::source_of(conn, incident)?
    else {
        return Ok(false);
    };
    let Some(silence) =
        crate::silences::covering(conn, org, source_type, source_id.as_deref(), now)?
    else {
        return Ok(false);
    };
    hold(
        conn,
        org,
        incident,
        silence.id,
        &silence.reason,
        silence.ends_at,
        now,
    )?;
    Ok(true)
}

/// Holds the incident's notifications until `until`; the timeline hears of it when the hold
/// starts or moves to a later end (not at each notification it swallows).
fn hold(
    conn: &Connection,
    org: OrgId,
    incident: IncidentId,
    silence: SilenceId,
    reason: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let before = until_of(conn, incident)?;
    conn.prepare_cached(
        "INSERT INTO notification_holds (incident_id, organization_id, until, held_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (incident_id) DO UPDATE SET until = MAX(until, excluded.until)",
    )?
    .execute(params![incident, org, to_db(until), to_db(now)])?;
    if before.is_none_or(|b| b < until) {
        let payload = Payload::Silenced(SilencedNotifications {
            silence_id: silence,
            until,
            reason: reason.to_owned(),
        });
        crate::incidents::store::add_event(
            conn,
            incident,
            now,
            None,
            EventType::NotificationsSilenced,
            Some(&payload),
        )?;
    }
    signals::mark(Topic::Outbox);
    Ok(())
}

fn until_of(conn: &Connection, incident: IncidentId) -> Result<Option<Timestamp>> {
    let ms: Option<i64> = conn
        .prepare_cached("SELECT until FROM notification_holds WHERE incident_id = ?1")?
        .query_row([incident], |r| r.get(0))
        .optional()?;
    Ok(opt_from_db(ms))
}

/// What a hold ends in once no silence covers the incident: its current state, or nothing.
pub fn on_release(status: Option<(IncidentStatus, bool)>) -> Option<NotificationEvent> {
    match status {
        Some((IncidentStatus::Ongoing, false)) => Some(NotificationEvent::Opened),
        Some((IncidentStatus::Ongoing, true)) => Some(NotificationEvent::Acknowledged),
        // Resolved (or discarded unconfirmed) while silenced: nothing of what was held.
        _ => None,
    }
}

/// Decides the holds whose time has come (up to `limit`): held again under another silence,
/// else released into one notification per channel of the incident's current state. Returns
/// the incidents to notify, with what.
pub fn due(
    conn: &Connection,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<(IncidentId, NotificationEvent)>> {
    let due: Vec<(IncidentId, OrgId)> = conn
        .prepare_cached(
            "SELECT incident_id, organization_id FROM notification_holds
             WHERE until <= ?1 ORDER BY until LIMIT ?2",
        )?
        .query_map(params![to_db(now), limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut release = Vec::new();
    for (incident, org) in due {
        conn.prepare_cached("DELETE FROM notification_holds WHERE incident_id = ?1")?
            .execute([incident])?;
        let status = crate::incidents::store::status_of(conn, incident)?;
        let Some(event) = on_release(status) else {
            continue;
        };
        if held(conn, org, incident, now)? {
            continue;
        }
        release.push((incident, event));
    }
    Ok(release)
}

/// A silence ended early: every hold of its organization is decided now (those another
/// silence covers are held again). Installed at start-up as the silences' end listener.
pub fn silence_ended(conn: &Connection, org: OrgId, _: SilenceId, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notification_holds SET until = ?2 WHERE organization_id = ?1 AND until > ?2",
    )?
    .execute(params![org, to_db(now)])?;
    signals::mark(Topic::Outbox);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a hold ends in, row by row: (status, acknowledged) → notification.
    #[test]
    fn release_table() {
        use IncidentStatus::*;
        let rows = [
            (Some((Ongoing, false)), Some(NotificationEvent::Opened)),
            (Some((Ongoing, true)), Some(NotificationEvent::Acknowledged)),
            (Some((Resolved, false)), None),
            (Some((Resolved, true)), None),
            (Some((ToBeConfirmed, false)), None),
            (None, None),
        ];
        for (status, expected) in rows {
            assert_eq!(on_release(status), expected, "{status:?}");
        }
    }
}
