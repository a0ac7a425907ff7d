-- Healthchecks' ping protocol: runs matched by the `rid` their pings carry, and organization ping
-- keys for `/ping/<ping-key>/<task-id>` URLs.

-- A run's `?rid=` (a UUID, lowercase with dashes); NULL for runs started without one.
ALTER TABLE task_runs ADD COLUMN rid TEXT;

-- Several runs of a task may be running at once when they carry distinct rids (runitor sends a
-- new one per run); still at most one running run without a rid.
DROP INDEX task_runs_one_running;
CREATE UNIQUE INDEX task_runs_one_running ON task_runs (organization_id, task_id)
    WHERE status = 'running' AND rid IS NULL;
CREATE UNIQUE INDEX task_runs_one_running_per_rid ON task_runs (organization_id, task_id, rid)
    WHERE status = 'running' AND rid IS NOT NULL;

-- One ping key per organization, made on demand: `/ping/{key}/{taskId}` names its tasks. Never
-- equal to a task's ping key (both are checked against the other table when set).
CREATE TABLE task_ping_keys (
    organization_id TEXT    PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    ping_key        TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL
);
