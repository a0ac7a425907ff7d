-- Two-factor sign-in (TOTP, RFC 6238) and each organization's policy.
-- Timestamps are INTEGER milliseconds since the Unix epoch (UTC).

-- One authenticator per user. `secret` is the TOTP key: it must be readable to check codes, so
-- it is stored as is and never returned after enrolment. `confirmed_at` is NULL while the user
-- enrols (a code from the new key turns it on); `last_step` is the 30 s step of the last code
-- accepted, so a code works once.
CREATE TABLE two_factor (
    user_id      TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BLOB    NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER,
    created_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- One-time recovery codes: only SHA-256 digests (the codes are 80 random bits).
CREATE TABLE two_factor_recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest  BLOB NOT NULL,
    PRIMARY KEY (user_id, digest)
) WITHOUT ROWID;

-- A sign-in that passed the password and waits for the second factor: a random secret handed to
-- the client, its digest here, for 5 minutes.
CREATE TABLE two_factor_challenges (
    digest     BLOB    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX two_factor_challenges_by_expiry ON two_factor_challenges (expires_at);

-- An organization whose Owner requires two-factor sign-in of every member. No row: not required.
CREATE TABLE two_factor_policies (
    organization_id TEXT    PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    required        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) WITHOUT ROWID;
