//! Dashboard sessions: a random secret in an HttpOnly cookie, its digest in the `sessions`
//! table with an expiry, so a session can be ended server-side at any time.

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, UserId};
use crate::secret;
use crate::store::time::to_db;

pub const COOKIE_NAME: &str = "dd_session";
pub const LIFETIME: Duration = Duration::days(14);

/// A new session secret: the cookie value (hex) and the digest to store.
pub fn new_secret() -> (String, [u8; 32]) {
    let secret = secret::generate();
    (hex::encode(secret), secret::digest(&secret))
}

/// The digest of a cookie value, or None if the value cannot be a session secret.
pub fn digest_of_cookie(value: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(value)
        .ok()
        .filter(|b| b.len() == secret::SECRET_LEN)?;
    Some(secret::digest(&bytes))
}

pub fn insert(
    conn: &Connection,
    digest: &[u8],
    user: UserId,
    org: OrgId,
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO sessions (digest, user_id, organization_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![digest, user, org, to_db(now), to_db(now + LIFETIME)],
    )?;
    Ok(())
}

/// The user and organization of a live session.
pub fn lookup(conn: &Connection, digest: &[u8], now: Timestamp) -> Result<Option<(UserId, OrgId)>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id, organization_id FROM sessions WHERE digest = ?1 AND expires_at > ?2",
        )?
        .query_row(params![digest, to_db(now)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub fn delete(conn: &Connection, digest: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE digest = ?1", [digest])?;
    Ok(())
}

/// Ends every session of `user` except `keep` (the one changing the password).
pub fn delete_others(conn: &Connection, user: UserId, keep: Option<&[u8]>) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR digest <> ?2)",
        params![user, keep],
    )?)
}

pub fn purge_expired(conn: &Connection, now: Timestamp) -> Result<usize> {
    Ok(conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [to_db(now)])?)
}
