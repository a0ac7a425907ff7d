-- Sessions a user can list and end. The digest stays the key the cookie is looked up by and is
-- never shown; `id` is the public handle. `last_seen_at` is coarse (written at most every ten
-- minutes, so a request costs no write); `address` and `browser` are what the sign-in came from
-- (the browser as a short label made from the User-Agent, never the raw header).
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE sessions ADD COLUMN address TEXT;
ALTER TABLE sessions ADD COLUMN browser TEXT;

-- Existing sessions get random ids in the hyphenated UUID form ids are written in (a version 4
-- layout: the random hex of each row, cut and marked).
UPDATE sessions
   SET id = lower(substr(r.h, 1, 8) || '-' || substr(r.h, 9, 4) || '-4' || substr(r.h, 14, 3)
                  || '-8' || substr(r.h, 18, 3) || '-' || substr(r.h, 21, 12)),
       last_seen_at = created_at
  FROM (SELECT digest AS d, hex(randomblob(16)) AS h FROM sessions) AS r
 WHERE sessions.digest = r.d;
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);

-- A password reset link's secret is 32 random bytes; only their SHA-256 digest is stored. A link
-- is used once (its row deleted), and a newer request replaces the user's older links.
CREATE TABLE password_resets (
    digest     BLOB    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX password_resets_by_user ON password_resets (user_id);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);
