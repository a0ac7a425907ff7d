//! Dashboard sessions: a random secret in an HttpOnly cookie, its digest in the `sessions`
//! table with an expiry, so a session can be ended server-side at any time.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, SessionId, UserId};
use crate::secret;
use crate::store::time::to_db;

pub const COOKIE_NAME: &str = "dd_session";
pub const LIFETIME: Duration = Duration::days(14);
/// How stale `last_seen_at` may get: a session is written at most this often, not at each
/// request (its list shows "last seen" to the nearest ten minutes).
pub const SEEN_EVERY: Duration = Duration::minutes(10);

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
        "INSERT OR IGNORE INTO sessions (digest, id, user_id, organization_id, created_at, last_seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![digest, SessionId::generate(), user, org, to_db(now), to_db(now + LIFETIME)],
    )?;
    Ok(())
}

/// The user and organization of a live session, and whether its `last_seen_at` is older than
/// `SEEN_EVERY` (the caller then writes it with `seen`).
pub fn lookup(
    conn: &Connection,
    digest: &[u8],
    now: Timestamp,
) -> Result<Option<(UserId, OrgId, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id, organization_id, COALESCE(last_seen_at, created_at) <= ?3
             FROM sessions WHERE digest = ?1 AND expires_at > ?2",
        )?
        .query_row(params![digest, to_db(now), to_db(now - SEEN_EVERY)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// Notes that the session was used now.
pub fn seen(conn: &Connection, digest: &[u8], now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE digest = ?1",
        params![digest, to_db(now)],
    )?;
    Ok(())
}

/// Where a new session came from, as its list shows it: the client address and a short
/// browser label (see `browser::label`).
pub fn describe(
    conn: &Connection,
    digest: &[u8],
    address: Option<std::net::IpAddr>,
    browser: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET address = ?2, browser = ?3 WHERE digest = ?1",
        params![digest, address.map(|a| a.to_string()), browser],
    )?;
    Ok(())
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

/// Sessions opened while the disk was full (a login must keep working then: it is when people
/// need the dashboard most). They live in memory, are honoured like stored ones, and are written
/// to the `sessions` table as soon as the database stores changes again. A restart before that
/// ends them, which only means logging in again.
#[derive(Default)]
pub struct Unstored(Mutex<HashMap<[u8; 32], (UserId, OrgId, Timestamp)>>);

impl Unstored {
    pub fn add(&self, digest: [u8; 32], user: UserId, org: OrgId, now: Timestamp) {
        log::warn!("the disk is full: a new session is kept in memory until it can be stored");
        self.0
            .lock()
            .expect("sessions lock")
            .insert(digest, (user, org, now));
    }

    /// The user and organization of a live unstored session.
    pub fn lookup(&self, digest: &[u8], now: Timestamp) -> Option<(UserId, OrgId)> {
        let map = self.0.lock().expect("sessions lock");
        let (user, org, created) = map.get(digest)?;
        (*created + LIFETIME > now).then_some((*user, *org))
    }

    pub fn remove(&self, digest: &[u8]) {
        self.0.lock().expect("sessions lock").remove(digest);
    }

    /// Writes the unstored sessions; those that still cannot be written stay in memory.
    pub async fn store(&self, store: &crate::store::Store) -> Result<()> {
        let pending: Vec<_> = self
            .0
            .lock()
            .expect("sessions lock")
            .clone()
            .into_iter()
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        let written = pending.clone();
        store
            .write(move |conn| {
                for (digest, (user, org, created)) in &written {
                    insert(conn, digest, *user, *org, *created)?;
                }
                Ok(())
            })
            .await?;
        let mut map = self.0.lock().expect("sessions lock");
        for (digest, _) in pending {
            map.remove(&digest);
        }
        Ok(())
    }
}
