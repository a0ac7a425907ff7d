//! The retention purge of check history: raw results monitor by monitor through their primary
//! key (there is no index by time: it would cost as much as the rows), rollups and location
//! results by age; in batches, so one call never holds the writer for long.

use rusqlite::{Connection, params};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::store::time::to_db;

/// How long each kind of history is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub raw: chrono::Duration,
    pub hourly: chrono::Duration,
    pub daily: chrono::Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            raw: chrono::Duration::days(7),
            hourly: chrono::Duration::days(400),
            daily: chrono::Duration::days(800),
        }
    }
}

/// Deletes history past its retention, at most `batch` rows of each kind per call, so one call
/// never holds the writer for long. Returns the rows changed (deleted, and raw results' bounds
/// corrected where nothing was deleted): 0 when nothing is left to purge. A purge run calls it
/// with one `now` until 0; a bound it moves is then never older than the cut-off again.
pub fn purge(
    conn: &Connection,
    retention: &Retention,
    now: Timestamp,
    batch: u32,
) -> Result<usize> {
    let raw = purge_raw(conn, to_db(now - retention.raw), batch)?;
    let mut rollups = 0;
    for (resolution, keep) in [("hour", retention.hourly), ("day", retention.daily)] {
        rollups += conn.execute(
            "DELETE FROM check_rollups WHERE (monitor, resolution, bucket_start) IN
                (SELECT monitor, resolution, bucket_start FROM check_rollups
                 WHERE resolution = ?1 AND bucket_start < ?2 LIMIT ?3)",
            params![resolution, to_db(now - keep), batch],
        )?;
    }
    let locations = super::locations::store::purge(conn, now - retention.raw, batch)?;
    Ok(raw + rollups + locations)
}

/// Far in the future: the bound of a monitor without raw results, so the purge skips it until
/// `history::key` moves it back to a new result.
const NO_RESULTS: i64 = i64::MAX;

