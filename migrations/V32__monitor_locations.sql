-- Where a monitor is checked from. `locations`: JSON array of "local" and/or probe label
-- selectors `key=value`; NULL is the default, this server only (so the probes' queries skip
-- those rows). `quorum`: failing locations that make the monitor down; NULL: a majority.
ALTER TABLE monitors ADD COLUMN locations TEXT;
ALTER TABLE monitors ADD COLUMN quorum INTEGER;

-- The latest fresh result of each location of a monitor: what the quorum reads at each slot.
-- `location` is "local" or a probe's id; `name` and `labels` are the probe's as it last
-- reported (monitors never read the probes table), so a page names it and the quorum knows
-- whether the monitor still selects it.
CREATE TABLE monitor_locations (
    monitor_id       TEXT    NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    location         TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    labels           TEXT    NOT NULL,
    due              INTEGER NOT NULL,
    checked_at       INTEGER NOT NULL,
    error_kind       TEXT    NOT NULL,
    http_code        INTEGER,
    response_time_ms INTEGER NOT NULL,
    answered         INTEGER NOT NULL,
    error            TEXT,
    tls_expires_at   INTEGER,
    details          TEXT,
    PRIMARY KEY (monitor_id, location)
) WITHOUT ROWID;

-- Every result of every location, for the raw retention period (as check_results): per
-- location uptime, response times and late results. `late`: it arrived after its monitor's
-- interval had passed, so it never counted for the quorum.
CREATE TABLE location_results (
    monitor_id       TEXT    NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    location         TEXT    NOT NULL,
    checked_at       INTEGER NOT NULL,
    due              INTEGER NOT NULL,
    late             INTEGER NOT NULL,
    ok               INTEGER NOT NULL,
    response_time_ms INTEGER,
    error            TEXT,
    PRIMARY KEY (monitor_id, location, checked_at)
) WITHOUT ROWID;
CREATE INDEX location_results_by_time ON location_results (checked_at);

-- The monitors an organization's probe checks (`monitors::locations::assigned`): few among the
-- organization's monitors have locations.
CREATE INDEX monitors_with_locations ON monitors (organization_id) WHERE locations IS NOT NULL;
