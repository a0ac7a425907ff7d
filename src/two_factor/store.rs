//! Queries of the two-factor tables; the only module that touches them.

use chrono::Duration;
use rusqlite::{Connection, OptionalExtension, params};

use super::{recovery, totp};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, UserId};
use crate::store::time::to_db;

/// How long the second step of a sign-in may wait after the password.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

/// Whether the user has two-factor sign-in turned on (enrolment confirmed).
pub fn enabled(conn: &Connection, user: UserId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM two_factor WHERE user_id = ?1 AND confirmed_at IS NOT NULL")?
        .exists([user])?)
}

/// Recovery codes not used yet.
pub fn recovery_codes_left(conn: &Connection, user: UserId) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = ?1",
        [user],
        |r| r.get(0),
    )?)
}

/// Starts (or restarts) an enrolment with a new key; the caller checked it is not turned on.
pub fn start_enrolment(
    conn: &Connection,
    user: UserId,
    secret: &[u8],
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO two_factor (user_id, secret, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET secret = ?2, created_at = ?3, last_step = NULL
         WHERE confirmed_at IS NULL",
        params![user, secret, to_db(now)],
    )?;
    Ok(())
}

/// The key and last step used, of a confirmed (`true`) or pending (`false`) authenticator.
fn key(conn: &Connection, user: UserId, confirmed: bool) -> Result<Option<(Vec<u8>, Option<i64>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT secret, last_step FROM two_factor
             WHERE user_id = ?1 AND (confirmed_at IS NOT NULL) = ?2",
        )?
        .query_row(params![user, confirmed], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Checks `code` against the user's confirmed (or, with `confirmed` false, pending) key and
/// uses it up; false for a wrong, old or already used code.
pub fn use_code(
    conn: &Connection,
    user: UserId,
    code: &str,
    now: Timestamp,
    confirmed: bool,
) -> Result<bool> {
    let Some((secret, last)) = key(conn, user, confirmed)? else {
        return Ok(false);
    };
    let Some(step) = totp::verify(&secret, code, now, last) else {
        return Ok(false);
    };
    conn.execute(
        "UPDATE two_factor SET last_step = ?2 WHERE user_id = ?1",
        params![user, step],
    )?;
    Ok(true)
}

/// Turns the pending authenticator on, with new recovery codes (replacing any).
pub fn confirm(conn: &Connection, user: UserId, codes: &[[u8; 32]], now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE two_factor SET confirmed_at = ?2 WHERE user_id = ?1",
        params![user, to_db(now)],
    )?;
    replace_recovery_codes(conn, user, codes)
}

pub fn replace_recovery_codes(conn: &Connection, user: UserId, codes: &[[u8; 32]]) -> Result<()> {
    conn.execute(
        "DELETE FROM two_factor_recovery_codes WHERE user_id = ?1",
        [user],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO two_factor_recovery_codes (user_id, digest) VALUES (?1, ?2)",
    )?;
    for digest in codes {
        insert.execute(params![user, &digest[..]])?;
    }
    Ok(())
}

/// Uses up a recovery code; false when it is not one of the user's unused codes.
pub fn use_recovery_code(conn: &Connection, user: UserId, typed: &str) -> Result<bool> {
    let digest = recovery::digest(typed);
    Ok(conn.execute(
        "DELETE FROM two_factor_recovery_codes WHERE user_id = ?1 AND digest = ?2",
        params![user, &digest[..]],
    )? > 0)
}

/// Turns two-factor sign-in off: the key and the recovery codes go. False if it was not on.
pub fn remove(conn: &Connection, user: UserId) -> Result<bool> {
    conn.execute(
        "DELETE FROM two_factor_recovery_codes WHERE user_id = ?1",
        [user],
    )?;
    Ok(conn.execute("DELETE FROM two_factor WHERE user_id = ?1", [user])? > 0)
}

pub fn insert_challenge(
    conn: &Connection,
    digest: &[u8],
    user: UserId,
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "DELETE FROM two_factor_challenges WHERE expires_at <= ?1",
        [to_db(now)],
    )?;
    conn.execute(
        "INSERT INTO two_factor_challenges (digest, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![digest, user, to_db(now + CHALLENGE_LIFETIME)],
    )?;
    Ok(())
}

/// The user of a live challenge.
pub fn challenge_user(conn: &Connection, digest: &[u8], now: Timestamp) -> Result<Option<UserId>> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id FROM two_factor_challenges WHERE digest = ?1 AND expires_at > ?2",
        )?
        .query_row(params![digest, to_db(now)], |r| r.get(0))
        .optional()?)
}

pub fn delete_challenge(conn: &Connection, digest: &[u8]) -> Result<()> {
    conn.execute(
        "DELETE FROM two_factor_challenges WHERE digest = ?1",
        [digest],
    )?;
    Ok(())
}

/// Whether the organization's Owner requires two-factor sign-in.
pub fn required(conn: &Connection, org: OrgId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT required FROM two_factor_policies WHERE organization_id = ?1")?
        .query_row([org], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

pub fn set_required(conn: &Connection, org: OrgId, required: bool, now: Timestamp) -> Result<()> {
    conn.execute(
        "INSERT INTO two_factor_policies (organization_id, required, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (organization_id) DO UPDATE SET required = ?2, updated_at = ?3",
        params![org, required, to_db(now)],
    )?;
    Ok(())
}

/// A session of `user` in `org` may only enrol: the organization requires two-factor sign-in
/// and the user has not turned it on.
pub fn enrolment_required(conn: &Connection, user: UserId, org: OrgId) -> Result<bool> {
    Ok(required(conn, org)? && !enabled(conn, user)?)
}
