//! Quiet hours: a member's nightly window (start and end in local time, an IANA zone) during
//! which only urgent escalation steps reach them. A non-urgent notification is delayed to the
//! end of the window, not dropped: whoever is paged in the morning still hears of an incident
//! nobody acknowledged overnight.

use chrono::{Duration, LocalResult, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, UserId};

/// A member's quiet hours. `start == end` means none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub zone: Tz,
}

/// When a non-urgent notification may reach the member: `now` outside quiet hours, else their
/// end. The window may cross midnight (22:00–07:00). An end that does not exist that day (a
/// clock moved forward over it) is the first instant after the jump; an end that happens twice
/// (a clock moved back) is the first of them.
pub fn release(quiet: &QuietHours, now: Timestamp) -> Timestamp {
    let local = now.with_timezone(&quiet.zone).naive_local();
    let (date, time) = (local.date(), local.time());
    let (start, end) = (quiet.start, quiet.end);
    let end_date = if start == end {
        return now;
    } else if start < end {
        if time < start || time >= end {
            return now;
        }
        date
    } else if time >= start {
        date + Duration::days(1)
    } else if time < end {
        date
    } else {
        return now;
    };
    let mut at = end_date.and_time(end);
    // A gap is at most a few hours (usually one): step over it.
    for _ in 0..(4 * 60) {
        match quiet.zone.from_local_datetime(&at) {
            LocalResult::Single(t) => return t.with_timezone(&chrono::Utc).max(now),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&chrono::Utc).max(now),
            LocalResult::None => at += Duration::minutes(1),
        }
    }
    now
}

/// When a notification of a step (urgent or not) may reach `user` of `org`.
pub fn release_at(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    urgent: bool,
    now: Timestamp,
) -> Result<Timestamp> {
    if urgent {
        return Ok(now);
    }
    Ok(match super::people::quiet_hours(conn, org, user)? {
        Some(quiet) => release(&quiet, now),
        None => now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(start: &str, end: &str) -> QuietHours {
        QuietHours {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            zone: "Europe/Paris".parse().unwrap(),
        }
    }

    /// (window, now in UTC, release in UTC). Paris is UTC+1 in winter, UTC+2 in summer.
    #[test]
    fn quiet_hours_table() {
        let rows = [
            // Outside the window: at once.
            (
                ("22:00", "07:00"),
                "2026-11-30T12:00:00Z",
                "2026-11-30T12:00:00Z",
            ),
            // 23:30 Paris: to 07:00 the next morning.
            (
                ("22:00", "07:00"),
                "2026-11-30T22:30:00Z",
                "2026-12-01T06:00:00Z",
            ),
            // 03:00 Paris: to 07:00 the same morning.
            (
                ("22:00", "07:00"),
                "2026-12-01T02:00:00Z",
                "2026-12-01T06:00:00Z",
            ),
            // The end itself is outside; the start inside.
            (
                ("22:00", "07:00"),
                "2026-12-01T06:00:00Z",
                "2026-12-01T06:00:00Z",
            ),
            (
                ("22:00", "07:00"),
                "2026-11-30T21:00:00Z",
                "2026-12-01T06:00:00Z",
            ),
            // A daytime window.
            (
                ("12:00", "14:00"),
                "2026-11-30T12:00:00Z",
                "2026-11-30T13:00:00Z",
            ),
            (
                ("12:00", "14:00"),
                "2026-11-30T14:00:00Z",
                "2026-11-30T14:00:00Z",
            ),
            // None when start = end.
            (
                ("07:00", "07:00"),
                "2026-11-30T22:30:00Z",
                "2026-11-30T22:30:00Z",
            ),
            // Spring forward (29 March 2026, 02:00 → 03:00): 02:30 does not exist; 03:00 CEST.
            (
                ("22:00", "02:30"),
                "2026-03-28T23:30:00Z",
                "2026-03-29T01:00:00Z",
            ),
            // Summer time: 07:00 CEST is 05:00 UTC.
            (
                ("22:00", "07:00"),
                "2026-06-30T21:00:00Z",
                "2026-07-01T05:00:00Z",
            ),
            // Fall back (25 October 2026, 03:00 → 02:00): 02:30 happens twice; the first, CEST.
            (
                ("22:00", "02:30"),
                "2026-10-24T22:30:00Z",
                "2026-10-25T00:30:00Z",
            ),
        ];
        for ((start, end), now, expected) in rows {
            let now: Timestamp = now.parse().unwrap();
            let expected: Timestamp = expected.parse().unwrap();
            assert_eq!(
                release(&quiet(start, end), now),
                expected,
                "{start}–{end} at {now}"
            );
        }
    }
}
