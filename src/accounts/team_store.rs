//! Queries of the team features: a user's organizations, an organization's members and their
//! roles, renaming and deleting an organization, and the session's current organization.

use rusqlite::{Connection, OptionalExtension, params};
use schemars::JsonSchema;
use serde::Serialize;

use super::model::{Organization, User, slug};
use super::roles::Role;
use super::store::{self, organization};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};
use crate::store::time::{from_db, to_db};

/// Every organization `user` belongs to, oldest membership first, with their role there.
pub fn organizations_of(conn: &Connection, user: UserId) -> Result<Vec<(Organization, Role)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.name, o.display_name, o.created_at, o.updated_at, m.role
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = ?1 ORDER BY m.created_at, o.id",
    )?;
    let rows = stmt.query_map([user], |r| {
        let org = Organization {
            id: r.get(0)?,
            name: r.get(1)?,
            display_name: r.get(2)?,
            created_at: from_db(r.get(3)?),
            updated_at: from_db(r.get(4)?),
        };
        Ok((org, r.get::<_, String>(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (org, role) = row?;
        let role = Role::parse(&role).ok_or_else(|| Error::internal("unknown stored role"))?;
        out.push((org, role));
    }
    Ok(out)
}

/// A new organization under `display_name`. Its short name is the slug, suffixed (`-2`, `-3`…)
/// when taken: a name refused as "exists" would tell anyone which other teams use the instance.
pub fn create_organization(
    conn: &Connection,
    display_name: &str,
    now: Timestamp,
) -> Result<Organization> {
    let base = slug(display_name);
    let mut name = base.clone();
    let mut n = 1;
    while conn
        .query_row(
            "SELECT 1 FROM organizations WHERE name = ?1",
            [&name],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    {
        n += 1;
        name = format!("{base}-{n}");
    }
    let id = OrgId::generate();
    conn.execute(
        "INSERT INTO organizations (id, name, display_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![id, name, display_name, to_db(now)],
    )?;
    organization(conn, id)?.ok_or_else(|| Error::internal("the organization just inserted"))
}

pub fn rename_organization(
    conn: &Connection,
    org: OrgId,
    display_name: &str,
    now: Timestamp,
) -> Result<Organization> {
    conn.execute(
        "UPDATE organizations SET display_name = ?2, updated_at = ?3 WHERE id = ?1",
        params![org, display_name, to_db(now)],
    )?;
    organization(conn, org)?.ok_or_else(|| Error::not_found("organization"))
}

/// Deletes the organization and, through the foreign keys' cascades, everything of it:
/// memberships, invitations, tokens, monitors with their history, tasks with their runs,
/// incidents, channels and their deliveries, maintenance windows, silences, status pages and
/// badge keys. Sessions in it move to their user's next organization first (see `rehome`).
pub fn delete_organization(conn: &Connection, org: OrgId) -> Result<()> {
    rehome_sessions(conn, org, None)?;
    conn.execute("DELETE FROM organizations WHERE id = ?1", [org])?;
    Ok(())
}

/// Sessions whose current organization is `org` (of `user` only, or of everyone) move to their
/// user's oldest other organization, so leaving or deleting one does not sign anyone out; a
/// session whose user has no other organization ends.
pub fn rehome_sessions(conn: &Connection, org: OrgId, user: Option<UserId>) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET organization_id = (
             SELECT m.organization_id FROM memberships m
             WHERE m.user_id = sessions.user_id AND m.organization_id <> ?1
             ORDER BY m.created_at LIMIT 1)
         WHERE organization_id = ?1 AND (?2 IS NULL OR user_id = ?2)
           AND EXISTS (SELECT 1 FROM memberships m
                       WHERE m.user_id = sessions.user_id AND m.organization_id <> ?1)",
        params![org, user],
    )?;
    conn.execute(
        "DELETE FROM sessions WHERE organization_id = ?1 AND (?2 IS NULL OR user_id = ?2)",
        params![org, user],
    )?;
    Ok(())
}

/// Makes `org` the current organization of the session with this digest.
pub fn switch_session(conn: &Connection, digest: &[u8], org: OrgId) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET organization_id = ?2 WHERE digest = ?1",
        params![digest, org],
    )?;
    Ok(())
}

/// A member as `GET /organizations/{id}/members` shows them: the user's fields, their roles
/// (one, in a list, as the original clients expect) and when they joined.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    #[serde(flatten)]
    pub user: User,
    pub organization_roles: Vec<Role>,
    pub joined_at: Timestamp,
}

/// One page of members, oldest first, and how many there are.
pub fn members(
    conn: &Connection,
    org: OrgId,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Member>, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.user_id, m.role, m.created_at FROM memberships m
         WHERE m.organization_id = ?1 ORDER BY m.created_at, m.user_id LIMIT ?2 OFFSET ?3",
    )?;
    let rows: Vec<(UserId, String, i64)> = stmt
        .query_map(params![org, limit, offset], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (user_id, role, joined) in rows {
        let (Some(user), Some(role)) = (store::user_by_id(conn, user_id)?, Role::parse(&role))
        else {
            continue;
        };
        out.push(Member {
            user,
            organization_roles: vec![role],
            joined_at: from_db(joined),
        });
    }
    Ok((out, store::member_count(conn, org)?))
}

pub fn owner_count(conn: &Connection, org: OrgId) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM memberships WHERE organization_id = ?1 AND role = 'Owner'",
        [org],
        |r| r.get(0),
    )?)
}

pub fn set_role(conn: &Connection, org: OrgId, user: UserId, role: Role) -> Result<()> {
    conn.execute(
        "UPDATE memberships SET role = ?3 WHERE organization_id = ?1 AND user_id = ?2",
        params![org, user, role.as_str()],
    )?;
    Ok(())
}

/// Ends a membership; the member's sessions there move to their next organization.
pub fn remove_member(conn: &Connection, org: OrgId, user: UserId) -> Result<()> {
    rehome_sessions(conn, org, Some(user))?;
    conn.execute(
        "DELETE FROM memberships WHERE organization_id = ?1 AND user_id = ?2",
        params![org, user],
    )?;
    Ok(())
}

/// How many organizations `user` belongs to.
pub fn organization_count(conn: &Connection, user: UserId) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM memberships WHERE user_id = ?1",
        [user],
        |r| r.get(0),
    )?)
}

/// The role of someone acting on `org`, read inside their write: an Owner demoted a moment ago
/// no longer acts as one (the role read at authentication may be a request old).
pub fn acting_role(conn: &Connection, actor: UserId, org: OrgId) -> Result<Role> {
    store::role_in(conn, actor, org)?.ok_or_else(|| Error::not_found("organization"))
}
