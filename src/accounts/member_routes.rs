//! `/organizations/{id}/members`: listing members, changing a member's role, removing a member
//! or leaving. As in the original API, `{id}` must be the caller's current organization.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::principal::Principal;
use super::roles::{Permission, Role};
use super::team_store::{self, Member};
use super::{store, team_rules};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{OrgId, UserId};

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Organizations",
        vec![
            Route::get("/organizations/{id}/members", list)
                .summary("The members of your current organization, with their roles (listOrganizationMembers)")
                .param::<OrgId>("id")
                .query::<Page>()
                .returns::<Members>(200, "Oldest member first"),
            Route::delete("/organizations/{id}/members/{memberId}", remove)
                .summary("Remove a member (removeOrganizationMember), or leave: your own user id")
                .param::<OrgId>("id")
                .param::<UserId>("memberId")
                .returns_empty(204, "Removed; their sessions there moved to their next organization, their tokens there deleted"),
            Route::put("/organizations/{id}/members/{memberId}/roles", set_roles)
                .summary("Set a member's roles (editOrganizationMember): the set is reduced to the one role covering it")
                .param::<OrgId>("id")
                .param::<UserId>("memberId")
                .body::<SetRoles>()
                .returns::<RoleSet>(200, "The member's role now"),
        ],
    )
    .into_iter()
    .map(|r| r.audited_as("member"))
    .collect()
}

#[derive(Serialize, JsonSchema)]
pub struct Members {
    pub members: Vec<Member>,
    /// How many members the organization has.
    pub total: i64,
}

#[derive(Deserialize, JsonSchema)]
pub struct SetRoles {
    #[schemars(length(min = 1))]
    pub roles: Vec<Role>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleSet {
    pub organization_roles: Vec<Role>,
}

/// The caller, provided `{id}` is their current organization (else 404, as the original).
pub(super) fn in_current(req: &Request, me: &Principal) -> Result<OrgId> {
    let org: OrgId = req.param_id("id")?;
    if org != me.org_id {
        return Err(Error::not_found("organization"));
    }
    Ok(org)
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(Permission::ListOrganizationMembers).await?;
    let org = in_current(&req, &me)?;
    let (offset, limit) = req.query::<Page>()?.window(10);
    let (members, total) = req
        .read(move |conn| team_store::members(conn, org, offset, limit))
        .await?;
    Ok(reply::ok(&Members { members, total }))
}

async fn remove(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let org = in_current(&req, &me)?;
    let member: UserId = req.param_id("memberId")?;
    let leaving = member == me.user_id;
    if leaving {
        me.require_unscoped("leave the organization")?;
    } else {
        me.require(Permission::RemoveOrganizationMember)?;
    }
    let actor_id = me.user_id;
    req.write(move |conn| {
        let actor = team_store::acting_role(conn, actor_id, org)?;
        let current =
            store::role_in(conn, member, org)?.ok_or_else(|| Error::not_found("member"))?;
        if !leaving {
            team_rules::may_manage(actor, current)?;
        }
        team_rules::keeps_an_owner(team_store::owner_count(conn, org)?, current, None)?;
        if leaving && team_store::organization_count(conn, member)? <= 1 {
            // An account in no organization cannot sign in at all.
            return Err(Error::conflict(
                "last_organization",
                "this is your only organization: join or create another one before leaving it",
            ));
        }
        crate::tokens::store::delete_for_member(conn, member, org)?;
        team_store::remove_member(conn, org, member)
    })
    .await?;
    Ok(reply::no_content())
}

async fn set_roles(req: Request) -> Result<Response> {
    let me = req.require(Permission::EditOrganizationMember).await?;
    let org = in_current(&req, &me)?;
    let member: UserId = req.param_id("memberId")?;
    let role = team_rules::reduce(&req.json::<SetRoles>()?.roles)?;
    team_rules::may_grant(me.role, role)?;
    let actor_id = me.user_id;
    req.write(move |conn| {
        let actor = team_store::acting_role(conn, actor_id, org)?;
        team_rules::may_grant(actor, role)?;
        let current =
            store::role_in(conn, member, org)?.ok_or_else(|| Error::not_found("member"))?;
        team_rules::may_manage(actor, current)?;
        team_rules::keeps_an_owner(team_store::owner_count(conn, org)?, current, Some(role))?;
        team_store::set_role(conn, org, member, role)
    })
    .await?;
    Ok(reply::ok(&RoleSet {
        organization_roles: vec![role],
    }))
}
