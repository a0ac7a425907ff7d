-- HTTP monitors, their check history (raw and rolled up), and incidents with their timelines.

CREATE TABLE monitors (
    id                         TEXT    PRIMARY KEY,
    organization_id            TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                       TEXT    NOT NULL,
    url                        TEXT    NOT NULL,
    method                     TEXT    NOT NULL DEFAULT 'GET',
    request_headers            TEXT    NOT NULL DEFAULT '{}',   -- JSON object
    request_body               TEXT,
    request_timeout_ms         INTEGER NOT NULL,
    interval_seconds           INTEGER NOT NULL CHECK (interval_seconds >= 5),
    downtime_threshold         INTEGER NOT NULL CHECK (downtime_threshold BETWEEN 1 AND 10),
    recovery_threshold         INTEGER NOT NULL CHECK (recovery_threshold BETWEEN 1 AND 10),
    accepted_status_codes      TEXT    NOT NULL DEFAULT '200-399',
    follow_redirects           INTEGER NOT NULL DEFAULT 1,
    verify_tls                 INTEGER NOT NULL DEFAULT 1,
    assertion                  TEXT,                             -- JSON, see monitors::model::Assertion
    response_time_threshold_ms INTEGER,
    tls_expiry_warning_days    INTEGER NOT NULL DEFAULT 14,
    metadata                   TEXT    NOT NULL DEFAULT '{}',   -- JSON object of strings
    status                     TEXT    NOT NULL CHECK (status IN
                                   ('unknown', 'inactive', 'up', 'recovering', 'suspicious', 'down', 'archived')),
    status_counter             INTEGER NOT NULL DEFAULT 0,
    error_kind                 TEXT    NOT NULL DEFAULT 'none',
    last_http_code             INTEGER,
    last_response_time_ms      INTEGER,
    last_error                 TEXT,
    tls_expires_at             INTEGER,
    first_check_at             INTEGER,
    last_check_at              INTEGER,
    next_check_at              INTEGER,                          -- NULL when paused or archived
    last_status_change_at      INTEGER NOT NULL,
    archived_at                INTEGER,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX monitors_by_org ON monitors (organization_id, name COLLATE NOCASE);
CREATE INDEX monitors_due ON monitors (next_check_at) WHERE next_check_at IS NOT NULL;

-- Every check, kept for the raw retention period.
CREATE TABLE check_results (
    monitor_id       TEXT    NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    checked_at       INTEGER NOT NULL,
    ok               INTEGER NOT NULL,
    error_kind       TEXT    NOT NULL,
    http_code        INTEGER,
    response_time_ms INTEGER,
    error            TEXT,
    PRIMARY KEY (monitor_id, checked_at)
) WITHOUT ROWID;
CREATE INDEX check_results_by_time ON check_results (checked_at);

-- Hourly and daily aggregates, kept for at least a year; uptime and charts read only these.
CREATE TABLE check_rollups (
    monitor_id      TEXT    NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    resolution      TEXT    NOT NULL CHECK (resolution IN ('hour', 'day')),
    bucket_start    INTEGER NOT NULL,
    checks          INTEGER NOT NULL,
    failures        INTEGER NOT NULL,
    response_count  INTEGER NOT NULL,   -- checks that measured a response time
    response_ms_sum INTEGER NOT NULL,
    response_ms_min INTEGER,
    response_ms_max INTEGER,
    PRIMARY KEY (monitor_id, resolution, bucket_start)
) WITHOUT ROWID;

CREATE TABLE incidents (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_type     TEXT    NOT NULL CHECK (source_type IN ('httpmonitor', 'tlscertificate', 'task', 'manual')),
    source_id       TEXT,
    title           TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('tobeconfirmed', 'ongoing', 'resolved')),
    priority        TEXT    NOT NULL CHECK (priority IN
                        ('emergency', 'critical', 'major', 'minor', 'warning', 'notice')),
    cause           TEXT,                                   -- JSON
    metadata        TEXT    NOT NULL DEFAULT '{}',
    created_by      TEXT    REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- At most one open incident per source.
CREATE UNIQUE INDEX incidents_one_open_per_source ON incidents (source_type, source_id)
    WHERE status IN ('tobeconfirmed', 'ongoing') AND source_id IS NOT NULL;
CREATE INDEX incidents_by_org ON incidents (organization_id, created_at);
CREATE INDEX incidents_by_source ON incidents (source_type, source_id, created_at);

CREATE TABLE incident_acknowledgements (
    incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (incident_id, user_id)
) WITHOUT ROWID;

-- The timeline. The rowid orders events that share a millisecond.
CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    user_id     TEXT    REFERENCES users (id) ON DELETE SET NULL,
    event_type  TEXT    NOT NULL,
    payload     TEXT                                       -- JSON
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);
