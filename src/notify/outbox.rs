//! The durable outbox. A notification is a row written by the same write job as the incident
//! change that causes it (so a committed change is never left unannounced, and a rolled-back one
//! never announced); the worker then claims due rows, sends them, and records each attempt here
//! and on the incident's timeline. Retries back off exponentially for up to a day.

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::hold;
use super::model::{AttemptOutcome, Delivery, DeliveryStatus, NotificationEvent};
use super::reminders;
use super::routing;
use super::storm;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ChannelId, DeliveryId, IncidentId, OrgId};
use crate::incidents::cause::NotificationAttempt;
use crate::incidents::changes::Change;
use crate::incidents::model::{EventType, IncidentStatus, Payload};
use crate::store::signals::{self, Topic};
use crate::store::time::{from_db, opt_from_db, to_db};

/// A claimed row is not claimed again before this, even if the process dies mid-send; longer
/// than any send (10 s).
pub const LEASE: Duration = Duration::seconds(60);
/// Retries stop when the next one would come later than this after the notification.
pub const GIVE_UP_AFTER: Duration = Duration::days(1);

/// The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … doubling, at most 2 h.
pub fn backoff(attempts: u32) -> Duration {
    let seconds = 30i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    Duration::seconds(seconds.min(2 * 3600))
}

/// Queues `event` about `incident` for each channel its source notifies. Returns how many.
/// While its source is quiet (`incidents::quiet`: in a maintenance window…), people are not
/// told it is open, nor reminded: its end and acknowledgements still go out.
pub fn enqueue(
    conn: &Connection,
    incident: IncidentId,
    event: NotificationEvent,
    now: Timestamp,
) -> Result<usize> {
    if matches!(
        event,
        NotificationEvent::Opened | NotificationEvent::Renotification
    ) && let Some((org, source_type, Some(source_id))) =
        crate::incidents::store::source_of(conn, incident)?
        && crate::incidents::quiet::of(conn, org, source_type, &source_id, now)?.is_some()
    {
        return Ok(0);
    }
    let Some((org, channels)) = routing::channels_for_incident(conn, incident)? else {
        return Ok(0);
    };
    if held_back(conn, org, incident, now)? {
        return Ok(0);
    }
    // An incident escalated by a policy is told of by the policy's steps instead.
    if let Some(queued) = super::escalation::driver::instead(conn, org, incident, event, now)? {
        return Ok(queued);
    }
    for channel in &channels {
        if storm::groups(event) {
            storm::queue(conn, org, *channel, incident, event, now)?;
        } else {
            insert(conn, org, *channel, Some(incident), event, now, now)?;
        }
    }
    Ok(channels.len())
}

/// Whether what would now go out about `incident` must wait: a silence covers its source.
fn held_back(conn: &Connection, org: OrgId, incident: IncidentId, now: Timestamp) -> Result<bool> {
    hold::held(conn, org, incident, now)
}

/// Queues one notification per channel for each incident whose held notifications a silence's
/// end released (its current state). Returns how many incidents.
pub fn release_held(conn: &Connection, now: Timestamp, limit: u32) -> Result<usize> {
    let released = hold::due(conn, now, limit)?;
    for (incident, event) in &released {
        enqueue(conn, *incident, *event, now)?;
    }
    Ok(released.len())
}

/// Inserts a pending notification, first due at `due`.
pub fn insert(
    conn: &Connection,
    org: OrgId,
    channel: ChannelId,
    incident: Option<IncidentId>,
    event: NotificationEvent,
    due: Timestamp,
    now: Timestamp,
) -> Result<DeliveryId> {
    let id = DeliveryId::generate();
    conn.prepare_cached(
        "INSERT INTO notification_outbox (id, organization_id, channel_id, incident_id, event, status,
            next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
    )?
    .execute(params![id, org, channel, incident, event, to_db(due), to_db(now)])?;
    signals::mark(Topic::Outbox);
    Ok(id)
}

/// What people hear of an incident's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// It is open for them now: notify, and plan re-notification.
    Opened,
    /// Someone has it in hand, or it is over: notify, and stop re-notifying.
    Settled(NotificationEvent),
}

/// Who hears what: people hear of an incident once it is confirmed (created ongoing, or
/// confirmed later), of its end only if they heard of it, and of an acknowledgement only while
/// it is ongoing. Re-notification runs from the opening until the first of those.
pub fn notice(change: &Change) -> Option<Notice> {
    use IncidentStatus::*;
    match (change.before, change.after, change.acknowledged) {
        (_, Ongoing, true) => Some(Notice::Settled(NotificationEvent::Acknowledged)),
        (_, _, true) => None,
        (None | Some(ToBeConfirmed), Ongoing, false) => Some(Notice::Opened),
        (Some(Ongoing), Resolved, false) => Some(Notice::Settled(NotificationEvent::Resolved)),
        _ => None,
    }
}

