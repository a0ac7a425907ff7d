//! Check history: every result for the raw retention period, rolled up into hourly and daily
//! aggregates as it is written, so uptime and charts read a few rollup rows, never raw checks.
//! A result recorded while a maintenance window covered the monitor is kept, marked, and
//! counted apart (`maintenance_checks`): uptime, failures and response times leave it out.

use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::check::CheckOutcome;
use super::model::ErrorKind;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::MonitorId;
use crate::store::time::{from_db, to_db};

pub use super::history_purge::{Retention, purge};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The small integer that names monitor `id` in its results (`monitor_keys`), made at its
/// first result. A result older than the monitor's `results_from` (an import) moves it back, so
/// the purge still finds it.
pub fn key(conn: &Connection, id: MonitorId, at: Timestamp) -> Result<i64> {
    let at = to_db(at);
    let found: Option<(i64, i64)> = conn
        .prepare_cached("SELECT num, results_from FROM monitor_keys WHERE monitor_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        Some((num, from)) if from <= at => Ok(num),
        Some((num, _)) => {
            conn.prepare_cached("UPDATE monitor_keys SET results_from = ?2 WHERE num = ?1")?
                .execute(params![num, at])?;
            Ok(num)
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO monitor_keys (monitor_id, results_from) VALUES (?1, ?2)",
            )?
            .execute(params![id, at])?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// Stores one result and adds it to its hour and day buckets (apart, `in_maintenance`).
pub fn record(
    conn: &Connection,
    id: MonitorId,
    at: Timestamp,
    outcome: &CheckOutcome,
    in_maintenance: bool,
) -> Result<()> {
    let ok = outcome.ok();
    let num = key(conn, id, at)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO checks (monitor, checked_at, error_kind, http_code, response_time_ms, error, details,
                                        in_maintenance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        num,
        to_db(at),
        // NULL for a pass: most rows, and the column then costs no byte.
        (!ok).then(|| outcome.error_kind.as_str()),
        outcome.http_code,
        // Null when nothing answered: a timeout's duration is not a response time.
        outcome.answered_in_ms(),
        outcome.error,
        outcome.details.as_ref().map(|d| d.to_string()),
        in_maintenance
    ])?;
    // A response time is meaningful only when a response came back (and out of maintenance).
    let response = outcome
        .answered_in_ms()
        .map(i64::from)
        .filter(|_| !in_maintenance);
    let mut upsert = conn.prepare_cached(
        "INSERT INTO check_rollups (monitor, resolution, bucket_start, checks, failures, response_count, response_ms_sum,
                                    response_ms_min, response_ms_max, maintenance_checks)
         VALUES (?1, ?2, ?3, NOT ?7, ?4, ?5, COALESCE(?6, 0), ?6, ?6, ?7)
         ON CONFLICT (monitor, resolution, bucket_start) DO UPDATE SET
            checks = checks + excluded.checks,
            maintenance_checks = maintenance_checks + excluded.maintenance_checks,
            failures = failures + excluded.failures,
            response_count = response_count + excluded.response_count,
            response_ms_sum = response_ms_sum + excluded.response_ms_sum,
            response_ms_min = MIN(COALESCE(response_ms_min, excluded.response_ms_min), COALESCE(excluded.response_ms_min, response_ms_min)),
            response_ms_max = MAX(COALESCE(response_ms_max, excluded.response_ms_max), COALESCE(excluded.response_ms_max, response_ms_max))",
    )?;
    let t = to_db(at);
    for (resolution, size) in [("hour", HOUR_MS), ("day", DAY_MS)] {
        upsert.execute(params![
            num,
            resolution,
            t - t.rem_euclid(size),
            !ok && !in_maintenance,
            response.is_some(),
            response,
            in_maintenance
        ])?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckRecord {
    pub checked_at: Timestamp,
    pub ok: bool,
    pub error_kind: ErrorKind,
    pub http_code: Option<u16>,
    pub response_time_ms: Option<u32>,
    pub error: Option<String>,
    /// What the check saw beyond pass or fail (a DNS answer, ping round trips, a
    /// certificate), as its kind describes it; null for HTTP.
    pub details: Option<serde_json::Value>,
    /// Made while a maintenance window covered the monitor: left out of uptime.
    pub in_maintenance: bool,
}

/// The latest checks, newest first.
pub fn recent(
    conn: &Connection,
    id: MonitorId,
    offset: u32,
    limit: u32,
) -> Result<(Vec<CheckRecord>, i64)> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM checks WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1)",
        )?
        .query_row([id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT checked_at, error_kind, http_code, response_time_ms, error, details, in_maintenance
         FROM checks
         WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1)
         ORDER BY checked_at DESC LIMIT ?2 OFFSET ?3",
    )?;
    let rows = stmt.query_map(params![id, limit, offset], |r| {
        // No kind: the check passed.
        let kind: Option<String> = r.get(1)?;
        Ok(CheckRecord {
            checked_at: from_db(r.get(0)?),
            ok: kind.is_none(),
            error_kind: kind.map_or(ErrorKind::None, |k| {
                ErrorKind::parse(&k).unwrap_or(ErrorKind::Unknown)
            }),
            http_code: r.get(2)?,
            response_time_ms: r.get(3)?,
            error: r.get(4)?,
            details: r
                .get::<_, Option<String>>(5)?
                .and_then(|d| serde_json::from_str(&d).ok()),
            in_maintenance: r.get(6)?,
        })
    })?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total))
}

