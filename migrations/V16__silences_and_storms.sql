-- Silences and storm grouping.
--
-- Silences: ad-hoc mutes of notifications (not of checks) over a selection of sources, until a
-- required end. `ends_at` is the end as planned, or the moment someone ended it early
-- (`ended_early` = 1). Silences owns this table.
CREATE TABLE silences (
    id               TEXT    PRIMARY KEY,
    organization_id  TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    matchers         TEXT    NOT NULL,  -- JSON: {all, sourceIds, kinds, tags}
    reason           TEXT    NOT NULL DEFAULT '',
    ends_at          INTEGER NOT NULL,
    ended_early      INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    created_by_user  TEXT    REFERENCES users (id) ON DELETE SET NULL,
    created_by_token TEXT    -- the API token used, if any (kept after the token is deleted)
);
CREATE INDEX silences_by_org_end ON silences (organization_id, ends_at);

-- Notifications held while a silence covers an incident's source: one row per incident, due
-- for a decision at `until` (the silence's end, or sooner when a silence is ended early).
-- Notify owns this table.
CREATE TABLE notification_holds (
    incident_id     TEXT    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    until           INTEGER NOT NULL,
    held_at         INTEGER NOT NULL,
    told_until      INTEGER NOT NULL  -- the end the timeline was told ("silenced until …")
);
CREATE INDEX notification_holds_by_until ON notification_holds (until);
CREATE INDEX notification_holds_by_org ON notification_holds (organization_id);

-- Storm grouping: when more than `storm_threshold` incidents of an organization open (or
-- resolve) within `storm_window_seconds`, each channel gets digests instead of one message
-- each. A digest is led by one outbox row (its id is the digest's idempotency key; its
-- `digest_id` is its own id); the other rows of the digest point at it and are never due
-- themselves (`next_attempt_at` NULL), and take the leader's outcome. A leader takes members
-- while `gathering`, until it is claimed for sending.
ALTER TABLE notification_outbox ADD COLUMN digest_id TEXT;
ALTER TABLE notification_outbox ADD COLUMN gathering INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notification_outbox_by_digest ON notification_outbox (digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX notification_outbox_gathering ON notification_outbox (channel_id, event) WHERE gathering = 1;
ALTER TABLE notification_settings ADD COLUMN storm_threshold INTEGER NOT NULL DEFAULT 5;
ALTER TABLE notification_settings ADD COLUMN storm_window_seconds INTEGER NOT NULL DEFAULT 60;
