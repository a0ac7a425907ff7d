//! Storm grouping: when more than N incidents of an organization open (or resolve) within a
//! short window, each channel gets digests ("12 monitors down: …") instead of one message each.
//!
//! A digest is outbox rows like any other, so it keeps the outbox's guarantees (durable, at
//! least once): its first row leads it (its id is the digest's idempotency key, stable across
//! retries; it is due `GATHER` after the storm began, so the first digest waits a few seconds at
//! most), and the others point at it, are never due themselves, and take the leader's outcome.
//! A leader takes members while it gathers (until the worker claims it) and up to `MAX_MEMBERS`,
//! so a digest never grows without bound; later ones start a follow-up digest. When a storm
//! begins, the rows of the window not yet claimed join its first digest, so incidents opened
//! together are told together.

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, params};

use super::model::NotificationEvent;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{ChannelId, DeliveryId, IncidentId, OrgId};
use crate::store::signals::{self, Topic};
use crate::store::time::to_db;

/// How long a digest gathers before it is due: the longest its first message waits.
pub const GATHER: Duration = Duration::seconds(5);
/// The most incidents one digest tells (the rest start a follow-up digest).
pub const MAX_MEMBERS: i64 = 100;

pub const THRESHOLD_RANGE: std::ops::RangeInclusive<u32> = 1..=1000;
pub const WINDOW_RANGE: std::ops::RangeInclusive<u32> = 10..=3600;

pub fn default_threshold() -> u32 {
    5
}

pub fn default_window() -> u32 {
    60
}

pub fn check_settings(threshold: u32, window_seconds: u32) -> Result<()> {
    let range = |field: &str, value: u32, r: &std::ops::RangeInclusive<u32>| {
        crate::limits::range(field, value, *r.start(), *r.end())
    };
    range("stormThreshold", threshold, &THRESHOLD_RANGE)?;
    range("stormWindowSeconds", window_seconds, &WINDOW_RANGE)
}

/// Events told in digests during a storm (acknowledgements and re-notifications stay single).
pub fn groups(event: NotificationEvent) -> bool {
    matches!(
        event,
        NotificationEvent::Opened | NotificationEvent::Resolved
    )
}

/// Where one more notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// No storm: a message of its own, due now.
    Alone,
    /// A storm with no digest gathering (or a full one): it leads a new digest.
    Lead,
    /// Into the digest gathering on its channel.
    Join(DeliveryId),
}

/// Where a notification goes: `recent` rows of its channel and event in the window before it,
/// more than `threshold` in all makes a storm; `gathering` is the digest taking members on its
/// channel, with how many it has.
pub fn place(recent: i64, threshold: u32, gathering: Option<(DeliveryId, i64)>) -> Placement {
    // With this one, `recent + 1`: a storm is more than `threshold`.
    if recent < i64::from(threshold) {
        return Placement::Alone;
    }
    match gathering {
        Some((leader, members)) if members < MAX_MEMBERS => Placement::Join(leader),
        _ => Placement::Lead,
    }
}

/// Queues `event` about `incident` on `channel`, alone or in a digest (see `place`).
pub fn queue(
    conn: &Connection,
    org: OrgId,
    channel: ChannelId,
    incident: IncidentId,
    event: NotificationEvent,
    now: Timestamp,
) -> Result<DeliveryId> {
    let settings = super::store::settings(conn, org)?;
    let since = now - Duration::seconds(settings.storm_window_seconds.into());
    let recent: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM notification_outbox
             WHERE channel_id = ?1 AND event = ?2 AND created_at > ?3",
        )?
        .query_row(params![channel, event, to_db(since)], |r| r.get(0))?;
    let gathering = gathering(conn, channel, event)?;
    let id = DeliveryId::generate();
    let (digest, due, gathers) = match place(recent, settings.storm_threshold, gathering) {
        Placement::Alone => (None, Some(now), false),
        Placement::Lead => (Some(id), Some(now + GATHER), true),
        Placement::Join(leader) => (Some(leader), None, false),
    };
    conn.prepare_cached(
        "INSERT INTO notification_outbox (id, organization_id, channel_id, incident_id, event, status,
            next_attempt_at, created_at, digest_id, gathering)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        org,
        channel,
        incident,
        event,
        due.map(to_db),
        to_db(now),
        digest,
        gathers
    ])?;
    if gathers {
        gather_window(conn, id, channel, event, since, now)?;
    }
    signals::mark(Topic::Outbox);
    Ok(id)
}

