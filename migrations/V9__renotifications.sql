-- When each open, unacknowledged incident is next re-notified: planned by notifications, so it
-- lives in a table of theirs instead of a column of incidents. The plans already made move
-- over, so an upgrade loses no re-notification.
CREATE TABLE renotifications (
    incident_id TEXT    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    due_at      INTEGER NOT NULL
);
CREATE INDEX renotifications_by_due_at ON renotifications (due_at);

INSERT INTO renotifications (incident_id, due_at)
    SELECT id, renotify_at FROM incidents WHERE renotify_at IS NOT NULL;

DROP INDEX incidents_by_renotify_at;
ALTER TABLE incidents DROP COLUMN renotify_at;
