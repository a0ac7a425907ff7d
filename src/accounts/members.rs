//! Creating a member: a user joining an organization (created if missing). Shared by
//! `dutyduck user create` and the dashboard's first-run setup.

use rusqlite::Connection;

use super::model::{Organization, User};
use super::roles::Role;
use super::store::{self, NewUser};
use crate::clock::Timestamp;
use crate::error::Result;

/// Inserts the user and their membership. The first member of an organization is its Owner;
/// later members get `role`, by default Reporter (least privilege).
pub fn create_member(
    conn: &Connection,
    user: &NewUser<'_>,
    org_name: &str,
    role: Option<Role>,
    now: Timestamp,
) -> Result<(User, Organization, Role)> {
    let user = store::insert_user(conn, user, now)?;
    let (org, role) = match store::organization_named(conn, org_name)? {
        Some(existing) if store::member_count(conn, existing.id)? > 0 => {
            (existing, role.unwrap_or(Role::Reporter))
        }
        Some(empty) => (empty, Role::Owner),
        None => (
            store::insert_organization(conn, org_name, now)?,
            Role::Owner,
        ),
    };
    store::insert_membership(conn, org.id, user.id, role, now)?;
    Ok((user, org, role))
}
