//! An invitation's life: expiry on the manual clock (and `--invitation-expiry`), revoking,
//! declining, resending (the old link dies), re-inviting a pending address, inviting a member.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use dutyduck::clock::Clock;
use reqwest::StatusCode;
use serde_json::json;

use super::{accept_new, from_link, invite, link_state, org_of};
use crate::common::{TestServer, code};

#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_expires_after_its_time() {
    let clock = Clock::manual(Utc::now());
    let server = TestServer::start_configured(clock.clone(), |config| {
        config.invitation_expiry = Duration::from_secs(48 * 3600);
    })
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let org = org_of(&server, &ada).await;
    let invited = invite(&server, &ada, &org, "bob@example.com", "Editor").await;
    let expires = invited["invitation"]["expiresAt"].as_str().unwrap();
    let created = invited["invitation"]["createdAt"].as_str().unwrap();
    let span = chrono::DateTime::parse_from_rfc3339(expires).unwrap()
        - chrono::DateTime::parse_from_rfc3339(created).unwrap();
    assert_eq!(span, TimeDelta::hours(48));
    let (path, secret) = from_link(invited["link"].as_str().unwrap());

    clock.advance(TimeDelta::hours(48) - TimeDelta::seconds(1));
    server
        .anonymous()
        .get_ok(&format!("{path}?token={secret}"))
        .await;
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        link_state(&server, &path, &secret).await,
        (StatusCode::GONE, "invitation_expired".to_owned())
    );
    let (status, body, _) = accept_new(&server, &path, &secret).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "invitation_expired")
    );

    // Still listed, to resend: the new link works for another 48 h.
    let pending = server
        .as_(&ada)
        .get_ok(&format!("/organizations/{org}/invitations"))
        .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let resent = server
        .as_(&ada)
        .create(&format!("{path}/resend"), json!({}))
        .await;
    let (new_path, new_secret) = from_link(resent["link"].as_str().unwrap());
    server
        .anonymous()
        .get_ok(&format!("{new_path}?token={new_secret}"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_declined_resent_and_replaced_links_stop_working() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let org = org_of(&server, &ada).await;
    let api = server.as_(&ada);

    // Revoked by a member: 410 for the link's holder.
    let first = invite(&server, &ada, &org, "bob@example.com", "Reporter").await;
    let (path, secret) = from_link(first["link"].as_str().unwrap());
    assert_eq!(api.delete(&path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        link_state(&server, &path, &secret).await,
        (StatusCode::GONE, "invitation_revoked".to_owned())
    );

    // Declined by its holder with the secret; a wrong secret declines nothing.
    let second = invite(&server, &ada, &org, "bob@example.com", "Reporter").await;
    let (path, secret) = from_link(second["link"].as_str().unwrap());
    let wrong = "ab".repeat(32);
    assert_eq!(
        server
            .anonymous()
            .delete(&format!("{path}?token={wrong}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server
            .anonymous()
            .delete(&format!("{path}?token={secret}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        link_state(&server, &path, &secret).await,
        (StatusCode::GONE, "invitation_rejected".to_owned())
    );
    // Without the secret, revoking needs a member who may invite.
    assert_eq!(
        server.anonymous().delete(&path).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Resent: a new link, the old one dead; re-invited: replaced the same way, one pending.
    let third = invite(&server, &ada, &org, "bob@example.com", "Reporter").await;
    let (old_path, old_secret) = from_link(third["link"].as_str().unwrap());
    let resent = api.create(&format!("{old_path}/resend"), json!({})).await;
    assert_eq!(
        link_state(&server, &old_path, &old_secret).await,
        (StatusCode::GONE, "invitation_replaced".to_owned())
    );
    let again = invite(&server, &ada, &org, "bob@example.com", "Editor").await;
    let (resent_path, resent_secret) = from_link(resent["link"].as_str().unwrap());
    let (status, _) = server
        .anonymous()
        .get(&format!("{resent_path}?token={resent_secret}"))
        .await;
    assert_eq!(status, StatusCode::GONE);
    let pending = api
        .get_ok(&format!(
            "/organizations/{org}/invitations?pageNumber=1&itemsPerPage=10"
        ))
        .await;
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["id"], again["invitation"]["id"]);
    assert_eq!(pending[0]["role"], "Editor");
    assert!(
        pending[0].get("secretDigest").is_none()
            && !pending[0].to_string().contains(&resent_secret)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_invite_whom() {
    let server = TestServer::start().await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    server.create_user("ines@example.com", "Acme", Some("MemberInviter"));
    server.create_user("rita@example.com", "Acme", Some("Reporter"));
    let ines = server.create_token("ines@example.com", &[]);
    let rita = server.create_token("rita@example.com", &[]);
    let org = org_of(&server, &ada).await;
    let path = format!("/organizations/{org}/members/invite");
    let cases = [
        // A MemberInviter reads no monitor: inviting an Editor (a second address of their
        // own, say) would give them what their role does not.
        (&ines, "new1@example.com", "Editor", StatusCode::FORBIDDEN),
        (
            &ines,
            "new7@example.com",
            "MemberInviter",
            StatusCode::CREATED,
        ),
        (
            &ines,
            "new2@example.com",
            "Administrator",
            StatusCode::FORBIDDEN,
        ),
        (&ines, "new3@example.com", "Owner", StatusCode::FORBIDDEN),
        (&rita, "new4@example.com", "Reporter", StatusCode::FORBIDDEN),
        (&ada, "new5@example.com", "Owner", StatusCode::CREATED),
        (&ada, "rita@example.com", "Editor", StatusCode::CONFLICT),
        (
            &ada,
            "not an address",
            "Editor",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &ada,
            "new6@example.com",
            "Overlord",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (who, email, role, expected) in cases {
        let (status, body) = server
            .as_(who)
            .post(&path, json!({"email": email, "role": role}))
            .await;
        assert_eq!(status, expected, "{email} as {role}: {body}");
    }
    // Another organization's id is a 404, as the original.
    server.create_user("zed@example.com", "Zeta", None);
    let zed = server.create_token("zed@example.com", &[]);
    let (status, _) = server
        .as_(&zed)
        .post(&path, json!({"email": "x@example.com", "role": "Reporter"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server
        .as_(&zed)
        .get(&format!("/organizations/{org}/invitations"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_server_accepts_invitations_of_existing_accounts_only() {
    let server = TestServer::start_configured(Clock::system(), |config| {
        config.signup = dutyduck::accounts::signup::SignupPolicy::Closed;
    })
    .await;
    let ada = server.user_with_token("ada@example.com", "Acme");
    let org = org_of(&server, &ada).await;
    let invited = invite(&server, &ada, &org, "bob@example.com", "Editor").await;
    let (path, secret) = from_link(invited["link"].as_str().unwrap());

    let (status, body, _) = accept_new(&server, &path, &secret).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "signup_closed")
    );
    // The link still works once an administrator made the account.
    assert_eq!(link_state(&server, &path, &secret).await.0, StatusCode::OK);
}
