//! Share links of a private page: each a label and a 256-bit secret, of which only the SHA-256
//! is stored (`crate::secret`), revocable one by one.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::ShareLink;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{ShareLinkId, StatusPageId};
use crate::store::time::{from_db, opt_from_db, to_db};

/// At most this many links per page, revoked ones included.
pub const MAX_PER_PAGE: i64 = 100;
/// "Last used" is written at most this often per link, so a visited page does not write at
/// every request.
pub const USE_GRANULARITY_MS: i64 = 60_000;

fn from_row(r: &Row<'_>) -> rusqlite::Result<ShareLink> {
    Ok(ShareLink {
        id: r.get(0)?,
        label: r.get(1)?,
        created_at: from_db(r.get(2)?),
        revoked_at: opt_from_db(r.get(3)?),
        last_used_at: opt_from_db(r.get(4)?),
    })
}

pub fn list(conn: &Connection, page: StatusPageId) -> Result<Vec<ShareLink>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, label, created_at, revoked_at, last_used_at FROM status_page_share_links
             WHERE page_id = ?1 ORDER BY created_at, id",
        )?
        .query_map([page], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection, page: StatusPageId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM status_page_share_links WHERE page_id = ?1")?
        .query_row([page], |r| r.get(0))?)
}

pub fn insert(
    conn: &Connection,
    page: StatusPageId,
    label: &str,
    digest: &[u8],
    now: Timestamp,
) -> Result<ShareLinkId> {
    let id = ShareLinkId::generate();
    conn.prepare_cached(
        "INSERT INTO status_page_share_links (id, page_id, label, secret_digest, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, page, label, digest, to_db(now)])?;
    Ok(id)
}

/// Revokes the link; false if the page has no such link.
pub fn revoke(
    conn: &Connection,
    page: StatusPageId,
    id: ShareLinkId,
    now: Timestamp,
) -> Result<bool> {
    let found = conn
        .prepare_cached(
            "UPDATE status_page_share_links SET revoked_at = COALESCE(revoked_at, ?3)
             WHERE page_id = ?1 AND id = ?2",
        )?
        .execute(params![page, id, to_db(now)])?;
    Ok(found > 0)
}

/// The page's link whose secret has this digest, if not revoked, with when it was last used.
pub fn valid(
    conn: &Connection,
    page: StatusPageId,
    digest: &[u8],
) -> Result<Option<(ShareLinkId, Option<Timestamp>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, last_used_at FROM status_page_share_links
             WHERE page_id = ?1 AND secret_digest = ?2 AND revoked_at IS NULL",
        )?
        .query_row(params![page, digest], |r| {
            Ok((r.get(0)?, opt_from_db(r.get(1)?)))
        })
        .optional()?)
}

pub fn mark_used(conn: &Connection, id: ShareLinkId, now: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE status_page_share_links SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![id, to_db(now)])?;
    Ok(())
}
