//! Invitations: a member invites an address with a role; the link (id + secret) lets its holder
//! see the invitation, accept it (creating their account, or as the signed-in user with that
//! e-mail) or decline it. Members list, resend (a new link) and revoke pending invitations.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::invitations::{self, Invitation};
use super::member_routes::in_current;
use super::model::{Organization, User, normalize_email, normalize_name};
use super::principal::Credential;
use super::roles::{Permission, Role};
use super::routes::{profile_of, start_session};
use super::store::{self, NewUser};
use super::{password, team_rules, team_store};
use crate::error::{Error, Kind, Result};
use crate::http::reply;
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{InvitationId, OrgId};

pub fn routes() -> Vec<Route> {
    Route::tagged("Organizations", vec![
        Route::post("/organizations/{id}/members/invite", invite)
            .summary("Invite an e-mail address with a role (inviteOrganizationMember); answers the link to share")
            .param::<OrgId>("id").body::<Invite>()
            .returns::<Invited>(201, "The invitation, its link, and whether it was e-mailed"),
        Route::get("/organizations/{id}/invitations", list)
            .summary("Pending invitations of your current organization, newest first (listOrganizationInvitations)")
            .param::<OrgId>("id").query::<Page>()
            .returns::<Vec<Invitation>>(200, "Expired ones included, to resend or revoke"),
        Route::post("/organizations/{id}/invitations/{invitationId}/resend", resend)
            .summary("Send a pending invitation again: a new link and expiry; the old link stops working")
            .param::<OrgId>("id").param::<InvitationId>("invitationId")
            .returns::<Invited>(201, "The new invitation (a new id), its link, and whether it was e-mailed"),
        Route::delete("/organizations/{id}/invitations/{invitationId}", revoke_or_reject)
            .summary("Revoke an invitation (a member who may invite), or decline it (its link's holder, with ?token=)")
            .public()
            .param::<OrgId>("id").param::<InvitationId>("invitationId").query::<LinkToken>()
            .returns_empty(204, "Revoked or declined"),
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
            .same_origin_only(),
    ])
}

#[derive(Deserialize, JsonSchema)]
pub struct Invite {
    #[schemars(length(min = 1, max = super::model::MAX_EMAIL))]
    pub email: String,
    pub role: Role,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invited {
    pub invitation: Invitation,
    /// The dashboard link to accept: the only time the secret is shown. Share it yourself when
    /// no e-mail was sent.
    pub link: String,
    pub email_sent: bool,
    /// Why no e-mail was sent: no relay configured (`--smtp-url`), or the relay's error.
    pub email_error: Option<String>,
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
    #[schemars(length(min = 1, max = crate::limits::LABEL))]
    pub first_name: String,
    #[schemars(length(min = 1, max = crate::limits::LABEL))]
    pub last_name: String,
    #[schemars(length(min = password::MIN_LENGTH, max = password::MAX_LENGTH))]
    pub password: String,
}

/// Where the dashboard is: `--public-url`, else the scheme and host this request came to (the
/// inviter's own browser, so a forged Host only misleads the forger's own invitation).
fn dashboard_base(req: &Request) -> String {
    if let Some(url) = req.app.notifier.public_url() {
        return url.to_owned();
    }
    let https = req
        .header("x-forwarded-proto")
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let host = req.header("host").unwrap_or("localhost");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Builds the link, e-mails it when a relay is configured, and says how that went.
async fn deliver(
    req: &Request,
    invitation: Invitation,
    secret: String,
    inviter: &str,
) -> Result<Response> {
    let org_id = invitation.organization_id;
    let org = req
        .read(move |conn| store::organization(conn, org_id))
        .await?
        .ok_or_else(|| Error::not_found("organization"))?;
    let link = format!(
        "{}/dashboard/invitation?organizationId={}&invitationId={}&token={secret}",
        dashboard_base(req),
        invitation.organization_id,
        invitation.id
    );
    let (email_sent, email_error) = if req.app.notifier.email_configured() {
        let subject = format!("{inviter} invites you to {} on dutyduck", org.display_name);
        let text = format!(
            "{inviter} invites you to join {} on dutyduck as {}.\n\nAccept or decline: {link}\n\nThe link works until {} (UTC).\n",
            org.display_name,
            invitation.role,
            invitation.expires_at.format("%Y-%m-%d %H:%M")
        );
        match req
            .app
            .notifier
            .account_email(&invitation.email, &subject, &text)
            .await
        {
            Ok(()) => (true, None),
            Err(e) => (false, Some(e)),
        }
    } else {
        (
            false,
            Some("no e-mail relay is configured (--smtp-url): share the link yourself".to_owned()),
        )
    };
    Ok(reply::created(&Invited {
        invitation,
        link,
        email_sent,
        email_error,
    }))
}

fn expiry(req: &Request) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(req.app.invitation_expiry).unwrap_or(chrono::TimeDelta::days(7))
}

async fn invite(req: Request) -> Result<Response> {
    let me = req.require(Permission::InviteOrganizationMember).await?;
    let org = in_current(&req, &me)?;
    let body: Invite = req.json()?;
    let email = normalize_email(&body.email)?;
    team_rules::may_grant(me.role, body.role)?;
    let (role, inviter, now) = (body.role, me.user_id, req.now());
    let expires = now + expiry(&req);
    let (invitation, secret, name) = req
        .write(move |conn| {
            if let Some((user, _)) = store::user_by_email(conn, &email)?
                && store::role_in(conn, user.id, org)?.is_some()
            {
                return Err(Error::conflict(
                    "already_member",
                    format!("{email} is already a member"),
                ));
            }
            let (invitation, secret) =
                invitations::insert(conn, org, &email, role, inviter, now, expires)?;
            let name = store::user_by_id(conn, inviter)?
                .map(|u| format!("{} {}", u.first_name, u.last_name));
            Ok((invitation, secret, name.unwrap_or_default()))
        })
        .await?;
    deliver(&req, invitation, secret, &name).await
}

async fn list(req: Request) -> Result<Response> {
    let me = req.require(Permission::ListOrganizationInvitations).await?;
    let org = in_current(&req, &me)?;
    let (offset, limit) = req.query::<Page>()?.window(10);
    let (items, _) = req
        .read(move |conn| invitations::pending(conn, org, offset, limit))
        .await?;
    Ok(reply::ok(&items))
}

async fn resend(req: Request) -> Result<Response> {
    let me = req.require(Permission::InviteOrganizationMember).await?;
    let org = in_current(&req, &me)?;
    let id: InvitationId = req.param_id("invitationId")?;
    let (actor, user, now) = (me.role, me.user_id, req.now());
    let expires = now + expiry(&req);
    let (invitation, secret, name) = req
        .write(move |conn| {
            let (old, _) =
                invitations::get(conn, org, id)?.ok_or_else(|| Error::not_found("invitation"))?;
            if old.status != "pending" {
                invitations::usable(&old, now)?;
            }
            team_rules::may_grant(actor, old.role)?;
            let (invitation, secret) =
                invitations::insert(conn, org, &old.email, old.role, user, now, expires)?;
            let name =
                store::user_by_id(conn, user)?.map(|u| format!("{} {}", u.first_name, u.last_name));
            Ok((invitation, secret, name.unwrap_or_default()))
        })
        .await?;
    deliver(&req, invitation, secret, &name).await
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
    let now = req.now();
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
