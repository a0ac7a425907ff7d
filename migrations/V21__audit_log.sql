-- The audit log: who changed what, when and from where. Owned by `audit`. One row per change,
-- written in the same transaction as the change itself (a rolled-back change leaves no row).
-- Ordered by `id` (newest first when listed): entries of one write job share a timestamp.
-- `actor_name` is the person's name at the time, so a later rename or removal keeps the log
-- readable; `user_id` and `token_id` are not foreign keys for the same reason.
-- `fields` names the changed fields (a JSON array of names only, never values: a value may be a
-- secret); `details` holds only values known to be harmless (counts of a bulk action, a sign-in
-- failure's reason).
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT    REFERENCES organizations (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    actor_kind      TEXT    NOT NULL,
    user_id         TEXT,
    actor_name      TEXT    NOT NULL,
    token_id        TEXT,
    address         TEXT,
    resource_type   TEXT    NOT NULL,
    resource_id     TEXT,
    action          TEXT    NOT NULL,
    fields          TEXT    NOT NULL DEFAULT '[]',
    details         TEXT
);
CREATE INDEX audit_log_by_org ON audit_log (organization_id, id);
CREATE INDEX audit_log_by_time ON audit_log (at);