/// The listener of incident changes (installed at start-up): queues what `notice` says, in the
/// write that made the change.
pub fn incident_changed(conn: &Connection, change: &Change, now: Timestamp) -> Result<()> {
    match notice(change) {
        Some(Notice::Opened) => {
            enqueue(conn, change.incident, NotificationEvent::Opened, now)?;
            let next = reminders::next(conn, change.incident, false, now)?;
            reminders::plan(conn, change.incident, next)
        }
        Some(Notice::Settled(event)) => {
            enqueue(conn, change.incident, event, now)?;
            reminders::plan(conn, change.incident, None)
        }
        None => Ok(()),
    }
}

/// What a claim took, and whether due notifications were left for lack of room.
pub struct Claim {
    pub rows: Vec<(DeliveryId, ChannelId)>,
    pub left_due: bool,
}

/// Claims due notifications for sending, at most `room` in all and never more than
/// `per_channel` in flight on one channel (counting `in_flight`, the rows being sent and their
/// channels): a slow receiver holds its own slots, not everyone's. A claimed row's next attempt
/// moves to the end of a lease, so no one else sends it meanwhile; only what can be sent at once
/// is claimed, so a lease never runs out while its row waits. A row still being sent is not
/// claimed again even once its lease has run out (the clock jumped, or the process stalled):
/// its receiver would get it twice.
pub fn claim_due(
    conn: &Connection,
    now: Timestamp,
    room: usize,
    per_channel: usize,
    in_flight: &std::collections::HashMap<DeliveryId, ChannelId>,
) -> Result<Claim> {
    let due: Vec<(DeliveryId, ChannelId)> = conn
        .prepare_cached(
            "SELECT id, channel_id FROM notification_outbox
             WHERE status = 'pending' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at LIMIT 1000",
        )?
        .query_map(params![to_db(now)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = std::collections::HashMap::<ChannelId, usize>::new();
    for channel in in_flight.values() {
        *counts.entry(*channel).or_default() += 1;
    }
    let mut rows = Vec::new();
    for (id, channel) in &due {
        if in_flight.contains_key(id) {
            continue;
        }
        let n = counts.entry(*channel).or_default();
        if rows.len() < room && *n < per_channel {
            *n += 1;
            rows.push((*id, *channel));
        }
    }
    // A digest claimed for sending takes no more members.
    let mut lease = conn.prepare_cached(
        "UPDATE notification_outbox SET next_attempt_at = ?2, gathering = 0 WHERE id = ?1",
    )?;
    for (id, _) in &rows {
        lease.execute(params![id, to_db(now + LEASE)])?;
    }
    Ok(Claim {
        left_due: rows.len() < due.len(),
        rows,
    })
}

/// The next instant the worker has something to do: a due notification, a re-notification or
/// a hold to decide.
pub fn earliest(conn: &Connection) -> Result<Option<Timestamp>> {
    let ms: Option<i64> = conn
        .prepare_cached(
            "SELECT MIN(t) FROM (
                SELECT MIN(next_attempt_at) AS t FROM notification_outbox WHERE status = 'pending'
                UNION ALL
                SELECT MIN(due_at) FROM renotifications
                UNION ALL
                SELECT MIN(until) FROM notification_holds
                UNION ALL
                SELECT MIN(wake_at) FROM escalation_state)",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(opt_from_db(ms))
}

/// What one attempt came to.
pub struct Attempt {
    pub error: Option<String>,
    /// The receiver asked not to be tried again before this long (`failure::retry_hint`).
    pub retry_after: Option<Duration>,
    pub duration_ms: i64,
    /// A test message is tried once: the person pressing "Send a test" wants the answer now.
    pub retry: bool,
}

/// Records an attempt: sent, failed (retried after `backoff`) or given up; on the incident's
/// timeline too. Returns the delivery as it now stands.
pub fn record_attempt(
    conn: &Connection,
    id: DeliveryId,
    attempt: &Attempt,
    now: Timestamp,
) -> Result<Option<Delivery>> {
    let Some(before) = get(conn, id)? else {
        return Ok(None);
    };
    if before.status != DeliveryStatus::Pending {
        // A late attempt (one that outlived its lease while another was made) cannot undo an
        // outcome already recorded.
        return Ok(Some(before));
    }
    let attempts = before.attempts + 1;
    let (status, outcome, next) = match &attempt.error {
        None => (DeliveryStatus::Sent, AttemptOutcome::Sent, None),
        Some(_) => {
            let next = now + backoff(attempts);
            let deadline = before.created_at + GIVE_UP_AFTER;
            if attempt.retry && next <= deadline {
                // The later of our backoff and the receiver's hint: trying sooner only earns
                // another refusal. A hint past the deadline still gets one last try at it.
                let hinted = attempt.retry_after.map_or(next, |d| (now + d).max(next));
                let next = hinted.min(deadline);
                (DeliveryStatus::Pending, AttemptOutcome::Failed, Some(next))
            } else {
                (DeliveryStatus::GaveUp, AttemptOutcome::GaveUp, None)
            }
        }
    };
    if next.is_some() {
        // The retry may now be the worker's earliest deadline.
        signals::mark(Topic::Outbox);
    }
    let sent_at = (status == DeliveryStatus::Sent).then(|| to_db(now));
    conn.prepare_cached(
        "UPDATE notification_outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4,
            last_error = ?5, sent_at = ?6
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        status,
        attempts,
        next.map(to_db),
        attempt.error,
        sent_at
    ])?;
    conn.prepare_cached(
        "INSERT INTO notification_attempts (outbox_id, attempted_at, outcome, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        to_db(now),
        outcome,
        attempt.error,
        attempt.duration_ms
    ])?;
    // A digest's rows take its outcome, and each incident it tells hears of the attempt.
    let members = storm::members(conn, id)?;
    if !members.is_empty() {
        storm::share_outcome(conn, id)?;
    }
    let told = match (members.is_empty(), before.incident_id) {
        (false, _) => members,
        (true, Some(incident)) => vec![(id, incident)],
        (true, None) => vec![],
    };
    for (delivery, incident) in told {
        let (name, kind): (String, String) = conn
            .prepare_cached("SELECT name, kind FROM notification_channels WHERE id = ?1")?
            .query_row([before.channel_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let payload = Payload::Notification(NotificationAttempt {
            delivery_id: delivery,
            channel_id: before.channel_id,
            channel_name: name,
            channel_kind: kind,
            event: before.event.as_str().to_owned(),
            outcome: outcome.as_str().to_owned(),
            attempt: attempts,
            error: attempt.error.clone(),
            next_attempt_at: next,
        });
        crate::incidents::store::add_event(
            conn,
            incident,
            now,
            None,
            EventType::Notification,
            Some(&payload),
        )?;
    }
    get(conn, id)
}

/// Notifications by status (`/metrics`).
pub fn count_by_status(conn: &Connection) -> Result<Vec<(String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT status, COUNT(*) FROM notification_outbox GROUP BY status ORDER BY status",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// How long sent and abandoned notifications stay listed (the timeline keeps its events).
pub const KEEP_DONE: Duration = Duration::days(30);

/// Deletes up to `limit` sent or abandoned notifications older than `KEEP_DONE`.
pub fn purge(conn: &Connection, now: Timestamp, limit: u32) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM notification_outbox WHERE id IN (
                SELECT id FROM notification_outbox
                WHERE status != 'pending' AND created_at < ?1 LIMIT ?2)",
        )?
        .execute(params![to_db(now - KEEP_DONE), limit])?)
}

