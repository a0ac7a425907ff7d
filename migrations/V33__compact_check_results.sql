-- Check results in a compact form: a raw result is written every interval of every monitor and
-- kept for days, so its bytes are most of the database. Each row now names its monitor by a
-- small integer (`monitor_keys.num`, 1–3 bytes, instead of the 36-byte id, once per row and again
-- in every index), leaves NULL what a passing check does not need (`error_kind` is NULL when the
-- check passed, which also says `ok`), and has no index by time: the retention purge deletes
-- each monitor's oldest results through the primary key, visiting only the monitors whose
-- `results_from` is past the retention.

-- One row per monitor that has results (raw, rolled up or per location). `results_from`: no raw
-- result (`checks`) of the monitor is older. A lower bound: here the oldest result of any kind,
-- then the purge moves it to the oldest raw result left (far in the future when none is left)
-- and a result older than it (an import, a location's) moves it back. `num` is AUTOINCREMENT so
-- a deleted monitor's number is never given to another.
CREATE TABLE monitor_keys (
    num          INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id   TEXT    NOT NULL UNIQUE REFERENCES monitors (id) ON DELETE CASCADE,
    results_from INTEGER NOT NULL
);
CREATE INDEX monitor_keys_by_results_from ON monitor_keys (results_from);

-- Each table's oldest per monitor, read in its primary key's order (no sort of all history).
INSERT INTO monitor_keys (monitor_id, results_from)
SELECT r.monitor_id, MIN(r.oldest)
  FROM (SELECT monitor_id, MIN(checked_at) AS oldest FROM check_results GROUP BY monitor_id
        UNION ALL
        SELECT monitor_id, MIN(checked_at) FROM location_results GROUP BY monitor_id
        UNION ALL
        SELECT monitor_id, MIN(bucket_start) FROM check_rollups GROUP BY monitor_id) AS r
  JOIN monitors m ON m.id = r.monitor_id
 GROUP BY r.monitor_id
 ORDER BY MIN(m.rowid);

CREATE TABLE checks (
    monitor          INTEGER NOT NULL REFERENCES monitor_keys (num) ON DELETE CASCADE,
    checked_at       INTEGER NOT NULL,
    error_kind       TEXT,              -- NULL: the check passed
    http_code        INTEGER,
    response_time_ms INTEGER,
    error            TEXT,
    details          TEXT,
    in_maintenance   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor, checked_at)
) WITHOUT ROWID;

-- A failed result stored as 'none' (never written, but kept as it was) stays failed.
INSERT INTO checks (monitor, checked_at, error_kind, http_code, response_time_ms, error, details,
                    in_maintenance)
SELECT k.num, r.checked_at, CASE WHEN r.ok THEN NULL ELSE r.error_kind END, r.http_code,
       r.response_time_ms, r.error, r.details, r.in_maintenance
  FROM check_results r JOIN monitor_keys k ON k.monitor_id = r.monitor_id
 ORDER BY k.num, r.checked_at;

DROP TABLE check_results;

-- The results as they read before, for people and tools reading the file (the sqlite3 shell,
-- benchmarks); the server reads `checks`.
CREATE VIEW check_results AS
SELECT k.monitor_id, c.checked_at, c.error_kind IS NULL AS ok,
       COALESCE(c.error_kind, 'none') AS error_kind, c.http_code, c.response_time_ms, c.error,
       c.details, c.in_maintenance
  FROM checks c JOIN monitor_keys k ON k.num = c.monitor;

-- Each location's results, keyed the same way (the index by time stays: the location purge
-- reads it, and its entries now hold the small key).
CREATE TABLE location_results_keyed (
    monitor          INTEGER NOT NULL REFERENCES monitor_keys (num) ON DELETE CASCADE,
    location         TEXT    NOT NULL,
    checked_at       INTEGER NOT NULL,
    due              INTEGER NOT NULL,
    late             INTEGER NOT NULL,
    ok               INTEGER NOT NULL,
    response_time_ms INTEGER,
    error            TEXT,
    PRIMARY KEY (monitor, location, checked_at)
) WITHOUT ROWID;
INSERT INTO location_results_keyed
SELECT k.num, r.location, r.checked_at, r.due, r.late, r.ok, r.response_time_ms, r.error
  FROM location_results r JOIN monitor_keys k ON k.monitor_id = r.monitor_id
 ORDER BY k.num, r.location, r.checked_at;
DROP TABLE location_results;
ALTER TABLE location_results_keyed RENAME TO location_results;
CREATE INDEX location_results_by_time ON location_results (checked_at);

-- Rollups too: the hourly ones are kept for more than a year, as many rows as a week of raw
-- results at a one-minute interval.
CREATE TABLE check_rollups_keyed (
    monitor            INTEGER NOT NULL REFERENCES monitor_keys (num) ON DELETE CASCADE,
    resolution         TEXT    NOT NULL CHECK (resolution IN ('hour', 'day')),
    bucket_start       INTEGER NOT NULL,
    checks             INTEGER NOT NULL,
    failures           INTEGER NOT NULL,
    response_count     INTEGER NOT NULL,   -- checks that measured a response time
    response_ms_sum    INTEGER NOT NULL,
    response_ms_min    INTEGER,
    response_ms_max    INTEGER,
    maintenance_checks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor, resolution, bucket_start)
) WITHOUT ROWID;
INSERT INTO check_rollups_keyed
SELECT k.num, r.resolution, r.bucket_start, r.checks, r.failures, r.response_count,
       r.response_ms_sum, r.response_ms_min, r.response_ms_max, r.maintenance_checks
  FROM check_rollups r JOIN monitor_keys k ON k.monitor_id = r.monitor_id
 ORDER BY k.num, r.resolution, r.bucket_start;
DROP TABLE check_rollups;
ALTER TABLE check_rollups_keyed RENAME TO check_rollups;
CREATE INDEX check_rollups_by_age ON check_rollups (resolution, bucket_start);
