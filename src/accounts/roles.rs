//! Roles and permissions (the original product's roles and their permissions). `can` is the one place that decides whether a
//! role grants a permission; everything else asks it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Role {
    Reporter,
    Editor,
    MemberInviter,
    MemberManager,
    Administrator,
    Owner,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Reporter,
        Role::Editor,
        Role::MemberInviter,
        Role::MemberManager,
        Role::Administrator,
        Role::Owner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reporter => "Reporter",
            Role::Editor => "Editor",
            Role::MemberInviter => "MemberInviter",
            Role::MemberManager => "MemberManager",
            Role::Administrator => "Administrator",
            Role::Owner => "Owner",
        }
    }

    /// Parses a role name, case-insensitively (CLI input).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name))
    }

    /// Every permission this role grants, in table order.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| can(self, *p))
            .collect()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    TransferOwnershipOfOrganization,
    InviteOrganizationMember,
    RemoveOrganizationMember,
    ListOrganizationMembers,
    EditOrganizationMember,
    RemoveOrganization,
    ReadHttpMonitors,
    WriteHttpMonitors,
    ReadIncidents,
    ListOrganizationInvitations,
    CommentIncidents,
    EditIncidents,
    WriteTasks,
    ReadTasks,
    WriteTaskRuns,
    ReadTaskRuns,
    /// Ours: see the notification channels (to pick them for a monitor or task).
    ReadNotificationChannels,
    /// Ours: create, change, test and delete channels; organization notification settings.
    WriteNotificationChannels,
    /// Ours: rename the organization.
    EditOrganization,
    /// Ours: require two-factor sign-in of every member (Owner only).
    RequireTwoFactor,
    /// Ours: read and export the organization's audit log (Administrators and Owners).
    ReadAuditLog,
    /// Ours: register, change and remove the organization's remote probes (Administrators and
    /// Owners: a probe's token runs checks on the organization's behalf).
    WriteProbes,
}

impl Permission {
    pub const ALL: [Permission; 22] = [
        Permission::TransferOwnershipOfOrganization,
        Permission::InviteOrganizationMember,
        Permission::RemoveOrganizationMember,
        Permission::ListOrganizationMembers,
        Permission::EditOrganizationMember,
        Permission::RemoveOrganization,
        Permission::ReadHttpMonitors,
        Permission::WriteHttpMonitors,
        Permission::ReadIncidents,
        Permission::ListOrganizationInvitations,
        Permission::CommentIncidents,
        Permission::EditIncidents,
        Permission::WriteTasks,
        Permission::ReadTasks,
        Permission::WriteTaskRuns,
        Permission::ReadTaskRuns,
        Permission::ReadNotificationChannels,
        Permission::WriteNotificationChannels,
        Permission::EditOrganization,
        Permission::RequireTwoFactor,
        Permission::ReadAuditLog,
        Permission::WriteProbes,
    ];

