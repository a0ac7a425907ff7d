//! Who is making a request: a user, in one organization, with a role, possibly narrowed by the
//! scopes of the API token used. Built fresh from the database at every request, so a role
//! change or a revoked token applies to the very next request.

use super::roles::{Permission, Role, can};
use crate::error::{Error, Result};
use crate::ids::{OrgId, TokenId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A dashboard session; the digest identifies the session row.
    Session { digest: Vec<u8> },
    /// An API access token.
    Token { id: TokenId },
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
    /// Token scopes; empty means everything the role allows.
    pub scopes: Vec<Permission>,
    pub credential: Credential,
}

impl Principal {
    /// `can(role, permission)` narrowed by the token's scopes (a token never does more than its user).
    pub fn can(&self, permission: Permission) -> bool {
        can(self.role, permission) && (self.scopes.is_empty() || self.scopes.contains(&permission))
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "this requires the {} permission",
                permission.as_str()
            )))
        }
    }

    /// Account-level actions (profile, password, other tokens) are for the user or a token with
    /// all of the user's rights, never for a token narrowed by scopes.
    pub fn require_unscoped(&self, what: &str) -> Result<()> {
        if self.scopes.is_empty() {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "a token limited by scopes cannot {what}"
            )))
        }
    }

    /// Every permission this principal holds right now.
    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| self.can(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, scopes: Vec<Permission>) -> Principal {
        Principal {
            user_id: UserId::generate(),
            org_id: OrgId::generate(),
            role,
            scopes,
            credential: Credential::Token {
                id: TokenId::generate(),
            },
        }
    }

    #[test]
    fn scopes_narrow_but_never_widen_the_role() {
        use Permission::*;
        let cases = [
            (Role::Owner, vec![], WriteTasks, true),
            (Role::Owner, vec![ReadTasks], WriteTasks, false),
            (Role::Owner, vec![ReadTasks], ReadTasks, true),
            (Role::Reporter, vec![WriteTasks], WriteTasks, false),
            (Role::Reporter, vec![], ReadTasks, true),
        ];
        for (role, scopes, permission, expected) in cases {
            let p = principal(role, scopes.clone());
            assert_eq!(
                p.can(permission),
                expected,
                "{role} {scopes:?} {permission:?}"
            );
            assert_eq!(p.require(permission).is_ok(), expected);
        }
    }
}
