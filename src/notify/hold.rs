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
use crate::store::time::{from_db, to_db};

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

/// Holds the incident's notifications until `until` (or later, if already held longer); the
/// timeline hears of it when the hold starts or its end changes from what it was told (not at
/// each notification it swallows, nor when a hold is decided again under the same silence).
fn hold(
    conn: &Connection,
    org: OrgId,
    incident: IncidentId,
    silence: SilenceId,
    reason: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<()> {
    let stored: Option<(i64, i64)> = conn
        .prepare_cached("SELECT until, told_until FROM notification_holds WHERE incident_id = ?1")?
        .query_row([incident], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let end = match stored {
        Some((held_until, _)) => until.max(from_db(held_until)),
        None => until,
    };
    conn.prepare_cached(
        "INSERT INTO notification_holds (incident_id, organization_id, until, held_at, told_until)
         VALUES (?1, ?2, ?3, ?4, ?3)
         ON CONFLICT (incident_id) DO UPDATE SET until = ?3, told_until = ?3",
    )?
    .execute(params![incident, org, to_db(end), to_db(now)])?;
    if stored.is_none_or(|(_, told)| told != to_db(end)) {
        let payload = Payload::Silenced(SilencedNotifications {
            silence_id: silence,
            until: end,
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
        let status = crate::incidents::store::status_of(conn, incident)?;
        match on_release(status) {
            // Resolved meanwhile: nothing of what was held.
            None => {}
            // Still covered (by another silence): held on, told again only of a later end.
            Some(_) if held(conn, org, incident, now)? => continue,
            Some(event) => release.push((incident, event)),
        }
        conn.prepare_cached("DELETE FROM notification_holds WHERE incident_id = ?1")?
            .execute([incident])?;
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
