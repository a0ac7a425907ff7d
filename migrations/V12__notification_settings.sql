-- An organization's notification settings (the language of what is sent, the default
-- re-notification interval) move from columns of `organizations` (accounts' table) to a table
-- notify owns. Every organization's values are copied before the columns go.
CREATE TABLE notification_settings (
    organization_id  TEXT    PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    language         TEXT    NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
    renotify_minutes INTEGER
) WITHOUT ROWID;

INSERT INTO notification_settings (organization_id, language, renotify_minutes)
SELECT id, language, renotify_minutes FROM organizations;

ALTER TABLE organizations DROP COLUMN language;
ALTER TABLE organizations DROP COLUMN renotify_minutes;
