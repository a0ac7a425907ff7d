//! The team's changes in the log: an invitation, its acceptance (written by the handler, in the
//! invitation's organization, the new member as actor), a role change, a member's sessions, the
//! organization's two-factor requirement, an organization created and renamed.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{entries, one, start};
use crate::team::{accept_new, browser, from_link, invite, org_of};

#[tokio::test(flavor = "multi_thread")]
async fn team_changes_are_logged_with_their_actor() {
    let (server, ada) = start().await;
    let org = org_of(&server, &ada).await;
    let invited = invite(&server, &ada, &org, "bob@example.com", "Editor").await;
    let invitation = invited["invitation"]["id"].as_str().unwrap().to_owned();
    let (path, secret) = from_link(invited["link"].as_str().unwrap());
    let (status, profile, _) = accept_new(&server, &path, &secret).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    let bob = profile["user"]["id"].as_str().unwrap().to_owned();

    let roles = format!("/organizations/{org}/members/{bob}/roles");
    let (status, body) = server
        .as_(&ada)
        .put(&roles, json!({"roles": ["Reporter"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server
        .as_(&ada)
        .put(
            &format!("/organizations/{org}/two-factor-policy"),
            json!({"required": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = server.session_cookie("ada@example.com").await;
    let (status, created, _) = browser(
        &server,
        Some(&cookie),
        Method::POST,
        "/organizations",
        Some(json!({"displayName": "Second"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    // A wrong proof changes nothing, and logs no "disable".
    let (status, body, _) = browser(
        &server,
        Some(&cookie),
        Method::DELETE,
        "/users/me/two-factor",
        Some(json!({"code": "000000"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let log = entries(&server, &ada, "").await;
    assert!(
        !log.iter().any(|e| e["resourceType"] == "two_factor"),
        "{log:#?}"
    );
    let ada_id = server.as_(&ada).get_ok("/users/me").await["user"]["id"].clone();
    let entry = one(&log, "invitation", "create");
    assert_eq!(entry["resourceId"], invitation.as_str());
    assert_eq!(entry["userId"], ada_id);
    let joined = one(&log, "member", "join");
    assert_eq!(joined["userId"], bob.as_str());
    assert_eq!(joined["resourceId"], bob.as_str());
    let changed = one(&log, "member", "update");
    assert_eq!(changed["resourceId"], bob.as_str());
    assert_eq!(changed["fields"], json!(["roles"]));
    one(&log, "two_factor_policy", "update");
    let made = one(&log, "organization", "create");
    assert_eq!(made["resourceId"], created["id"]);
    // The invitation's secret is in no entry.
    assert!(!serde_json::to_string(&log).unwrap().contains(&secret));

    // Renaming another of one's organizations is filed in that organization's log.
    let second = created["id"].as_str().unwrap();
    let (status, body, _) = browser(
        &server,
        Some(&cookie),
        Method::PATCH,
        &format!("/organizations/{second}"),
        Some(json!({"displayName": "Second renamed"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let acme = entries(&server, &ada, "").await;
    assert!(
        !acme
            .iter()
            .any(|e| e["resourceType"] == "organization" && e["action"] == "update")
    );
    let (status, body, _) = browser(
        &server,
        Some(&cookie),
        Method::PUT,
        "/auth/session/organization",
        Some(json!({"organizationId": second})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, theirs, _) =
        browser(&server, Some(&cookie), Method::GET, "/audit-log", None).await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    let items = theirs["items"].as_array().unwrap();
    let renamed = one(items, "organization", "update");
    assert_eq!(renamed["resourceId"], second);
}