/// The digest taking members on this channel for this event, with how many it has.
fn gathering(
    conn: &Connection,
    channel: ChannelId,
    event: NotificationEvent,
) -> Result<Option<(DeliveryId, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.id, (SELECT COUNT(*) FROM notification_outbox m WHERE m.digest_id = l.id)
             FROM notification_outbox l
             WHERE l.channel_id = ?1 AND l.event = ?2 AND l.gathering = 1 AND l.status = 'pending'
             ORDER BY l.created_at DESC LIMIT 1",
        )?
        .query_row(params![channel, event], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A new digest takes the rows of its window not claimed yet (never tried, not leased), so
/// that what opened together is told together.
fn gather_window(
    conn: &Connection,
    leader: DeliveryId,
    channel: ChannelId,
    event: NotificationEvent,
    since: Timestamp,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notification_outbox SET digest_id = ?1, next_attempt_at = NULL
         WHERE id IN (
            SELECT id FROM notification_outbox
            WHERE channel_id = ?2 AND event = ?3 AND created_at > ?4 AND status = 'pending'
              AND attempts = 0 AND digest_id IS NULL AND next_attempt_at <= ?5
            ORDER BY created_at LIMIT ?6)",
    )?
    .execute(params![
        leader,
        channel,
        event,
        to_db(since),
        to_db(now),
        MAX_MEMBERS - 1
    ])?;
    Ok(())
}

/// The incidents a digest tells (its leader's first), oldest first; empty if `id` leads none.
pub fn members(conn: &Connection, id: DeliveryId) -> Result<Vec<(DeliveryId, IncidentId)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, incident_id FROM notification_outbox
             WHERE digest_id = ?1 AND incident_id IS NOT NULL
             ORDER BY id = ?1 DESC, created_at, id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Gives the digest's other rows the leader's outcome (an attempt on the digest is an attempt
/// on each of them).
pub fn share_outcome(conn: &Connection, leader: DeliveryId) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notification_outbox SET
            (status, attempts, last_error, sent_at) =
            (SELECT status, attempts, last_error, sent_at FROM notification_outbox WHERE id = ?1)
         WHERE digest_id = ?1 AND id != ?1",
    )?
    .execute([leader])?;
    Ok(())
}

/// A digest whose leading row is gone (its incident deleted with its monitor or task) would
/// leave its other rows waiting forever: the oldest of them leads them instead, due now.
/// Returns how many digests were taken over.
pub fn adopt_orphans(conn: &Connection, now: Timestamp) -> Result<usize> {
    let orphaned: Vec<DeliveryId> = conn
        .prepare_cached(
            "SELECT DISTINCT o.digest_id FROM notification_outbox o
             WHERE o.status = 'pending' AND o.next_attempt_at IS NULL AND o.digest_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM notification_outbox l WHERE l.id = o.digest_id)
             LIMIT 100",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for gone in &orphaned {
        let heir: DeliveryId = conn
            .prepare_cached(
                "SELECT id FROM notification_outbox WHERE digest_id = ?1 ORDER BY created_at, id LIMIT 1",
            )?
            .query_row([gone], |r| r.get(0))?;
        conn.prepare_cached("UPDATE notification_outbox SET digest_id = ?2 WHERE digest_id = ?1")?
            .execute(params![gone, heir])?;
        conn.prepare_cached(
            "UPDATE notification_outbox SET next_attempt_at = ?2, gathering = 0 WHERE id = ?1",
        )?
        .execute(params![heir, to_db(now)])?;
    }
    Ok(orphaned.len())
}

