-- Each member's notification preferences in an organization: which of its personal channels
-- (e-mail today; SMS and web push when they exist) wake them, their phone number for SMS, and
-- quiet hours in their time zone (during them, only urgent escalation steps reach them; the
-- others are delayed to the end, not dropped). Notify owns this table.
CREATE TABLE notification_preferences (
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channels        TEXT,              -- JSON array of channel ids; NULL: every personal channel
    phone           TEXT,              -- E.164
    quiet_start     TEXT,              -- HH:MM, local time; NULL: no quiet hours
    quiet_end       TEXT,
    time_zone       TEXT,              -- IANA
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) WITHOUT ROWID;

-- A channel marked personal sends only to the member a notification is addressed to (an
-- escalation step naming members), never to its own list.
ALTER TABLE notification_channels ADD COLUMN personal INTEGER NOT NULL DEFAULT 0;
