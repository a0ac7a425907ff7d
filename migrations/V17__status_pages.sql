-- Status pages: a public (or private) page per slug, its groups of components as JSON (their
-- order is the array's; a component names a monitor or task of the page's organization), share
-- links (only the SHA-256 of their secret), and announcements with their updates.
CREATE TABLE status_pages (
    id               TEXT    PRIMARY KEY,
    organization_id  TEXT    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    slug             TEXT    NOT NULL UNIQUE,
    title            TEXT    NOT NULL,
    description      TEXT,
    logo             TEXT,
    footer           TEXT,
    visibility       TEXT    NOT NULL,
    noindex          INTEGER NOT NULL DEFAULT 0,
    language         TEXT    NOT NULL,
    theme            TEXT    NOT NULL,
    groups           TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX status_pages_by_org ON status_pages (organization_id, created_at);

CREATE TABLE status_page_share_links (
    id             TEXT    PRIMARY KEY,
    page_id        TEXT    NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    label          TEXT    NOT NULL,
    secret_digest  BLOB    NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    last_used_at   INTEGER
);
CREATE INDEX status_page_share_links_by_page ON status_page_share_links (page_id, created_at);

CREATE TABLE status_page_announcements (
    id             TEXT    PRIMARY KEY,
    page_id        TEXT    NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    title          TEXT    NOT NULL,
    impact         TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    component_ids  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER
);
CREATE INDEX status_page_announcements_by_page ON status_page_announcements (page_id, created_at);

CREATE TABLE status_page_announcement_updates (
    id               TEXT    PRIMARY KEY,
    announcement_id  TEXT    NOT NULL REFERENCES status_page_announcements (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX status_page_announcement_updates_by_announcement
    ON status_page_announcement_updates (announcement_id, created_at);
