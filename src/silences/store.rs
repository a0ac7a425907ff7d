//! Queries on silences (this feature's table only; the maker's name joined from accounts).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{MAX_ACTIVE, Maker, Matchers, Silence};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::{OrgId, SilenceId, TokenId, UserId};
use crate::store::Page;
use crate::store::signals::{self, Subject};
use crate::store::time::{from_db, to_db};

/// A new silence, as checked by the route.
pub struct NewSilence<'a> {
    pub org: OrgId,
    pub matchers: &'a Matchers,
    pub reason: &'a str,
    pub ends_at: Timestamp,
    pub user: UserId,
    pub token: Option<TokenId>,
}

pub fn insert(conn: &Connection, s: &NewSilence<'_>, now: Timestamp) -> Result<SilenceId> {
    let id = SilenceId::generate();
    let matchers = serde_json::to_string(s.matchers).expect("matchers serialize");
    conn.prepare_cached(
        "INSERT INTO silences (id, organization_id, matchers, reason, ends_at, created_at,
            created_by_user, created_by_token)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        s.org,
        matchers,
        s.reason,
        to_db(s.ends_at),
        to_db(now),
        s.user,
        s.token
    ])?;
    signals::changed(s.org, Subject::Silences);
    Ok(id)
}

const SELECT: &str = "SELECT s.id, s.organization_id, s.matchers, s.reason, s.ends_at,
        s.ended_early, s.created_at, s.created_by_user, s.created_by_token,
        COALESCE(u.first_name || ' ' || u.last_name, '')
    FROM silences s LEFT JOIN users u ON u.id = s.created_by_user";

fn from_row(r: &Row<'_>, now: Timestamp) -> rusqlite::Result<Silence> {
    let raw: String = r.get(2)?;
    let ends_at = from_db(r.get(4)?);
    Ok(Silence {
        id: r.get(0)?,
        organization_id: r.get(1)?,
        // Written by `insert` from checked matchers; unreadable ones would cover nothing.
        matchers: serde_json::from_str(&raw).unwrap_or_default(),
        reason: r.get(3)?,
        ends_at,
        ended_early: r.get(5)?,
        active: ends_at > now,
        created_at: from_db(r.get(6)?),
        created_by: Maker {
            user_id: r.get(7)?,
            token_id: r.get(8)?,
            name: r.get(9)?,
        },
    })
}

pub fn get(
    conn: &Connection,
    org: OrgId,
    id: SilenceId,
    now: Timestamp,
) -> Result<Option<Silence>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE s.id = ?1 AND s.organization_id = ?2"
        ))?
        .query_row(params![id, org], |r| from_row(r, now))
        .optional()?)
}

/// A page of the organization's silences, newest first; only those in force if `active_only`.
pub fn list(
    conn: &Connection,
    org: OrgId,
    active_only: bool,
    now: Timestamp,
    offset: u32,
    limit: u32,
) -> Result<Page<Silence>> {
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM silences WHERE organization_id = ?1")?
        .query_row([org], |r| r.get(0))?;
    // Ended ones are those whose end is not after now; the smallest time lists all.
    let after = if active_only { to_db(now) } else { i64::MIN };
    let filtered: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM silences WHERE organization_id = ?1 AND ends_at > ?2",
        )?
        .query_row(params![org, after], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE s.organization_id = ?1 AND s.ends_at > ?2
             ORDER BY s.created_at DESC, s.id DESC LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(params![org, after, limit, offset], |r| from_row(r, now))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items,
        total,
        filtered,
    })
}

/// The organization's silences in force now (at most `MAX_ACTIVE`), the latest end first.
pub fn active(conn: &Connection, org: OrgId, now: Timestamp) -> Result<Vec<Silence>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE s.organization_id = ?1 AND s.ends_at > ?2
             ORDER BY s.ends_at DESC LIMIT ?3"
        ))?
        .query_map(params![org, to_db(now), MAX_ACTIVE], |r| from_row(r, now))?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn count_active(conn: &Connection, org: OrgId, now: Timestamp) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM silences WHERE organization_id = ?1 AND ends_at > ?2",
        )?
        .query_row(params![org, to_db(now)], |r| r.get(0))?)
}

/// Ends a silence in force now; returns false if it had already ended.
pub fn end_now(conn: &Connection, id: SilenceId, now: Timestamp) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE silences SET ends_at = ?2, ended_early = 1 WHERE id = ?1 AND ends_at > ?2",
        )?
        .execute(params![id, to_db(now)])?;
    Ok(changed > 0)
}
