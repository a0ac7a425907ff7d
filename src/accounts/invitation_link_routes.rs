//! What an invitation link's holder does with it: see the invitation, accept it (creating their
//! account, or as the signed-in user with the invited e-mail) or decline it; and revoking, the
//! members' side of the same `DELETE`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::invitations::{self, Invitation};
use super::member_routes::in_current;
use super::model::{Organization, User, normalize_name};
use super::principal::Credential;
use super::roles::Permission;
use super::routes::{profile_of, start_session};
use super::store::{self, NewUser};
use super::{password, team_store};
use crate::audit;
use crate::error::{Error, Kind, Result};
use crate::http::reply;
use crate::http::request::Request;
use crate::http::router::Route;
use crate::ids::{InvitationId, OrgId};

pub fn routes() -> Vec<Route> {
    Route::tagged("Organizations", vec![
        Route::delete("/organizations/{id}/invitations/{invitationId}", revoke_or_reject)
            .summary("Revoke an invitation (a member who may invite), or decline it (its link's holder, with ?token=)")
            .public()
            .param::<OrgId>("id").param::<InvitationId>("invitationId").query::<LinkToken>()
            .returns_empty(204, "Revoked or declined")
            // A member revoking is logged; the invitee declining is no member of it.
            .audited("invitation", "delete"),
        Route::get("/organizations/{id}/invitations/{invitationId}", show)
            .summary("What an invitation offers, for its link's holder (?token=)")
            .public()
            .param::<OrgId>("id").param::<InvitationId>("invitationId").query::<LinkToken>()
            .returns::<Received>(200, "The invitation, its organization and inviter"),
        Route::post("/organizations/{id}/invitations/{invitationId}/accept", accept)
            .summary("Accept an invitation: as a new user (userDetails) or as the signed-in user it was sent to")
            .public()
            .param::<OrgId>("id").param::<InvitationId>("invitationId").body::<Accept>()
            .returns::<super::routes::Profile>(200, "The profile, in the organization joined (a new user also gets the session cookie)")
            .not_audited("the handler logs the join itself, in the invitation's organization: the invitee may not be signed in, or signed in to another one"),
    ])
}