/// Raw results before `before` (ms), monitor by monitor through the primary key: only monitors
/// whose `results_from` is older; at most `batch` rows changed, each statement reading at most
/// the rows it deletes (plus one).
fn purge_raw(conn: &Connection, before: i64, batch: u32) -> Result<usize> {
    let monitors: Vec<i64> = conn
        .prepare_cached(
            "SELECT num FROM monitor_keys WHERE results_from < ?1 ORDER BY results_from LIMIT ?2",
        )?
        .query_map(params![before, batch], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0;
    for num in monitors {
        let left = batch as usize - changed;
        if left == 0 {
            break;
        }
        // The oldest `left` expired results at most: those before the expired one at offset
        // `left`, or all expired ones when fewer.
        let deleted = conn
            .prepare_cached(
                "DELETE FROM checks WHERE monitor = ?1 AND checked_at < COALESCE(
                    (SELECT checked_at FROM checks WHERE monitor = ?1 AND checked_at < ?2
                     ORDER BY checked_at LIMIT 1 OFFSET ?3), ?2)",
            )?
            .execute(params![num, before, left as i64])?;
        changed += deleted;
        if deleted < left {
            // None expired is left: the bound becomes the oldest result kept (found through the
            // primary key), never older than `before`, so this run does not visit it again.
            conn.prepare_cached(
                "UPDATE monitor_keys SET results_from = COALESCE(
                    (SELECT MIN(checked_at) FROM checks WHERE monitor = ?1), ?2) WHERE num = ?1",
            )?
            .execute(params![num, NO_RESULTS])?;
            // A stale bound (set by an older result of another kind, or by one since deleted)
            // corrected without deleting is progress too: more such monitors may wait.
            if deleted == 0 {
                changed += 1;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::ids::MonitorId;
    use crate::monitors::check::CheckOutcome;
    use crate::monitors::history::tests::{outcome, setup_monitors as setup};
    use crate::monitors::history::{buckets, recent, record};
    use crate::monitors::history_import::record_once;
    use chrono::{Duration, TimeZone, Utc};

    fn passed() -> CheckOutcome {
        outcome(true, 10)
    }

    /// Calls `purge` until it has nothing left; each call's count must stay within `batch`.
    fn purge_all(conn: &Connection, now: Timestamp, batch: u32) -> usize {
        let mut total = 0;
        loop {
            match purge(conn, &Retention::default(), now, batch).unwrap() {
                0 => return total,
                n => {
                    // Raw, hourly, daily and location results: `batch` each at most.
                    assert!(n <= 4 * batch as usize, "{n} changed in one call");
                    total += n;
                }
            }
        }
    }

    fn raw_count(conn: &Connection, id: MonitorId) -> usize {
        recent(conn, id, 0, 100_000).unwrap().0.len()
    }

    #[test]
    fn purge_keeps_what_retention_says() {
        let (_dir, conn, ids) = setup(1);
        let id = ids[0];
        let now = Utc::now();
        for days_ago in [0, 3, 10, 100, 500, 1000] {
            record(&conn, id, now - Duration::days(days_ago), &passed(), false).unwrap();
        }
        let changed = purge_all(&conn, now, 2);
        assert_eq!(raw_count(&conn, id), 2, "raw results: 7 days");
        let hours = buckets(&conn, id, "hour", now - Duration::days(2000)).unwrap();
        assert_eq!(hours.len(), 4, "hourly rollups: 400 days");
        let days = buckets(&conn, id, "day", now - Duration::days(2000)).unwrap();
        assert_eq!(days.len(), 5, "daily rollups: 800 days");
        // 4 raw results, their monitor's bound moved once, 2 hourly and 1 daily rollups.
        assert_eq!(changed, 4 + 1 + 2 + 1);
    }

    /// Results every 30 minutes of many monitors: each call deletes at most a batch, monitor by
    /// monitor, until exactly what is older than the retention is gone; a day later the same
    /// again, and an imported result older than everything kept is found too.
    #[test]
    fn purge_goes_monitor_by_monitor_in_batches() {
        let (_dir, conn, ids) = setup(12);
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let clock = Clock::manual(start);
        let step = Duration::minutes(30);
        // In one transaction: a file database syncs each one.
        let fill = |until: Timestamp| {
            conn.execute_batch("BEGIN").unwrap();
            while clock.now() < until {
                for id in &ids {
                    record(&conn, *id, clock.now(), &passed(), false).unwrap();
                }
                clock.advance(step);
            }
            conn.execute_batch("COMMIT").unwrap();
        };
        fill(start + Duration::days(9));
        // 9 days of 48 results each; 7 days kept (the result exactly at the cut stays).
        let kept = 7 * 48;
        purge_all(&conn, clock.now(), 20);
        for id in &ids {
            assert_eq!(raw_count(&conn, *id), kept);
        }
        fill(start + Duration::days(10));
        // 48 results each; a bound moved along with deletions is no change of its own.
        let changed = purge_all(&conn, clock.now(), 20);
        assert!(
            (ids.len() * 48..=ids.len() * 49).contains(&changed),
            "{changed}"
        );
        for id in &ids {
            assert_eq!(raw_count(&conn, *id), kept);
        }
        // Imported history older than the monitor's bound moves it back, so the purge finds it.
        let old = clock.now() - Duration::days(30);
        assert!(record_once(&conn, ids[3], old, &passed(), false).unwrap());
        assert_eq!(raw_count(&conn, ids[3]), kept + 1);
        assert_eq!(purge_all(&conn, clock.now(), 20), 1);
        assert_eq!(raw_count(&conn, ids[3]), kept);
        assert_eq!(purge_all(&conn, clock.now(), 20), 0, "nothing left");
    }

    /// The server's loop, with a clock that moves on between calls: it ends, having deleted
    /// exactly the expired results, and each call changes at most a batch. Bounds that were
    /// stale (older than any raw result, as V33 leaves them after old rollups) are corrected
    /// once, and a monitor left without raw results is skipped until a new one comes.
    #[test]
    fn purge_ends_while_the_clock_moves() {
        let (_dir, conn, ids) = setup(30);
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let clock = Clock::manual(start);
        conn.execute_batch("BEGIN").unwrap();
        // Results every 30 minutes for 9 days, but none of the last monitor's after day 1.
        for step in 0..9 * 48 {
            let at = start + Duration::minutes(30 * step);
            for (i, id) in ids.iter().enumerate() {
                if i + 1 < ids.len() || step < 48 {
                    record(&conn, *id, at, &passed(), false).unwrap();
                }
            }
        }
        // Bounds a year old, as the oldest rollups of a migrated database set them.
        conn.execute(
            "UPDATE monitor_keys SET results_from = ?1",
            [to_db(start - Duration::days(365))],
        )
        .unwrap();
        conn.execute_batch("COMMIT").unwrap();
        // Past the result at day 2 (k = 96), and less than 30 minutes more over the calls.
        clock.set(start + Duration::days(9) + Duration::minutes(1));
        let mut calls = 0;
        loop {
            let changed = purge_raw(&conn, to_db(clock.now() - Retention::default().raw), 20);
            match changed.unwrap() {
                0 => break,
                n => assert!(n <= 20, "{n} changed in one call"),
            }
            calls += 1;
            assert!(calls < 1_000, "the purge does not end");
            clock.advance(Duration::seconds(1));
        }
        for id in &ids[..ids.len() - 1] {
            assert_eq!(raw_count(&conn, *id), 9 * 48 - 97);
        }
        assert_eq!(raw_count(&conn, ids[ids.len() - 1]), 0);
        let bounds: Vec<i64> = conn
            .prepare("SELECT results_from FROM monitor_keys ORDER BY num")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let kept_from = to_db(start + Duration::minutes(30 * 97));
        assert!(bounds[..ids.len() - 1].iter().all(|b| *b == kept_from));
        assert_eq!(bounds[ids.len() - 1], NO_RESULTS);
        // A new result moves the empty monitor's bound back to it.
        let later = clock.now();
        record(&conn, ids[ids.len() - 1], later, &passed(), false).unwrap();
        let bound: i64 = conn
            .query_row(
                "SELECT results_from FROM monitor_keys WHERE num = (SELECT MAX(num) FROM monitor_keys)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(bound, to_db(later));
    }
}
