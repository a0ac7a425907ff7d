//! `/organizations`: the caller's organizations, creating, renaming and deleting one, and
//! `/auth/session/organization`, switching the session's current organization.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::model::{Organization, normalize_name};
use super::principal::{Credential, Principal};
use super::roles::{Permission, Role};
use super::routes::profile_of;
use super::{store, team_store};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::OrgId;
use crate::limits;

pub fn routes() -> Vec<Route> {
    Route::tagged(
        "Organizations",
        vec![
            Route::get("/organizations", list)
                .summary("The organizations you belong to, with your role in each")
                .returns::<Organizations>(200, "Oldest membership first"),
            Route::post("/organizations", create)
                .summary("Create an organization; you become its Owner")
                .body::<OrganizationName>()
                .returns::<Organization>(201, "The new organization")
                .audited("organization", "create"),
            Route::patch("/organizations/{id}", rename)
                .summary("Rename an organization (its display name); Administrators and Owners")
                .param::<OrgId>("id")
                .body::<OrganizationName>()
                .returns::<Organization>(200, "The renamed organization")
                .audited("organization", "update"),
            Route::delete("/organizations/{id}", delete)
                .summary("Delete an organization and everything in it; Owners only, confirming its name")
                .param::<OrgId>("id")
                .query::<DeleteConfirmation>()
                .returns_empty(204, "Deleted: its members, invitations, tokens, monitors and their history, tasks and runs, incidents, channels, maintenance windows, silences, status pages and badge keys")
                .not_audited("the organization's audit log is deleted with it; the server's log names who deleted it"),
            Route::put("/auth/session/organization", switch)
                .summary("Make another of your organizations the session's current one (a token stays bound to its own)")
                .body::<SwitchOrganization>()
                .returns::<super::routes::Profile>(200, "The profile in the new organization")
                .audited("session", "switch_organization")
                .same_origin_only(),
        ],
    )
}

#[derive(Serialize, JsonSchema)]
pub struct Organizations {
    pub organizations: Vec<MyOrganization>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyOrganization {
    #[serde(flatten)]
    pub organization: Organization,
    pub role: Role,
    /// The organization this session or token acts in.
    pub current: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationName {
    #[schemars(length(min = 1, max = limits::LABEL), regex(pattern = limits::LINE))]
    pub display_name: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct DeleteConfirmation {
    /// The organization's name or display name, typed by the person deleting it.
    pub confirm: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SwitchOrganization {
    pub organization_id: OrgId,
}

async fn list(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let user = me.user_id;
    let mine = req
        .read(move |conn| team_store::organizations_of(conn, user))
        .await?;
    let organizations = mine
        .into_iter()
        // A token acts in its own organization only: it lists that one.
        .filter(|(org, _)| {
            matches!(me.credential, Credential::Session { .. }) || org.id == me.org_id
        })
        .map(|(organization, role)| MyOrganization {
            current: organization.id == me.org_id,
            organization,
            role,
        })
        .collect();
    Ok(reply::ok(&Organizations { organizations }))
}

async fn create(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    me.require_unscoped("create an organization")?;
    let body: OrganizationName = req.json()?;
    let name = normalize_name("displayName", &body.display_name)?;
    let (user, now) = (me.user_id, req.now());
    let org = req
        .write(move |conn| {
            let org = team_store::create_organization(conn, &name, now)?;
            store::insert_membership(conn, org.id, user, Role::Owner, now)?;
            crate::audit::created(org.id);
            Ok(org)
        })
        .await?;
    Ok(reply::created(&org))
}

/// The caller as a member of the organization `{id}`, with their role there: any of a session
/// user's organizations, only its own for a token. Another organization is a 404.
pub(super) async fn member_of(req: &Request, me: &Principal) -> Result<Principal> {
    let org: OrgId = req.param_id("id")?;
    let user = me.user_id;
    let role = match me.credential {
        Credential::Token { .. } if org != me.org_id => None,
        // The session's own organization passed the two-factor gate in `http::auth`; another
        // one of the user's is held to its own requirement here.
        _ => {
            let (role, enrolment_required) = req
                .read(move |conn| {
                    let required = crate::two_factor::store::enrolment_required(conn, user, org)?;
                    Ok((store::role_in(conn, user, org)?, required))
                })
                .await?;
            if role.is_some() {
                crate::two_factor::enrolment_gate(&req.path, enrolment_required)?;
            }
            role
        }
    };
    let role = role.ok_or_else(|| Error::not_found("organization"))?;
    Ok(Principal {
        org_id: org,
        role,
        ..me.clone()
    })
}

async fn rename(req: Request) -> Result<Response> {
    let me = member_of(&req, &req.principal().await?).await?;
    me.require(Permission::EditOrganization)?;
    let body: OrganizationName = req.json()?;
    let name = normalize_name("displayName", &body.display_name)?;
    let (org, now) = (me.org_id, req.now());
    req.audit.in_organization(org);
    let renamed = req
        .write(move |conn| team_store::rename_organization(conn, org, &name, now))
        .await?;
    Ok(reply::ok(&renamed))
}

async fn delete(req: Request) -> Result<Response> {
    let me = member_of(&req, &req.principal().await?).await?;
    me.require(Permission::RemoveOrganization)?;
    let confirm = req
        .query::<DeleteConfirmation>()?
        .confirm
        .unwrap_or_default();
    let (org, user) = (me.org_id, me.user_id);
    req.write(move |conn| {
        let found =
            store::organization(conn, org)?.ok_or_else(|| Error::not_found("organization"))?;
        if confirm != found.name && confirm != found.display_name {
            return Err(Error::invalid_field(
                "confirm",
                format!(
                    "type the organization's name, {:?}, to delete it and everything in it",
                    found.display_name
                ),
            ));
        }
        // An account in no organization cannot sign in at all: keep one.
        if team_store::organization_count(conn, user)? <= 1 {
            return Err(Error::conflict(
                "last_organization",
                "this is your only organization: create or join another one before deleting it",
            ));
        }
        team_store::delete_organization(conn, org)
    })
    .await?;
    log::info!("organization {org} deleted by user {user}");
    Ok(reply::no_content())
}

async fn switch(req: Request) -> Result<Response> {
    let me = req.principal().await?;
    let Credential::Session { digest } = &me.credential else {
        return Err(Error::bad_request(
            "session_only",
            "an API token stays bound to its organization; create a token in the other organization",
        ));
    };
    let body: SwitchOrganization = req.json()?;
    let (org, user, digest) = (body.organization_id, me.user_id, digest.clone());
    let role = req
        .write(move |conn| {
            let role =
                store::role_in(conn, user, org)?.ok_or_else(|| Error::not_found("organization"))?;
            team_store::switch_session(conn, &digest, org)?;
            Ok(role)
        })
        .await?;
    let now_in = Principal {
        org_id: org,
        role,
        ..me
    };
    Ok(reply::ok(&profile_of(&req, &now_in).await?))
}
