-- Web push: the browsers (phones, desktops) where a user turned on notifications. A
-- subscription belongs to a person, not to an organization: a webPush channel of an
-- organization pushes to its members' subscriptions. `endpoint` is the push service's URL for
-- that browser (unique: subscribing again from the same browser, even as someone else, takes the
-- row over); `p256dh` (65 bytes) and `auth` (16 bytes) are the browser's keys the messages are
-- encrypted for (RFC 8291).
CREATE TABLE push_subscriptions (
    id         TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   TEXT    NOT NULL UNIQUE,
    p256dh     BLOB    NOT NULL,
    auth       BLOB    NOT NULL,
    label      TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);
