//! Invitations, the members' side: inviting an address with a role (the answer holds the link,
//! id + secret, shown this once, and says whether it was e-mailed), listing pending invitations
//! and resending one (a new link). The link holder's side is `invitation_link_routes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use warp::reply::Response;

use super::invitations::{self, Invitation};
use super::member_routes::in_current;
use super::model::normalize_email;
use super::roles::{Permission, Role};
use super::store;
use super::{team_rules, team_store};
use crate::error::{Error, Result};
use crate::http::reply;
use crate::http::request::{Page, Request};
use crate::http::router::Route;
use crate::ids::{InvitationId, OrgId};

pub fn routes() -> Vec<Route> {
    Route::tagged("Organizations", vec![
        Route::post("/organizations/{id}/members/invite", invite)
            .summary("Invite an e-mail address with a role (inviteOrganizationMember); answers the link to share")
            .param::<OrgId>("id").body::<Invite>()
            .returns::<Invited>(201, "The invitation, its link, and whether it was e-mailed")
            .audited("invitation", "create"),
        Route::get("/organizations/{id}/invitations", list)
            .summary("Pending invitations of your current organization, newest first (listOrganizationInvitations)")
            .param::<OrgId>("id").query::<Page>()
            .returns::<Vec<Invitation>>(200, "Expired ones included, to resend or revoke"),
        Route::post("/organizations/{id}/invitations/{invitationId}/resend", resend)
            .summary("Send a pending invitation again: a new link and expiry; the old link stops working")
            .param::<OrgId>("id").param::<InvitationId>("invitationId")
            .returns::<Invited>(201, "The new invitation (a new id), its link, and whether it was e-mailed")
            .audited("invitation", "resend"),
    ])
}

#[derive(Deserialize, JsonSchema)]
pub struct Invite {
    #[schemars(length(min = 1, max = super::model::MAX_EMAIL), regex(pattern = crate::limits::EMAIL_PATTERN))]
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

/// Where the dashboard is: `--public-url`, else the scheme and host this request came to (the
/// inviter's own browser: such a link is only shown to the inviter, never e-mailed).
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
    // E-mailed only with `--public-url`: a link built from the request's Host, sent by this
    // server's own relay, would let anyone who may invite mail a look-alike host's link.
    let (email_sent, email_error) = if !req.app.notifier.email_configured() {
        (
            false,
            Some("no e-mail relay is configured (--smtp-url)".to_owned()),
        )
    } else if req.app.notifier.public_url().is_none() {
        (
            false,
            Some("no e-mail without --public-url: share the link yourself".to_owned()),
        )
    } else {
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
    };
    Ok(reply::created(&Invited {
        invitation,
        link,
        email_sent,
        email_error,
    }))
}

/// "Ada Lovelace", as the e-mail names the inviter.
fn name_of(conn: &rusqlite::Connection, user: crate::ids::UserId) -> Result<String> {
    Ok(store::user_by_id(conn, user)?
        .map(|u| format!("{} {}", u.first_name, u.last_name))
        .unwrap_or_default())
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
            team_rules::may_grant(team_store::acting_role(conn, inviter, org)?, role)?;
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
            crate::audit::created(invitation.id);
            Ok((invitation, secret, name_of(conn, inviter)?))
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
    let (user, now) = (me.user_id, req.now());
    let expires = now + expiry(&req);
    let (invitation, secret, name) = req
        .write(move |conn| {
            let (old, _) =
                invitations::get(conn, org, id)?.ok_or_else(|| Error::not_found("invitation"))?;
            if old.status != "pending" {
                invitations::usable(&old, now)?;
            }
            team_rules::may_grant(team_store::acting_role(conn, user, org)?, old.role)?;
            let (invitation, secret) =
                invitations::insert(conn, org, &old.email, old.role, user, now, expires)?;
            // The entry names the new invitation: the one a later revoke names.
            crate::audit::created(invitation.id);
            Ok((invitation, secret, name_of(conn, user)?))
        })
        .await?;
    deliver(&req, invitation, secret, &name).await
}
