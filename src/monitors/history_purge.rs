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
/// moved): 0 when nothing is left to purge.
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

/// Raw results before `before` (ms), monitor by monitor through the primary key: only monitors
/// whose `results_from` is older, each then marked clean; at most `batch` rows changed.
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
        // The oldest `left` results at most: those before the one at offset `left`.
        let deleted = conn
            .prepare_cached(
                "DELETE FROM checks WHERE monitor = ?1 AND checked_at < MIN(?2, COALESCE(
                    (SELECT checked_at FROM checks WHERE monitor = ?1 ORDER BY checked_at LIMIT 1 OFFSET ?3), ?2))",
            )?
            .execute(params![num, before, left as i64])?;
        changed += deleted;
        if deleted < left {
            conn.prepare_cached("UPDATE monitor_keys SET results_from = ?2 WHERE num = ?1")?
                .execute(params![num, before])?;
            changed += 1;
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
        assert_eq!(purge_all(&conn, clock.now(), 20), ids.len() * (48 + 1));
        for id in &ids {
            assert_eq!(raw_count(&conn, *id), kept);
        }
        // Imported history older than the monitor's bound moves it back, so the purge finds it.
        let old = clock.now() - Duration::days(30);
        assert!(record_once(&conn, ids[3], old, &passed(), false).unwrap());
        assert_eq!(raw_count(&conn, ids[3]), kept + 1);
        assert_eq!(purge_all(&conn, clock.now(), 20), 1 + 1);
        assert_eq!(raw_count(&conn, ids[3]), kept);
        assert_eq!(purge_all(&conn, clock.now(), 20), 0, "nothing left");
    }
}
