-- Accounts, organizations, dashboard sessions and API access tokens.
-- Timestamps are INTEGER milliseconds since the Unix epoch (UTC); ids are hyphenated UUID text.

CREATE TABLE organizations (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN
                        ('Reporter', 'Editor', 'MemberInviter', 'MemberManager', 'Administrator', 'Owner')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships (user_id);

-- A session cookie holds a random secret; only its SHA-256 digest is stored.
CREATE TABLE sessions (
    digest          BLOB    PRIMARY KEY,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- An API token's secret is 32 random bytes; only their SHA-256 digest is stored.
-- scopes: JSON array of permission names; empty = everything the user's current role allows.
CREATE TABLE api_tokens (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label           TEXT    NOT NULL,
    secret_digest   BLOB    NOT NULL,
    scopes          TEXT    NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, organization_id);
