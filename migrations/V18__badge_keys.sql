-- Badge keys: the secret in a public badge URL (`/badge/{key}/{metric}.svg`) naming one monitor
-- or task. Owned by `badges`. One key per source; regenerating replaces it, deleting revokes it.
-- The key is shown again to members (`GET /monitors/{id}/badge-key`), so it is stored as is, like
-- a task's ping key: it only reads a status that the owner chose to publish.
-- Exactly one of `monitor_id` / `task_id` is set, each a foreign key, so deleting the monitor or
-- task (or renaming a task's id) takes its key along in the same statement.
CREATE TABLE badge_keys (
    key             TEXT    NOT NULL PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    monitor_id      TEXT    REFERENCES monitors (id) ON DELETE CASCADE,
    task_id         TEXT,
    created_at      INTEGER NOT NULL,
    CHECK ((monitor_id IS NULL) <> (task_id IS NULL)),
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id)
        ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX badge_keys_by_monitor ON badge_keys (monitor_id) WHERE monitor_id IS NOT NULL;
CREATE UNIQUE INDEX badge_keys_by_task ON badge_keys (organization_id, task_id) WHERE task_id IS NOT NULL;
