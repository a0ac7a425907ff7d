-- Invitations to join an organization. The link carries a random secret; only its SHA-256
-- digest is stored (the id alone, which the URL shows, admits nobody). A row is kept after it
-- stops being pending (accepted, revoked, rejected, replaced) so that an old link answers 410
-- with the reason instead of a bare 404. At most one pending invitation per address and
-- organization: re-inviting replaces it.
CREATE TABLE invitations (
    id              TEXT    PRIMARY KEY,
    organization_id TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT    NOT NULL COLLATE NOCASE,
    role            TEXT    NOT NULL CHECK (role IN
                        ('Reporter', 'Editor', 'MemberInviter', 'MemberManager', 'Administrator', 'Owner')),
    inviter_id      TEXT    REFERENCES users (id) ON DELETE SET NULL,
    secret_digest   BLOB    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN
                        ('pending', 'accepted', 'revoked', 'rejected', 'replaced')),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE UNIQUE INDEX invitations_pending ON invitations (organization_id, email) WHERE status = 'pending';
CREATE INDEX invitations_by_org ON invitations (organization_id, created_at);