/// Refuses a digest that lost its rows (a deleted channel takes them all; a deleted incident
/// only its own): nothing to tell.
pub fn check_members(members: &[(DeliveryId, IncidentId)]) -> Result<()> {
    if members.is_empty() {
        return Err(Error::internal("a digest without incidents"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a notification goes, row by row: (rows before it in the window, threshold, the
    /// digest gathering and its size) → placement.
    #[test]
    fn placement_table() {
        let leader: DeliveryId = "0193a3c4-0000-7000-8000-000000000009".parse().unwrap();
        let rows = [
            (0, 5, None, Placement::Alone),
            (4, 5, None, Placement::Alone),
            (5, 5, None, Placement::Lead),
            (5, 5, Some((leader, 3)), Placement::Join(leader)),
            (
                50,
                5,
                Some((leader, MAX_MEMBERS - 1)),
                Placement::Join(leader),
            ),
            (50, 5, Some((leader, MAX_MEMBERS)), Placement::Lead),
            (0, 1, None, Placement::Alone),
            (1, 1, None, Placement::Lead),
            // A digest still gathering after the storm calmed: a lone message goes alone.
            (2, 5, Some((leader, 7)), Placement::Alone),
        ];
        for (recent, threshold, gathering, expected) in rows {
            assert_eq!(
                place(recent, threshold, gathering),
                expected,
                "{recent} recent, threshold {threshold}, {gathering:?}"
            );
        }
    }

    /// An organization with one webhook channel and `n` manual incidents (written directly,
    /// so no listener queues anything behind the test's back).
    fn world(n: usize) -> (Connection, OrgId, ChannelId, Vec<IncidentId>) {
        let (conn, org) = crate::store::memory_with_org();
        let channel = ChannelId::generate();
        conn.execute(
            "INSERT INTO notification_channels (id, organization_id, name, kind, config, created_at, updated_at)
             VALUES (?1, ?2, 'ops', 'webhook', '{\"url\": \"http://x\"}', 0, 0)",
            params![channel, org],
        )
        .unwrap();
        let incidents = (0..n)
            .map(|i| {
                let id = IncidentId::generate();
                conn.execute(
                    "INSERT INTO incidents (id, organization_id, source_type, title, status, priority, created_at)
                     VALUES (?1, ?2, 'manual', ?3, 'ongoing', 'major', 0)",
                    params![id, org, format!("i{i}")],
                )
                .unwrap();
                id
            })
            .collect();
        (conn, org, channel, incidents)
    }

    /// The outbox, oldest first: (incident index, event, index of the digest's leader, due
    /// seconds after the epoch, gathering, status).
    type Row = (
        usize,
        &'static str,
        Option<usize>,
        Option<i64>,
        bool,
        &'static str,
    );

    fn rows(conn: &Connection, incidents: &[IncidentId]) -> Vec<Row> {
        let index = |id: IncidentId| incidents.iter().position(|i| *i == id).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT o.incident_id, o.event, l.incident_id, o.next_attempt_at, o.gathering, o.status
                 FROM notification_outbox o LEFT JOIN notification_outbox l ON l.id = o.digest_id
                 ORDER BY o.created_at, o.rowid",
            )
            .unwrap();
        let all = stmt
            .query_map([], |r| {
                let event: String = r.get(1)?;
                let status: String = r.get(5)?;
                Ok((
                    index(r.get(0)?),
                    if event == "opened" {
                        "opened"
                    } else {
                        "resolved"
                    },
                    r.get::<_, Option<IncidentId>>(2)?.map(index),
                    r.get::<_, Option<i64>>(3)?.map(|ms| ms / 1000),
                    r.get(4)?,
                    match status.as_str() {
                        "pending" => "pending",
                        "sent" => "sent",
                        _ => "gaveup",
                    },
                ))
            })
            .unwrap();
        all.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// Seven incidents opened at once, one more a few seconds later, a resolution, a digest
    /// sent, and a lone incident after the window: the outbox row by row at each step.
    #[test]
    fn the_outbox_rows_of_a_storm() {
        use NotificationEvent::{Opened, Resolved};
        let (conn, org, channel, ids) = world(9);
        let t = |s: i64| chrono::DateTime::UNIX_EPOCH + Duration::seconds(s);
        for id in &ids[..7] {
            queue(&conn, org, channel, *id, Opened, t(100)).unwrap();
        }
        // The sixth made it a storm: it leads a digest due 5 s later, with the five before it
        // (not claimed yet) and the seventh; none of them is due on its own.
        let mut expected: Vec<Row> = (0..7)
            .map(|i| {
                (
                    i,
                    "opened",
                    Some(5),
                    (i == 5).then_some(105),
                    i == 5,
                    "pending",
                )
            })
            .collect();
        assert_eq!(rows(&conn, &ids), expected);

        // Claimed at its time, the digest gathers no more: the next incident leads another.
        let claim =
            super::super::outbox::claim_due(&conn, t(105), 10, 4, &Default::default()).unwrap();
        assert_eq!(claim.rows.len(), 1, "the digest, once");
        expected[5] = (5, "opened", Some(5), Some(165), false, "pending");
        queue(&conn, org, channel, ids[7], Opened, t(106)).unwrap();
        expected.push((7, "opened", Some(7), Some(111), true, "pending"));
        // Resolutions are counted apart: the first goes alone, at once.
        queue(&conn, org, channel, ids[0], Resolved, t(106)).unwrap();
        expected.push((0, "resolved", None, Some(106), false, "pending"));
        assert_eq!(rows(&conn, &ids), expected);

        // The digest sent: each of its rows is sent.
        let leader = claim.rows[0].0;
        let sent = super::super::outbox::Attempt {
            error: None,
            retry_after: None,
            duration_ms: 1,
            retry: true,
        };
        super::super::outbox::record_attempt(&conn, leader, &sent, t(106)).unwrap();
        for row in expected.iter_mut().take(7) {
            *row = (row.0, "opened", Some(5), None, false, "sent");
        }
        // After the window, a lone incident is told alone again.
        queue(&conn, org, channel, ids[8], Opened, t(300)).unwrap();
        expected.push((8, "opened", None, Some(300), false, "pending"));
        assert_eq!(rows(&conn, &ids), expected);
        assert_eq!(members(&conn, leader).unwrap().len(), 7);
    }

    /// The incident leading a gathering digest is deleted (with its task): the oldest other row
    /// leads the digest, due at once, so none of them waits forever.
    #[test]
    fn a_digest_whose_leader_is_gone_is_led_by_its_oldest_row() {
        let (conn, org, channel, ids) = world(8);
        let t = |s: i64| chrono::DateTime::UNIX_EPOCH + Duration::seconds(s);
        for id in &ids {
            queue(&conn, org, channel, *id, NotificationEvent::Opened, t(100)).unwrap();
        }
        assert_eq!(adopt_orphans(&conn, t(101)).unwrap(), 0);
        conn.execute("DELETE FROM incidents WHERE id = ?1", [ids[5]])
            .unwrap();
        assert_eq!(adopt_orphans(&conn, t(101)).unwrap(), 1);
        let mut expected: Vec<Row> = (0..8)
            .filter(|i| *i != 5)
            .map(|i| (i, "opened", Some(0), None, false, "pending"))
            .collect();
        expected[0].3 = Some(101);
        assert_eq!(rows(&conn, &ids), expected);
        assert_eq!(adopt_orphans(&conn, t(102)).unwrap(), 0);
    }
}