    /// The camelCase name used in JSON, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::TransferOwnershipOfOrganization => "transferOwnershipOfOrganization",
            Permission::InviteOrganizationMember => "inviteOrganizationMember",
            Permission::RemoveOrganizationMember => "removeOrganizationMember",
            Permission::ListOrganizationMembers => "listOrganizationMembers",
            Permission::EditOrganizationMember => "editOrganizationMember",
            Permission::RemoveOrganization => "removeOrganization",
            Permission::ReadHttpMonitors => "readHttpMonitors",
            Permission::WriteHttpMonitors => "writeHttpMonitors",
            Permission::ReadIncidents => "readIncidents",
            Permission::ListOrganizationInvitations => "listOrganizationInvitations",
            Permission::CommentIncidents => "commentIncidents",
            Permission::EditIncidents => "editIncidents",
            Permission::WriteTasks => "writeTasks",
            Permission::ReadTasks => "readTasks",
            Permission::WriteTaskRuns => "writeTaskRuns",
            Permission::ReadTaskRuns => "readTaskRuns",
            Permission::ReadNotificationChannels => "readNotificationChannels",
            Permission::WriteNotificationChannels => "writeNotificationChannels",
            Permission::EditOrganization => "editOrganization",
            Permission::RequireTwoFactor => "requireTwoFactor",
            Permission::ReadAuditLog => "readAuditLog",
            Permission::WriteProbes => "writeProbes",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// Whether `role` grants `permission` (each role's permissions, with the roles below it folded in).
pub fn can(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match role {
        Owner => true,
        Administrator => !matches!(
            permission,
            TransferOwnershipOfOrganization | RemoveOrganization | RequireTwoFactor
        ),
        Editor => matches!(
            permission,
            ReadHttpMonitors
                | WriteHttpMonitors
                | ReadIncidents
                | CommentIncidents
                | EditIncidents
                | WriteTasks
                | ReadTasks
                | WriteTaskRuns
                | ReadTaskRuns
                | ReadNotificationChannels
        ),
        Reporter => matches!(
            permission,
            ReadHttpMonitors | ReadIncidents | CommentIncidents | ReadTasks | ReadTaskRuns
        ),
        MemberManager => matches!(
            permission,
            InviteOrganizationMember
                | RemoveOrganizationMember
                | ListOrganizationMembers
                | EditOrganizationMember
                | ListOrganizationInvitations
        ),
        MemberInviter => matches!(
            permission,
            InviteOrganizationMember | ListOrganizationInvitations
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The permission table, row by row: the roles that satisfy each permission (plus our two
    /// notification-channel permissions).
    #[test]
    fn permission_table_matches_the_reference() {
        use Role::*;
        let table: [(Permission, &[Role]); 22] = [
            (Permission::TransferOwnershipOfOrganization, &[Owner]),
            (
                Permission::InviteOrganizationMember,
                &[MemberInviter, MemberManager, Administrator, Owner],
            ),
            (
                Permission::RemoveOrganizationMember,
                &[MemberManager, Administrator, Owner],
            ),
            (
                Permission::ListOrganizationMembers,
                &[MemberManager, Administrator, Owner],
            ),
            (
                Permission::EditOrganizationMember,
                &[MemberManager, Administrator, Owner],
            ),
            (Permission::RemoveOrganization, &[Owner]),
            (
                Permission::ReadHttpMonitors,
                &[Reporter, Editor, Administrator, Owner],
            ),
            (
                Permission::WriteHttpMonitors,
                &[Editor, Administrator, Owner],
            ),
            (
                Permission::ReadIncidents,
                &[Reporter, Editor, Administrator, Owner],
            ),
            (
                Permission::ListOrganizationInvitations,
                &[MemberInviter, MemberManager, Administrator, Owner],
            ),
            (
                Permission::CommentIncidents,
                &[Reporter, Editor, Administrator, Owner],
            ),
            (Permission::EditIncidents, &[Editor, Administrator, Owner]),
            (Permission::WriteTasks, &[Editor, Administrator, Owner]),
            (
                Permission::ReadTasks,
                &[Reporter, Editor, Administrator, Owner],
            ),
            (Permission::WriteTaskRuns, &[Editor, Administrator, Owner]),
            (
                Permission::ReadTaskRuns,
                &[Reporter, Editor, Administrator, Owner],
            ),
            (
                Permission::ReadNotificationChannels,
                &[Editor, Administrator, Owner],
            ),
            (
                Permission::WriteNotificationChannels,
                &[Administrator, Owner],
            ),
            (Permission::EditOrganization, &[Administrator, Owner]),
            (Permission::RequireTwoFactor, &[Owner]),
            (Permission::ReadAuditLog, &[Administrator, Owner]),
            (Permission::WriteProbes, &[Administrator, Owner]),
        ];
        for (permission, granted_to) in table {
            for role in Role::ALL {
                assert_eq!(
                    can(role, permission),
                    granted_to.contains(&role),
                    "can({role}, {permission:?})"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(&r.as_str().to_lowercase()), Some(r));
        }
    }
}
