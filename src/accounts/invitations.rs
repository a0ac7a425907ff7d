//! Invitations to join an organization: the `invitations` table, and what a link's holder may
//! learn. The link carries a random 256-bit secret (`crate::secret`); only its digest is stored,
//! so the id the URL shows admits nobody, and a database copy holds no usable link.

use rusqlite::{Connection, OptionalExtension, Row, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::roles::Role;
use crate::clock::Timestamp;
use crate::error::{Error, Kind, Result};
use crate::ids::{InvitationId, OrgId, UserId};
use crate::secret;
use crate::store::time::{from_db, to_db};

/// How long an ended (or expired) invitation is kept, so its link answers 410 with the reason.
const KEPT_AFTER_END: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// `serve --invitation-expiry`'s default.
pub const DEFAULT_EXPIRY: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: InvitationId,
    pub organization_id: OrgId,
    pub email: String,
    /// The role given on acceptance.
    pub role: Role,
    /// The same role in a list, as the original clients read it.
    pub roles: Vec<Role>,
    pub inviter_id: Option<UserId>,
    /// pending, accepted, revoked, rejected or replaced (by a newer invitation to the address).
    pub status: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

const COLUMNS: &str =
    "id, organization_id, email, role, inviter_id, status, created_at, expires_at, secret_digest";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Invitation, Vec<u8>)> {
    let role: String = r.get(3)?;
    let role = Role::parse(&role).unwrap_or(Role::Reporter);
    Ok((
        Invitation {
            id: r.get(0)?,
            organization_id: r.get(1)?,
            email: r.get(2)?,
            role,
            roles: vec![role],
            inviter_id: r.get(4)?,
            status: r.get(5)?,
            created_at: from_db(r.get(6)?),
            expires_at: from_db(r.get(7)?),
        },
        r.get(8)?,
    ))
}

/// A new pending invitation and the secret of its link (hex). A pending invitation to the same
/// address is marked replaced: its link stops working.
pub fn insert(
    conn: &Connection,
    org: OrgId,
    email: &str,
    role: Role,
    inviter: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(Invitation, String)> {
    conn.execute(
        "UPDATE invitations SET status = 'replaced', ended_at = ?3
         WHERE organization_id = ?1 AND email = ?2 AND status = 'pending'",
        params![org, email, to_db(now)],
    )?;
    // Ended rows only say why an old link fails; after a while a 404 says enough. Purged here,
    // a few at a time per organization, so the table stays the size of recent activity.
    conn.execute(
        "DELETE FROM invitations WHERE id IN (
             SELECT id FROM invitations WHERE organization_id = ?1
               AND COALESCE(ended_at, expires_at) < ?2 LIMIT 100)",
        params![org, to_db(now - KEPT_AFTER_END)],
    )?;
    let secret = secret::generate();
    let id = InvitationId::generate();
    conn.execute(
        "INSERT INTO invitations (id, organization_id, email, role, inviter_id, secret_digest, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, org, email, role.as_str(), inviter, secret::digest(&secret).as_slice(), to_db(now), to_db(expires_at)],
    )?;
    let (invitation, _) = get(conn, org, id)?.ok_or_else(|| Error::internal("invitation"))?;
    Ok((invitation, hex::encode(secret)))
}

pub fn get(
    conn: &Connection,
    org: OrgId,
    id: InvitationId,
) -> Result<Option<(Invitation, Vec<u8>)>> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = ?1 AND organization_id = ?2");
    Ok(conn
        .query_row(&sql, params![id, org], from_row)
        .optional()?)
}