const COLUMNS: &str =
    "id, channel_id, incident_id, event, status, attempts, next_attempt_at, last_error,
    created_at, sent_at, digest_id";

fn delivery_from_row(r: &Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        incident_id: r.get(2)?,
        event: r.get(3)?,
        status: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: opt_from_db(r.get(6)?),
        last_error: r.get(7)?,
        created_at: from_db(r.get(8)?),
        sent_at: opt_from_db(r.get(9)?),
        digest_id: r.get(10)?,
    })
}

pub fn get(conn: &Connection, id: DeliveryId) -> Result<Option<Delivery>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notification_outbox WHERE id = ?1"
        ))?
        .query_row([id], delivery_from_row)
        .optional()?)
}

/// A channel's latest deliveries, newest first.
pub fn list_for_channel(
    conn: &Connection,
    channel: ChannelId,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Delivery>, i64)> {
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM notification_outbox WHERE channel_id = ?1")?
        .query_row([channel], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notification_outbox WHERE channel_id = ?1
             ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3"
        ))?
        .query_map(params![channel, limit, offset], delivery_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who hears what of an incident's change, row by row: (before, after, acknowledged).
    #[test]
    fn notice_table() {
        use IncidentStatus::*;
        use NotificationEvent as E;
        let rows = [
            (None, Ongoing, false, Some(Notice::Opened)),
            (None, ToBeConfirmed, false, None),
            (Some(ToBeConfirmed), Ongoing, false, Some(Notice::Opened)),
            (Some(ToBeConfirmed), Resolved, false, None),
            (
                Some(Ongoing),
                Resolved,
                false,
                Some(Notice::Settled(E::Resolved)),
            ),
            (
                Some(Ongoing),
                Ongoing,
                true,
                Some(Notice::Settled(E::Acknowledged)),
            ),
            (Some(ToBeConfirmed), ToBeConfirmed, true, None),
            (Some(Resolved), Resolved, true, None),
            (Some(Resolved), Resolved, false, None),
        ];
        let org: OrgId = "00000000-0000-7000-8000-000000000001".parse().unwrap();
        for (before, after, acknowledged, expected) in rows {
            let change = Change {
                incident: IncidentId::generate(),
                org,
                before,
                after,
                acknowledged,
            };
            assert_eq!(
                notice(&change),
                expected,
                "{before:?} → {after:?} ack={acknowledged}"
            );
        }
    }

    /// A database with one organization, two channels and `per_channel` due rows on each.
    fn outbox_with(per_channel: &[usize]) -> (Connection, Vec<ChannelId>) {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO organizations (id, name, display_name, created_at, updated_at)
             VALUES ('00000000-0000-7000-8000-000000000001', 'acme', 'Acme', 0, 0)",
        )
        .unwrap();
        let org: OrgId = "00000000-0000-7000-8000-000000000001".parse().unwrap();
        let mut channels = Vec::new();
        for (i, rows) in per_channel.iter().enumerate() {
            let channel = ChannelId::generate();
            conn.execute(
                "INSERT INTO notification_channels (id, organization_id, name, kind, config, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'webhook', '{\"url\": \"http://x\"}', 0, 0)",
                params![channel, org, format!("c{i}")],
            )
            .unwrap();
            for _ in 0..*rows {
                let t = chrono::DateTime::UNIX_EPOCH;
                insert(&conn, org, channel, None, NotificationEvent::Test, t, t).unwrap();
            }
            channels.push(channel);
        }
        (conn, channels)
    }

    #[test]
    fn a_claim_takes_only_what_can_be_sent_now_and_spares_other_channels() {
        let (conn, channels) = outbox_with(&[6, 1]);
        let (slow, fast) = (channels[0], channels[1]);
        let now = chrono::DateTime::UNIX_EPOCH + Duration::seconds(1);
        // One send already in flight on the slow channel: it may take 3 more, the fast one 1.
        let in_flight = [(DeliveryId::generate(), slow)].into_iter().collect();
        let claim = claim_due(&conn, now, 10, 4, &in_flight).unwrap();
        let on = |c| claim.rows.iter().filter(|(_, ch)| *ch == c).count();
        assert_eq!((on(slow), on(fast), claim.left_due), (3, 1, true));
        let first = claim.rows;
        // No room at all: nothing is leased, so nothing can expire while waiting.
        let claim = claim_due(&conn, now, 0, 4, &Default::default()).unwrap();
        assert!(claim.rows.is_empty() && claim.left_due);
        // The leased rows are not due again before the lease ends.
        let claim = claim_due(&conn, now, 10, 10, &Default::default()).unwrap();
        assert_eq!(claim.rows.len(), 3, "only the 3 rows never claimed");

        // Past the lease, a row still being sent is left alone; the others are due again.
        let later = now + LEASE + Duration::seconds(1);
        let sending: std::collections::HashMap<_, _> = first.iter().copied().collect();
        let claim = claim_due(&conn, later, 10, 10, &sending).unwrap();
        assert!(claim.rows.iter().all(|(id, _)| !sending.contains_key(id)));
        assert_eq!((claim.rows.len(), claim.left_due), (3, true));
        let claim = claim_due(&conn, later + LEASE, 10, 10, &Default::default()).unwrap();
        assert_eq!(
            claim.rows.len(),
            7,
            "nothing in flight: every row is due again"
        );
    }

    #[test]
    fn backoff_doubles_from_30_seconds_up_to_two_hours() {
        let rows = [
            (1, 30),
            (2, 60),
            (3, 120),
            (4, 240),
            (8, 3840),
            (9, 7200),
            (40, 7200),
        ];
        for (attempts, seconds) in rows {
            assert_eq!(
                backoff(attempts),
                Duration::seconds(seconds),
                "attempt {attempts}"
            );
        }
        // Attempts within a day: 30 s + 1 + 2 + … min, then every 2 h: about 17 in all.
        let (mut elapsed, mut n) = (Duration::zero(), 0);
        while elapsed + backoff(n + 1) <= GIVE_UP_AFTER {
            n += 1;
            elapsed += backoff(n);
        }
        assert!((15..=20).contains(&n), "{n} retries in a day");
    }
}
