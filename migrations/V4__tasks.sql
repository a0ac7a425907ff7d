-- Scheduled jobs ("tasks") and their runs (reference §4).

CREATE TABLE tasks (
    organization_id           TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id                        TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 200),
    name                      TEXT    NOT NULL,
    description               TEXT,
    cron_schedule             TEXT,            -- 5-field Unix cron; NULL for an ad-hoc task
    timezone                  TEXT    NOT NULL DEFAULT 'UTC',
    start_window_seconds      INTEGER NOT NULL,
    lateness_window_seconds   INTEGER NOT NULL,
    heartbeat_timeout_seconds INTEGER NOT NULL,
    status                    TEXT    NOT NULL CHECK (status IN
                                  ('healthy', 'failing', 'running', 'due', 'late', 'absent')),
    previous_status           TEXT,
    last_status_change_at     INTEGER,
    next_due_at               INTEGER,         -- the occurrence being waited for
    deadline_at               INTEGER,         -- when the status next changes by itself
    ping_key                  TEXT    NOT NULL UNIQUE,
    created_at                INTEGER NOT NULL,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX tasks_by_deadline ON tasks (deadline_at) WHERE deadline_at IS NOT NULL;

CREATE TABLE task_runs (
    organization_id           TEXT    NOT NULL,
    task_id                   TEXT    NOT NULL,
    started_at                INTEGER NOT NULL,  -- the run's identity, unique per task
    status                    TEXT    NOT NULL CHECK (status IN
                                  ('running', 'finished', 'failed', 'aborted', 'dead')),
    completed_at              INTEGER,
    exit_code                 INTEGER,
    error_message             TEXT,
    output                    TEXT,              -- the tail of the job's output, ≤ 10 KB
    last_heartbeat_at         INTEGER,
    heartbeat_timeout_seconds INTEGER NOT NULL,
    dead_at                   INTEGER,           -- running only: last heartbeat + timeout
    updated_at                INTEGER NOT NULL,
    PRIMARY KEY (organization_id, task_id, started_at),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
        ON DELETE CASCADE ON UPDATE CASCADE,
    CHECK ((status = 'running') = (completed_at IS NULL))
) WITHOUT ROWID;
CREATE INDEX task_runs_by_dead_at ON task_runs (dead_at) WHERE status = 'running';
-- At most one running run per task.
CREATE UNIQUE INDEX task_runs_one_running ON task_runs (organization_id, task_id)
    WHERE status = 'running';

-- `/ping/{key}/log` messages: recorded, no status change.
CREATE TABLE task_logs (
    id              INTEGER PRIMARY KEY,
    organization_id TEXT    NOT NULL,
    task_id         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX task_logs_by_task ON task_logs (organization_id, task_id, created_at);

-- Task ids are unique per organization only: one open incident per source within an organization.
DROP INDEX incidents_one_open_per_source;
CREATE UNIQUE INDEX incidents_one_open_per_source ON incidents (organization_id, source_type, source_id)
    WHERE status IN ('tobeconfirmed', 'ongoing') AND source_id IS NOT NULL;