#[derive(Deserialize, JsonSchema)]
pub struct LinkToken {
    /// The secret from the invitation's link.
    pub token: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub invitation: Invitation,
    pub organization: Organization,
    pub inviter: Option<User>,
    /// Whether an account with the invited e-mail exists (then: sign in as it to accept).
    pub invitee_has_account: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    #[schemars(length(min = 1, max = 64))]
    pub token: String,
    /// For a new account; null when the invited e-mail already has one.
    pub user_details: Option<UserDetails>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDetails {
    #[schemars(length(min = 1, max = crate::limits::LABEL), regex(pattern = crate::limits::LINE))]
    pub first_name: String,
    #[schemars(length(min = 1, max = crate::limits::LABEL), regex(pattern = crate::limits::LINE))]
    pub last_name: String,
    #[schemars(length(min = password::MIN_LENGTH, max = password::MAX_LENGTH))]
    pub password: String,
}

async fn revoke_or_reject(req: Request) -> Result<Response> {
    let org: OrgId = req.param_id("id")?;
    let id: InvitationId = req.param_id("invitationId")?;
    let now = req.now();
    if let Some(token) = req.query::<LinkToken>()?.token {
        req.write(move |conn| {
            let invitation = invitations::open(conn, org, id, &token, now)?;
            invitations::end(conn, invitation.id, "rejected", now)
        })
        .await?;
        return Ok(reply::no_content());
    }
    let me = req.require(Permission::InviteOrganizationMember).await?;
    let org = in_current(&req, &me)?;
    req.write(move |conn| {
        let (invitation, _) =
            invitations::get(conn, org, id)?.ok_or_else(|| Error::not_found("invitation"))?;
        invitations::usable(&invitation, now).or_else(|e| match e.code {
            "invitation_expired" => Ok(()), // an expired one may still be tidied away
            _ => Err(e),
        })?;
        invitations::end(conn, id, "revoked", now)
    })
    .await?;
    Ok(reply::no_content())
}

async fn show(req: Request) -> Result<Response> {
    let org: OrgId = req.param_id("id")?;
    let id: InvitationId = req.param_id("invitationId")?;
    let token = req.query::<LinkToken>()?.token.unwrap_or_default();
    let now = req.now();
    let received = req
        .read(move |conn| {
            let invitation = invitations::open(conn, org, id, &token, now)?;
            let organization =
                store::organization(conn, org)?.ok_or_else(|| Error::not_found("invitation"))?;
            let inviter = match invitation.inviter_id {
                Some(inviter) => store::user_by_id(conn, inviter)?,
                None => None,
            };
            let invitee_has_account = store::user_by_email(conn, &invitation.email)?.is_some();
            Ok(Received {
                invitation,
                organization,
                inviter,
                invitee_has_account,
            })
        })
        .await?;
    Ok(reply::ok(&received))
}

async fn accept(req: Request) -> Result<Response> {
    let org: OrgId = req.param_id("id")?;
    let id: InvitationId = req.param_id("invitationId")?;
    let body: Accept = req.json()?;
    let (now, address) = (req.now(), req.client_addr());
    let token = body.token.clone();
    let (invitation, existing) = req
        .read(move |conn| {
            let invitation = invitations::open(conn, org, id, &token, now)?;
            let existing = store::user_by_email(conn, &invitation.email)?.map(|(u, _)| u);
            Ok((invitation, existing))
        })
        .await?;
    let token = body.token;
    let Some(user) = existing else {
        // A `--signup closed` server makes accounts only through the CLI: the invitee signs
        // in with one an administrator made, then accepts.
        req.app.signup.check_invited_account()?;
        let Some(details) = body.user_details else {
            return Err(Error::invalid_field(
                "userDetails",
                "are required: no account has this e-mail yet",
            ));
        };
        let first = normalize_name("userDetails.firstName", &details.first_name)?;
        let last = normalize_name("userDetails.lastName", &details.last_name)?;
        password::check_strength(&details.password, &[&invitation.email, &first, &last])
            .map_err(|e| e.in_field("userDetails.password"))?;
        let hash = password::hash_async(details.password).await?;
        let user = req
            .write(move |conn| {
                let invitation = invitations::open(conn, org, id, &token, now)?;
                let new = NewUser {
                    email: &invitation.email,
                    first_name: &first,
                    last_name: &last,
                    password_hash: &hash,
                };
                let user = store::insert_user(conn, &new, now)?;
                store::insert_membership(conn, org, user.id, invitation.role, now)?;
                invitations::end(conn, id, "accepted", now)?;
                let subject = ("member", user.id.to_string());
                audit::account_event(conn, user.id, Some(org), subject, "join", address, now)?;
                Ok(user)
            })
            .await?;
        return start_session(&req, user.id).await;
    };
    if body.user_details.is_some() {
        return Err(Error::conflict(
            "user_exists",
            format!(
                "{} already has an account: sign in as it, then accept without userDetails",
                invitation.email
            ),
        ));
    }
    let me = req.principal().await.map_err(|e| match e.kind {
        Kind::Unauthorized => Error::unauthorized(
            "sign_in_required",
            format!("sign in as {} to accept this invitation", invitation.email),
        ),
        _ => e,
    })?;
    me.require_unscoped("accept an invitation")?;
    if me.user_id != user.id {
        return Err(Error::forbidden(format!(
            "this invitation is for {}: sign in as that account to accept it",
            invitation.email
        )));
    }
    let session = match &me.credential {
        Credential::Session { digest } => Some(digest.clone()),
        _ => None,
    };
    let role = req
        .write(move |conn| {
            let invitation = invitations::open(conn, org, id, &token, now)?;
            if store::role_in(conn, user.id, org)?.is_some() {
                return Err(Error::conflict(
                    "already_member",
                    "you are already a member of this organization",
                ));
            }
            store::insert_membership(conn, org, user.id, invitation.role, now)?;
            invitations::end(conn, id, "accepted", now)?;
            let subject = ("member", user.id.to_string());
            audit::account_event(conn, user.id, Some(org), subject, "join", address, now)?;
            if let Some(digest) = &session {
                team_store::switch_session(conn, digest, org)?; // land in the organization joined
            }
            Ok(invitation.role)
        })
        .await?;
    let joined = super::principal::Principal {
        org_id: org,
        role,
        ..me
    };
    Ok(reply::ok(&profile_of(&req, &joined).await?))
}
