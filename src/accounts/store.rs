//! Queries on users, organizations and memberships. Each takes a plain connection so the
//! server's writer/readers and the offline CLI share them.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::model::{Organization, User, slug};
use super::roles::Role;
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};
use crate::store::time::{from_db, to_db};

const USER_COLUMNS: &str = "u.id, u.first_name, u.last_name, u.email, u.created_at, u.updated_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        email: r.get(3)?,
        phone_number: None,
        phone_number_verified: false,
        created_at: from_db(r.get(4)?),
        updated_at: from_db(r.get(5)?),
    })
}

fn org_from_row(r: &Row<'_>) -> rusqlite::Result<Organization> {
    Ok(Organization {
        id: r.get(0)?,
        name: r.get(1)?,
        display_name: r.get(2)?,
        created_at: from_db(r.get(3)?),
        updated_at: from_db(r.get(4)?),
    })
}

pub fn count_users(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

pub fn user_by_id(conn: &Connection, id: UserId) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], user_from_row)
        .optional()?)
}

/// The user with this e-mail (case-insensitive) and their password hash.
pub fn user_by_email(conn: &Connection, email: &str) -> Result<Option<(User, String)>> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = ?1");
    Ok(conn
        .query_row(&sql, [email], |r| Ok((user_from_row(r)?, r.get(6)?)))
        .optional()?)
}

pub fn password_hash(conn: &Connection, id: UserId) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT password_hash FROM users WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a str,
}

pub fn insert_user(conn: &Connection, new: &NewUser<'_>, now: Timestamp) -> Result<User> {
    let id = UserId::generate();
    conn.execute(
        "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, new.email, new.first_name, new.last_name, new.password_hash, to_db(now)],
    )
    .map_err(|e| email_conflict(e, new.email))?;
    Ok(user_by_id(conn, id)?.expect("the user just inserted"))
}

fn email_conflict(e: rusqlite::Error, email: &str) -> Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        Error::conflict(
            "email_taken",
            format!("a user with the e-mail {email} already exists"),
        )
    } else {
        e.into()
    }
}

pub struct ProfileChange {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password_hash: Option<String>,
}

pub fn update_profile(
    conn: &Connection,
    id: UserId,
    change: &ProfileChange,
    now: Timestamp,
) -> Result<User> {
    conn.execute(
        "UPDATE users SET first_name = ?2, last_name = ?3, email = ?4,
                password_hash = COALESCE(?5, password_hash), updated_at = ?6
         WHERE id = ?1",
        params![
            id,
            change.first_name,
            change.last_name,
            change.email,
            change.password_hash,
            to_db(now)
        ],
    )
    .map_err(|e| email_conflict(e, &change.email))?;
    user_by_id(conn, id)?.ok_or_else(|| Error::not_found("user"))
}

pub fn organization(conn: &Connection, id: OrgId) -> Result<Option<Organization>> {
    Ok(conn
        .prepare_cached("SELECT id, name, display_name, created_at, updated_at FROM organizations WHERE id = ?1")?
        .query_row(
            [id],
            org_from_row,
        )
        .optional()?)
}

/// Every organization's id (instance-wide notices go to each).
pub fn organization_ids(conn: &Connection) -> Result<Vec<OrgId>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM organizations ORDER BY created_at")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Every organization, oldest first.
pub fn organizations(conn: &Connection) -> Result<Vec<Organization>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, display_name, created_at, updated_at FROM organizations ORDER BY created_at",
    )?;
    let orgs = stmt.query_map([], org_from_row)?;
    Ok(orgs.collect::<rusqlite::Result<_>>()?)
}

/// Finds an organization by its short name or display name, case-insensitively.
pub fn organization_named(conn: &Connection, name: &str) -> Result<Option<Organization>> {
    Ok(conn
        .query_row(
            "SELECT id, name, display_name, created_at, updated_at FROM organizations
             WHERE name = ?1 COLLATE NOCASE OR name = ?2 OR display_name = ?1 COLLATE NOCASE
             ORDER BY created_at LIMIT 1",
            [name, &slug(name)],
            org_from_row,
        )
        .optional()?)
}

pub fn insert_organization(
    conn: &Connection,
    display_name: &str,
    now: Timestamp,
) -> Result<Organization> {
    let id = OrgId::generate();
    conn.execute(
        "INSERT INTO organizations (id, name, display_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![id, slug(display_name), display_name, to_db(now)],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Error::conflict("organization_exists", format!("an organization named {display_name:?} already exists"))
        }
        _ => e.into(),
    })?;
    Ok(organization(conn, id)?.expect("the organization just inserted"))
}

pub fn member_count(conn: &Connection, org: OrgId) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM memberships WHERE organization_id = ?1",
        [org],
        |r| r.get(0),
    )?)
}

pub fn insert_membership(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    role: Role,
    now: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![org, user, role.as_str(), to_db(now)],
    )?;
    Ok(())
}

pub fn role_in(conn: &Connection, user: UserId, org: OrgId) -> Result<Option<Role>> {
    let name: Option<String> = conn
        .prepare_cached("SELECT role FROM memberships WHERE user_id = ?1 AND organization_id = ?2")?
        .query_row(params![user, org], |r| r.get(0))
        .optional()?;
    Ok(name.as_deref().and_then(Role::parse))
}

/// The organization a login lands in: the user's oldest membership.
pub fn default_membership(conn: &Connection, user: UserId) -> Result<Option<(OrgId, Role)>> {
    let row: Option<(OrgId, String)> = conn
        .query_row(
            "SELECT organization_id, role FROM memberships WHERE user_id = ?1 ORDER BY created_at LIMIT 1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(org, role)| Role::parse(&role).map(|role| (org, role))))
}

/// One line of `dutyduck user list`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserListing {
    #[serde(flatten)]
    pub user: User,
    pub organization: Option<String>,
    pub role: Option<Role>,
}

pub fn list_users(conn: &Connection) -> Result<Vec<UserListing>> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, o.name, m.role FROM users u
         LEFT JOIN memberships m ON m.user_id = u.id
         LEFT JOIN organizations o ON o.id = m.organization_id
         ORDER BY u.created_at, o.name"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        let role: Option<String> = r.get(7)?;
        Ok(UserListing {
            user: user_from_row(r)?,
            organization: r.get(6)?,
            role: role.as_deref().and_then(Role::parse),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
