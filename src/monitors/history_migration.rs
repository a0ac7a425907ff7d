//! The compact results layout (migration V33): every raw result, rollup and location result
//! written before it reads back the same after it, through the server's functions and through
//! the `check_results` view.

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use rusqlite::types::Value;

    use crate::monitors::history::{buckets, key, recent};
    use crate::monitors::locations::store::counts;
    use crate::store::{migrate, migrate_to};

    const ORG: &str = "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e00";
    const A: &str = "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e01";
    const B: &str = "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e02";
    const C: &str = "6f1c7a52-8d1e-4a8e-9a35-2f4b0c1d9e03";

    fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    const RESULTS: &str =
        "SELECT monitor_id, checked_at, ok, error_kind, http_code, response_time_ms, error,
        details, in_maintenance FROM check_results ORDER BY monitor_id, checked_at";

    #[test]
    fn the_compact_layout_keeps_every_result() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 32).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO organizations (id, name, display_name, created_at, updated_at) VALUES ('{ORG}', 'acme', 'Acme', 0, 0);
             INSERT INTO monitors (id, organization_id, name, url, request_timeout_ms, interval_seconds,
                downtime_threshold, recovery_threshold, status, last_status_change_at, created_at, updated_at)
             VALUES ('{A}', '{ORG}', 'A', 'http://a.example/', 10000, 60, 2, 2, 'up', 1, 1, 1),
                    ('{B}', '{ORG}', 'B', 'http://b.example/', 10000, 60, 2, 2, 'up', 1, 1, 1);
             INSERT INTO check_results (monitor_id, checked_at, ok, error_kind, http_code, response_time_ms,
                error, details, in_maintenance)
             VALUES ('{A}', 1796000000123, 1, 'none', 200, 35, NULL, NULL, 0),
                    ('{A}', 1796000060456, 0, 'httpcode', 503, 120, 'status 503', NULL, 0),
                    ('{A}', 1796000120000, 0, 'timeout', NULL, NULL, 'timed out', NULL, 1),
                    ('{B}', 1796000000001, 1, 'none', NULL, 4, NULL, '{{\"answers\":[\"192.0.2.1\"]}}', 0);
             INSERT INTO check_rollups (monitor_id, resolution, bucket_start, checks, failures, response_count,
                response_ms_sum, response_ms_min, response_ms_max, maintenance_checks)
             VALUES ('{A}', 'hour', 1795996800000, 2, 1, 2, 155, 35, 120, 1),
                    ('{A}', 'day', 1795910400000, 2, 1, 2, 155, 35, 120, 1),
                    ('{A}', 'hour', 1700000000000, 1, 0, 0, 0, NULL, NULL, 0);
             INSERT INTO location_results (monitor_id, location, checked_at, due, late, ok, response_time_ms, error)
             VALUES ('{B}', 'local', 1796000000001, 1796000000000, 0, 1, 4, NULL),
                    ('{B}', 'probe-1', 1796000000900, 1796000000000, 0, 0, NULL, 'refused'),
                    ('{B}', 'probe-1', 1796000070000, 1796000000000, 1, 1, 8, NULL);"
        ))
        .unwrap();
        let results = rows(&conn, RESULTS);
        let rollups = rows(
            &conn,
            "SELECT * FROM check_rollups ORDER BY monitor_id, resolution, bucket_start",
        );
        let locations = rows(
            &conn,
            "SELECT * FROM location_results ORDER BY monitor_id, location, checked_at",
        );

        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();

        assert_eq!(
            rows(&conn, RESULTS),
            results,
            "the view reads as the table did"
        );
        let keyed = |table: &str, order: &str| {
            let sql = format!(
                "SELECT k.monitor_id, t.* FROM {table} t JOIN monitor_keys k ON k.num = t.monitor
                 ORDER BY k.monitor_id, {order}"
            );
            let mut read = rows(&conn, &sql);
            // Without the key itself: the rows as they were.
            for r in &mut read {
                r.remove(1);
            }
            read
        };
        assert_eq!(keyed("check_rollups", "resolution, bucket_start"), rollups);
        assert_eq!(keyed("location_results", "location, checked_at"), locations);

        let a = A.parse().unwrap();
        let (checks, total) = recent(&conn, a, 0, 10).unwrap();
        assert_eq!(total, 3);
        let shape: Vec<_> = checks
            .iter()
            .map(|c| (c.ok, c.error_kind.as_str(), c.in_maintenance))
            .collect();
        assert_eq!(
            shape,
            [
                (false, "timeout", true),
                (false, "httpcode", false),
                (true, "none", false)
            ]
        );
        let since = crate::store::time::from_db(0);
        assert_eq!(buckets(&conn, a, "hour", since).unwrap().len(), 2);
        let b = B.parse().unwrap();
        let (checks, _) = recent(&conn, b, 0, 10).unwrap();
        assert_eq!(
            checks[0].details,
            Some(serde_json::json!({"answers": ["192.0.2.1"]}))
        );
        let per_location = counts(&conn, b, since).unwrap();
        assert_eq!(
            (per_location["probe-1"].checks, per_location["probe-1"].late),
            (1, 1)
        );
        // Each monitor's bound is its oldest row of any kind; keys stay the monitors' own.
        let bound: i64 = conn
            .query_row(
                "SELECT results_from FROM monitor_keys WHERE monitor_id = ?1",
                [A],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(bound, 1700000000000);
        let (ka, kb) = (key(&conn, a, since).unwrap(), key(&conn, b, since).unwrap());
        assert_ne!(ka, kb);
        // A deleted monitor takes its results, rollups and location results with it.
        conn.execute("DELETE FROM monitors WHERE id = ?1", [B])
            .unwrap();
        let left: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM checks WHERE monitor = ?1)
                      + (SELECT COUNT(*) FROM location_results WHERE monitor = ?1)
                      + (SELECT COUNT(*) FROM monitor_keys WHERE num = ?1)",
                [kb],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
        // Its number, the highest, is never given to another monitor.
        conn.execute_batch(&format!(
            "INSERT INTO monitors (id, organization_id, name, url, request_timeout_ms, interval_seconds,
                downtime_threshold, recovery_threshold, status, last_status_change_at, created_at, updated_at)
             VALUES ('{C}', '{ORG}', 'C', 'http://c.example/', 10000, 60, 2, 2, 'up', 1, 1, 1);"
        ))
        .unwrap();
        assert!(kb > ka);
        assert!(key(&conn, C.parse().unwrap(), since).unwrap() > kb);
    }
}
