-- Notifications: channels per organization, a durable outbox written in the same transaction as
-- the incident change that causes it, and each delivery attempt.

CREATE TABLE notification_channels (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('email', 'webhook', 'slack', 'discord', 'ntfy')),
    config          TEXT    NOT NULL,  -- JSON, by kind
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX notification_channels_by_org ON notification_channels (organization_id, name);

CREATE TABLE notification_outbox (
    id              TEXT    PRIMARY KEY,  -- also the receivers' idempotency key
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    channel_id      TEXT    NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    incident_id     TEXT    REFERENCES incidents (id) ON DELETE CASCADE,  -- NULL for a test
    event           TEXT    NOT NULL CHECK (event IN
                        ('opened', 'acknowledged', 'resolved', 'renotification', 'test')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'gaveup')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,              -- pending only: due time, or the end of a lease
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_by_channel ON notification_outbox (channel_id, created_at);

CREATE TABLE notification_attempts (
    id           INTEGER PRIMARY KEY,
    outbox_id    TEXT    NOT NULL REFERENCES notification_outbox (id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('sent', 'failed', 'gaveup')),
    error        TEXT,
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX notification_attempts_by_outbox ON notification_attempts (outbox_id, id);

-- Texts go out in the organization's language; re-notification every N minutes until someone
-- acknowledges (NULL: never), per organization and overridable per monitor or task.
ALTER TABLE organizations ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr'));
ALTER TABLE organizations ADD COLUMN renotify_minutes INTEGER;
-- The channels a source notifies: a JSON array of channel ids; NULL means all of the organization.
ALTER TABLE monitors ADD COLUMN notification_channels TEXT;
ALTER TABLE monitors ADD COLUMN renotify_minutes INTEGER;
ALTER TABLE tasks ADD COLUMN notification_channels TEXT;
ALTER TABLE tasks ADD COLUMN renotify_minutes INTEGER;
-- When an open, unacknowledged incident is next re-notified.
ALTER TABLE incidents ADD COLUMN renotify_at INTEGER;
CREATE INDEX incidents_by_renotify_at ON incidents (renotify_at) WHERE renotify_at IS NOT NULL;
