-- Maintenance windows: one-off (starts_at, ends_at) or recurring (cron_schedule in timezone,
-- each occurrence lasting duration_minutes), over a selection (JSON: organization, monitorIds,
-- taskIds, tag). ended_at cuts the occurrence running then short ("end now"). next_start_at
-- and next_end_at are the occurrence the end timer waits for (the one running, or the next).
CREATE TABLE maintenance_windows (
    id               TEXT    PRIMARY KEY,
    organization_id  TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title            TEXT    NOT NULL,
    description      TEXT,
    starts_at        INTEGER,
    ends_at          INTEGER,
    cron_schedule    TEXT,
    timezone         TEXT    NOT NULL DEFAULT 'UTC',
    duration_minutes INTEGER,
    selection        TEXT    NOT NULL,
    pause_checks     INTEGER NOT NULL DEFAULT 0,
    ended_at         INTEGER,
    next_start_at    INTEGER,
    next_end_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK ((cron_schedule IS NULL) = (duration_minutes IS NULL)),
    CHECK ((cron_schedule IS NULL) = (starts_at IS NOT NULL AND ends_at IS NOT NULL))
);
CREATE INDEX maintenance_windows_by_org ON maintenance_windows (organization_id, created_at);
CREATE INDEX maintenance_windows_by_next_end ON maintenance_windows (next_end_at)
    WHERE next_end_at IS NOT NULL;

-- A check recorded while its monitor was in maintenance: kept, marked, and left out of uptime.
ALTER TABLE check_results ADD COLUMN in_maintenance INTEGER NOT NULL DEFAULT 0;
-- Checks of the bucket made in maintenance (not counted in checks and failures).
ALTER TABLE check_rollups ADD COLUMN maintenance_checks INTEGER NOT NULL DEFAULT 0;