/// The invitation a link's holder may act on: the secret must match (else 404, as for an
/// unknown id: the id alone proves nothing), then it must still be pending and unexpired (410,
/// saying which).
pub fn open(
    conn: &Connection,
    org: OrgId,
    id: InvitationId,
    token: &str,
    now: Timestamp,
) -> Result<Invitation> {
    let not_found = || Error::not_found("invitation");
    let (invitation, digest) = get(conn, org, id)?.ok_or_else(not_found)?;
    let presented = hex::decode(token.trim()).map_err(|_| not_found())?;
    if !secret::matches(&presented, &digest) {
        return Err(not_found());
    }
    usable(&invitation, now)?;
    Ok(invitation)
}

/// 410 for an invitation that can no longer be used, with a code per reason.
pub fn usable(invitation: &Invitation, now: Timestamp) -> Result<()> {
    let gone = |code, message: &str| Err(Error::new(Kind::Gone, code, message));
    match invitation.status.as_str() {
        "pending" if invitation.expires_at <= now => gone(
            "invitation_expired",
            "this invitation has expired; ask for a new one",
        ),
        "pending" => Ok(()),
        "accepted" => gone("invitation_used", "this invitation was already accepted"),
        "revoked" => gone("invitation_revoked", "this invitation was revoked"),
        "rejected" => gone("invitation_rejected", "this invitation was declined"),
        _ => gone(
            "invitation_replaced",
            "a newer invitation was sent to this address; use its link",
        ),
    }
}

/// Ends a pending invitation: accepted, revoked or rejected.
pub fn end(conn: &Connection, id: InvitationId, status: &str, now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE invitations SET status = ?2, ended_at = ?3 WHERE id = ?1 AND status = 'pending'",
        params![id, status, to_db(now)],
    )?;
    Ok(())
}

/// One page of an organization's pending invitations (expired ones included, to resend or
/// revoke), newest first, and how many there are.
pub fn pending(
    conn: &Connection,
    org: OrgId,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Invitation>, i64)> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE organization_id = ?1 AND status = 'pending'
         ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![org, limit, offset], from_row)?;
    let items = rows
        .map(|r| r.map(|(i, _)| i))
        .collect::<rusqlite::Result<_>>()?;
    let total = conn.query_row(
        "SELECT COUNT(*) FROM invitations WHERE organization_id = ?1 AND status = 'pending'",
        [org],
        |r| r.get(0),
    )?;
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory_with_org;

    #[test]
    fn a_link_opens_with_its_secret_only_and_old_rows_are_purged() {
        let (conn, org) = memory_with_org();
        let inviter = UserId::generate();
        conn.execute(
            "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at)
             VALUES (?1, 'ada@example.com', 'Ada', 'L', 'x', 0, 0)",
            [inviter],
        )
        .unwrap();
        let t0 = chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::days(1000);
        let week = t0 + chrono::TimeDelta::days(7);
        let (first, secret) = insert(
            &conn,
            org,
            "bob@example.com",
            Role::Editor,
            inviter,
            t0,
            week,
        )
        .unwrap();
        let open_at = |token: &str, at| open(&conn, org, first.id, token, at).map_err(|e| e.code);
        assert_eq!(open_at(&secret, t0).unwrap().role, Role::Editor);
        assert_eq!(open_at(&"00".repeat(32), t0).unwrap_err(), "not_found");
        assert_eq!(open_at("not hex", t0).unwrap_err(), "not_found");
        assert_eq!(open_at(&secret, week).unwrap_err(), "invitation_expired");

        // Replaced by a new invitation to the address; kept 30 days after, then purged.
        let later = t0 + chrono::TimeDelta::days(1);
        insert(
            &conn,
            org,
            "BOB@example.com",
            Role::Reporter,
            inviter,
            later,
            week,
        )
        .unwrap();
        assert_eq!(open_at(&secret, later).unwrap_err(), "invitation_replaced");
        let month = later + KEPT_AFTER_END + chrono::TimeDelta::days(1);
        insert(
            &conn,
            org,
            "carol@example.com",
            Role::Reporter,
            inviter,
            month,
            month,
        )
        .unwrap();
        assert_eq!(open_at(&secret, month).unwrap_err(), "not_found");
    }
}
