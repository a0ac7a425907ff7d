//! Creating a member: a user joining an organization (created if missing). Shared by
//! `dutyduck user create` and the dashboard's first-run setup.

use rusqlite::Connection;

use super::model::{Organization, User};
use super::roles::Role;
use super::store::{self, NewUser};
use crate::clock::Timestamp;
use crate::error::{Error, Result};

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

/// The organization created with the first user when no `--org` is given.
pub const FIRST_ORGANIZATION: &str = "Default";

/// The organization `dutyduck user create` without `--org` joins: the only one there is (so a
/// second user does not end up alone in a new one), or a new "Default" on a fresh install.
/// With several, guessing could hand someone the wrong team's data: the caller must choose.
pub fn implied_organization(conn: &Connection) -> Result<String> {
    let orgs = store::organizations(conn)?;
    match orgs.as_slice() {
        [] => Ok(FIRST_ORGANIZATION.to_owned()),
        [only] => Ok(only.name.clone()),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|o| format!("{} ({:?})", o.name, o.display_name))
                .collect();
            Err(Error::bad_request(
                "organization_required",
                format!(
                    "there are {} organizations; choose one with --org: {}",
                    several.len(),
                    names.join(", ")
                ),
            ))
        }
    }
}