/// One point of a chart: a bucket's checks, failures and response times.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    pub start: Timestamp,
    /// Checks out of maintenance (those uptime counts).
    pub checks: i64,
    pub failures: i64,
    /// Checks made in maintenance: a bucket with these and no `checks` was all maintenance.
    pub maintenance_checks: i64,
    /// Percentage of successful checks, null without checks.
    pub uptime: Option<f64>,
    pub response_ms_avg: Option<f64>,
    pub response_ms_min: Option<i64>,
    pub response_ms_max: Option<i64>,
}

/// Buckets of `resolution` ("hour" or "day") from `since` on, oldest first.
pub fn buckets(
    conn: &Connection,
    id: MonitorId,
    resolution: &str,
    since: Timestamp,
) -> Result<Vec<Bucket>> {
    let mut stmt = conn.prepare_cached(
        "SELECT bucket_start, checks, failures, response_count, response_ms_sum, response_ms_min, response_ms_max,
                maintenance_checks
         FROM check_rollups
         WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND resolution = ?2 AND bucket_start >= ?3
         ORDER BY bucket_start",
    )?;
    let size = if resolution == "day" { DAY_MS } else { HOUR_MS };
    let since = to_db(since);
    let rows = stmt.query_map(
        params![id, resolution, since - since.rem_euclid(size)],
        |r| {
            let (checks, failures, count, sum): (i64, i64, i64, i64) =
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(Bucket {
                start: from_db(r.get(0)?),
                checks,
                failures,
                maintenance_checks: r.get(7)?,
                uptime: (checks > 0).then(|| 100.0 * (checks - failures) as f64 / checks as f64),
                response_ms_avg: (count > 0).then(|| sum as f64 / count as f64),
                response_ms_min: r.get(5)?,
                response_ms_max: r.get(6)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Buckets of `size_ms` from the raw results since `since`, oldest first: the short ranges'
/// charts at the checks' own resolution (raw results are kept for days, rollups for long
/// ranges). Failed checks that got no answer count as checks without a response time; checks
/// in maintenance count apart.
pub fn raw_buckets(
    conn: &Connection,
    id: MonitorId,
    since: Timestamp,
    size_ms: i64,
) -> Result<Vec<Bucket>> {
    let mut stmt = conn.prepare_cached(
        "SELECT checked_at - checked_at % ?3 AS start, SUM(NOT in_maintenance),
                SUM(NOT ok AND NOT in_maintenance), COUNT(ms), AVG(ms), MIN(ms), MAX(ms),
                SUM(in_maintenance)
         FROM (SELECT checked_at, error_kind IS NULL AS ok, in_maintenance,
                      CASE WHEN in_maintenance THEN NULL ELSE response_time_ms END AS ms
               FROM checks
               WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND checked_at >= ?2)
         GROUP BY start ORDER BY start",
    )?;
    let rows = stmt.query_map(params![id, to_db(since), size_ms.max(1)], |r| {
        let (checks, failures, count): (i64, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?);
        Ok(Bucket {
            start: from_db(r.get(0)?),
            checks,
            failures,
            maintenance_checks: r.get(7)?,
            uptime: (checks > 0).then(|| 100.0 * (checks - failures) as f64 / checks as f64),
            response_ms_avg: if count > 0 { r.get(4)? } else { None },
            response_ms_min: r.get(5)?,
            response_ms_max: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Uptime percentage since `since`, from hourly rollups (null without checks).
pub fn uptime(conn: &Connection, id: MonitorId, since: Timestamp) -> Result<Option<f64>> {
    let since = to_db(since);
    let (checks, failures): (i64, i64) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(checks), 0), COALESCE(SUM(failures), 0) FROM check_rollups
             WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND resolution = 'hour'
                   AND bucket_start >= ?2",
        )?
        .query_row(params![id, since - since.rem_euclid(HOUR_MS)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((checks > 0).then(|| 100.0 * (checks - failures) as f64 / checks as f64))
}

/// Average response time in milliseconds since `since`, from hourly rollups (null without a
/// response): what a response-time badge shows.
pub fn response_time(conn: &Connection, id: MonitorId, since: Timestamp) -> Result<Option<f64>> {
    let since = to_db(since);
    let (count, sum): (i64, i64) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(response_count), 0), COALESCE(SUM(response_ms_sum), 0)
             FROM check_rollups
             WHERE monitor = (SELECT num FROM monitor_keys WHERE monitor_id = ?1) AND resolution = 'hour'
                   AND bucket_start >= ?2",
        )?
        .query_row(params![id, since - since.rem_euclid(HOUR_MS)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((count > 0).then(|| sum as f64 / count as f64))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::monitors::settings::Settings;
    use chrono::{Duration, TimeZone, Utc};

    /// A check that passed (200) or failed (500), answered in `ms`.
    pub(in crate::monitors) fn outcome(ok: bool, ms: u32) -> CheckOutcome {
        CheckOutcome {
            error_kind: if ok {
                ErrorKind::None
            } else {
                ErrorKind::HttpCode
            },
            http_code: Some(if ok { 200 } else { 500 }),
            response_time_ms: ms,
            error: None,
            tls_expires_at: None,
            answered: true,
            details: None,
        }
    }

    fn setup() -> (tempfile::TempDir, Connection, MonitorId) {
        let (dir, conn, ids) = setup_monitors(1);
        (dir, conn, ids[0])
    }

    /// A fresh database with `n` HTTP monitors of one organization.
    pub(in crate::monitors) fn setup_monitors(
        n: usize,
    ) -> (tempfile::TempDir, Connection, Vec<MonitorId>) {
        let dir = tempfile::tempdir().unwrap();
        let conn =
            crate::store::open_migrated(dir.path(), crate::store::Create::IfMissing).unwrap();
        let now = Utc::now();
        let org = crate::accounts::store::insert_organization(&conn, "Acme", now).unwrap();
        let input = serde_json::from_str(r#"{"url": "http://example.com"}"#).unwrap();
        let settings = Settings::create(input).unwrap();
        let insert = |_| crate::monitors::store::insert(&conn, org.id, &settings, false, now);
        let ids = (0..n).map(|i| insert(i).unwrap().id).collect();
        (dir, conn, ids)
    }

    #[test]
    fn rollups_aggregate_checks_by_hour_and_day() {
        let (_dir, conn, id) = setup();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let checks = [
            (0, true, 100),
            (20, false, 300),
            (40, true, 200),
            (70, true, 50),
        ];
        for (minutes, ok, ms) in checks {
            record(
                &conn,
                id,
                t0 + Duration::minutes(minutes),
                &outcome(ok, ms),
                false,
            )
            .unwrap();
        }
        let hours = buckets(&conn, id, "hour", t0).unwrap();
        assert_eq!(hours.len(), 2);
        let first = &hours[0];
        assert_eq!((first.checks, first.failures), (3, 1));
        assert_eq!(
            (first.response_ms_min, first.response_ms_max),
            (Some(100), Some(300))
        );
        assert_eq!(first.response_ms_avg, Some(200.0));
        assert!((first.uptime.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        let days = buckets(&conn, id, "day", t0).unwrap();
        assert_eq!((days.len(), days[0].checks, days[0].failures), (1, 4, 1));
        assert_eq!(uptime(&conn, id, t0).unwrap(), Some(75.0));
        assert_eq!(
            uptime(&conn, id, t0 + Duration::hours(5)).unwrap(),
            None,
            "no checks in range"
        );
    }

    /// Failures in maintenance are kept and marked, but uptime, failures and response times
    /// leave them out; buckets count them apart.
    #[test]
    fn checks_in_maintenance_count_apart() {
        let (_dir, conn, id) = setup();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        // (minutes, ok, ms, in maintenance)
        let checks = [
            (0, true, 100, false),
            (10, false, 900, true),
            (20, false, 900, true),
            (30, true, 300, false),
            (70, false, 900, true),
        ];
        for (minutes, ok, ms, quiet) in checks {
            let at = t0 + Duration::minutes(minutes);
            record(&conn, id, at, &outcome(ok, ms), quiet).unwrap();
        }
        assert_eq!(uptime(&conn, id, t0).unwrap(), Some(100.0));
        let hours = buckets(&conn, id, "hour", t0).unwrap();
        let shape: Vec<_> = hours
            .iter()
            .map(|b| {
                (
                    b.checks,
                    b.failures,
                    b.maintenance_checks,
                    b.response_ms_max,
                )
            })
            .collect();
        assert_eq!(shape, [(2, 0, 2, Some(300)), (0, 0, 1, None)]);
        assert_eq!(hours[1].uptime, None, "all maintenance");
        let raw = raw_buckets(&conn, id, t0, HOUR_MS).unwrap();
        let raw_shape: Vec<_> = raw
            .iter()
            .map(|b| {
                (
                    b.checks,
                    b.failures,
                    b.maintenance_checks,
                    b.response_ms_max,
                )
            })
            .collect();
        assert_eq!(raw_shape, shape);
        let (recent, _) = recent(&conn, id, 0, 10).unwrap();
        assert_eq!(
            recent.iter().map(|c| c.in_maintenance).collect::<Vec<_>>(),
            [true, false, true, true, false]
        );
    }
}
